/**
 * A `BatchMatMul` / `_FusedMatMul` wrapper for wasm that never hands transpose flags to XNNPACK.
 *
 * tfjs-backend-wasm 4.22.0 runs `matMul(a, b, transposeA, transposeB)` 5–40× slower than an
 * explicit `Transpose` followed by a plain matmul (measured here: 1024³ `tn` 6.2 s vs 0.15 s;
 * the LSTM backward shapes 16×512×1024 `tn` 39 ms vs 1.3 ms). Autodiff of every matMul uses the
 * flags, so this wrapper speeds up all backward passes. The transposes it inserts are cheap
 * (memory-bound, O(size)).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type AnyBackend, free, run } from "./_kernel_ops.ts";
import type { KernelFunc } from "./kernel_registry.ts";

/** Swaps the last two axes of a rank ≥ 2 tensor with the backend's Transpose kernel. */
function swapLastTwo(backendName: string, backend: AnyBackend, t: tf.TensorInfo): tf.TensorInfo {
  const r = t.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return run("Transpose", backendName, backend, { x: t }, { perm });
}

/**
 * Wraps `original` (a matmul kernel whose inputs include `a` and `b` and whose attrs include
 * `transposeA`/`transposeB`) so that the flags are applied as explicit transposes first.
 */
export function explicitTransposeMatMul(
  backendName: string,
  original: tf.KernelConfig,
): KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const backend = b as unknown as AnyBackend;
    const { transposeA, transposeB } = attrs as { transposeA?: boolean; transposeB?: boolean };
    if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend: b, attrs });
    const { a, b: bIn } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const tmp: tf.TensorInfo[] = [];
    const a2 = transposeA ? swapLastTwo(backendName, backend, a) : a;
    const b2 = transposeB ? swapLastTwo(backendName, backend, bIn) : bIn;
    if (transposeA) tmp.push(a2);
    if (transposeB) tmp.push(b2);
    const out = original.kernelFunc({
      inputs: { ...inputs, a: a2, b: b2 },
      backend: b,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    free(backend, tmp);
    return out;
  };
}
