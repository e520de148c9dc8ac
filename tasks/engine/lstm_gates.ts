/**
 * The LSTM gate nonlinearity as one fused op (forward and backward), shared by `lstmCell`,
 * `lstmCellForward` / `lstmCellVjp` and `convLstmCell`:
 *
 *   z `[..., 4H]` = pre-activations, blocks i, f, o, g along the last axis; c `[..., H]`
 *   c' = σ(z_f) ⊙ c + σ(z_i) ⊙ tanh(z_g),   h' = σ(z_o) ⊙ tanh(c')
 *
 * Written with TF.js ops this is ~12 kernels forward and ~40 backward; each costs a dispatch
 * (tens of µs on wasm) and a buffer. On wasm and cpu the engine registers it as kernels that call
 * the backend's Sigmoid kernel directly (no tape, no engine bookkeeping; tanh(v) = 2σ(2v) − 1)
 * and do the gate arithmetic in one JS loop:
 *
 * - `EngineLstmGates` → (h', c'), differentiated by `EngineLstmGatesGrad`, which recomputes the
 *   activations from the saved z and c' (the tape keeps 6 H-blocks: z, c, c');
 * - `EngineLstmGatesSaved` → (h', c', act, sc), whose activations `EngineLstmGatesVjp` reuses
 *   (no exponentials in the backward), for a caller that keeps a step's state itself.
 *
 * Elsewhere (webgpu) the same functions fall back to op compositions, which autodiff
 * differentiates.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  LSTM_GATES,
  LSTM_GATES_GRAD,
  LSTM_GATES_SAVED,
  LSTM_GATES_VJP,
} from "./lstm_gates_kernel.ts";

/** Registers the gradients of `EngineLstmGates` and `EngineLstmGatesSaved` (global; idempotent through installEngine). */
export function registerLstmGatesGradient(): void {
  tf.registerGradient({
    kernelName: LSTM_GATES,
    inputsToSave: ["z", "c"],
    outputsToSave: [false, true],
    gradFunc: (dy, saved) => {
      const [z, c, c2] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const [dh, dc2] = dy as [tf.Tensor, tf.Tensor];
      const grads = tf.engine().runKernel<tf.Tensor[]>(LSTM_GATES_GRAD, {
        z,
        c,
        c2,
        dh,
        dc2,
      });
      return { z: () => grads[0]!, c: () => grads[1]! };
    },
  });
  tf.registerGradient({
    kernelName: LSTM_GATES_SAVED,
    inputsToSave: ["c"],
    outputsToSave: [false, false, true, true],
    gradFunc: (dy, saved) => {
      const [c, act, sc] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      // TF.js hands zeros (never null) for outputs off the gradient path; act and sc carry none.
      const [dh, dc2] = dy as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      const { dz, dc } = lstmGatesVjp(act, sc, c, dh, dc2);
      return { z: () => dz, c: () => dc };
    },
  });
}

/** One block of `len` along the last axis, from `start` (fresh begin/size arrays per slice). */
function lastAxis(z: tf.Tensor, start: number, len: number): tf.Tensor {
  const ax = z.rank - 1;
  const begin = z.shape.map(() => 0), size = z.shape.map(() => -1);
  begin[ax] = start;
  size[ax] = len;
  return tf.slice(z, begin, size);
}

/** The gate math as TF.js ops (for backends without the fused kernels). */
function lstmGatesOps(z: tf.Tensor, c: tf.Tensor): { h: tf.Tensor; c: tf.Tensor } {
  const ax = z.rank - 1;
  const hs = c.shape[ax]!;
  const sig = tf.sigmoid(lastAxis(z, 0, 3 * hs)); // i, f, o
  const g = tf.tanh(lastAxis(z, 3 * hs, hs));
  const [i, f, o] = tf.split(sig, 3, ax) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const c2 = tf.add(tf.mul(f, c), tf.mul(i, g));
  return { h: tf.mul(o, tf.tanh(c2)), c: c2 };
}

/** {@link lstmGatesSaved} as TF.js ops: the same activations as the kernel keeps. */
function lstmGatesSavedOps(z: tf.Tensor, c: tf.Tensor): LstmGatesSaved {
  const ax = z.rank - 1;
  const hs = c.shape[ax]!;
  const act = tf.concat([
    tf.sigmoid(lastAxis(z, 0, 3 * hs)),
    tf.sigmoid(tf.mul(2, lastAxis(z, 3 * hs, hs))),
  ], ax);
  const [i, f, o, gs] = tf.split(act, 4, ax) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const c2 = tf.add(tf.mul(f, c), tf.mul(i, tf.sub(tf.mul(2, gs), 1)));
  const sc = tf.sigmoid(tf.mul(2, c2));
  return { h: tf.mul(o, tf.sub(tf.mul(2, sc), 1)), c: c2, act, sc };
}

