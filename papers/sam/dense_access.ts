/**
 * The dense memory access of the NTM and DAM baselines (dense.ts) for one batch element and one
 * step, with its hand-written vector–Jacobian product — the dense counterpart of
 * `sparse_step_grad.ts`, used by `dense_js.ts` so that a step is one tape node instead of
 * ~300–400 kernels. Same maths as dense.ts (cosine with ε inside the norms, key strength
 * 1 + softplus, NTM write with erase/add and interpolation, DAM write to the previously read words
 * and the least used word); `dense_js_test.ts` checks it against dense.ts's autodiff gradients.
 *
 * The O(H·N·W) loops (cosines, reads, their backward) run in wasm SIMD (`wasm/dense_access.c`,
 * built by `wasm/build_dense_access.sh`, one instance per thread on its own memory); the O(H·N)
 * parts (softmax, its backward) stay here in float64. The wasm loops compute in float32, the
 * precision of the TF.js tensors they replace.
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

/** The exports of `wasm/dense_access.wasm` (pointers are byte offsets into its memory). */
interface Kernels {
  cosines(
    k: number,
    M: number,
    H: number,
    N: number,
    W: number,
    eps: number,
    kn: number,
    mn: number,
    cos: number,
  ): void;
  read(w: number, M: number, H: number, N: number, W: number, r: number): void;
  read_backward(
    w: number,
    M: number,
    dr: number,
    extra: number,
    hasExtra: number,
    H: number,
    N: number,
    W: number,
    dw: number,
    dM: number,
  ): void;
  cosine_backward(
    k: number,
    M: number,
    f1: number,
    gk: number,
    gm: number,
    H: number,
    N: number,
    W: number,
    dk: number,
    dM: number,
  ): void;
}

/** The built module (committed beside its source; `build_dense_access.sh` rebuilds it). */
export const DENSE_ACCESS_WASM_URL = new URL("./wasm/dense_access.wasm", import.meta.url);

/** Bytes below which the module may keep its (unused) shadow stack: its two declared pages. */
const RESERVED = 2 * 65536;

/**
 * This thread's instance of the kernels on its own memory, with a bump allocator of float
 * regions that each public function resets (nothing outlives a call).
 */
class Workspace {
  readonly #memory = new WebAssembly.Memory({ initial: 4 });
  readonly #k: Kernels;
  #f = new Float32Array(this.#memory.buffer);
  #top = RESERVED / 4;

  constructor() {
    const module = new WebAssembly.Module(Deno.readFileSync(DENSE_ACCESS_WASM_URL));
    // the module's exports are exactly the four functions of Kernels (wasm/dense_access.c)
    this.#k = new WebAssembly.Instance(module, { env: { memory: this.#memory } })
      .exports as unknown as Kernels;
  }

  get kernels(): Kernels {
    return this.#k;
  }

  /** Start a call: every region allocated before is free again. */
  reset(): void {
    this.#top = RESERVED / 4;
  }

  /** A region of n floats (16-byte aligned); its float index. */
  alloc(n: number): number {
    const at = this.#top;
    this.#top += (n + 3) & ~3;
    if (this.#top * 4 > this.#memory.buffer.byteLength) {
      this.#memory.grow(Math.ceil((this.#top * 4 - this.#memory.buffer.byteLength) / 65536));
      this.#f = new Float32Array(this.#memory.buffer);
    }
    return at;
  }

  /** Copy `src` into a fresh region; its float index. */
  put(src: ArrayLike<number>): number {
    const at = this.alloc(src.length);
    this.#f.set(src, at);
    return at;
  }

