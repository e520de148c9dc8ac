/**
 * SAM's sparse content read as one op with a hand-written gradient (`tf.customGrad`), computed
 * in JS on the K gathered words per head. The same maths as `contentRead` in similarity.ts
 * (cosine with ε, softmax over β·sim, weighted sum), which the tests use as the reference; one
 * tape node instead of ~16 forward and ~60 backward kernels, whose per-op dispatch dominates a
 * SAM step on wasm (the paper's Torch version used hand-written sparse kernels too).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { NORM_EPS } from "./similarity.ts";

/** What the read's forward keeps for its gradient. */
export interface ReadForward {
  /** Per query p: [K read weights, W read vector]. */
  out: Float32Array;
  /** Cosine similarities [P, K], word norms [P, K], query norms [P]. */
  sim: Float32Array;
  wn: Float32Array;
  qn: Float32Array;
}

/**
 * The read of P queries q [P, W] with strengths beta [P] over words [P, K, W] (JS): packed
 * (weights, read vector) per query, with the intermediates the gradient uses.
 */
export function readForward(
  q: Float32Array,
  beta: Float32Array,
  words: Float32Array,
  P: number,
  K: number,
  W: number,
): ReadForward {
  const out = new Float32Array(P * (K + W));
  const sim = new Float32Array(P * K), wn = new Float32Array(P * K), qn = new Float32Array(P);
  for (let p = 0; p < P; p++) {
    let qq = NORM_EPS;
    for (let j = 0; j < W; j++) qq += q[p * W + j]! ** 2;
    qn[p] = Math.sqrt(qq);
    let zmax = -Infinity;
    const z = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      const o = (p * K + k) * W;
      let dot = 0, ww = NORM_EPS;
      for (let j = 0; j < W; j++) {
        dot += q[p * W + j]! * words[o + j]!;
        ww += words[o + j]! ** 2;
      }
      wn[p * K + k] = Math.sqrt(ww);
      sim[p * K + k] = dot / (qn[p]! * wn[p * K + k]!);
      z[k] = beta[p]! * sim[p * K + k]!;
      zmax = Math.max(zmax, z[k]!);
    }
    let zs = 0;
    for (let k = 0; k < K; k++) zs += z[k] = Math.exp(z[k]! - zmax);
    const base = p * (K + W);
    for (let k = 0; k < K; k++) {
      const w = z[k]! / zs;
      out[base + k] = w;
      const o = (p * K + k) * W;
      for (let j = 0; j < W; j++) out[base + K + j]! += w * words[o + j]!;
    }
  }
  return { out, sim, wn, qn };
}

/**
 * Gradient of `readForward` for the cotangent d (same layout as `f.out`): dq [P, W], db [P],
 * dwords [P, K, W].
 */
export function readBackward(
  qv: Float32Array,
  bv: Float32Array,
  wv: Float32Array,
  f: ReadForward,
  d: Float32Array,
  K: number,
  W: number,
): { dq: Float32Array; db: Float32Array; dwords: Float32Array } {
  const P = f.qn.length;
  const dq = new Float32Array(P * W), db = new Float32Array(P);
  const dwords = new Float32Array(P * K * W);
  for (let p = 0; p < P; p++) {
    const base = p * (K + W), qn = f.qn[p]!, be = bv[p]!;
    const dwt = new Float64Array(K);
    let sw = 0;
    for (let k = 0; k < K; k++) {
      const o = (p * K + k) * W, w = f.out[base + k]!;
      let t = d[base + k]!;
      for (let j = 0; j < W; j++) {
        t += d[base + K + j]! * wv[o + j]!;
        dwords[o + j] = w * d[base + K + j]!;
      }
      dwt[k] = t;
      sw += w * t;
    }
    for (let k = 0; k < K; k++) {
      const o = (p * K + k) * W, w = f.out[base + k]!, s = f.sim[p * K + k]!;
      const dz = w * (dwt[k]! - sw);
      db[p]! += dz * s;
      const ds = dz * be, wn = f.wn[p * K + k]!;
      for (let j = 0; j < W; j++) {
        const qj = qv[p * W + j]!, mj = wv[o + j]!;
        dq[p * W + j]! += ds * (mj / (qn * wn) - s * qj / (qn * qn));
        dwords[o + j]! += ds * (qj / (qn * wn) - s * mj / (wn * wn));
      }
    }
  }
  return { dq, db, dwords };
}

/**
 * Content read over K words per head: q [B, Hh, W], beta [B, Hh], words [B, Hh, K, W] →
 * packed [B, Hh, K + W] = (read weights w, read vector r) along the last axis.
 */
export const fusedContentRead: (q: tf.Tensor, beta: tf.Tensor, words: tf.Tensor) => tf.Tensor = tf
  .customGrad(
    (...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      // TF.js types the arguments as one list: here the three inputs, then the save function
      const [q, beta, words, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      const [B, Hh, K, W] = words.shape as [number, number, number, number];
      const P = B * Hh;
      const qv = q.dataSync() as Float32Array, bv = beta.dataSync() as Float32Array;
      const wv = words.dataSync() as Float32Array;
      const f = readForward(qv, bv, wv, P, K, W);
      save([q, beta, words]);
      const value = tf.tensor3d(f.out, [B, Hh, K + W]);
      const gradFunc = (dy: tf.Tensor) => {
        const { dq, db, dwords } = readBackward(qv, bv, wv, f, dy.dataSync() as Float32Array, K, W);
        return [
          tf.tensor3d(dq, [B, Hh, W]),
          tf.tensor2d(db, [B, Hh]),
          tf.tensor4d(dwords, [B, Hh, K, W]),
        ];
      };
      return { value, gradFunc };
    },
  );
