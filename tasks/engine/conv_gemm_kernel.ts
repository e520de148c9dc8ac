/**
 * `Conv2D`, `FusedConv2D`, `Conv2DBackpropFilter` and `Conv2DBackpropInput` for the TF.js wasm
 * backend lowered to the relaxed-SIMD GEMM (`gemm.ts`) with im2col (`im2col.ts`), in place on the
 * backend's heap. For x `[N, H, W, Ci]`, filter F `[KH, KW, Ci, Co]` (TF.js's layout is already
 * the `[KH·KW·Ci, Co]` matrix) and the M = N·Ho·Wo output positions:
 *
 *   y  = col · F            col = im2col(x)  `[M, KH·KW·Ci]`
 *   dF = colᵀ · dy          (a transposed operand is a stride, not a copy)
 *   dx = col2im(dy · Fᵀ)
 *
 * All three run in chunks of output rows (≈ 1 MiB of the lowered matrix, so it stays in the
 * core's L2 between im2col and the GEMM, or the GEMM and col2im): the forward and the input
 * gradient with the filter packed for the GEMM once per call, the filter gradient (a sum over the
 * rows) adding each chunk's product into dF. A 1×1, stride-1, unpadded convolution multiplies x
 * itself (no im2col). NHWC, dilation 1 and float32 only; anything else (NCHW, dilations, PReLU
 * weights) goes to the kernel it replaces — TF.js's own for the forward ones,
 * the engine's composites (`conv_kernels.ts`) for the two gradients. `FusedConv2D`'s bias and
 * activation run as the backend's own kernels after the GEMM, as for `_FusedMatMul`.
 *
 * On several cores (opt-in, {@link useConvThreads}; `installThreadedConv` in
 * `gemm_threads_kernel.ts` sets it): a conv of at least `minMacs` multiply-adds sends each chunk's
 * product to a thread pool instead (chunks of ≤ 4 MiB of the lowered matrix, of equal size, copied
 * into the pool's shared memory and back); the lowering itself stays on this thread.
 *
 * Installed by the engine with the GEMM (see {@link installRelaxedSimdConv}).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { backendOf } from "./_kernel_ops.ts";
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel } from "./conv_kernels.ts";
import { relaxedSimdSupported } from "./gemm.ts";
import {
  ACTIVATIONS,
  biasActivation,
  bind,
  type Bound,
  type WasmBackendInternals,
} from "./gemm_kernel.ts";
import { im2colOn } from "./im2col.ts";
import { type KernelFunc, replaceKernel } from "./kernel_registry.ts";

/** Shapes of one NHWC convolution with dilation 1. */
interface Geometry {
  N: number;
  H: number;
  W: number;
  C: number;
  KH: number;
  KW: number;
  Co: number;
  sh: number;
  sw: number;
  pt: number;
  pl: number;
  Ho: number;
  Wo: number;
}

/** Conv attributes as TF.js passes them to these kernels. */
interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number;
  dataFormat?: string;
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
  activation?: string;
  filterShape?: number[];
  inputShape?: number[];
}

function geometry(xShape: number[], filterShape: number[], a: ConvAttrs): Geometry | null {
  if (a.dataFormat !== undefined && a.dataFormat !== "NHWC") return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    "channelsLast",
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  return {
    N: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    C: info.inChannels,
    KH: info.filterHeight,
    KW: info.filterWidth,
    Co: info.outChannels,
    sh: info.strideHeight,
    sw: info.strideWidth,
    pt: info.padInfo.top,
    pl: info.padInfo.left,
    Ho: info.outHeight,
    Wo: info.outWidth,
  };
}

/** True when im2col(x) is x itself: 1×1, stride 1, no padding. */
function identityLowering(g: Geometry): boolean {
  return g.KH === 1 && g.KW === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0 &&
    g.Ho === g.H && g.Wo === g.W;
}

let enabled = true;
/**
 * Turns these kernels off (every call goes to the kernel they replaced) or back on; returns the
 * previous setting. For A/B benchmarks in one process.
 */