  /** n floats from float index `at`, as float64. */
  take(at: number, n: number): Float64Array {
    return Float64Array.from(this.#f.subarray(at, at + n));
  }

  /** Copy n floats from float index `at` into `dst` from `dstOff`. */
  copyOut(at: number, n: number, dst: Float64Array, dstOff = 0): void {
    dst.set(this.#f.subarray(at, at + n), dstOff);
  }
}

let workspace: Workspace | null = null;

/** This thread's workspace (instantiated on first use). */
function ws(): Workspace {
  return workspace ??= new Workspace();
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
  const s = ws();
  s.reset();
  const pk = s.put(k.subarray(kOff, kOff + H * W)), pM = s.put(M);
  const pkn = s.alloc(H), pmn = s.alloc(N), pcos = s.alloc(H * N);
  s.kernels.cosines(4 * pk, 4 * pM, H, N, W, NORM_EPS, 4 * pkn, 4 * pmn, 4 * pcos);
  const cos = s.take(pcos, H * N), kn = s.take(pkn, H), mn = s.take(pmn, N);
  const w = new Float64Array(H * N);
  for (let h = 0; h < H; h++) {
    let zmax = -Infinity;
    for (let i = 0; i < N; i++) zmax = Math.max(zmax, w[h * N + i] = beta[h]! * cos[h * N + i]!);
    let zs = 0;
    for (let i = 0; i < N; i++) zs += w[h * N + i] = Math.exp(w[h * N + i]! - zmax);
    for (let i = 0; i < N; i++) w[h * N + i]! /= zs;
  }
  return { w, cos, kn, mn };
}

/**
 * The softmax-and-cosine backward's per-pair coefficients: dz = w (dw − Σ w dw) per head, dβ_h
 * += Σ_i dz c, and with dc = β dz: f1 = dc / (|k| |m|), gk_h = Σ_i dc c / |k|², gm_i = Σ_h dc c /
 * |m|², for `cosine_backward` (dk_h += Σ_i f1 m_i − gk_h k_h, dm_i += Σ_h f1 k_h − gm_i m_i).
 */
function cosineCoefficients(
  a: Addressing,
  dw: Float64Array,
  beta: Float64Array,
  H: number,
  N: number,
  dbeta: Float64Array,
) {
  const f1 = new Float64Array(H * N), gk = new Float64Array(H), gm = new Float64Array(N);
  for (let h = 0; h < H; h++) {
    let sw = 0;
    for (let i = 0; i < N; i++) sw += a.w[h * N + i]! * dw[h * N + i]!;
    const kn = a.kn[h]!;
    for (let i = 0; i < N; i++) {
      const dz = a.w[h * N + i]! * (dw[h * N + i]! - sw);
      const c = a.cos[h * N + i]!;
      dbeta[h]! += dz * c;
      const dc = dz * beta[h]!, mn = a.mn[i]!;
      f1[h * N + i] = dc / (kn * mn);
      gk[h]! += dc * c / (kn * kn);
      gm[i]! += dc * c / (mn * mn);
    }
  }
  return { f1, gk, gm };
}

/**
 * Backward of `address` given dL/dw [H, N]: adds dL/dk to dk [H, W] (at dkOff), dL/dβ to
 * dbeta [H], dL/dM to dM [N, W].
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
  const { f1, gk, gm } = cosineCoefficients(a, dw, beta, H, N, dbeta);
  const s = ws();
  s.reset();
  const pk = s.put(k.subarray(kOff, kOff + H * W)), pM = s.put(M);
  const pf1 = s.put(f1), pgk = s.put(gk), pgm = s.put(gm);
  const pdk = s.put(dk.subarray(dkOff, dkOff + H * W)), pdM = s.put(dM);
  s.kernels.cosine_backward(4 * pk, 4 * pM, 4 * pf1, 4 * pgk, 4 * pgm, H, N, W, 4 * pdk, 4 * pdM);
  s.copyOut(pdk, H * W, dk, dkOff);
  s.copyOut(pdM, N * W, dM);
}

/** r_h = Σ_i w_{h,i} M_i: r [H, W]. */
export function readVectors(w: Float64Array, M: Float32Array, H: number, N: number, W: number) {
  const s = ws();
  s.reset();
  const pw = s.put(w), pM = s.put(M), pr = s.alloc(H * W);
  s.kernels.read(4 * pw, 4 * pM, H, N, W, 4 * pr);
  return s.take(pr, H * W);
}

/**
 * Backward of the H content reads r_h = Σ_i w_{h,i} M_i and of their addressing, in one pass with
 * dL/dM resident: given dL/dr [H, W] and, for DAM, the cotangent of the read weights themselves
 * (`extra` [H, N], or null), adds dL/dM to dM [N, W], dL/dq to dq [H, W] (the keys, at qOff of
 * q) and dL/dβ to dbeta [H].
 */
export function readHeadsBackward(
  a: Addressing,
  dr: Float32Array,
  extra: Float32Array | null,
  q: Float32Array,
  qOff: number,
  beta: Float64Array,
  M: Float32Array,
  H: number,
  N: number,
  W: number,
  dq: Float64Array,
  dbeta: Float64Array,
  dM: Float64Array,
): void {
  const s = ws();
  s.reset();
  const pw = s.put(a.w), pM = s.put(M), pdr = s.put(dr);
  const pex = extra ? s.put(extra) : 0, pdw = s.alloc(H * N), pdM = s.put(dM);
  s.kernels.read_backward(
    4 * pw,
    4 * pM,
    4 * pdr,
    4 * pex,
    extra ? 1 : 0,
    H,
    N,
    W,
    4 * pdw,
    4 * pdM,
  );
  const { f1, gk, gm } = cosineCoefficients(a, s.take(pdw, H * N), beta, H, N, dbeta);
  const pk = s.put(q.subarray(qOff, qOff + H * W));
  const pf1 = s.put(f1), pgk = s.put(gk), pgm = s.put(gm), pdq = s.put(dq);
  s.kernels.cosine_backward(4 * pk, 4 * pM, 4 * pf1, 4 * pgk, 4 * pgm, H, N, W, 4 * pdq, 4 * pdM);
  s.copyOut(pdq, H * W, dq);
  s.copyOut(pdM, N * W, dM);
}
