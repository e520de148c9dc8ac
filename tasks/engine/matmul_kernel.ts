/**
 * A `BatchMatMul` / `_FusedMatMul` wrapper for wasm that never hands transpose flags to the
 * wasm kernel.
 *
 * tfjs-backend-wasm 4.22.0 runs `matMul(a, b, transposeA, transposeB)` 5–40× slower than a plain
 * matmul (measured here: 1024³ with transposeA 6.2 s vs 0.15 s; the LSTM backward shape
 * 16×512×1024 with transposeA 39 ms vs 1.3 ms), and autodiff of every matMul uses the flags.
 * Two flag-free rewrites of C = op(A)·op(B), `[M, K]·[K, N]`:
 *
 *   1. transpose the flagged operands explicitly, then C = A'·B';
 *   2. compute Cᵀ = op(B)ᵀ·op(A)ᵀ (a flagged operand is then used as stored) and transpose the
 *      `[N, M]` result.
 *
 * Explicit transposes cost ≈ 10 ns per element on wasm, and the right-hand operand of a wasm
 * matmul is re-packed (≈ 10 ns per element) whenever it is a new tensor, so the wrapper picks
 * the rewrite that moves fewer elements. For the LSTM input gradient dy·Wᵀ (M = 16, K = 1024,
 * N = 512) rewrite 2 touches ≈ 40 k elements instead of ≈ 1 M.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type AnyBackend, backendOf, free, run } from "./_kernel_ops.ts";
import type { KernelFunc } from "./kernel_registry.ts";

/** Swaps the last two axes of a rank ≥ 2 tensor with the backend's Transpose kernel. */
function swapLastTwo(backendName: string, backend: AnyBackend, t: tf.TensorInfo): tf.TensorInfo {
  const r = t.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return run("Transpose", backendName, backend, { x: t }, { perm });
}

/** Element counts moved by each rewrite (transposes + packing of the right-hand operand). */
export function rewriteCosts(
  m: number,
  k: number,
  n: number,
  transposeA: boolean,
  transposeB: boolean,
): { explicit: number; swapped: number } {
  const explicit = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + k * n;
  const swapped = (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + m * k + m * n;
  return { explicit, swapped };
}

/**
 * Wraps `original` (a matmul kernel with inputs `a`, `b` and attrs `transposeA`, `transposeB`)
 * so that the flags never reach it. `allowSwap`: whether rewrite 2 may be used (not for
 * `_FusedMatMul`, whose bias / activation apply to C, not Cᵀ).
 */
export function explicitTransposeMatMul(
  backendName: string,
  original: tf.KernelConfig,
  allowSwap = true,
): KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const backend = backendOf(b);
    const { transposeA = false, transposeB = false } = attrs as {
      transposeA?: boolean;
      transposeB?: boolean;
    };
    if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend: b, attrs });
    const { a, b: bIn } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const ra = a.shape.length, rb = bIn.shape.length;
    const m = a.shape[transposeA ? ra - 1 : ra - 2]!, k = a.shape[transposeA ? ra - 2 : ra - 1]!;
    const n = bIn.shape[transposeB ? rb - 2 : rb - 1]!;
    const sameBatch = ra === rb && a.shape.slice(0, -2).every((d, i) => d === bIn.shape[i]);
    const costs = rewriteCosts(m, k, n, transposeA, transposeB);
    const tmp: tf.TensorInfo[] = [];
    const plain = { ...attrs, transposeA: false, transposeB: false };
    if (allowSwap && sameBatch && costs.swapped < costs.explicit) {
      // Cᵀ = op(B)ᵀ · op(A)ᵀ: op(B)ᵀ is B as stored when transposeB, else Bᵀ; likewise A.
      const left = transposeB ? bIn : swapLastTwo(backendName, backend, bIn);
      const right = transposeA ? a : swapLastTwo(backendName, backend, a);
      if (!transposeB) tmp.push(left);
      if (!transposeA) tmp.push(right);
      const ct = original.kernelFunc({ inputs: { a: left, b: right }, backend: b, attrs: plain });
      const ctInfo = Array.isArray(ct) ? ct[0]! : ct;
      const out = swapLastTwo(backendName, backend, ctInfo);
      free(backend, [...tmp, ctInfo]);
      return out;
    }
    const a2 = transposeA ? swapLastTwo(backendName, backend, a) : a;
    const b2 = transposeB ? swapLastTwo(backendName, backend, bIn) : bIn;
    if (transposeA) tmp.push(a2);
    if (transposeB) tmp.push(b2);
    const out = original.kernelFunc({
      inputs: { ...inputs, a: a2, b: b2 },
      backend: b,
      attrs: plain,
    });
    free(backend, tmp);
    return out;
  };
}
