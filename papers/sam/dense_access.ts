/**
 * The dense memory access of the NTM and DAM baselines (dense.ts) for one batch element and one
 * step, in JS, with its hand-written vector–Jacobian product — the dense counterpart of
 * `sparse_step_grad.ts`, used by `dense_js.ts` so that a step is one tape node instead of
 * ~300–400 kernels. Same maths as dense.ts (cosine with ε inside the norms, key strength
 * 1 + softplus, NTM write with erase/add and interpolation, DAM write to the previously read words
 * and the least used word); `dense_js_test.ts` checks it against dense.ts's autodiff gradients.
 * @module
 */
import { NORM_EPS } from "./similarity.ts";

/** sigmoid */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** 1 + softplus(z) (the key strength). */
export function strength(z: number): number {
  return 1 + (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
}

/** What a content addressing keeps: weights [H, N], cosines [H, N], key norms [H], word norms [N]. */
export interface Addressing {
  w: Float64Array;
  cos: Float64Array;
  kn: Float64Array;
  mn: Float64Array;
}

/** softmax_i(β_h cos(k_h, m_i)) for H keys k [H, W] (at kOff) over the N words of M [N, W]. */
export function address(
  k: Float32Array,
  kOff: number,
  beta: Float64Array,
  M: Float32Array,
  H: number,
  N: number,
  W: number,
): Addressing {
  const w = new Float64Array(H * N), cos = new Float64Array(H * N);
  const kn = new Float64Array(H), mn = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = NORM_EPS;
    for (let j = 0; j < W; j++) s += M[i * W + j]! ** 2;
    mn[i] = Math.sqrt(s);
  }
  for (let h = 0; h < H; h++) {
    let s = NORM_EPS;
    for (let j = 0; j < W; j++) s += k[kOff + h * W + j]! ** 2;
    kn[h] = Math.sqrt(s);
    let zmax = -Infinity;
    for (let i = 0; i < N; i++) {
      let dot = 0;
      for (let j = 0; j < W; j++) dot += k[kOff + h * W + j]! * M[i * W + j]!;
      const c = dot / (kn[h]! * mn[i]!);
      cos[h * N + i] = c;
      w[h * N + i] = beta[h]! * c;
      zmax = Math.max(zmax, w[h * N + i]!);
    }
    let zs = 0;
    for (let i = 0; i < N; i++) zs += w[h * N + i] = Math.exp(w[h * N + i]! - zmax);
    for (let i = 0; i < N; i++) w[h * N + i]! /= zs;
  }
  return { w, cos, kn, mn };
}

/**
 * Backward of `address` given dL/dw [H, N] (consumed): adds dL/dk to dk [H, W] (at dkOff),
 * dL/dβ to dbeta [H], dL/dM to dM [N, W].
 */
export function addressBackward(
  a: Addressing,
  dw: Float64Array,
  k: Float32Array,
  kOff: number,
  beta: Float64Array,
  M: Float32Array,
  H: number,
  N: number,
  W: number,
  dk: Float64Array,
  dkOff: number,
  dbeta: Float64Array,
  dM: Float64Array,
): void {
  for (let h = 0; h < H; h++) {
    let sw = 0;
    for (let i = 0; i < N; i++) sw += a.w[h * N + i]! * dw[h * N + i]!;
    const kn = a.kn[h]!;
    for (let i = 0; i < N; i++) {
      const dz = a.w[h * N + i]! * (dw[h * N + i]! - sw);
      const c = a.cos[h * N + i]!;
      dbeta[h]! += dz * c;
      const dc = dz * beta[h]!, mn = a.mn[i]!;
      if (dc === 0) continue;
      const f1 = dc / (kn * mn), fk = dc * c / (kn * kn), fm = dc * c / (mn * mn);
      for (let j = 0; j < W; j++) {
        const kj = k[kOff + h * W + j]!, mj = M[i * W + j]!;
        dk[dkOff + h * W + j]! += f1 * mj - fk * kj;
        dM[i * W + j]! += f1 * kj - fm * mj;
      }
    }
  }
}

/** r_h = Σ_i w_{h,i} M_i: r [H, W]. */
export function readVectors(w: Float64Array, M: Float32Array, H: number, N: number, W: number) {
  const r = new Float64Array(H * W);
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < N; i++) {
      const wi = w[h * N + i]!;
      if (wi === 0) continue;
      for (let j = 0; j < W; j++) r[h * W + j]! += wi * M[i * W + j]!;
    }
  }
  return r;
}
