/**
 * The content similarity every model uses: cosine with a small ε inside the norms, so empty
 * (all-zero) words have similarity 0 and a finite gradient (Rae et al. 2016 §2.1 leave d and
 * f open; NTM-style cosine with a learned key strength β ≥ 1 is the natural reading).
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** ε added to squared norms: norm(v) = sqrt(Σ v² + ε). */
export const NORM_EPS = 1e-4;

/** norm(v) = sqrt(Σ v² + ε) of a JS vector slice. */
export function normJs(v: Float32Array, off: number, W: number): number {
  let s = NORM_EPS;
  for (let j = 0; j < W; j++) s += v[off + j]! * v[off + j]!;
  return Math.sqrt(s);
}

/**
 * Cosine similarities of queries against words along the last axis.
 * q [..., Hh, W], words [..., Hh, K, W] → [..., Hh, K]  (or words [B, N, W] with q [B, Hh, W]
 * via `cosineDense`).
 */
export function cosineRows(q: tf.Tensor, words: tf.Tensor): tf.Tensor {
  const qn = tf.sqrt(tf.add(tf.sum(tf.square(q), -1, true), NORM_EPS));
  const wn = tf.sqrt(tf.add(tf.sum(tf.square(words), -1), NORM_EPS));
  const dot = tf.sum(tf.mul(tf.expandDims(q, -2), words), -1);
  return tf.div(dot, tf.mul(qn, wn));
}

/** Dense cosine similarity: q [B, Hh, W], mem [B, N, W] → [B, Hh, N]. */
export function cosineDense(q: tf.Tensor3D, mem: tf.Tensor3D): tf.Tensor3D {
  const qn = tf.sqrt(tf.add(tf.sum(tf.square(q), -1, true), NORM_EPS)); // [B,Hh,1]
  const mn = tf.sqrt(tf.add(tf.sum(tf.square(mem), -1), NORM_EPS)); // [B,N]
  const dot = tf.matMul(q, mem, false, true); // [B,Hh,N]
  return tf.div(dot, tf.mul(qn, tf.expandDims(mn, 1))) as tf.Tensor3D;
}

/**
 * Content read: weights softmax(β · sim) over the given words, read vector Σ w · word.
 * q [B, Hh, W], beta [B, Hh], words [B, Hh, K, W] → { w [B, Hh, K], r [B, Hh, W] }.
 */
export function contentRead(
  q: tf.Tensor,
  beta: tf.Tensor,
  words: tf.Tensor,
): { w: tf.Tensor; r: tf.Tensor } {
  const sim = cosineRows(q, words);
  const w = tf.softmax(tf.mul(tf.expandDims(beta, -1), sim));
  const r = tf.sum(tf.mul(tf.expandDims(w, -1), words), -2);
  return { w, r };
}
