/**
 * A `OneHot` kernel in JS. tfjs-backend-wasm 4.22.0 writes the int32 bit pattern into float32
 * outputs (`tf.oneHot(i, d, 1, 0, "float32")` gives 1.4e-45 instead of 1), so wasm gets this one.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { backendOf, makeFilled, read } from "./_kernel_ops.ts";
import type { KernelFunc } from "./kernel_registry.ts";

/**
 * Float32 outputs are filled in JS; other dtypes go to `original` (the backend's kernel).
 * Inputs: indices `[...]` (int32). Attrs: depth, onValue, offValue, dtype. Out `[..., depth]`. */
export function oneHotKernel(original: tf.KernelConfig | null): KernelFunc {
  return ({ inputs, backend: b, attrs }) => {
    if (attrs?.dtype !== "float32" && original) {
      return original.kernelFunc({ inputs, backend: b, attrs });
    }
    const backend = backendOf(b);
    const { indices } = inputs as { indices: tf.TensorInfo };
    const { depth, onValue, offValue, dtype } = attrs as {
      depth: number;
      onValue: number;
      offValue: number;
      dtype: tf.DataType;
    };
    const idx = read(backend, indices);
    const outType = dtype === "float32" ? "float32" : "int32";
    return makeFilled(backend, [...indices.shape, depth], outType, (out) => {
      out.fill(offValue);
      for (let i = 0; i < idx.length; i++) {
        const k = idx[i]!;
        if (k >= 0 && k < depth) out[i * depth + k] = onValue;
      }
    });
  };
}
