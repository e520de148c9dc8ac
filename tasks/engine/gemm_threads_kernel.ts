/**
 * `BatchMatMul` / `_FusedMatMul` for the TF.js wasm backend on several cores: products of at
 * least `minMacs` multiply-adds and more than `maxCachedRows` rows go to a {@link GemmThreads} pool (A and B copied from the TF.js
 * heap into the pool's shared memory, C copied back into the output tensor); smaller ones, and
 * everything the pool does not take (non-float32, PReLU weights, batch shapes other than equal or
 * one side 1), go to the kernel that was registered before (the engine's one-thread relaxed-SIMD
 * GEMM after `installEngine("wasm")`). **Opt-in and standalone**, like the pool: not imported by
 * `mod.ts`, so no paper uses it and no result's code hash moves.
 *
 * ```ts
 * await setupBackend("wasm"); // installEngine first: the threaded kernel wraps its matmul
 * const pool = await GemmThreads.start(2);
 * const uninstall = installThreadedMatMul(pool);
 * // … tf.matMul of large operands now uses both cores …
 * uninstall(), pool.close();
 * ```
 *
 * It registers over the current kernels with TF.js's own registry (not `kernel_registry.ts`, whose
 * kernels are replaced once), so `withOriginalKernels` and the engine's test helpers do not know
 * it: uninstall it before using them.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { backendOf } from "./_kernel_ops.ts";
import { useConvThreads } from "./conv_gemm_kernel.ts";
import { ACTIVATIONS, biasActivation, type WasmBackendInternals } from "./gemm_kernel.ts";
import type { GemmThreads } from "./gemm_threads.ts";
import type { KernelFunc } from "./kernel_registry.ts";

/** Options of {@link installThreadedMatMul}. */
export interface ThreadedMatMulOptions {
  /**
   * Products (per batch entry) below this many multiply-adds stay on the previous kernel: the
   * copy in and out and the threads' wake-up cost ≈ 10–20 µs, which small products cannot repay.
   * Default 2^21 (e.g. 128 × 128 × 128).
   */
  minMacs?: number;
  /**
   * Products with at most this many rows stay on the previous kernel, which keeps their packed
   * right-hand operand between calls (a recurrent step's input·weights); the pool packs it anew
   * in every thread. Default 64, the one-thread kernel's own limit for that cache.
   */
  maxCachedRows?: number;
}

let calls = 0;
/** Products the pool computed through this kernel so far (tests check that it ran). */
export function threadedMatMulCalls(): number {
  return calls;
}

/** The float32 values of `t` as a view on the wasm heap (no copy). */
function heapView(backend: WasmBackendInternals, t: tf.TensorInfo, offset = 0, length?: number) {
  const ptr = backend.dataIdMap.get(t.dataId)!.memoryOffset;
  const size = length ?? tf.util.sizeFromShape(t.shape);
  return new Float32Array(backend.wasm.asm.memory.buffer, ptr + offset * 4, size);
}

/** out = op(a)·op(b) on the pool, batch by batch; null when the previous kernel should run. */
function threadedProduct(
  pool: GemmThreads,
  limits: Required<ThreadedMatMulOptions>,
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
  if (k !== kb || m * n * k < limits.minMacs || m <= limits.maxCachedRows) return null;
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA), batchB = tf.util.sizeFromShape(outerB);
  let outer: number[];
  if (outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) outer = outerA;
  else if (batchB === 1 && outerA.length >= outerB.length) outer = outerA;
  else if (batchA === 1 && outerB.length >= outerA.length) outer = outerB;
  else return null;
  const batch = Math.max(batchA, batchB);
  const out = backend.makeOutput([...outer, m, n], "float32");
  for (let i = 0; i < batch; i++) {
    // Views made after makeOutput (it may grow the heap and detach older views).
    pool.product({
      a: heapView(backend, a, batchA === 1 ? 0 : i * m * k, m * k),
      b: heapView(backend, b, batchB === 1 ? 0 : i * k * n, k * n),
      m,
      k,
      n,
      transposeA,
      transposeB,
      out: heapView(backend, out, i * m * n, m * n),
    });
  }
  calls += batch;
  return out;
}

function threadedMatMul(
  pool: GemmThreads,
  limits: Required<ThreadedMatMulOptions>,
  previous: KernelFunc,
  fused: boolean,
): KernelFunc {
  return (args) => {
    const { inputs, backend: bk, attrs } = args;
    const backend = bk as unknown as WasmBackendInternals;
    const { transposeA = false, transposeB = false, activation = "linear" } = attrs as {
      transposeA?: boolean;
      transposeB?: boolean;
      activation?: string;
    };
    const { a, b, bias, preluActivationWeights } = inputs as Record<
      string,
      tf.TensorInfo | undefined
    >;
    if (!a || !b) return previous(args);
    if (
      fused && (preluActivationWeights || (activation !== "linear" && !ACTIVATIONS[activation]))
    ) {
      return previous(args);
    }
    const c = threadedProduct(pool, limits, backend, a, b, transposeA, transposeB);
    if (!c) return previous(args);
    return fused ? biasActivation(backendOf(bk), c, bias, activation, attrs ?? {}) : c;
  };
}

/**
 * Put `pool` under the wasm backend's `BatchMatMul` and `_FusedMatMul` for products of at least
 * `minMacs` multiply-adds and more than `maxCachedRows` rows; returns the function that puts the previous kernels back. Throws when
 * the wasm backend has no matmul kernel registered yet.
 */
export function installThreadedMatMul(
  pool: GemmThreads,
  options: ThreadedMatMulOptions = {},
): () => void {
  const limits = {
    minMacs: options.minMacs ?? 2 ** 21,
    maxCachedRows: options.maxCachedRows ?? 64,
  };
  const previous: tf.KernelConfig[] = [];
  for (const name of ["BatchMatMul", "_FusedMatMul"]) {
    const prev = tf.getKernel(name, "wasm") as tf.KernelConfig | undefined;
    if (!prev) throw new Error(`engine: wasm has no ${name} kernel to put the thread pool under`);
    previous.push(prev);
  }
  for (const prev of previous) {
    tf.unregisterKernel(prev.kernelName, "wasm");
    tf.registerKernel({
      ...prev,
      kernelFunc: threadedMatMul(
        pool,
        limits,
        prev.kernelFunc,
        prev.kernelName === "_FusedMatMul",
      ),
    });
  }
  return () => {
    for (const prev of previous) {
      tf.unregisterKernel(prev.kernelName, "wasm");
      tf.registerKernel(prev);
    }
  };
}

/** Options of {@link installThreadedConv}. */
export interface ThreadedConvOptions {
  /**
   * Convolutions below this many multiply-adds (N·Ho·Wo · KH·KW·Ci · Co) stay on one thread.
   * Default 2^24: the pool's copies (the lowered matrix in, the product out) and wake-ups must be
   * small beside the product.
   */
  minMacs?: number;
}

/**
 * Put `pool` under the GEMM-lowered convolutions (`conv_gemm_kernel.ts`: forward, fused forward
 * and both gradients) for convs of at least `minMacs` multiply-adds: each chunk's product runs on
 * the pool, the lowering (im2col, col2im) on this thread. Returns the function that takes the pool
 * away again. Opt-in, like {@link installThreadedMatMul}.
 */
export function installThreadedConv(
  pool: GemmThreads,
  options: ThreadedConvOptions = {},
): () => void {
  const previous = useConvThreads({
    product: (p) => pool.product(p),
    minMacs: options.minMacs ?? 2 ** 24,
  });
  return () => {
    useConvThreads(previous);
  };
}
