/**
 * The dense memory access of the NTM and DAM baselines (dense.ts) with its hand-written
 * vector–Jacobian product — the dense counterpart of `sparse_step_grad.ts`, used by `dense_js.ts`
 * so that a step is one tape node instead of ~300–400 kernels. Same maths as dense.ts (cosine with
 * ε inside the norms, key strength 1 + softplus, NTM write with erase/add and interpolation, DAM
 * write to the previously read words and the least used word); `dense_js_test.ts` checks it
 * against dense.ts's autodiff gradients.
 *
 * `DenseAccess` holds one pass's records: every step's memory in one float32 slab per pass and
 * the addressing in one float64 slab (views per step and batch element, nothing allocated per
 * step), the dL/dM carry in place. The O(N·W) loops (cosines, reads, writes and all their
 * backward passes) run in wasm SIMD (`wasm/dense_access.c`, built by `wasm/build_dense_access.sh`,
 * one instance per thread on its own memory, at fixed offsets); the O(H·N) parts (softmax, its
 * backward, the gates) stay here in float64. The wasm loops compute in float32, the precision of
 * the TF.js tensors they replace.
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
  ntm_write(M0: number, w: number, e: number, a: number, N: number, W: number, M1: number): void;
  ntm_write_backward(
    dM: number,
    M0: number,
    w: number,
    e: number,
    a: number,
    N: number,
    W: number,
    dw: number,
    de: number,
    da: number,
  ): void;
  dam_write(M0: number, w: number, lru: number, a: number, N: number, W: number, M1: number): void;
  dam_write_backward(
    dM: number,
    w: number,
    lru: number,
    a: number,
    N: number,
    W: number,
    dw: number,
    da: number,
  ): void;
}

/** The built module (committed beside its source; `build_dense_access.sh` rebuilds it). */
export const DENSE_ACCESS_WASM_URL = new URL("./wasm/dense_access.wasm", import.meta.url);

/** Bytes below which the module may keep its (unused) shadow stack: its two declared pages. */
const RESERVED = 2 * 65536;

/** This thread's instance of the kernels on its own memory. */
class Workspace {
  readonly memory = new WebAssembly.Memory({ initial: 4 });
  readonly k: Kernels;
  f = new Float32Array(this.memory.buffer);

  constructor() {
    const module = new WebAssembly.Module(Deno.readFileSync(DENSE_ACCESS_WASM_URL));
    // the module's exports are exactly the eight functions of Kernels (wasm/dense_access.c)
    this.k = new WebAssembly.Instance(module, { env: { memory: this.memory } })
      .exports as unknown as Kernels;
  }

  /** Make floats [RESERVED / 4, RESERVED / 4 + n) addressable. */
  ensure(n: number): void {
    const need = RESERVED + 4 * n - this.memory.buffer.byteLength;
    if (need > 0) {
      this.memory.grow(Math.ceil(need / 65536));
      this.f = new Float32Array(this.memory.buffer);
    }
  }
}

let workspace: Workspace | null = null;

/** This thread's workspace (instantiated on first use). */
function ws(): Workspace {
  return workspace ??= new Workspace();
}

/** Sizes of one dense access. */
export interface DenseAccessSpec {
  kind: "ntm" | "dam";
  /** Read heads. */
  heads: number;
  N: number;
  W: number;
  /** DAM usage discount. */
  lambda: number;
}

/** Interface width: read keys and strengths, then NTM key, strength, gate, erase, add / DAM add, gates. */
export function accessIfaceSize(s: DenseAccessSpec): number {
  const reads = s.heads * s.W + s.heads;
  return s.kind === "ntm" ? reads + 3 * s.W + 2 : reads + s.W + 2;
}

/** Region sizes (floats) of the workspace, in order; each starts 16-byte aligned. */
function regionSizes(s: DenseAccessSpec) {
  const { heads: H, N, W } = s, NW = N * W, HN = H * N, HW = H * W;
  return {
    M0: NW,
    M1: NW,
    dM: NW,
    kw: W,
    e: W,
    a: W,
    de: W,
    da: W,
    dk: W,
    cw: N,
    wmn: N,
    rmn: N,
    wW: N,
    dwW: N,
    gm: N,
    rcos: HN,
    rw: HN,
    dw: HN,
    f1: HN,
    extra: HN,
    kr: HW,
    r: HW,
    dr: HW,
    dq: HW,
    wkn: 1,
    rkn: H,
    gk: H,
  };
}

