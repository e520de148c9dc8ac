/**
 * Small differentiable ops the papers share: softmax along any axis and top-k with gradients.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/**
 * Numerically stable softmax along `axis` (TF.js's `tf.softmax` only takes the last axis).
 * @param logits any shape `[..., n, ...]`
 * @param axis the axis to normalise (negative counts from the end; default −1)
 * @returns same shape; entries along `axis` are ≥ 0 and sum to 1
 */
export function softmax(logits: tf.Tensor, axis = -1): tf.Tensor {
  const r = logits.rank;
  const ax = axis < 0 ? axis + r : axis;
  if (ax === r - 1) return tf.softmax(logits);
  return tf.tidy(() => {
    // The shift cancels in the gradient too (softmax is shift-invariant).
    const m = tf.max(logits, ax, true);
    const e = tf.exp(tf.sub(logits, m));
    return tf.div(e, tf.sum(e, ax, true));
  });
}

/**
 * The k largest entries along the last axis, sorted descending, with a gradient for `values`
 * (registered by `installEngine`: the value gradient is scattered back to the chosen entries).
 * @param x `[..., n]`
 * @param k 1 ≤ k ≤ n
 * @returns values `[..., k]` (float) and indices `[..., k]` (int32)
 */
export function topK(x: tf.Tensor, k: number): { values: tf.Tensor; indices: tf.Tensor } {
  const n = x.shape[x.rank - 1]!;
  if (!(k >= 1 && k <= n)) throw new RangeError(`topK: k = ${k} outside [1, ${n}]`);
  return tf.topk(x, k, true);
}

/**
 * Softmax over only the top-k entries of each row (the rest get weight 0), as used for sparse
 * attention / sparse memory reads. Differentiable w.r.t. the selected logits.
 * @param logits `[..., n]`
 * @param k number of entries kept per row
 * @returns weights `[..., k]` summing to 1 and their indices `[..., k]` (int32)
 */
export function topKSoftmax(
  logits: tf.Tensor,
  k: number,
): { weights: tf.Tensor; indices: tf.Tensor } {
  const { values, indices } = topK(logits, k);
  return { weights: tf.softmax(values), indices };
}