export function useRelaxedSimdConv(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

/**
 * A product on several cores (a `GemmThreads` pool fits): out [m, n] = op(A)·op(B) for row-major
 * `a` (op(A) [m, k]; a is [k, m] when `transposeA`) and `b` likewise, copied in and out.
 */
export interface ConvThreads {
  product(p: {
    a: Float32Array;
    b: Float32Array;
    m: number;
    k: number;
    n: number;
    transposeA: boolean;
    transposeB: boolean;
    out: Float32Array;
  }): void;
  /** Convolutions below this many multiply-adds stay on this thread. */
  minMacs: number;
}

let threads: ConvThreads | null = null;
/** Sends large convolutions' products to `t` (null: every conv on this thread); returns the previous. */
export function useConvThreads(t: ConvThreads | null): ConvThreads | null {
  const was = threads;
  threads = t;
  return was;
}

/** The pool for a conv of `macs` multiply-adds, or null when it stays on this thread. */
function poolFor(macs: number): ConvThreads | null {
  return threads && macs >= threads.minMacs ? threads : null;
}

const calls = { forward: 0, filterGrad: 0, inputGrad: 0, threaded: 0 };
/** Convolutions computed by these kernels so far, by kind; tests check they ran. */
export function convGemmKernelCalls(): Readonly<typeof calls> {
  return { ...calls };
}

function offset(backend: WasmBackendInternals, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.memoryOffset;
}

/** A 16-byte-aligned heap region of `floats` floats: its byte offset and the pointer to free. */
function alloc(backend: WasmBackendInternals, floats: number): { at: number; raw: number } {
  const raw = backend.wasm._malloc(floats * 4 + 16);
  return { at: (raw + 15) & ~15, raw };
}

/** Floats of the lowered matrix one chunk holds (1 MiB). */
const CHUNK_FLOATS = 2 ** 18;

/** Rows per chunk for K columns: a multiple of the GEMM's 6-row panels, at least one panel. */
function chunkRows(K: number, M: number): number {
  return Math.min(M, Math.max(6, Math.floor(CHUNK_FLOATS / K / 6) * 6));
}

/**
 * Floats of the lowered matrix one pool chunk holds (4 MiB): each chunk is copied into the pool's
 * memory, so a chunk should be large enough to keep every thread busy, and small enough to stay
 * near the caches.
 */
const POOL_CHUNK_FLOATS = 2 ** 20;

/** Rows per pool chunk: chunks of at most 4 MiB, all of (nearly) the same size, in 6-row panels. */
function poolRows(K: number, M: number): number {
  const most = Math.max(6, Math.floor(POOL_CHUNK_FLOATS / K / 6) * 6);
  return Math.min(M, Math.ceil(M / Math.ceil(M / most) / 6) * 6);
}

/** `floats` floats of the heap from byte offset `at` (made anew: a malloc may detach views). */
function heap(backend: WasmBackendInternals, at: number, floats: number): Float32Array {
  return new Float32Array(backend.wasm.asm.memory.buffer, at, floats);
}

/** Memories whose lowering module failed to load (their kernels fall back from then on). */
const noLowering = new WeakSet<WebAssembly.Memory>();

/**
 * The GEMM and the lowering on `backend`'s heap, both loaded before anything is allocated, or
 * null (the caller falls back) when either cannot be used there.
 */
function ready(backend: WasmBackendInternals): Bound | null {
  const bound = bind(backend);
  const memory = backend.wasm.asm.memory;
  if (!bound || noLowering.has(memory)) return null;
  try {
    im2colOn(memory);
  } catch (e) {
    noLowering.add(memory);
    console.warn(
      `engine: the conv lowering cannot load on the wasm heap (${(e as Error).message}); ` +
        "conv2d falls back to the previous kernels",
    );
    return null;
  }
  return bound;
}

/** Calls `im2col` or `col2im` for output rows [r0, r1) with g's geometry. */
function lowering(
  backend: WasmBackendInternals,
  kind: "im2col" | "col2im",
  src: number,
  g: Geometry,
  r0: number,
  r1: number,
  dst: number,
): void {
  im2colOn(backend.wasm.asm.memory)[kind](
    src,
    g.H,
    g.W,
    g.C,
    g.KH,
    g.KW,
    g.sh,
    g.sw,
    g.pt,
    g.pl,
    g.Ho,
    g.Wo,
    r0,
    r1,
    dst,
  );
}

/**
 * What every lowered conv needs: its geometry, the GEMM and lowering bound to the heap, and the
 * GEMM's M = N·Ho·Wo rows and K = KH·KW·C depth; null where the conv falls back.
 */
function plan(
  backend: WasmBackendInternals,
  xShape: number[],
  filterShape: number[],
  a: ConvAttrs,
): { g: Geometry; bound: Bound; M: number; K: number } | null {
  const g = geometry(xShape, filterShape, a);
  const bound = g ? ready(backend) : null;
  if (!g || !bound) return null;
  return { g, bound, M: g.N * g.Ho * g.Wo, K: g.KH * g.KW * g.C };
}

function zeroFill(backend: WasmBackendInternals, t: tf.TensorInfo): void {
  const n = tf.util.sizeFromShape(t.shape);
  new Float32Array(backend.wasm.asm.memory.buffer, offset(backend, t), n).fill(0);
}

/** `Conv2D` (`fused` false) or `FusedConv2D` (true); `fallback` is the kernel it replaces. */
export function convGemmForward(fallback: KernelFunc, fused: boolean): KernelFunc {
  return (args) => {
    const { inputs, backend: b, attrs } = args;
    // the wasm backend's heap and dataIds are not in TF.js's public backend type
    const backend = b as unknown as WasmBackendInternals;
    // TF.js types attrs as a NamedAttrMap; these are Conv2D's / FusedConv2D's
    const a = (attrs ?? {}) as unknown as ConvAttrs;
    const { x, filter, bias, preluActivationWeights } = inputs as Record<
      string,
      tf.TensorInfo | undefined
    >;
    const activation = a.activation ?? "linear";
    if (!enabled || !x || !filter || x.dtype !== "float32" || filter.dtype !== "float32") {
      return fallback(args);
    }
    if (
      fused && (preluActivationWeights || (activation !== "linear" && !ACTIVATIONS[activation]))
    ) {
      return fallback(args);
    }
    const p = plan(backend, x.shape, filter.shape, a);
    if (!p) return fallback(args);
    const { g, bound, M, K } = p;
    const y = backend.makeOutput([g.N, g.Ho, g.Wo, g.Co], "float32");
    if (M * g.Co > 0) {
      if (K === 0) zeroFill(backend, y);
      else {
        // F [K, Co] packed once; each chunk of rows lowered (x itself for a 1×1 stride-1 conv),
        // then multiplied, while in cache (or on the pool, which packs F itself).
        const pool = poolFor(M * K * g.Co);
        const packed = pool ? null : alloc(backend, bound.gemm.packedBFloats(K, g.Co));
        if (packed) bound.gemm.packB(K, g.Co, offset(backend, filter), g.Co, 1, packed.at);
        const rows = pool ? poolRows(K, M) : chunkRows(K, M);
        const col = identityLowering(g) ? null : alloc(backend, rows * K);
        const px = offset(backend, x), py = offset(backend, y), pf = offset(backend, filter);
        for (let r0 = 0; r0 < M; r0 += rows) {
          const r1 = Math.min(M, r0 + rows), m = r1 - r0;
          if (col) lowering(backend, "im2col", px, g, r0, r1, col.at);
          if (pool) {
            pool.product({
              a: heap(backend, col ? col.at : px + r0 * K * 4, m * K),
              b: heap(backend, pf, K * g.Co),
              m,
              k: K,
              n: g.Co,
              transposeA: false,
              transposeB: false,
              out: heap(backend, py + r0 * g.Co * 4, m * g.Co),
            });
            continue;
          }
          bound.gemm.gemmPacked(
            r1 - r0,
            g.Co,
            K,
            col ? col.at : px + r0 * K * 4,
            K,
            1,
            packed!.at,
            py + r0 * g.Co * 4,
            g.Co,
            bound.scratch,
          );
        }
        if (col) backend.wasm._free(col.raw);
        if (packed) backend.wasm._free(packed.raw);
        if (pool) calls.threaded++;
      }
      calls.forward++;
    }
    return fused ? biasActivation(backendOf(b), y, bias, activation, attrs ?? {}) : y;
  };
}

/** `Conv2DBackpropFilter`: dF = im2col(x)ᵀ · dy. */
export function convGemmFilterGrad(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend: b, attrs } = args;
    const backend = b as unknown as WasmBackendInternals;
    const a = (attrs ?? {}) as unknown as ConvAttrs;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    if (!enabled || x.dtype !== "float32" || dy.dtype !== "float32" || !a.filterShape) {
      return fallback(args);
    }
    const p = plan(backend, x.shape, a.filterShape, a);
    if (!p) return fallback(args);
    const { g, bound, M, K } = p;
    const dF = backend.makeOutput(a.filterShape, "float32");
    if (K * g.Co === 0) return dF;
    if (M === 0) {
      zeroFill(backend, dF);
      return dF;
    }
    // op(A) = colᵀ [K, M]: element (i, k) of op(A) is col[k, i], at k·K + i. A chunk of rows
    // gives its share of the sum; the first writes dF, the others a buffer added into dF.
    const px = offset(backend, x), pdy = offset(backend, dy), pdF = offset(backend, dF);
    const pool = poolFor(M * K * g.Co);
    const direct = identityLowering(g), rows = direct ? M : pool ? poolRows(K, M) : chunkRows(K, M);
    const col = direct ? { at: px, raw: 0 } : alloc(backend, rows * K);
    const part = M > rows ? alloc(backend, K * g.Co) : null;
    for (let r0 = 0; r0 < M; r0 += rows) {
      const r1 = Math.min(M, r0 + rows);
      if (!direct) lowering(backend, "im2col", px, g, r0, r1, col.at);
      const into = r0 === 0 ? pdF : part!.at;
      if (pool) {
        pool.product({
          a: heap(backend, col.at, (r1 - r0) * K),
          b: heap(backend, pdy + r0 * g.Co * 4, (r1 - r0) * g.Co),
          m: K,
          k: r1 - r0,
          n: g.Co,
          transposeA: true,
          transposeB: false,
          out: heap(backend, into, K * g.Co),
        });
      } else {
        bound.gemm.gemm(
          K,
          g.Co,
          r1 - r0,
          col.at,
          1,
          K,
          pdy + r0 * g.Co * 4,
          g.Co,
          1,
          into,
          g.Co,
          bound.scratch,
        );
      }
      if (r0 > 0) im2colOn(backend.wasm.asm.memory).accumulate(part!.at, pdF, K * g.Co);
    }
    if (col.raw) backend.wasm._free(col.raw);
    if (part) backend.wasm._free(part.raw);
    if (pool) calls.threaded++;
    calls.filterGrad++;
    return dF;
  };
}