type Layout = { [K in keyof ReturnType<typeof regionSizes>]: number } & { floats: number };

/** Float offsets of every region and their total. */
function layout(s: DenseAccessSpec): Layout {
  const out: Record<string, number> = {};
  let at = RESERVED / 4;
  for (const [name, n] of Object.entries(regionSizes(s))) out[name] = at, at += (n + 3) & ~3;
  out.floats = at - RESERVED / 4;
  return out as Layout;
}

/** Bytes of the wasm workspace one element's step uses (counted as host memory of a pass). */
export function workspaceBytes(s: DenseAccessSpec): number {
  return 4 * layout(s).floats;
}

/**
 * Float64 fields of one step's record per batch element, in order: read weights, cosines [H, N],
 * key norms [H], word norms [N], key strengths [H], write weights [N], three scalars (NTM: write
 * strength, gate; DAM: α, γ, least used word); NTM: content write weights, cosines, word norms
 * [N], key norm [1], erase [W]; DAM: mean previous read weights [N].
 */
export function recordFloats(s: DenseAccessSpec): number {
  const { heads: H, N, W } = s;
  return 2 * H * N + 2 * H + 2 * N + 3 + (s.kind === "ntm" ? 3 * N + 1 + W : N);
}

/** softmax_i(β_h c_{h,i}) of cosines c [H, N] (float32 at `cosAt` of f) into w, with c copied to cos. */
function softmaxRows(
  f: Float32Array,
  cosAt: number,
  beta: Float64Array,
  H: number,
  N: number,
  w: Float64Array,
  cos: Float64Array,
): void {
  for (let h = 0; h < H; h++) {
    let zmax = -Infinity;
    const bh = beta[h]!;
    for (let i = 0; i < N; i++) {
      const c = cos[h * N + i] = f[cosAt + h * N + i]!;
      zmax = Math.max(zmax, w[h * N + i] = bh * c);
    }
    let zs = 0;
    for (let i = 0; i < N; i++) zs += w[h * N + i] = Math.exp(w[h * N + i]! - zmax);
    for (let i = 0; i < N; i++) w[h * N + i]! /= zs;
  }
}

/**
 * The softmax-and-cosine backward's per-pair coefficients, written as float32 into the workspace:
 * dz = w (dw − Σ w dw) per head, dβ_h += Σ_i dz c, and with dc = β dz: f1 = dc / (|k| |m|),
 * gk_h = Σ_i dc c / |k|², gm_i = Σ_h dc c / |m|², for `cosine_backward` (dk_h += Σ_i f1 m_i −
 * gk_h k_h, dm_i += Σ_h f1 k_h − gm_i m_i). dw is read from `dw` (float32 at dwAt of f, or a float64 array).
 */
function cosineCoefficients(
  f: Float32Array,
  L: Layout,
  w: Float64Array,
  cos: Float64Array,
  kn: Float64Array,
  mn: Float64Array,
  dw: Float64Array | number,
  beta: Float64Array,
  H: number,
  N: number,
  dbeta: Float64Array,
): void {
  f.fill(0, L.gm, L.gm + N);
  const fromWasm = typeof dw === "number";
  for (let h = 0; h < H; h++) {
    let sw = 0;
    for (let i = 0; i < N; i++) {
      sw += w[h * N + i]! * (fromWasm ? f[dw + h * N + i]! : dw[h * N + i]!);
    }
    const k = kn[h]!;
    let gk = 0;
    for (let i = 0; i < N; i++) {
      const d = fromWasm ? f[dw + h * N + i]! : dw[h * N + i]!;
      const dz = w[h * N + i]! * (d - sw), c = cos[h * N + i]!;
      dbeta[h]! += dz * c;
      const dc = dz * beta[h]!, m = mn[i]!;
      f[L.f1 + h * N + i] = dc / (k * m);
      gk += dc * c / (k * k);
      f[L.gm + i]! += dc * c / (m * m);
    }
    f[L.gk + h] = gk;
  }
}

