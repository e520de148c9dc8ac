/**
 * Convolution and pixel-shuffle ops whose gradients run on every TF.js backend.
 *
 * The wasm backend has no `Conv2DBackpropFilter` kernel and no `depthToSpace` gradient, so
 * {@link conv2dSame} wraps `tf.conv2d` in a `tf.customGrad` whose backward pass uses only forward
 * convolutions (input gradient: a convolution with the flipped, transposed filter; filter
 * gradient: a convolution of the transposed input with the transposed output gradient), and
 * space-to-depth / depth-to-space are written as reshape + transpose.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

function convSameGrad(dy: tf.Tensor4D, x: tf.Tensor4D, w: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  const k = w.shape[0];
  const p = (k - 1) / 2;
  // dx = dy ⋆ rot180(w)ᵀ  (same padding, odd kernel, stride 1)
  const wT = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]); // [K, K, Co, Ci]
  const dx = tf.conv2d(dy, wT as tf.Tensor4D, 1, "same");
  // dw[a, b, i, o] = Σ_{n,h,w} xpad[n, h+a, w+b, i] · dy[n, h, w, o]
  const xp = p > 0 ? tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]]) : x;
  const xt = tf.transpose(xp, [3, 1, 2, 0]) as tf.Tensor4D; // [Ci, H+2p, W+2p, B]
  const dyt = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [H, W, B, Co]
  const g = tf.conv2d(xt, dyt, 1, "valid"); // [Ci, K, K, Co]
  return [dx, tf.transpose(g, [1, 2, 0, 3]) as tf.Tensor4D]; // [K, K, Ci, Co]
}

const convSame = tf.customGrad((x, w, save) => {
  const xx = x as tf.Tensor4D, ww = w as tf.Tensor4D;
  (save as tf.GradSaveFunc)([xx, ww]);
  return {
    value: tf.conv2d(xx, ww, 1, "same"),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
      convSameGrad(dy as tf.Tensor4D, saved[0] as tf.Tensor4D, saved[1] as tf.Tensor4D),
  };
});

/**
 * Stride-1 'same' convolution with an odd square kernel, differentiable on wasm.
 * @param x input `[B, H, W, Ci]`
 * @param w filter `[K, K, Ci, Co]`, K odd
 * @param b optional bias `[Co]`
 * @returns `[B, H, W, Co]`
 */
export function conv2dSame(x: tf.Tensor4D, w: tf.Tensor4D, b?: tf.Tensor1D): tf.Tensor4D {
  if (w.shape[0] % 2 !== 1 || w.shape[0] !== w.shape[1]) {
    throw new Error(`conv2dSame needs an odd square kernel, got ${w.shape[0]}x${w.shape[1]}`);
  }
  const y = convSame(x, w) as tf.Tensor4D;
  return b ? tf.add(y, b) : y;
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