/** `Conv2DBackpropInput`: dx = col2im(dy · Fᵀ). */
export function convGemmInputGrad(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend: b, attrs } = args;
    const backend = b as unknown as WasmBackendInternals;
    const a = (attrs ?? {}) as unknown as ConvAttrs;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    if (!enabled || dy.dtype !== "float32" || filter.dtype !== "float32" || !a.inputShape) {
      return fallback(args);
    }
    const p = plan(backend, a.inputShape, filter.shape, a);
    if (!p) return fallback(args);
    const { g, bound, M, K } = p;
    const dx = backend.makeOutput(a.inputShape, "float32");
    const direct = identityLowering(g);
    if (!direct || M * g.Co === 0) zeroFill(backend, dx);
    if (M * K === 0 || g.Co === 0) return dx;
    // op(B) = Fᵀ [Co, K]: element (k, j) of op(B) is F[j, k], at j·Co + k. Fᵀ packed once; each
    // chunk of rows of dy·Fᵀ computed, then scattered while in cache (written into dx itself for
    // a 1×1 stride-1 conv).
    const pool = poolFor(M * K * g.Co);
    const packed = pool ? null : alloc(backend, bound.gemm.packedBFloats(g.Co, K));
    if (packed) bound.gemm.packB(g.Co, K, offset(backend, filter), 1, g.Co, packed.at);
    const rows = pool ? poolRows(K, M) : chunkRows(K, M);
    const dcol = direct ? null : alloc(backend, rows * K);
    const pdy = offset(backend, dy), pdx = offset(backend, dx), pf = offset(backend, filter);
    for (let r0 = 0; r0 < M; r0 += rows) {
      const r1 = Math.min(M, r0 + rows), m = r1 - r0;
      if (pool) {
        pool.product({
          a: heap(backend, pdy + r0 * g.Co * 4, m * g.Co),
          b: heap(backend, pf, K * g.Co),
          m,
          k: g.Co,
          n: K,
          transposeA: false,
          transposeB: true,
          out: heap(backend, dcol ? dcol.at : pdx + r0 * K * 4, m * K),
        });
        if (dcol) lowering(backend, "col2im", dcol.at, g, r0, r1, pdx);
        continue;
      }
      bound.gemm.gemmPacked(
        r1 - r0,
        K,
        g.Co,
        pdy + r0 * g.Co * 4,
        g.Co,
        1,
        packed!.at,
        dcol ? dcol.at : pdx + r0 * K * 4,
        K,
        bound.scratch,
      );
      if (dcol) lowering(backend, "col2im", dcol.at, g, r0, r1, pdx);
    }
    if (dcol) backend.wasm._free(dcol.raw);
    if (packed) backend.wasm._free(packed.raw);
    if (pool) calls.threaded++;
    calls.inputGrad++;
    return dx;
  };
}

/**
 * Install the GEMM-lowered convolutions on wasm (forward, fused forward and both gradients).
 * `installEngine("wasm")` calls it first, as `installRelaxedSimdGemm`. Returns false (and installs
 * nothing) where relaxed SIMD is absent; the engine's direct convolutions are the kernels then.
 */
export function installRelaxedSimdConv(): boolean {
  if (!relaxedSimdSupported()) return false;
  const own = (orig: tf.KernelConfig | null, name: string) => {
    if (!orig) throw new Error(`engine: wasm has no ${name} kernel to wrap`);
    return orig.kernelFunc as KernelFunc;
  };
  replaceKernel("wasm", "Conv2D", (orig) => convGemmForward(own(orig, "Conv2D"), false));
  replaceKernel("wasm", "FusedConv2D", (orig) => convGemmForward(own(orig, "FusedConv2D"), true));
  replaceKernel(
    "wasm",
    "Conv2DBackpropFilter",
    () => convGemmFilterGrad(conv2dBackpropFilterKernel("wasm")),
  );
  replaceKernel(
    "wasm",
    "Conv2DBackpropInput",
    () => convGemmInputGrad(conv2dBackpropInputKernel("wasm")),
  );
  return true;
}
