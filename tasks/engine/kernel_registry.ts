/**
 * Replace or add TF.js kernels for one backend while remembering what was there before, so tests
 * can compare a patched kernel against the backend's own (unpatched) one in the same process.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Whatever a kernel function returns: one tensor info or several. */
export type KernelOutput = tf.TensorInfo | tf.TensorInfo[];

/** A kernel function as TF.js calls it. */
export type KernelFunc = tf.KernelConfig["kernelFunc"];

/** The original config of every kernel we replaced (`null` when the backend had none). */
const originals = new Map<string, tf.KernelConfig | null>();
/** The config we installed, per `backend/kernel` key. */
const installed = new Map<string, tf.KernelConfig>();

function key(backendName: string, kernelName: string): string {
  return `${backendName}/${kernelName}`;
}

/**
 * Install `make(original)` as `kernelName` on `backendName`. The original config (if any) is
 * passed in so a wrapper can delegate to it; its `setupFunc`/`disposeFunc` are kept. Installing
 * twice is a no-op (idempotent).
 */
export function replaceKernel(
  backendName: string,
  kernelName: string,
  make: (original: tf.KernelConfig | null) => KernelFunc,
): void {
  const k = key(backendName, kernelName);
  if (installed.has(k)) return;
  const original = (tf.getKernel(kernelName, backendName) as tf.KernelConfig | undefined) ?? null;
  const config: tf.KernelConfig = {
    kernelName,
    backendName,
    kernelFunc: make(original),
  };
  if (original?.setupFunc) config.setupFunc = original.setupFunc;
  if (original?.disposeFunc) config.disposeFunc = original.disposeFunc;
  if (original) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel(config);
  originals.set(k, original);
  installed.set(k, config);
}

/** True when this module replaced or added `kernelName` on `backendName`. */
export function isReplaced(backendName: string, kernelName: string): boolean {
  return installed.has(key(backendName, kernelName));
}

/** The backend's own kernel config that `replaceKernel` displaced (`null`: there was none). */
export function originalKernel(backendName: string, kernelName: string): tf.KernelConfig | null {
  return originals.get(key(backendName, kernelName)) ?? null;
}

function swap(use: (k: string) => tf.KernelConfig | null): void {
  for (const k of installed.keys()) {
    const [backendName, kernelName] = k.split("/") as [string, string];
    if (tf.getKernel(kernelName, backendName)) tf.unregisterKernel(kernelName, backendName);
    const config = use(k);
    if (config) tf.registerKernel(config);
  }
}

/**
 * Run `fn` (synchronously) with every replaced kernel swapped back to the backend's original,
 * e.g. to compute an unpatched reference in a test. Kernels that did not exist are unregistered
 * for the duration, so calling them throws as it would without the engine.
 */
export function withOriginalKernels<T>(fn: () => T): T {
  swap((k) => originals.get(k) ?? null);
  try {
    return fn();
  } finally {
    swap((k) => installed.get(k) ?? null);
  }
}
