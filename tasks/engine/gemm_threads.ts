/**
 * The relaxed-SIMD GEMM on several cores: one shared `WebAssembly.Memory` holding A, B and C, the
 * same `gemm.c` built for a shared memory (`wasm/gemm_shared.wasm`, `wasm/build_gemm_shared.sh`),
 * instantiated on it by this thread and by `threads − 1` Workers; a product is split by rows of C
 * (each thread packs its own copy of op(B) into its own scratch) and the threads meet on atomics,
 * not messages. **Opt-in and standalone**: not a TF.js kernel and not imported by `mod.ts` (the
 * TF.js wasm backend's own memory is not shared, so A and B are copied in and C out; the copy is
 * part of every timing). `gemm_threads_bench.ts` measures the 2-core scaling.
 *
 * ```ts
 * const pool = await GemmThreads.start(2);
 * const c = pool.matmul(a, b, m, k, n); // row-major Float32Arrays: a [m, k], b [k, n] → c [m, n]
 * pool.close();
 * ```
 * @module
 */
import { relaxedSimdSupported } from "./gemm.ts";

/** The committed shared-memory build. */
export const GEMM_SHARED_WASM_URL = new URL("./wasm/gemm_shared.wasm", import.meta.url);

/**
 * Control words per thread: [seq, done, m, n, k, a, rsa, csa, b, rsb, csb, c, ldc, scratch, –,
 * quit].
 */
export const CTL_WORDS = 16;
/** Index of the quit word within a thread's control words. */
export const QUIT = 15;
const PAGE = 65536;

interface GemmExports {
  gemm(...args: number[]): void;
  gemm_scratch_floats(): number;
}

/** One product for {@link GemmThreads.product}: out [m, n] = op(A)·op(B). */
export interface Product {
  a: Float32Array;
  b: Float32Array;
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  out: Float32Array;
}

/** A GEMM over one shared memory, run by this thread and `threads − 1` Workers. */
export class GemmThreads {
  readonly threads: number;
  #memory: WebAssembly.Memory;
  #ctl: Int32Array;
  #gemm: GemmExports;
  #workers: Worker[];
  #scratchBytes: number;

  private constructor(
    threads: number,
    memory: WebAssembly.Memory,
    ctl: Int32Array,
    gemm: GemmExports,
    workers: Worker[],
  ) {
    this.threads = threads, this.#memory = memory, this.#ctl = ctl, this.#gemm = gemm;
    this.#workers = workers;
    this.#scratchBytes = Math.ceil(gemm.gemm_scratch_floats() * 4 / 64) * 64;
  }

  /** Start `threads − 1` Workers (each instantiates the module on the shared memory). */
  static async start(threads: number): Promise<GemmThreads> {
    if (!Number.isInteger(threads) || threads < 1) {
      throw new Error(`gemm_threads: threads must be a positive integer, got ${threads}`);
    }
    if (!relaxedSimdSupported()) throw new Error("gemm_threads: relaxed SIMD is absent");
    const module = await WebAssembly.compile(await Deno.readFile(GEMM_SHARED_WASM_URL));
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
    const ctl = new Int32Array(new SharedArrayBuffer(threads * CTL_WORDS * 4));
    const own = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown;
    const workers: Worker[] = [];
    try {
      for (let t = 1; t < threads; t++) {
        const w = new Worker(new URL("./_gemm_thread_worker.ts", import.meta.url), {
          type: "module",
        });
        workers.push(w);
        await new Promise<void>((resolve, reject) => {
          w.onmessage = (e) =>
            e.data === "ready"
              ? resolve()
              : reject(new Error(`gemm_threads: worker ${t}: ${e.data}`));
          w.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`gemm_threads: worker ${t} failed to start: ${e.message}`));
          };
          w.postMessage({ module, memory, ctl, slot: t });
        });
      }
    } catch (e) {
      for (const w of workers) w.terminate();
      throw e;
    }
    return new GemmThreads(threads, memory, ctl, own as GemmExports, workers);
  }

  #ensure(bytes: number): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes > have) this.#memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /** C = A·B for row-major a [m, k] and b [k, n]; returns a new c [m, n]. */
  matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
    const c = new Float32Array(m * n);
    this.product({ a, b, m, k, n, transposeA: false, transposeB: false, out: c });
    return c;
  }

  /**
   * out = op(A)·op(B), row-major [m, n], where `a` holds A as stored (op(A) is [m, k]: a is
   * [k, m] when `transposeA`) and `b` likewise; transposes become strides, nothing is transposed.
   * `a`, `b` and `out` may be views on another memory (the TF.js heap): they are copied in and
   * out, and `out` may not alias them.
   */
  product(p: Product): void {
    const { a, b, m, k, n, transposeA, transposeB, out } = p;
    if (a.length !== m * k || b.length !== k * n || out.length !== m * n) {
      throw new Error(
        `gemm_threads: a has ${a.length} values, b ${b.length}, out ${out.length}; ` +
          `want ${m * k}, ${k * n}, ${m * n}`,
      );
    }
    const T = this.threads, sb = this.#scratchBytes;
    const aOff = T * sb, bOff = aOff + Math.ceil(m * k / 16) * 64;
    const cOff = bOff + Math.ceil(k * n / 16) * 64;
    this.#ensure(cOff + m * n * 4);
    const heap = new Float32Array(this.#memory.buffer);
    heap.set(a, aOff / 4);
    heap.set(b, bOff / 4);
    const [rsa, csa] = transposeA ? [1, m] : [k, 1];
    const [rsb, csb] = transposeB ? [1, k] : [n, 1];
    // Rows of C per thread, in multiples of the micro-kernel's 6 rows where there are enough.
    const per = Math.ceil(m / T / 6) * 6;
    // gemm()'s arguments for thread t's rows [t·per, (t + 1)·per) of C, in its own scratch.
    const rowsOf = (t: number) => {
      const r0 = Math.min(m, t * per), r1 = Math.min(m, r0 + per);
      return [
        r1 - r0,
        n,
        k,
        aOff + r0 * rsa * 4,
        rsa,
        csa,
        bOff,
        rsb,
        csb,
        cOff + r0 * n * 4,
        n,
        t * sb,
      ];
    };
    const ctl = this.#ctl;
    for (let t = 1; t < T; t++) {
      const w = t * CTL_WORDS;
      ctl.set(rowsOf(t), w + 2);
      Atomics.store(ctl, w + 1, 0);
      Atomics.add(ctl, w, 1);
      Atomics.notify(ctl, w);
    }
    const own = rowsOf(0);
    if (own[0]! > 0 && k > 0) this.#gemm.gemm(...own);
    let failed = 0;
    for (let t = 1; t < T; t++) {
      const w = t * CTL_WORDS;
      while (Atomics.load(ctl, w + 1) === 0) Atomics.wait(ctl, w + 1, 0, 1000);
      if (Atomics.load(ctl, w + 1) < 0) failed = t;
    }
    if (failed) throw new Error(`gemm_threads: worker ${failed} failed`);
    if (k === 0) out.fill(0);
    else out.set(new Float32Array(this.#memory.buffer, cOff, m * n));
  }

  /** Stop the Workers (a Worker blocked in `Atomics.wait` is woken to return first). */
  close(): void {
    const ctl = this.#ctl;
    for (let t = 1; t <= this.#workers.length; t++) {
      Atomics.store(ctl, t * CTL_WORDS + QUIT, 1);
      Atomics.add(ctl, t * CTL_WORDS, 1);
      Atomics.notify(ctl, t * CTL_WORDS);
    }
    for (const w of this.#workers) w.terminate();
    this.#workers = [];
  }
}
