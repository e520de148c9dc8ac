/**
 * Zero-copy `Identity` (and same-dtype `Cast`) for wasm.
 *
 * TF.js saves every tensor a gradient needs through `engine.clone` → the `Identity` kernel, and
 * differentiates that clone with a `Cast`. tfjs-backend-wasm 4.22.0 implements both by copying
 * the buffer, so each training step copies every saved weight matrix (the 512×1024 LSTM kernel:
 * ≈ 1 ms per copy). Tensors are immutable, so sharing the buffer with a reference count (as the
 * cpu backend and wasm's own `Reshape` do) is equivalent.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import type { KernelFunc } from "./kernel_registry.ts";

interface RefCountedBackend {
  incRef(dataId: object): void;
}

function share(backend: unknown, x: tf.TensorInfo): tf.TensorInfo {
  (backend as RefCountedBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

/** `Identity` that shares the input's buffer. */
export function sharedIdentityKernel(): KernelFunc {
  return ({ inputs, backend }) => share(backend, (inputs as { x: tf.TensorInfo }).x);
}

/** `Cast` that shares the buffer when the dtype does not change; otherwise calls `original`. */
export function sharedCastKernel(original: tf.KernelConfig): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: tf.TensorInfo };
    if ((attrs as { dtype: string }).dtype === x.dtype && x.dtype !== "string") {
      return share(backend, x);
    }
    return original.kernelFunc({ inputs, backend, attrs });
  };
}
