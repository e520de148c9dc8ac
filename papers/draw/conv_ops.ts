/**
 * The convolution of conv DRAW; its backward kernels come from the engine (`tasks/engine`, wasm
 * has no `Conv2DBackpropFilter` of its own). The pixel shuffle (space-to-depth / depth-to-space)
 * is the engine's too (`spaceToDepth`, `depthToSpace` in `tasks/engine/mod.ts`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Stride-1 'same' convolution with an odd square kernel and an optional bias (one fused kernel).
 * Its gradients use the backend's `Conv2DBackpropInput` / `Conv2DBackpropFilter`, which
 * `installEngine` supplies (and makes fast) on wasm and cpu; {@link ConvDraw} installs it.
 * @param x input `[B, H, W, Ci]`
 * @param w filter `[K, K, Ci, Co]`, K odd
 * @param b optional bias `[Co]`
 * @returns `[B, H, W, Co]`
 */
export function conv2dSame(x: tf.Tensor4D, w: tf.Tensor4D, b?: tf.Tensor1D): tf.Tensor4D {
  if (w.shape[0] % 2 !== 1 || w.shape[0] !== w.shape[1]) {
    throw new Error(`conv2dSame needs an odd square kernel, got ${w.shape[0]}x${w.shape[1]}`);
  }
  return tf.fused.conv2d({ x, filter: w, strides: 1, pad: "same", bias: b });
}