/**
 * One pass's dense access over B batch elements and T steps: `forward(t, iv)` for t = 0 … T − 1
 * in order, then (after a forward with `backward`) `backward(t, dr)` for t = T − 1 … 0. The step's
 * weights w (NTM: write weights; DAM: read weights), which only the next step's access reads, stay
 * here: the output is the read vectors alone, and dL/dw is carried from step to step like dL/dM.
 * Kept for the backward pass (per step and element): the written memory (float32), the
 * addressing record of `recordFloats` float64 values and the interface values (float32); per
 * pass: the initial memories and weights, DAM's usage, the dL/dM and dL/dw carries (float32,
 * updated in place). A forward-only pass keeps two steps and reuses them.
 */
export class DenseAccess {
  readonly spec: DenseAccessSpec;
  readonly B: number;
  readonly T: number;
  readonly backwardEnabled: boolean;
  /** Interface width, output width (the reads), and width of w. */
  readonly I: number;
  readonly O: number;
  readonly P: number;
  #F: number;
  #slots: number;
  #mem: Float32Array;
  #rec: Float64Array;
  #iv: Float32Array;
  #w0: Float64Array;
  #U: Float32Array;
  #carry: Float32Array;
  #dwCarry: Float32Array;
  #scratch: Float64Array;
  #L: Layout;

  constructor(
    spec: DenseAccessSpec,
    B: number,
    T: number,
    backward: boolean,
    mem0: Float32Array | null,
  ) {
    const { heads: H, N, W, kind } = spec, NW = N * W;
    this.spec = spec, this.B = B, this.T = T, this.backwardEnabled = backward;
    this.I = accessIfaceSize(spec), this.P = kind === "ntm" ? N : H * N, this.O = H * W;
    this.#F = recordFloats(spec);
    this.#slots = backward ? T : 2;
    const memSlots = backward ? T + 1 : 2;
    this.#mem = new Float32Array(B * memSlots * NW);
    if (mem0) { for (let b = 0; b < B; b++) this.#mem.set(mem0, b * memSlots * NW); }
    this.#rec = new Float64Array(B * this.#slots * this.#F);
    this.#iv = new Float32Array(this.#slots * B * this.I);
    this.#w0 = new Float64Array(B * this.P);
    this.#U = new Float32Array(kind === "dam" ? B * N : 0);
    this.#carry = new Float32Array(backward ? B * NW : 0);
    this.#dwCarry = new Float32Array(backward ? B * this.P : 0);
    this.#scratch = new Float64Array(H + N + 1);
    this.#L = layout(spec);
    ws().ensure(this.#L.floats);
  }

  /** Host bytes this pass keeps for its backward (0 for a forward-only pass), with the largest temporaries. */
  hostBytes(): number {
    if (!this.backwardEnabled) return 0;
    const { B, I, O } = this;
    return this.#mem.byteLength + this.#rec.byteLength + this.#iv.byteLength +
      this.#w0.byteLength + this.#U.byteLength + this.#carry.byteLength +
      this.#dwCarry.byteLength + this.#scratch.byteLength + 4 * this.#L.floats + B * (I + O) * 4;
  }

  #memAt(slot: number, b: number): Float32Array {
    const NW = this.spec.N * this.spec.W, slots = this.backwardEnabled ? this.T + 1 : 2;
    const at = (b * slots + (this.backwardEnabled ? slot : slot % 2)) * NW;
    return this.#mem.subarray(at, at + NW);
  }

  /** Offset of step t's record of element b in the record slab. */
  #recAt(t: number, b: number): number {
    return (b * this.#slots + (this.backwardEnabled ? t : t % 2)) * this.#F;
  }

  /** Offset of step t's interface values (all elements) in the iv slab. */
  #ivAt(t: number): number {
    return (this.backwardEnabled ? t : t % 2) * this.B * this.I;
  }

