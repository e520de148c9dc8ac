/**
 * `BatchMatMul` / `_FusedMatMul` for the TF.js wasm backend on the relaxed-SIMD GEMM (`gemm.ts`),
 * computing in place on the backend's heap: the GEMM module imports the backend's
 * `WebAssembly.Memory`, reads A and B where TF.js keeps them and writes C into the output tensor
 * (no copies in or out). Transpose flags become strides, so autodiff's A·Bᵀ and Aᵀ·B run as they
 * are stored. Batches: equal outer shapes, or one side with batch 1 (broadcast); anything else,
 * non-float32 inputs, and `_FusedMatMul` with PReLU weights go to `fallback` (the engine's
 * previous kernel). `_FusedMatMul`'s bias and activation run as the backend's own `Add` and
 * activation kernels after the GEMM.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type AnyBackend, backendOf, free, run } from "./_kernel_ops.ts";
import { type Gemm, gemmOn } from "./gemm.ts";
import { type KernelFunc, replaceKernel } from "./kernel_registry.ts";
import { explicitTransposeMatMul } from "./matmul_kernel.ts";
import { relaxedSimdSupported } from "./gemm.ts";

/** What this kernel reads of the wasm backend besides {@link AnyBackend}. */
export interface WasmBackendInternals {
  wasm: {
    asm: { memory: WebAssembly.Memory };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** A right-hand operand packed whole, kept for the next product with the same tensor. */
interface PackedB {
  raw: number;
  ptr: number;
  bytes: number;
  k: number;
  n: number;
  transposed: boolean;
}

/** The GEMM bound to one backend's heap, with its packing scratch. */
export interface Bound {
  gemm: Gemm;
  scratch: number;
  /** Packed right-hand operands by TF.js dataId, least recently used first. */
  packed: Map<object, PackedB>;
  packedBytes: number;
}

/**
 * Products with at most this many rows pack op(B) whole and keep it: with few rows, packing B
 * costs as much as the arithmetic, and such products (a recurrent step's input·weights) reuse the
 * same weight tensor at every step. TF.js's XNNPACK kernel keeps its packed weights the same way.
 * A tensor's values never change under one dataId (tensors are immutable; a variable's `assign`
 * gives it a new dataId), so the dataId is the key.
 */
const CACHE_MAX_M = 64;
/** Heap bytes the kept operands may take, all together (least recently used go first). */
const CACHE_MAX_BYTES = 32 * 2 ** 20;
const bound = new WeakMap<object, Bound>();

/** Backends whose heap the GEMM cannot use (e.g. a shared memory of TF.js's threaded build). */
const unusable = new WeakSet<object>();

/**
 * The GEMM on `backend`'s heap (instantiated and its scratch allocated on first use), or null
 * when that heap cannot be used (the kernels then fall back).
 */
export function bind(backend: WasmBackendInternals): Bound | null {
  const hit = bound.get(backend);
  if (hit) return hit;
  if (unusable.has(backend)) return null;
  let gemm: Gemm;
  try {
    gemm = gemmOn(backend.wasm.asm.memory);
  } catch (e) {
    unusable.add(backend); // the previous kernel serves this backend from now on
    console.warn(
      `engine: relaxed-SIMD GEMM cannot use the wasm backend's heap (${(e as Error).message}); ` +
        "matmul falls back to the previous kernel",
    );
    return null;
  }
  // Allocated once per backend and kept (≈ 2.2 MB); 16-byte aligned for v128 stores.
  const raw = backend.wasm._malloc(gemm.scratchFloats * 4 + 16);
  const made = { gemm, scratch: (raw + 15) & ~15, packed: new Map(), packedBytes: 0 };
  bound.set(backend, made);
  return made;
}

let enabled = true;
/**
 * Turns the relaxed-SIMD kernel off (every call goes to the fallback) or back on; returns the
 * previous setting. For A/B benchmarks and tests in one process.
 */
export function useRelaxedSimdGemm(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}

let calls = 0;
/** GEMM calls made through this kernel so far (tests check that it, not the fallback, ran). */
export function gemmKernelCalls(): number {
  return calls;
}

/** Activation name of a fused kernel → the wasm kernel that applies it after the GEMM. */
export const ACTIVATIONS: Record<string, string> = {
  relu: "Relu",
  relu6: "Relu6",
  elu: "Elu",
  sigmoid: "Sigmoid",
  leakyrelu: "LeakyRelu",
};

/** op(B) packed whole (byte offset), from the cache or packed now and kept. */
function packedFor(
  backend: WasmBackendInternals,
  bound: Bound,
  b: tf.TensorInfo,
  k: number,
  n: number,
  transposed: boolean,
): number {
  const hit = bound.packed.get(b.dataId);
  if (hit && hit.k === k && hit.n === n && hit.transposed === transposed) {
    bound.packed.delete(b.dataId); // re-insert: most recently used last
    bound.packed.set(b.dataId, hit);
    return hit.ptr;
  }
  if (hit) evict(backend, bound, b.dataId, hit);
  const bytes = bound.gemm.packedBFloats(k, n) * 4;
  for (const [id, e] of bound.packed) {
    if (bound.packedBytes + bytes <= CACHE_MAX_BYTES) break;
    evict(backend, bound, id, e);
  }
  const raw = backend.wasm._malloc(bytes + 16);
  const ptr = (raw + 15) & ~15;
  const pb = backend.dataIdMap.get(b.dataId)!.memoryOffset; // after malloc: offsets stay valid
  const [rsb, csb] = transposed ? [1, k] : [n, 1];
  bound.gemm.packB(k, n, pb, rsb, csb, ptr);
  bound.packed.set(b.dataId, { raw, ptr, bytes, k, n, transposed });
  bound.packedBytes += bytes;
  return ptr;
}

function evict(backend: WasmBackendInternals, bound: Bound, id: object, e: PackedB): void {
  backend.wasm._free(e.raw);
  bound.packed.delete(id);
  bound.packedBytes -= e.bytes;
}

/** C = op(A)·op(B) on the wasm heap; null when the shapes need the fallback. */
function product(
  backend: WasmBackendInternals,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): tf.TensorInfo | null {
  if (a.dtype !== "float32" || b.dtype !== "float32") return null;
  const ra = a.shape.length, rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const m = a.shape[transposeA ? ra - 1 : ra - 2]!, k = a.shape[transposeA ? ra - 2 : ra - 1]!;
  const kb = b.shape[transposeB ? rb - 1 : rb - 2]!, n = b.shape[transposeB ? rb - 2 : rb - 1]!;
  if (k !== kb) return null; // the fallback reports the mismatch in TF.js's words
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA), batchB = tf.util.sizeFromShape(outerB);
  let outer: number[];
  if (batchA === batchB && outerA.length === outerB.length) {
    if (!outerA.every((d, i) => d === outerB[i])) return null;
    outer = outerA;
  } else if (batchB === 1 && outerA.length >= outerB.length) outer = outerA;
  else if (batchA === 1 && outerB.length >= outerA.length) outer = outerB;
  else return null;
  const batch = Math.max(batchA, batchB);
  const bound = bind(backend);
  if (!bound) return null;
  const { gemm, scratch } = bound;
  const out = backend.makeOutput([...outer, m, n], "float32");
  if (batch * m * n === 0) return out;
  const [rsa, csa] = transposeA ? [1, m] : [k, 1];
  const [rsb, csb] = transposeB ? [1, k] : [n, 1];
  if (batchB === 1 && m <= CACHE_MAX_M && k > 0) {
    const packed = packedFor(backend, bound, b, k, n, transposeB);
    const pa = backend.dataIdMap.get(a.dataId)!.memoryOffset;
    const pc = backend.dataIdMap.get(out.dataId)!.memoryOffset;
    for (let i = 0; i < batch; i++) {
      gemm.gemmPacked(
        m,
        n,
        k,
        pa + i * m * k * 4,
        rsa,
        csa,
        packed,
        pc + i * m * n * 4,
        n,
        scratch,
      );
    }
    calls += batch;
    return out;
  }
  const pa = backend.dataIdMap.get(a.dataId)!.memoryOffset;
  const pb = backend.dataIdMap.get(b.dataId)!.memoryOffset;
  const pc = backend.dataIdMap.get(out.dataId)!.memoryOffset;
  for (let i = 0; i < batch; i++) {
    const offA = batchA === 1 ? 0 : i * m * k * 4, offB = batchB === 1 ? 0 : i * k * n * 4;
    gemm.gemm(m, n, k, pa + offA, rsa, csa, pb + offB, rsb, csb, pc + i * m * n * 4, n, scratch);
  }
  calls += batch;
  return out;
}

/**
 * The relaxed-SIMD matmul kernel for `BatchMatMul` (`fused` false) or `_FusedMatMul` (true) on
 * wasm; `fallback` handles what it does not (see the module doc).
 */
export function relaxedSimdMatMul(fallback: KernelFunc, fused: boolean): KernelFunc {
  return (args) => {
    const { inputs, backend: b, attrs } = args;
    // the wasm backend's heap and dataIds are not in TF.js's public backend type
    const backend = b as unknown as WasmBackendInternals;
    const { transposeA = false, transposeB = false, activation = "linear" } = attrs as {
      transposeA?: boolean;
      transposeB?: boolean;
      activation?: string;
    };
    const { a, b: bIn, bias, preluActivationWeights } = inputs as Record<
      string,
      tf.TensorInfo | undefined
    >;
    if (!enabled || !a || !bIn) return fallback(args);
    if (
      fused && (preluActivationWeights || (activation !== "linear" && !ACTIVATIONS[activation]))
    ) {
      return fallback(args);
    }
    const c = product(backend, a, bIn, transposeA, transposeB);
    if (!c) return fallback(args);
    if (!fused) return c;
    return biasActivation(backendOf(b), c, bias, activation, attrs ?? {});
  };
}

/**
 * A fused kernel's epilogue on wasm: `c` + bias (broadcast, the backend's `Add`), then the
 * activation (one of {@link ACTIVATIONS}, or "linear"); frees the intermediates it replaces.
 */
export function biasActivation(
  any: AnyBackend,
  c: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  activation: string,
  attrs: tf.NamedAttrMap,
): tf.TensorInfo {
  let y = c;
  if (bias) {
    y = run("Add", "wasm", any, { a: c, b: bias });
    free(any, [c]);
  }
  const act = ACTIVATIONS[activation];
  if (act) {
    const z = run(act, "wasm", any, { x: y }, {
      alpha: (attrs as { leakyreluAlpha?: number }).leakyreluAlpha,
    });
    free(any, [y]);
    y = z;
  }
  return y;
}

/**
 * Install the relaxed-SIMD GEMM as the wasm backend's BatchMatMul / _FusedMatMul (wrapping the
 * engine's flag-free matmul as its fallback). `installEngine("wasm")` calls it first (a kernel is
 * replaced once). Returns false (and installs nothing) where relaxed SIMD is absent; the engine's
 * flag-free matmul is the kernel then.
 */
export function installRelaxedSimdGemm(): boolean {
  if (!relaxedSimdSupported()) return false;
  for (const name of ["BatchMatMul", "_FusedMatMul"]) {
    replaceKernel("wasm", name, (orig) => {
      if (!orig) throw new Error(`engine: wasm has no ${name} kernel to wrap`);
      const flagFree = explicitTransposeMatMul("wasm", orig, name === "BatchMatMul");
      return relaxedSimdMatMul(flagFree, name === "_FusedMatMul");
    });
  }
  return true;
}
