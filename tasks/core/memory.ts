/**
 * Process and TF.js memory readings for benchmarks (measured, never estimated).
 *
 * RSS captures everything a Deno process holds: the wasm heap, ArrayBuffers, TF.js tensors and
 * software-GPU buffers. `VmHWM` is the process's peak RSS since start (it never goes down, and
 * the wasm heap never shrinks), so per-case peaks within one process need `tfBytes()` polling or
 * `tf.profile()`; see TOOLCHAIN.md §6.
 * @module
 */
import * as tf from "@tensorflow/tfjs";

function statusField(name: string): number | null {
  try {
    const text = Deno.readTextFileSync("/proc/self/status");
    const m = text.match(new RegExp(`^${name}:\\s+(\\d+) kB`, "m"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Current resident set size in bytes. */
export function rssBytes(): number {
  return statusField("VmRSS") ?? Deno.memoryUsage().rss;
}

/** Peak resident set size of this process in bytes (VmHWM). */
export function peakRssBytes(): number {
  return statusField("VmHWM") ?? Deno.memoryUsage().rss;
}

/** Bytes currently held by TF.js tensors on the active backend. */
export function tfBytes(): number {
  return tf.memory().numBytes;
}

/**
 * Run `fn` and return its result with the peak TF.js bytes allocated while it ran, via
 * `tf.profile` (counts every intermediate tensor, including ones freed inside tidy).
 */
export async function profilePeakBytes<T>(
  fn: () => T | Promise<T>,
): Promise<{ result: T; peakBytes: number; newBytes: number }> {
  let result!: T;
  const info = await tf.profile(async () => {
    result = await fn(); // kept aside: tf.profile returns its own info, not f's result
  });
  return { result, peakBytes: info.peakBytes, newBytes: info.newBytes };
}