  /** The previous step's packed weights w of element b (NTM: write weights; DAM: read weights). */
  #wPrev(t: number, b: number): Float64Array {
    const { heads: H, N } = this.spec, P = this.P;
    if (t === 0) return this.#w0.subarray(b * P, (b + 1) * P);
    const r = this.#rec, at = this.#recAt(t - 1, b);
    // NTM: the write weights (after the read block); DAM: the read weights (first).
    return this.spec.kind === "ntm"
      ? r.subarray(at + 2 * H * N + 2 * H + N, at + 2 * H * N + 2 * H + 2 * N)
      : r.subarray(at, at + H * N);
  }

  /** Step t's reads [B, H·W] from its interface values iv [B, I]. */
  forward(t: number, ivIn: Float32Array): Float32Array {
    const { heads: H, N, W, kind, lambda } = this.spec, { B, I, O } = this;
    const HN = H * N, HW = H * W, NW = N * W, L = this.#L, s = ws(), k = s.k, f = s.f;
    const ntm = kind === "ntm", ivAt = this.#ivAt(t);
    this.#iv.set(ivIn, ivAt);
    const iv = this.#iv.subarray(ivAt, ivAt + B * I);
    const packed = new Float32Array(B * O);
    for (let b = 0; b < B; b++) {
      const o = b * I, R = this.#rec, at = this.#recAt(t, b), wp = this.#wPrev(t, b);
      const rw = R.subarray(at, at + HN), rcos = R.subarray(at + HN, at + 2 * HN);
      const rkn = at + 2 * HN, rmn = rkn + H, beta = R.subarray(rmn + N, rmn + N + H);
      const wWAt = rmn + N + H, sc = wWAt + N, x = sc + 3;
      f.set(this.#memAt(t, b), L.M0);
      for (let h = 0; h < H; h++) beta[h] = strength(iv[o + HW + h]!);
      const aOff = ntm ? o + HW + H + 2 * W + 2 : o + HW + H;
      for (let j = 0; j < W; j++) f[L.a + j] = iv[aOff + j]!;
      if (ntm) {
        const kOff = o + HW + H, bw = R[sc] = strength(iv[kOff + W]!);
        const g = R[sc + 1] = sigmoid(iv[kOff + W + 1]!);
        const wcw = R.subarray(x, x + N), wcos = R.subarray(x + N, x + 2 * N);
        const wmn = x + 2 * N, wkn = x + 3 * N, e = wkn + 1;
        for (let j = 0; j < W; j++) f[L.e + j] = R[e + j] = sigmoid(iv[kOff + W + 2 + j]!);
        f.set(iv.subarray(kOff, kOff + W), L.kw);
        k.cosines(4 * L.kw, 4 * L.M0, 1, N, W, NORM_EPS, 4 * L.wkn, 4 * L.wmn, 4 * L.cw);
        R[wkn] = f[L.wkn]!;
        for (let i = 0; i < N; i++) R[wmn + i] = f[L.wmn + i]!;
        this.#scratch[0] = bw;
        softmaxRows(f, L.cw, this.#scratch.subarray(0, 1), 1, N, wcw, wcos);
        for (let i = 0; i < N; i++) {
          f[L.wW + i] = R[wWAt + i] = g * wcw[i]! + (1 - g) * wp[i]!;
        }
        k.ntm_write(4 * L.M0, 4 * L.wW, 4 * L.e, 4 * L.a, N, W, 4 * L.M1);
      } else {
        const alpha = R[sc] = sigmoid(iv[aOff + W]!),
          gamma = R[sc + 1] = sigmoid(iv[aOff + W + 1]!);
        const u = this.#U.subarray(b * N, (b + 1) * N);
        let lru = 0;
        for (let i = 1; i < N; i++) if (u[i]! < u[lru]!) lru = i;
        R[sc + 2] = lru;
        for (let i = 0; i < N; i++) {
          let m = 0;
          for (let h = 0; h < H; h++) m += wp[h * N + i]! / H;
          R[x + i] = m;
          const wi = alpha * (gamma * m + (1 - gamma) * (i === lru ? 1 : 0));
          f[L.wW + i] = R[wWAt + i] = wi;
          u[i] = lambda * u[i]! + wi;
        }
        k.dam_write(4 * L.M0, 4 * L.wW, lru, 4 * L.a, N, W, 4 * L.M1);
      }
      f.set(iv.subarray(o, o + HW), L.kr);
      k.cosines(4 * L.kr, 4 * L.M1, H, N, W, NORM_EPS, 4 * L.rkn, 4 * L.rmn, 4 * L.rcos);
      for (let h = 0; h < H; h++) R[rkn + h] = f[L.rkn + h]!;
      for (let i = 0; i < N; i++) R[rmn + i] = f[L.rmn + i]!;
      softmaxRows(f, L.rcos, beta, H, N, rw, rcos);
      for (let q = 0; q < HN; q++) f[L.rw + q] = rw[q]!;
      k.read(4 * L.rw, 4 * L.M1, H, N, W, 4 * L.r);
      packed.set(f.subarray(L.r, L.r + HW), b * O);
      if (!ntm) {
        const u = this.#U.subarray(b * N, (b + 1) * N);
        for (let h = 0; h < H; h++) for (let i = 0; i < N; i++) u[i]! += rw[h * N + i]! / H;
      }
      this.#memAt(t + 1, b).set(f.subarray(L.M1, L.M1 + NW));
    }
    return packed;
  }

  /**
   * Backward of step t given dL/d(reads) d [B, H·W]: returns dL/d(iv) [B, I], and carries dL/dM
   * and dL/dw from after the step to before it.
   */
  backward(t: number, d: Float32Array): Float32Array {
    if (!this.backwardEnabled) throw new Error("DenseAccess: backward of a forward-only pass");
    const { heads: H, N, W, kind } = this.spec, { B, I, O, P } = this;
    const HN = H * N, HW = H * W, NW = N * W, L = this.#L, s = ws(), k = s.k, f = s.f;
    const ntm = kind === "ntm", ivAt = this.#ivAt(t), iv = this.#iv.subarray(ivAt, ivAt + B * I);
    const diface = new Float32Array(B * I), dwPrev = this.#dwCarry;
    const sc0 = this.#scratch;
    for (let b = 0; b < B; b++) {
      const o = b * I, dOff = b * O, R = this.#rec, at = this.#recAt(t, b), wp = this.#wPrev(t, b);
      const rw = R.subarray(at, at + HN), rcos = R.subarray(at + HN, at + 2 * HN);
      const rkn = at + 2 * HN, rmn = rkn + H, beta = R.subarray(rmn + N, rmn + N + H);
      const wWAt = rmn + N + H, sc = wWAt + N, x = sc + 3;
      const carry = this.#carry.subarray(b * NW, (b + 1) * NW);
      // The reads and their addressing (on the memory after the write).
      f.set(this.#memAt(t + 1, b), L.M1);
      f.set(carry, L.dM);
      for (let q = 0; q < HN; q++) f[L.rw + q] = rw[q]!;
      f.set(d.subarray(dOff, dOff + HW), L.dr);
      // dL/dw of this step (from the next step's backward) is the reads' extra cotangent (DAM) or
      // joins the write weights' (NTM); it is overwritten below by dL/dw of the previous step.
      if (!ntm) f.set(dwPrev.subarray(b * P, (b + 1) * P), L.extra);
      k.read_backward(
        4 * L.rw,
        4 * L.M1,
        4 * L.dr,
        4 * L.extra,
        ntm ? 0 : 1,
        H,
        N,
        W,
        4 * L.dw,
        4 * L.dM,
      );
      const dbeta = sc0.subarray(0, H).fill(0);
      cosineCoefficients(
        f,
        L,
        rw,
        rcos,
        R.subarray(rkn, rkn + H),
        R.subarray(rmn, rmn + N),
        L.dw,
        beta,
        H,
        N,
        dbeta,
      );
      f.set(iv.subarray(o, o + HW), L.kr);
      f.fill(0, L.dq, L.dq + HW);
      k.cosine_backward(
        4 * L.kr,
        4 * L.M1,
        4 * L.f1,
        4 * L.gk,
        4 * L.gm,
        H,
        N,
        W,
        4 * L.dq,
        4 * L.dM,
      );
      for (let q = 0; q < HW; q++) diface[o + q] = f[L.dq + q]!;
      for (let h = 0; h < H; h++) diface[o + HW + h] = dbeta[h]! * sigmoid(iv[o + HW + h]!);
      // The write (dL/dM1 becomes dL/dM0 in place).
      const aOff = ntm ? o + HW + H + 2 * W + 2 : o + HW + H;
      for (let j = 0; j < W; j++) f[L.a + j] = iv[aOff + j]!;
      for (let i = 0; i < N; i++) f[L.wW + i] = R[wWAt + i]!;
      f.fill(0, L.da, L.da + W);
      if (ntm) {
        const kOff = o + HW + H, g = R[sc + 1]!, wcw = R.subarray(x, x + N);
        const wmn = x + 2 * N, wkn = x + 3 * N, e = wkn + 1;
        f.set(this.#memAt(t, b), L.M0);
        for (let j = 0; j < W; j++) f[L.e + j] = R[e + j]!;
        f.fill(0, L.de, L.de + W);
        k.ntm_write_backward(
          4 * L.dM,
          4 * L.M0,
          4 * L.wW,
          4 * L.e,
          4 * L.a,
          N,
          W,
          4 * L.dwW,
          4 * L.de,
          4 * L.da,
        );
        let dg = 0;
        const dwc = sc0.subarray(H, H + N);
        for (let i = 0; i < N; i++) {
          const dw = f[L.dwW + i]! + dwPrev[b * P + i]!;
          dg += dw * (wcw[i]! - wp[i]!);
          dwc[i] = g * dw;
          dwPrev[b * P + i] = (1 - g) * dw;
        }
        const dbw = sc0.subarray(H + N, H + N + 1).fill(0);
        cosineCoefficients(
          f,
          L,
          wcw,
          R.subarray(x + N, x + 2 * N),
          R.subarray(wkn, wkn + 1),
          R.subarray(wmn, wmn + N),
          dwc,
          R.subarray(sc, sc + 1),
          1,
          N,
          dbw,
        );
        f.set(iv.subarray(kOff, kOff + W), L.kw);
        f.fill(0, L.dk, L.dk + W);
        k.cosine_backward(
          4 * L.kw,
          4 * L.M0,
          4 * L.f1,
          4 * L.gk,
          4 * L.gm,
          1,
          N,
          W,
          4 * L.dk,
          4 * L.dM,
        );
        for (let j = 0; j < W; j++) {
          const ej = R[e + j]!;
          diface[kOff + j] = f[L.dk + j]!;
          diface[kOff + W + 2 + j] = f[L.de + j]! * ej * (1 - ej);
          diface[aOff + j] = f[L.da + j]!;
        }
        diface[kOff + W] = dbw[0]! * sigmoid(iv[kOff + W]!);
        diface[kOff + W + 1] = dg * g * (1 - g);
      } else {
        const alpha = R[sc]!, gamma = R[sc + 1]!, lru = R[sc + 2]!;
        k.dam_write_backward(4 * L.dM, 4 * L.wW, lru, 4 * L.a, N, W, 4 * L.dwW, 4 * L.da);
        let dalpha = 0, dgamma = 0;
        for (let i = 0; i < N; i++) {
          const dw = f[L.dwW + i]!, isL = i === lru ? 1 : 0, wBar = R[x + i]!;
          dalpha += dw * (gamma * wBar + (1 - gamma) * isL);
          dgamma += dw * alpha * (wBar - isL);
          const v = dw * alpha * gamma / H;
          for (let h = 0; h < H; h++) dwPrev[b * P + h * N + i] = v;
        }
        for (let j = 0; j < W; j++) diface[aOff + j] = f[L.da + j]!;
        diface[aOff + W] = dalpha * alpha * (1 - alpha);
        diface[aOff + W + 1] = dgamma * gamma * (1 - gamma);
      }
      carry.set(f.subarray(L.dM, L.dM + NW));
    }
    return diface;
  }
}
