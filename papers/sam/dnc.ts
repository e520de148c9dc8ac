/**
 * The dense DNC memory access (Graves et al. 2016, Methods), in TF.js ops so autodiff gives every
 * gradient: content addressing, usage with free gates and retention, allocation by sorted usage,
 * the N × N temporal link matrix L with precedence p, forward and backward reads, and each read
 * head's 3-way mode softmax. It is the baseline of the Sparse DNC (Rae et al. 2016 Supp. D) and
 * the reference that `sparse_links.ts` is tested against. One step costs Θ(N²) (the links).
 *
 * Read modes are ordered [content, forward, backward] here and in the Sparse DNC (Graves et al.
 * list them backward, content, forward; the order is a labelling only).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { cosineDense } from "./similarity.ts";

/** Memory words N, word size W, read heads R. */
export interface DncSizes {
  N: number;
  W: number;
  R: number;
}

/** The access state carried between steps, batch B. */
export interface DncState {
  /** Memory [B, N, W]. */
  M: tf.Tensor3D;
  /** Usage u [B, N] ∈ [0, 1]. */
  u: tf.Tensor2D;
  /** Temporal links L [B, N, N]: L[i, j] ≈ "i was written right after j"; zero diagonal. */
  L: tf.Tensor3D;
  /** Precedence p [B, N]: how much each word was the last written. */
  p: tf.Tensor2D;
  /** Read weights [B, R, N] and write weights [B, N] of the previous step. */
  wR: tf.Tensor3D;
  wW: tf.Tensor2D;
}

/** The interface vector, parsed and squashed. */
export interface DncInterface {
  /** Read keys [B, R, W] and strengths [B, R] (≥ 1). */
  kR: tf.Tensor3D;
  betaR: tf.Tensor2D;
  /** Write key [B, 1, W] and strength [B, 1] (≥ 1). */
  kW: tf.Tensor3D;
  betaW: tf.Tensor2D;
  /** Erase [B, W] ∈ (0, 1) and write vector [B, W]. */
  erase: tf.Tensor2D;
  write: tf.Tensor2D;
  /** Free gates [B, R], allocation gate [B, 1], write gate [B, 1], all ∈ (0, 1). */
  free: tf.Tensor2D;
  allocGate: tf.Tensor2D;
  writeGate: tf.Tensor2D;
  /** Read modes [B, R, 3] (softmax over content, forward, backward). */
  modes: tf.Tensor3D;
}

/** Width of the raw interface: R·W + R + W + 1 + W + W + R + 1 + 1 + 3R. */
export function dncIfaceSize(s: Pick<DncSizes, "W" | "R">): number {
  return s.R * s.W + s.R + 3 * s.W + 1 + s.R + 2 + 3 * s.R;
}

function oneplus(x: tf.Tensor): tf.Tensor {
  return tf.add(1, tf.softplus(x));
}

/** Split a raw interface [B, I] into its parts (keys raw, strengths 1 + softplus, gates sigmoid). */
export function parseDncInterface(iface: tf.Tensor2D, s: DncSizes): DncInterface {
  const { W, R } = s, B = iface.shape[0];
  let at = 0;
  const take = (n: number) => tf.slice(iface, [0, (at += n) - n], [B, n]);
  return {
    kR: tf.reshape(take(R * W), [B, R, W]) as tf.Tensor3D,
    betaR: oneplus(take(R)) as tf.Tensor2D,
    kW: tf.reshape(take(W), [B, 1, W]) as tf.Tensor3D,
    betaW: oneplus(take(1)) as tf.Tensor2D,
    erase: tf.sigmoid(take(W)) as tf.Tensor2D,
    write: take(W) as tf.Tensor2D,
    free: tf.sigmoid(take(R)) as tf.Tensor2D,
    allocGate: tf.sigmoid(take(1)) as tf.Tensor2D,
    writeGate: tf.sigmoid(take(1)) as tf.Tensor2D,
    modes: tf.softmax(tf.reshape(take(3 * R), [B, R, 3])) as tf.Tensor3D,
  };
}

/** The empty state: every tensor zero. */
export function dncInitialState(B: number, s: DncSizes): DncState {
  const { N, W, R } = s;
  return {
    M: tf.zeros([B, N, W]),
    u: tf.zeros([B, N]),
    L: tf.zeros([B, N, N]),
    p: tf.zeros([B, N]),
    wR: tf.zeros([B, R, N]),
    wW: tf.zeros([B, N]),
  };
}

/** Content weights softmax_i(β_h cos(k_h, M_i)): keys [B, H, W], β [B, H] → [B, H, N]. */
export function contentWeights(M: tf.Tensor3D, keys: tf.Tensor3D, beta: tf.Tensor2D): tf.Tensor3D {
  return tf.softmax(tf.mul(tf.expandDims(beta, -1), cosineDense(keys, M))) as tf.Tensor3D;
}

/** ε of the allocation: usage is mapped to ε + (1 − ε)u so that its log is finite. */
export const ALLOC_EPS = 1e-6;

/**
 * The one-hot permutation [B, N, N] sorting each row of u ascending (ties: the lower index), as a
 * constant of the tape (TopK has no gradient; the order is piecewise constant anyway).
 */
