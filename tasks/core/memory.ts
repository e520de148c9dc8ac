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

/** A TF.js data id (an opaque object shared by a tensor, its clones and its reshaped views). */
type DataId = object;

interface EngineHooks {
  state: { tensorInfo: { has(id: DataId): boolean } };
  trackTensor(a: tf.Tensor, backend: unknown): void;
  removeDataId(id: DataId, backend: unknown): void;
}

/**
 * Bytes of unique TF.js data buffers, counted exactly at every allocation and release.
 *
 * `tf.memory().numBytes` sums live tensors, so a clone or a reshape of a buffer counts it twice;
 * this counts each data buffer once, from the moment the engine first tracks its data id to the
 * moment the engine removes it (after the last tensor on it is disposed). It wraps the engine's
 * `trackTensor` and `removeDataId`; buffers allocated before {@link install} are not counted.
 * Kernel-internal scratch memory of a backend (never a tensor) is not seen.
 */
export class UniqueBytesProbe {
  static #active: UniqueBytesProbe | null = null;
  readonly #sizes = new Map<DataId, number>();
  #current = 0;
  #peak = 0;
  #restore: () => void = () => {};

  private constructor() {}

  /** The installed probe (installed on first call; later calls return the same one). */
  static install(): UniqueBytesProbe {
    if (UniqueBytesProbe.#active) return UniqueBytesProbe.#active;
    const p = new UniqueBytesProbe();
    const engine = tf.engine() as unknown as EngineHooks;
    const track = engine.trackTensor;
    const remove = engine.removeDataId;
    engine.trackTensor = function (a, backend) {
      const fresh = !engine.state.tensorInfo.has(a.dataId);
      track.call(engine, a, backend);
      if (fresh && a.dtype !== "string" && a.dtype !== "complex64") {
        const bytes = a.size * (a.dtype === "bool" ? 1 : 4);
        p.#sizes.set(a.dataId, bytes);
        p.#current += bytes;
        if (p.#current > p.#peak) p.#peak = p.#current;
      }
    };
    engine.removeDataId = function (id, backend) {
      const had = engine.state.tensorInfo.has(id);
      remove.call(engine, id, backend);
      const bytes = p.#sizes.get(id);
      if (had && !engine.state.tensorInfo.has(id) && bytes !== undefined) {
        p.#sizes.delete(id);
        p.#current -= bytes;
      }
    };
    p.#restore = () => {
      engine.trackTensor = track;
      engine.removeDataId = remove;
    };
    UniqueBytesProbe.#active = p;
    return p;
  }

  /** Unique bytes allocated since install and still live. */
  get current(): number {
    return this.#current;
  }

  /** High-water mark of {@link current} since install or the last {@link resetPeak}. */
  get peak(): number {
    return this.#peak;
  }

  /** Start a new high-water mark from the current level. */
  resetPeak(): void {
    this.#peak = this.#current;
  }

  /** Remove the hooks (a later {@link install} starts a fresh probe). */
  uninstall(): void {
    this.#restore();
    if (UniqueBytesProbe.#active === this) UniqueBytesProbe.#active = null;
  }
}

/**
 * Run `fn` and return its result with the exact high-water mark of unique TF.js buffer bytes
 * above the level at the start ({@link UniqueBytesProbe}).
 */
export function uniquePeakBytes<T>(fn: () => T): { result: T; peakBytes: number } {
  const probe = UniqueBytesProbe.install();
  const base = probe.current;
  probe.resetPeak();
  const result = fn();
  return { result, peakBytes: probe.peak - base };
}
