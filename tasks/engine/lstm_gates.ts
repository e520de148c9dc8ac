/**
 * The LSTM gate nonlinearity as one fused op (forward and backward), shared by `lstmCell` and
 * `convLstmCell`:
 *
 *   z `[..., 4H]` = pre-activations, blocks i, f, o, g along the last axis; c `[..., H]`
 *   c' = σ(z_f) ⊙ c + σ(z_i) ⊙ tanh(z_g),   h' = σ(z_o) ⊙ tanh(c')
 *
 * Written with TF.js ops this is ~12 kernels forward and ~40 backward; each costs a dispatch
 * (tens of µs on wasm) and a buffer. On wasm and cpu the engine registers it as two JS kernels
 * (`EngineLstmGates`, `EngineLstmGatesGrad`) that loop once over the raw buffers; elsewhere
 * (webgpu) `lstmGates` falls back to the op composition, which autodiff differentiates.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type AnyBackend, makeFilled, read } from "./_kernel_ops.ts";
import type { KernelFunc } from "./kernel_registry.ts";

/** Kernel names (registered for wasm and cpu by `installEngine`). */
export const LSTM_GATES = "EngineLstmGates";
export const LSTM_GATES_GRAD = "EngineLstmGatesGrad";

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

function tanh(v: number): number {
  // 2σ(2v) − 1 costs one exp; exact enough in float64 for a float32 result.
  return 2 / (1 + Math.exp(-2 * v)) - 1;
}

/** Forward kernel: inputs z `[..., 4H]`, c `[..., H]`; outputs [h', c'] `[..., H]`. */
export function lstmGatesKernel(): KernelFunc {
  return ({ inputs, backend: b }) => {
    const backend = b as unknown as AnyBackend;
    const { z, c } = inputs as { z: tf.TensorInfo; c: tf.TensorInfo };
    const hs = c.shape[c.shape.length - 1]!;
    const rows = c.shape.reduce((p, q) => p * q, 1) / hs;
    const zs = read(backend, z), cs = read(backend, c);
    const c2 = new Float32Array(rows * hs);
    const h2 = new Float32Array(rows * hs);
    for (let r = 0; r < rows; r++) {
      const zo = r * 4 * hs, o = r * hs;
      for (let k = 0; k < hs; k++) {
        const i = sigmoid(zs[zo + k]!), f = sigmoid(zs[zo + hs + k]!);
        const og = sigmoid(zs[zo + 2 * hs + k]!), g = tanh(zs[zo + 3 * hs + k]!);
        const cc = f * cs[o + k]! + i * g;
        c2[o + k] = cc;
        h2[o + k] = og * tanh(cc);
      }
    }
    return [
      makeFilled(backend, c.shape, "float32", (v) => v.set(h2)),
      makeFilled(backend, c.shape, "float32", (v) => v.set(c2)),
    ];
  };
}

/**
 * Backward kernel: inputs z, c, c' (saved), dh, dc' (upstream); outputs [dz `[..., 4H]`,
 * dc `[..., H]`].
 */
export function lstmGatesGradKernel(): KernelFunc {
  return ({ inputs, backend: b }) => {
    const backend = b as unknown as AnyBackend;
    const { z, c, c2, dh, dc2 } = inputs as Record<string, tf.TensorInfo>;
    const hs = c!.shape[c!.shape.length - 1]!;
    const rows = c!.shape.reduce((p, q) => p * q, 1) / hs;
    const zs = read(backend, z!), cs = read(backend, c!), c2s = read(backend, c2!);
    const dhs = read(backend, dh!), dc2s = read(backend, dc2!);
    const dz = new Float32Array(rows * 4 * hs), dc = new Float32Array(rows * hs);
    for (let r = 0; r < rows; r++) {
      const zo = r * 4 * hs, o = r * hs;
      for (let k = 0; k < hs; k++) {
        const i = sigmoid(zs[zo + k]!), f = sigmoid(zs[zo + hs + k]!);
        const og = sigmoid(zs[zo + 2 * hs + k]!), g = tanh(zs[zo + 3 * hs + k]!);
        const tc = tanh(c2s[o + k]!);
        const dhk = dhs[o + k]!;
        const dct = dc2s[o + k]! + dhk * og * (1 - tc * tc); // total dL/dc'
        dz[zo + k] = dct * g * i * (1 - i);
        dz[zo + hs + k] = dct * cs[o + k]! * f * (1 - f);
        dz[zo + 2 * hs + k] = dhk * tc * og * (1 - og);
        dz[zo + 3 * hs + k] = dct * i * (1 - g * g);
        dc[o + k] = dct * f;
      }
    }
    return [
      makeFilled(backend, z!.shape, "float32", (v) => v.set(dz)),
      makeFilled(backend, c!.shape, "float32", (v) => v.set(dc)),
    ];
  };
}

/** Registers the gradient of `EngineLstmGates` (global; idempotent through installEngine). */
export function registerLstmGatesGradient(): void {
  tf.registerGradient({
    kernelName: LSTM_GATES,
    inputsToSave: ["z", "c"],
    outputsToSave: [false, true],
    gradFunc: (dy, saved) => {
      const [z, c, c2] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const [dh, dc2] = dy as (tf.Tensor | null)[];
      const grads = tf.engine().runKernel(LSTM_GATES_GRAD, {
        z,
        c,
        c2,
        dh: dh ?? tf.zerosLike(c),
        dc2: dc2 ?? tf.zerosLike(c),
      }) as unknown as tf.Tensor[];
      return { z: () => grads[0]!, c: () => grads[1]! };
    },
  });
}

/** The gate math as TF.js ops (for backends without the fused kernels). */
function lstmGatesOps(z: tf.Tensor, c: tf.Tensor): { h: tf.Tensor; c: tf.Tensor } {
  const ax = z.rank - 1;
  const hs = c.shape[ax]!;
  // Fresh begin/size arrays per slice: TF.js keeps them as attrs for the gradient.
  const at = (start: number, len: number) => {
    const begin = z.shape.map(() => 0), size = z.shape.map(() => -1);
    begin[ax] = start;
    size[ax] = len;
    return tf.slice(z, begin, size);
  };
  const sig = tf.sigmoid(at(0, 3 * hs)); // i, f, o
  const g = tf.tanh(at(3 * hs, hs));
  const [i, f, o] = tf.split(sig, 3, ax) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const c2 = tf.add(tf.mul(f, c), tf.mul(i, g));
  return { h: tf.mul(o, tf.tanh(c2)), c: c2 };
}

/**
 * LSTM gates: h' = σ(z_o) ⊙ tanh(c'), c' = σ(z_f) ⊙ c + σ(z_i) ⊙ tanh(z_g).
 * @param z `[..., 4H]` pre-activations, blocks i, f, o, g on the last axis
 * @param c `[..., H]` previous cell state
 * @returns h' and c', both `[..., H]`; differentiable w.r.t. z and c
 */
export function lstmGates(z: tf.Tensor, c: tf.Tensor): { h: tf.Tensor; c: tf.Tensor } {
  if (tf.getKernel(LSTM_GATES, tf.getBackend())) {
    const [h, c2] = tf.engine().runKernel(LSTM_GATES, { z, c }) as unknown as tf.Tensor[];
    return { h: h!, c: c2! };
  }
  return lstmGatesOps(z, c);
}
