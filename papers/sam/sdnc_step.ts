/**
 * One Sparse DNC memory step as a TF.js graph on the step's visible words only (the ≤ V words it
 * writes or reads): the autodiff reference that `sdnc_step_grad.ts` (the JS step and its
 * hand-written VJP, which `sdnc.ts` runs) is tested against, and the definition of the maths.
 * The selections (which words, the LRU word, the link coefficients) are constants made by
 * `sdnc.ts`; the differentiable inputs are the raw interface, the previous read weights and the
 * visible words before the write.
 *
 * Per head h (slots s = 0…3K−1: K content words, K forward words, K backward words):
 * - write (as SAM): w^W = α (γ w̄ + (1 − γ) 1_lru), w̄ = the mean over heads of the previous read
 *   weights; the LRU word is zeroed first; M_t = keep ∘ M_{t−1} + w^W aᵀ;
 * - content: c = softmax(β cos(q_h, M_t[content words])) over the K words;
 * - links: f̂_k = Σ_s F[h, k, s] w_{t−1}[h, s], b̂_k = Σ_s Bk[h, k, s] w_{t−1}[h, s] with the
 *   link values as constants (no gradient through the links);
 * - w_t[h] = [π_c c, π_f f̂, π_b b̂] (π = softmax of 3 logits), r_h = Σ_s w_t[h, s] M_t[slot s].
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { cosineRows } from "./similarity.ts";

/** Sizes: heads R, words per part K, word size W. */
export interface SdncStepSizes {
  R: number;
  K: number;
  W: number;
}

/** Interface width: q (R·W) + β (R) + a (W) + α + γ + modes (3R). */
export function sdncIfaceSize(s: Pick<SdncStepSizes, "R" | "W">): number {
  return s.R * s.W + s.R + s.W + 2 + 3 * s.R;
}

/** The step's constants over V visible words (batch B, S = 3K slots per head). */
export interface SdncStepConsts {
  /** One-hot of the previous slots' words [B, R·S, V]. */
  prevOh: tf.Tensor3D;
  /** One-hot of the LRU word [B, V]. */
  lruOh: tf.Tensor2D;
  /** One-hot of this step's slots' words [B, R·S, V] (padding slots: all zero). */
  slotOh: tf.Tensor3D;
  /** Link coefficients [B, R, K, S]: forward L[word_k, prev_s], backward L[prev_s, word_k]. */
  fwd: tf.Tensor4D;
  bwd: tf.Tensor4D;
}

/** The interface parts, squashed. */
export function splitSdncInterface(iface: tf.Tensor2D, s: Pick<SdncStepSizes, "R" | "W">) {
  const { R, W } = s, B = iface.shape[0];
  let at = 0;
  const take = (n: number) => tf.slice(iface, [0, (at += n) - n], [B, n]);
  const q = tf.reshape(take(R * W), [B, R, W]);
  const beta = tf.add(1, tf.softplus(take(R)));
  const a = take(W);
  const alpha = tf.sigmoid(take(1)), gamma = tf.sigmoid(take(1));
  const modes = tf.softmax(tf.reshape(take(3 * R), [B, R, 3]));
  return { q, beta, a, alpha, gamma, modes };
}

/**
 * The step: iface [B, I], wPrev [B, R, S], mPrev [B, V, W] → read vectors r [B, R, W], read
 * weights w [B, R, S] and the visible words after the write mNew [B, V, W].
 */
export function sdncStepGraph(
  iface: tf.Tensor2D,
  wPrev: tf.Tensor3D,
  mPrev: tf.Tensor3D,
  c: SdncStepConsts,
  s: SdncStepSizes,
): { r: tf.Tensor3D; w: tf.Tensor3D; mNew: tf.Tensor3D } {
  const { R, K, W } = s, S = 3 * K, B = iface.shape[0], V = mPrev.shape[1];
  const x = splitSdncInterface(iface, s);
  const wBar = tf.div(tf.reshape(tf.matMul(tf.reshape(wPrev, [B, 1, R * S]), c.prevOh), [B, V]), R);
  const wW = tf.mul(x.alpha, tf.add(tf.mul(x.gamma, wBar), tf.mul(tf.sub(1, x.gamma), c.lruOh)));
  const mNew = tf.add(
    tf.mul(mPrev, tf.expandDims(tf.sub(1, c.lruOh), 2)),
    tf.mul(tf.expandDims(wW, 2), tf.expandDims(x.a, 1)),
  ) as tf.Tensor3D;
  const words = tf.reshape(tf.matMul(c.slotOh, mNew), [B, R, S, W]);
  const content = tf.softmax(
    tf.mul(tf.expandDims(x.beta, -1), cosineRows(x.q, tf.slice(words, [0, 0, 0, 0], [B, R, K, W]))),
  );
  const wp = tf.expandDims(wPrev, 2); // [B, R, 1, S]
  const mode = (k: number) => tf.slice(x.modes, [0, 0, k], [B, R, 1]);
  const w = tf.concat([
    tf.mul(mode(0), content),
    tf.mul(mode(1), tf.sum(tf.mul(c.fwd, wp), -1)),
    tf.mul(mode(2), tf.sum(tf.mul(c.bwd, wp), -1)),
  ], -1) as tf.Tensor3D;
  const r = tf.sum(tf.mul(tf.expandDims(w, -1), words), 2) as tf.Tensor3D;
  return { r, w, mNew };
}
