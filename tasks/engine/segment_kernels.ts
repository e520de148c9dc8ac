/**
 * `UnsortedSegmentSum` written in JS on the raw buffers: O(size of x), for wasm (which lacks the
 * kernel, so the gradient of `tf.gather` / embeddings fails there) and cpu (whose kernel builds a
 * mask per segment, O(numSegments · size)).
 *
 *   out[s, ...] = Σ_{i : segmentIds[i] = s} x[i, ...]        (ids outside [0, numSegments) drop)
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { backendOf, makeFilled, read } from "./_kernel_ops.ts";
import type { KernelFunc } from "./kernel_registry.ts";

/**
 * The kernel. Inputs: x `[...idShape, ...rest]`, segmentIds `idShape` (int32);
 * attr numSegments. Output `[numSegments, ...rest]`, dtype of x.
 */
export function unsortedSegmentSumKernel(): KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const backend = backendOf(b);
    const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
    const { numSegments } = attrs as { numSegments: number };
    const rest = x.shape.slice(segmentIds.shape.length);
    const inner = rest.reduce((p, q) => p * q, 1);
    const ids = read(backend, segmentIds);
    const xs = read(backend, x);
    const dtype = x.dtype === "int32" ? "int32" : "float32";
    return makeFilled(backend, [numSegments, ...rest], dtype, (out) => {
      out.fill(0);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i]!;
        if (s < 0 || s >= numSegments) continue;
        const o = s * inner, p = i * inner;
        for (let j = 0; j < inner; j++) out[o + j]! += xs[p + j]!;
      }
    });
  };
}

/**
 * Wraps the cpu `TensorScatterUpdate` kernel of TF.js 4.22.0, which writes the updates into its
 * input's buffer (so `a` changes after `tf.tensorScatterUpdate(a, ...)`), to work on a copy.
 */
export function copyingTensorScatterUpdate(original: tf.KernelConfig): KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    const backend = backendOf(b);
    const { tensor } = inputs as { tensor: tf.TensorInfo };
    const values = read(backend, tensor);
    const dtype = tensor.dtype === "int32" ? "int32" : "float32";
    const copy = makeFilled(backend, tensor.shape, dtype, (out) => out.set(values));
    const out = original.kernelFunc({ inputs: { ...inputs, tensor: copy }, backend: b, attrs });
    backend.disposeData(copy.dataId);
    return out;
  };
}
