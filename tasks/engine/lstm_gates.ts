/**
 * The LSTM gate nonlinearity as one fused op (forward and backward), shared by `lstmCell` and
 * `convLstmCell`:
 *
 *   z `[..., 4H]` = pre-activations, blocks i, f, o, g along the last axis; c `[..., H]`
 *   c' = σ(z_f) ⊙ c + σ(z_i) ⊙ tanh(z_g),   h' = σ(z_o) ⊙ tanh(c')
 *
 * Written with TF.js ops this is ~12 kernels forward and ~40 backward; each costs a dispatch
 * (tens of µs on wasm) and a buffer. On wasm and cpu the engine registers it as two kernels
 * (`EngineLstmGates`, `EngineLstmGatesGrad`) that call the backend's Sigmoid / Tanh kernels
 * directly (no tape, no engine bookkeeping; tanh(v) = 2σ(2v) − 1) and do the gate arithmetic in one
 * JS loop; elsewhere
 * (webgpu) `lstmGates` falls back to the op composition, which autodiff differentiates.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { alloc, type AnyBackend, backendOf, free, run, view } from "./_kernel_ops.ts";
import type { KernelFunc } from "./kernel_registry.ts";

/** Kernel names (registered for wasm and cpu by `installEngine`). */
export const LSTM_GATES = "EngineLstmGates";
export const LSTM_GATES_GRAD = "EngineLstmGatesGrad";

/**
 * σ of `x` scaled by 2 on the g block (every 4th block of `hs` along the last axis, when `gBlock`)
 * or everywhere (when not): returns the backend's Sigmoid output. With σ(2v) we get
 * tanh(v) = 2σ(2v) − 1 without the backend's Tanh kernel, which on wasm is scalar libm
 * (≈ 20× slower than its SIMD Sigmoid).
 */
function sigmoidScaled(
  backendName: string,
  backend: AnyBackend,
  x: tf.TensorInfo,
  hs: number,
  gBlock: boolean,
): tf.TensorInfo {
  const y = alloc(backend, [...x.shape]);
  const xs = view(backend, x), ys = view(backend, y);
  if (gBlock) {
    for (let o = 0; o < xs.length; o += 4 * hs) {
      ys.set(xs.subarray(o, o + 3 * hs), o); // i, f, o blocks as they are
      for (let j = o + 3 * hs; j < o + 4 * hs; j++) ys[j] = 2 * xs[j]!;
    }
  } else {
    for (let j = 0; j < xs.length; j++) ys[j] = 2 * xs[j]!;
  }
  const s = run("Sigmoid", backendName, backend, { x: y });
  backend.disposeData(y.dataId);
  return s;
}

/**
 * Forward kernel: inputs z `[..., 4H]`, c `[..., H]`; outputs [h', c'] `[..., H]`. The
 * exponentials run in the backend's Sigmoid kernel (SIMD on wasm); the gate arithmetic is one JS
 * loop over the buffers.
 */
export function lstmGatesKernel(backendName: string): KernelFunc {
  return ({ inputs, backend: b }) => {
    const backend = backendOf(b);
    const { z, c } = inputs as { z: tf.TensorInfo; c: tf.TensorInfo };
    const hs = c.shape[c.shape.length - 1]!;
    const rows = c.shape.reduce((p, q) => p * q, 1) / hs;
    const sig = sigmoidScaled(backendName, backend, z, hs, true); // σ(z_i), σ(z_f), σ(z_o), σ(2z_g)
    const c2 = alloc(backend, [...c.shape]);
    {
      const s = view(backend, sig), cs = view(backend, c), out = view(backend, c2);
      for (let r = 0; r < rows; r++) {
        const zo = r * 4 * hs, o = r * hs;
        for (let k = 0; k < hs; k++) {
          const g = 2 * s[zo + 3 * hs + k]! - 1;
          out[o + k] = s[zo + hs + k]! * cs[o + k]! + s[zo + k]! * g;
        }
      }
    }
    const sc = sigmoidScaled(backendName, backend, c2, hs, false); // σ(2c')
    const h2 = alloc(backend, [...c.shape]);
    {
      const s = view(backend, sig), t = view(backend, sc), out = view(backend, h2);
      for (let r = 0; r < rows; r++) {
        const zo = r * 4 * hs + 2 * hs, o = r * hs;
        for (let k = 0; k < hs; k++) out[o + k] = s[zo + k]! * (2 * t[o + k]! - 1);
      }
    }
    free(backend, [sig, sc]);
    return [h2, c2];
  };
}

/**
 * Backward kernel: inputs z, c, c' (saved), dh, dc' (upstream); outputs [dz `[..., 4H]`,
 * dc `[..., H]`]. Recomputes the gate activations rather than saving them (less memory).
 */
export function lstmGatesGradKernel(backendName: string): KernelFunc {
  return ({ inputs, backend: b }) => {
    const backend = backendOf(b);
    const { z, c, c2, dh, dc2 } = inputs as Record<string, tf.TensorInfo>;
    const hs = c!.shape[c!.shape.length - 1]!;
    const rows = c!.shape.reduce((p, q) => p * q, 1) / hs;
    const sig = sigmoidScaled(backendName, backend, z!, hs, true);
    const sc = sigmoidScaled(backendName, backend, c2!, hs, false);
    const dzInfo = alloc(backend, [...z!.shape]);
    const dcInfo = alloc(backend, [...c!.shape]);
    const s = view(backend, sig), scs = view(backend, sc);
    const cs = view(backend, c!), dhs = view(backend, dh!), dc2s = view(backend, dc2!);
    const dz = view(backend, dzInfo), dc = view(backend, dcInfo);
    for (let r = 0; r < rows; r++) {
      const zo = r * 4 * hs, o = r * hs;
      for (let k = 0; k < hs; k++) {
        const i = s[zo + k]!, f = s[zo + hs + k]!, og = s[zo + 2 * hs + k]!;
        const g = 2 * s[zo + 3 * hs + k]! - 1, tc = 2 * scs[o + k]! - 1, dhk = dhs[o + k]!;
        const dct = dc2s[o + k]! + dhk * og * (1 - tc * tc); // total dL/dc'
        dz[zo + k] = dct * g * i * (1 - i);
        dz[zo + hs + k] = dct * cs[o + k]! * f * (1 - f);
        dz[zo + 2 * hs + k] = dhk * tc * og * (1 - og);
        dz[zo + 3 * hs + k] = dct * i * (1 - g * g);
        dc[o + k] = dct * f;
      }
    }
    free(backend, [sig, sc]);
    return [dzInfo, dcInfo];
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
      const grads = tf.engine().runKernel<tf.Tensor[]>(LSTM_GATES_GRAD, {
        z,
        c,
        c2,
        dh: dh ?? tf.zerosLike(c),
        dc2: dc2 ?? tf.zerosLike(c),
      });
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
    const [h, c2] = tf.engine().runKernel<tf.Tensor[]>(LSTM_GATES, { z, c });
    return { h: h!, c: c2! };
  }
  return lstmGatesOps(z, c);
}
