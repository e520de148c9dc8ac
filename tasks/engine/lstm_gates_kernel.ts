/**
 * The fused LSTM gate kernels for wasm and cpu (see `lstm_gates.ts` for the math and the ops that
 * call them): the exponentials run in the backend's own Sigmoid kernel (SIMD on wasm), the gate
 * arithmetic in one JS loop over the buffers, with no tape and no engine bookkeeping.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { alloc, type AnyBackend, backendOf, free, run, view } from "./_kernel_ops.ts";
import type { KernelFunc } from "./kernel_registry.ts";

/** Kernel names (registered for wasm and cpu by `installEngine`). */
export const LSTM_GATES = "EngineLstmGates";
export const LSTM_GATES_GRAD = "EngineLstmGatesGrad";
export const LSTM_GATES_SAVED = "EngineLstmGatesSaved";
export const LSTM_GATES_VJP = "EngineLstmGatesVjp";

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

/** The forward gate math on raw buffers: h', c' and the activations the VJP reuses. */
function gatesForward(
  backendName: string,
  backend: AnyBackend,
  z: tf.TensorInfo,
  c: tf.TensorInfo,
): { h2: tf.TensorInfo; c2: tf.TensorInfo; sig: tf.TensorInfo; sc: tf.TensorInfo } {
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
  return { h2, c2, sig, sc };
}

/**
 * The backward gate math on raw buffers, from the activations of {@link gatesForward}
 * (sig `[..., 4H]`, sc = σ(2c') `[..., H]`), the previous cell state c and the upstream dh, dc'.
 */
function gatesVjp(
  backend: AnyBackend,
  sig: tf.TensorInfo,
  sc: tf.TensorInfo,
  c: tf.TensorInfo,
  dh: tf.TensorInfo,
  dc2: tf.TensorInfo,
): [tf.TensorInfo, tf.TensorInfo] {
  const hs = c.shape[c.shape.length - 1]!;
  const rows = c.shape.reduce((p, q) => p * q, 1) / hs;
  const dzInfo = alloc(backend, [...sig.shape]);
  const dcInfo = alloc(backend, [...c.shape]);
  const s = view(backend, sig), scs = view(backend, sc);
  const cs = view(backend, c), dhs = view(backend, dh), dc2s = view(backend, dc2);
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
  return [dzInfo, dcInfo];
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
    const { h2, c2, sig, sc } = gatesForward(backendName, backend, z, c);
    free(backend, [sig, sc]);
    return [h2, c2];
  };
}

/**
 * Forward kernel that keeps its activations: inputs z, c; outputs [h', c', act `[..., 4H]`
 * = (σ(z_i), σ(z_f), σ(z_o), σ(2z_g)), sc `[..., H]` = σ(2c')], for {@link lstmGatesVjp}.
 */
export function lstmGatesSavedKernel(backendName: string): KernelFunc {
  return ({ inputs, backend: b }) => {
    const backend = backendOf(b);
    const { z, c } = inputs as { z: tf.TensorInfo; c: tf.TensorInfo };
    const { h2, c2, sig, sc } = gatesForward(backendName, backend, z, c);
    return [h2, c2, sig, sc];
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
    const sig = sigmoidScaled(backendName, backend, z!, hs, true);
    const sc = sigmoidScaled(backendName, backend, c2!, hs, false);
    const out = gatesVjp(backend, sig, sc, c!, dh!, dc2!);
    free(backend, [sig, sc]);
    return out;
  };
}

/**
 * Backward kernel from kept activations: inputs act, sc (from `EngineLstmGatesSaved`), c, dh,
 * dc'; outputs [dz, dc]. No exponentials.
 */
export function lstmGatesVjpKernel(): KernelFunc {
  return ({ inputs, backend: b }) => {
    const { act, sc, c, dh, dc2 } = inputs as Record<string, tf.TensorInfo>;
    return gatesVjp(backendOf(b), act!, sc!, c!, dh!, dc2!);
  };
}
