/**
 * The convolution and pixel-shuffle ops of conv DRAW. Space-to-depth / depth-to-space are
 * reshape + transpose, so their gradients exist on every backend; the convolution's backward
 * kernels come from the engine (`tasks/engine`, wasm has no `Conv2DBackpropFilter` of its own).
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

/**
 * Space-to-depth by factor f: `[B, H, W, C] -> [B, H/f, W/f, f·f·C]`, channel order (dy, dx, c).
 */
export function spaceToDepth(x: tf.Tensor4D, f: number): tf.Tensor4D {
  if (f === 1) return x;
  const [B, H, W, C] = x.shape;
  const r = tf.reshape(x, [B, H / f, f, W / f, f, C]); // [B, H', dy, W', dx, C]
  return tf.reshape(tf.transpose(r, [0, 1, 3, 2, 4, 5]), [B, H / f, W / f, f * f * C]);
}

/** Depth-to-space by factor f, the inverse of {@link spaceToDepth}: `[B, H, W, f·f·C] -> [B, fH, fW, C]`. */
export function depthToSpace(x: tf.Tensor4D, f: number): tf.Tensor4D {
  if (f === 1) return x;
  const [B, H, W, D] = x.shape;
  const C = D / (f * f);
  const r = tf.reshape(x, [B, H, W, f, f, C]); // [B, H, W, dy, dx, C]
  return tf.reshape(tf.transpose(r, [0, 1, 3, 2, 4, 5]), [B, H * f, W * f, C]);
}