const sortPermutation = tf.customGrad(
  ((u: tf.Tensor2D) => {
    const N = u.shape[1];
    const order = tf.topk(tf.neg(u), N, true).indices;
    return { value: tf.oneHot(order, N).toFloat(), gradFunc: () => tf.zerosLike(u) };
    // TF.js types customGrad's function as variadic over Tensor | GradSaveFunc; this one is (u)
  }) as unknown as Parameters<typeof tf.customGrad>[0],
) as unknown as (u: tf.Tensor2D) => tf.Tensor3D;

/**
 * Allocation weights a [B, N]: with φ the words sorted by usage (least used first),
 * a[φ_j] = (1 − u[φ_j]) Π_{i<j} u[φ_i]. The sort order is a constant (no gradient); the usage
 * values carry gradient through a one-hot permutation.
 */
export function allocationWeights(u: tf.Tensor2D): tf.Tensor2D {
  const [B, N] = u.shape;
  const ue = tf.add(ALLOC_EPS, tf.mul(1 - ALLOC_EPS, u)) as tf.Tensor2D;
  const perm = sortPermutation(ue); // [B, N(sorted), N]
  const sorted = tf.reshape(tf.matMul(perm, tf.expandDims(ue, -1)), [B, N]);
  const prodBefore = tf.exp(tf.cumsum(tf.log(sorted), 1, true)); // exclusive Π
  const aSorted = tf.mul(tf.sub(1, sorted), prodBefore);
  return tf.reshape(tf.matMul(tf.expandDims(aSorted, 1), perm), [B, N]) as tf.Tensor2D;
}

/**
 * Temporal link update: L[i, j] ← (1 − w[i] − w[j]) L[i, j] + w[i] p[j] off the diagonal (zero on
 * it), then p ← (1 − Σ w) p + w. w [B, N] are the step's write weights.
 */
export function updateLinks(
  L: tf.Tensor3D,
  p: tf.Tensor2D,
  w: tf.Tensor2D,
): { L: tf.Tensor3D; p: tf.Tensor2D } {
  const N = w.shape[1];
  const wi = tf.expandDims(w, 2), wj = tf.expandDims(w, 1);
  const offDiag = tf.sub(1, tf.eye(N));
  const next = tf.mul(
    tf.add(tf.mul(tf.sub(tf.sub(1, wi), wj), L), tf.mul(wi, tf.expandDims(p, 1))),
    offDiag,
  ) as tf.Tensor3D;
  const pNext = tf.add(tf.mul(tf.sub(1, tf.sum(w, 1, true)), p), w) as tf.Tensor2D;
  return { L: next, p: pNext };
}

/** Forward f = L w and backward b = Lᵀ w weights of read weights w [B, R, N] → [B, R, N] each. */
export function linkReads(
  L: tf.Tensor3D,
  w: tf.Tensor3D,
): { forward: tf.Tensor3D; backward: tf.Tensor3D } {
  return {
    forward: tf.matMul(w, L, false, true) as tf.Tensor3D, // f[h, i] = Σ_j L[i, j] w[h, j]
    backward: tf.matMul(w, L) as tf.Tensor3D, // b[h, j] = Σ_i L[i, j] w[h, i]
  };
}

/**
 * One DNC memory step: usage and allocation, the write, the link update, then the reads.
 * @returns the next state and the read vectors r [B, R, W].
 */
export function dncStep(st: DncState, x: DncInterface): { state: DncState; r: tf.Tensor3D } {
  const R = st.wR.shape[1];
  // Retention ψ = Π_h (1 − f_h w^R_h) and usage u = (u + w^W − u w^W) ψ.
  let psi: tf.Tensor = tf.onesLike(st.u);
  for (let h = 0; h < R; h++) {
    const f = tf.slice(x.free, [0, h], [-1, 1]);
    const wr = tf.squeeze(tf.slice(st.wR, [0, h, 0], [-1, 1, -1]), [1]);
    psi = tf.mul(psi, tf.sub(1, tf.mul(f, wr)));
  }
  const u = tf.mul(tf.sub(tf.add(st.u, st.wW), tf.mul(st.u, st.wW)), psi) as tf.Tensor2D;
  const a = allocationWeights(u);
  const cW = tf.squeeze(contentWeights(st.M, x.kW, x.betaW), [1]);
  const wW = tf.mul(
    x.writeGate,
    tf.add(tf.mul(x.allocGate, a), tf.mul(tf.sub(1, x.allocGate), cW)),
  ) as tf.Tensor2D;
  const wCol = tf.expandDims(wW, 2);
  const M = tf.add(
    tf.mul(st.M, tf.sub(1, tf.mul(wCol, tf.expandDims(x.erase, 1)))),
    tf.mul(wCol, tf.expandDims(x.write, 1)),
  ) as tf.Tensor3D;
  const { L, p } = updateLinks(st.L, st.p, wW);
  const { forward, backward } = linkReads(L, st.wR);
  const c = contentWeights(M, x.kR, x.betaR);
  const mode = (k: number) => tf.slice(x.modes, [0, 0, k], [-1, -1, 1]);
  const wR = tf.add(
    tf.add(tf.mul(mode(0), c), tf.mul(mode(1), forward)),
    tf.mul(mode(2), backward),
  ) as tf.Tensor3D;
  return { state: { M, u, L, p, wR, wW }, r: tf.matMul(wR, M) as tf.Tensor3D };
}
