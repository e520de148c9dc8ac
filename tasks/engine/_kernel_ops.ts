/**
 * Internal: call other kernels of the same backend from inside a kernel function, and create /
 * read raw tensor data. Kernel functions cannot call `tf.*` ops (that would record on the
 * gradient tape and allocate tracked tensors), so composite kernels chain kernel functions and
 * free their intermediates with `disposeData`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** The minimal view of a backend that the composite kernels use. */
export interface AnyBackend {
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): unknown;
  /** wasm: `(shape, dtype)`; cpu has a different signature, so check `typedArrayFromHeap`. */
  makeOutput?(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** wasm only: a view on the wasm heap for an output made by `makeOutput`. */
  typedArrayFromHeap?(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  /** cpu / webgpu. */
  makeTensorInfo?(
    shape: number[],
    dtype: tf.DataType,
    values?: Float32Array | Int32Array | Uint8Array,
  ): tf.TensorInfo;
}

/**
 * The backend a kernel function is handed, as the view the composite kernels use. TF.js types a
 * kernel's `backend` as `{}` (any backend), so this is the one place it is narrowed.
 */
export function backendOf(b: Parameters<tf.KernelFunc>[0]["backend"]): AnyBackend {
  return b as AnyBackend;
}

/** Calls kernel `name` of `backendName` with the given inputs and attributes; one output. */
export function run(
  name: string,
  backendName: string,
  backend: AnyBackend,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, unknown> = {},
): tf.TensorInfo {
  const config = tf.getKernel(name, backendName);
  if (!config) throw new Error(`engine: kernel '${name}' is not registered for '${backendName}'`);
  const out = config.kernelFunc({
    inputs,
    backend,
    attrs: attrs as tf.NamedAttrMap,
  });
  return Array.isArray(out) ? out[0]! : out;
}

/** Frees intermediates made by `run` (skips `keep`, e.g. a kernel's own inputs). */
export function free(backend: AnyBackend, infos: tf.TensorInfo[], keep: tf.TensorInfo[] = []) {
  for (const t of infos) {
    if (!keep.some((k) => k.dataId === t.dataId)) backend.disposeData(t.dataId);
  }
}

/** Reads a tensor's values synchronously (cpu and wasm). */
export function read(backend: AnyBackend, t: tf.TensorInfo): Float32Array | Int32Array {
  return backend.readSync(t.dataId) as Float32Array | Int32Array;
}

/**
 * Makes an output tensor of `shape`/`dtype` and lets `fill` write its values in place.
 * On wasm the values go straight into the heap; elsewhere into a fresh typed array.
 */
export function makeFilled(
  backend: AnyBackend,
  shape: number[],
  dtype: "float32" | "int32",
  fill: (values: Float32Array | Int32Array) => void,
): tf.TensorInfo {
  if (backend.makeOutput && backend.typedArrayFromHeap) {
    const out = backend.makeOutput(shape, dtype);
    fill(backend.typedArrayFromHeap(out) as Float32Array | Int32Array);
    return out;
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const values = dtype === "float32" ? new Float32Array(size) : new Int32Array(size);
  fill(values);
  if (!backend.makeTensorInfo) throw new Error("engine: backend cannot make tensors from values");
  return backend.makeTensorInfo(shape, dtype, values);
}

/** Allocates an uninitialised float32 output of `shape` (wasm heap or a fresh JS array). */
export function alloc(backend: AnyBackend, shape: number[]): tf.TensorInfo {
  // Only wasm's makeOutput has this signature (cpu has one taking values first).
  if (backend.makeOutput && backend.typedArrayFromHeap) return backend.makeOutput(shape, "float32");
  const size = shape.reduce((a, b) => a * b, 1);
  if (!backend.makeTensorInfo) throw new Error("engine: backend cannot make tensors from values");
  return backend.makeTensorInfo(shape, "float32", new Float32Array(size));
}

/**
 * A float32 view of a tensor's values without copying where possible (wasm heap view; the cpu
 * backend's own array). Writable for outputs made by `alloc`. A wasm view is invalidated by the
 * next allocation (the heap may grow), so take views after allocating.
 */
export function view(backend: AnyBackend, t: tf.TensorInfo): Float32Array {
  if (backend.typedArrayFromHeap) return backend.typedArrayFromHeap(t) as Float32Array;
  return backend.readSync(t.dataId) as Float32Array;
}