/** {@link lstmGatesVjp} as TF.js ops. */
function lstmGatesVjpOps(
  act: tf.Tensor,
  sc: tf.Tensor,
  c: tf.Tensor,
  dh: tf.Tensor,
  dc2: tf.Tensor,
): { dz: tf.Tensor; dc: tf.Tensor } {
  const ax = act.rank - 1;
  const [i, f, o, gs] = tf.split(act, 4, ax) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const g = tf.sub(tf.mul(2, gs), 1), tc = tf.sub(tf.mul(2, sc), 1);
  const dSig = (s: tf.Tensor) => tf.mul(s, tf.sub(1, s)); // σ' from σ
  const dct = tf.add(dc2, tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tc)))); // total dL/dc'
  const dz = tf.concat([
    tf.mul(tf.mul(dct, g), dSig(i)),
    tf.mul(tf.mul(dct, c), dSig(f)),
    tf.mul(tf.mul(dh, tc), dSig(o)),
    tf.mul(tf.mul(dct, i), tf.sub(1, tf.square(g))),
  ], ax);
  return { dz, dc: tf.mul(dct, f) };
}

/**
 * LSTM gates: h' = σ(z_o) ⊙ tanh(c'), c' = σ(z_f) ⊙ c + σ(z_i) ⊙ tanh(z_g).
 * @param z `[..., 4H]` pre-activations, blocks i, f, o, g on the last axis
 * @param c `[..., H]` previous cell state
 * @returns h' and c', both `[..., H]`; differentiable w.r.t. z and c (the tape keeps z, c, c' and
 *   the backward recomputes the activations)
 */
export function lstmGates(z: tf.Tensor, c: tf.Tensor): { h: tf.Tensor; c: tf.Tensor } {
  if (tf.getKernel(LSTM_GATES, tf.getBackend())) {
    const [h, c2] = tf.engine().runKernel<tf.Tensor[]>(LSTM_GATES, { z, c });
    return { h: h!, c: c2! };
  }
  return lstmGatesOps(z, c);
}

/** The gates' outputs with the activations {@link lstmGatesVjp} needs. */
export interface LstmGatesSaved {
  /** h' `[..., H]`. */
  h: tf.Tensor;
  /** c' `[..., H]`. */
  c: tf.Tensor;
  /** `[..., 4H]`: σ(z_i), σ(z_f), σ(z_o), σ(2z_g) (so tanh(z_g) = 2σ(2z_g) − 1). */
  act: tf.Tensor;
  /** `[..., H]`: σ(2c') (so tanh(c') = 2σ(2c') − 1). */
  sc: tf.Tensor;
}

/**
 * {@link lstmGates} that also returns its activations, for a hand-written backward
 * ({@link lstmGatesVjp}) that needs no exponentials. h' and c' are differentiable w.r.t. z and c;
 * act and sc are not (autodiff ignores any gradient that reaches them).
 */
export function lstmGatesSaved(z: tf.Tensor, c: tf.Tensor): LstmGatesSaved {
  if (tf.getKernel(LSTM_GATES_SAVED, tf.getBackend())) {
    const [h, c2, act, sc] = tf.engine().runKernel<tf.Tensor[]>(LSTM_GATES_SAVED, {
      z,
      c,
    });
    return { h: h!, c: c2!, act: act!, sc: sc! };
  }
  return lstmGatesSavedOps(z, c);
}

/**
 * The vector-Jacobian product of the gates from kept activations.
 * @param act, sc from {@link lstmGatesSaved}
 * @param c `[..., H]` the previous cell state (the gates' input)
 * @param dh, dc2 upstream gradients of h' and c'
 * @returns dz `[..., 4H]` and dc `[..., H]`
 */
export function lstmGatesVjp(
  act: tf.Tensor,
  sc: tf.Tensor,
  c: tf.Tensor,
  dh: tf.Tensor,
  dc2: tf.Tensor,
): { dz: tf.Tensor; dc: tf.Tensor } {
  if (tf.getKernel(LSTM_GATES_VJP, tf.getBackend())) {
    const [dz, dc] = tf.engine().runKernel<tf.Tensor[]>(LSTM_GATES_VJP, {
      act,
      sc,
      c,
      dh,
      dc2,
    });
    return { dz: dz!, dc: dc! };
  }
  return lstmGatesVjpOps(act, sc, c, dh, dc2);
}
