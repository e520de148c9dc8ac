/**
 * What the engine benchmark records about the machine: cores, CPU model, the clock (measured)
 * and the one-core fp32 peaks derived from it, load averages; and the PyTorch peer, a
 * persistent subprocess that times a case on request so that the bench can interleave rounds.
 *
 * @module
 */

/** CPU facts from /proc/cpuinfo, the measured clock and the one-core fp32 peaks it gives. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  /** The clock /proc/cpuinfo reports (nominal on a VM; the cores boost above it). */
  cpuMHzProc: number | null;
  /** Measured clock: a dependent chain of integer adds, one per cycle ({@link measureClockMHz}). */
  clockMHz: number;
  /** How the clock was measured, in words. */
  clockBasis: string;
  /** Widest fp32 SIMD with FMA the CPU advertises, e.g. "avx2+fma". */
  simd: string;
  /** fp32 FLOP per cycle per core assumed for `simd` (2 FMA pipes). */
  flopsPerCycle: number;
  /** clockMHz · flopsPerCycle / 1000, GFLOP/s. */
  fp32PeakGflopsOneCore: number;
  /** How the peak was derived, in words. */
  peakBasis: string;
  /** Peak of WebAssembly SIMD128 on one core: 4 lanes × FMA (relaxed SIMD) × 2 pipes. */
  wasmSimdPeakGflopsOneCore: number;
}

/** Reads /proc/cpuinfo (Linux; fields fall back to null / "unknown" elsewhere) and times the clock. */
export function machineInfo(): MachineInfo {
  let text = "";
  try {
    text = Deno.readTextFileSync("/proc/cpuinfo");
  } catch { /* not Linux */ }
  const model = text.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? "unknown";
  const mhz = Number(text.match(/^cpu MHz\s*:\s*([\d.]+)$/m)?.[1] ?? NaN);
  const flags = new Set((text.match(/^flags\s*:\s*(.+)$/m)?.[1] ?? "").split(/\s+/));
  let simd = "sse", fpc = 8, lanes = "2 pipes x 4 lanes x (mul + add)";
  if (flags.has("avx512f") && flags.has("fma")) {
    [simd, fpc, lanes] = ["avx512f+fma", 64, "2 pipes x 16 lanes x FMA; 32 on one-FMA-unit parts"];
  } else if (flags.has("avx2") && flags.has("fma")) {
    [simd, fpc, lanes] = ["avx2+fma", 32, "2 pipes x 8 lanes x FMA"];
  } else if (flags.has("avx")) [simd, fpc, lanes] = ["avx", 16, "2 pipes x 8 lanes x (mul + add)"];
  const clock = measureClockMHz();
  return {
    cores: navigator.hardwareConcurrency,
    cpuModel: model,
    cpuMHzProc: Number.isFinite(mhz) ? mhz : null,
    clockMHz: round(clock.mhz, 0),
    clockBasis: `${clock.basis}; /proc/cpuinfo says ${Number.isFinite(mhz) ? mhz : "?"} MHz`,
    simd,
    flopsPerCycle: fpc,
    fp32PeakGflopsOneCore: round(clock.mhz * fpc / 1000, 1),
    peakBasis: `${fpc} fp32 FLOP/cycle (${simd}: ${lanes}) x the measured clock`,
    wasmSimdPeakGflopsOneCore: round(clock.mhz * 16 / 1000, 1),
  };
}

/** Dependent `i32.add`s per loop iteration of the clock probe. */
const CHAIN = 64;

/** LEB128 of an unsigned integer. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/**
 * A wasm function `adds(n)` that runs `n` iterations of {@link CHAIN} dependent adds
 * (`x = x + n`): one add per cycle, the loop's counter and branch run beside the chain.
 */
export function clockProbe(): (n: number) => number {
  const body = [0x01, 0x01, 0x7f, 0x03, 0x40]; // one i32 local; loop
  for (let i = 0; i < CHAIN; i++) body.push(0x20, 0x01, 0x20, 0x00, 0x6a, 0x21, 0x01);
  // n = n − 1; br_if n ≠ 0; end loop; return x
  body.push(0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x20, 0x01, 0x0b);
  const section = (id: number, b: number[]) => [id, ...leb(b.length), ...b];
  const bytes = new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f]), // type (i32) -> i32
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, 0x04, 0x61, 0x64, 0x64, 0x73, 0x00, 0x00]), // export "adds"
    ...section(10, [0x01, ...leb(body.length), ...body]),
  ]);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  return instance.exports.adds as (n: number) => number;
}

/**
 * The core clock, from a dependent chain of adds timed in 400 short windows (~0.3 ms each).
 * A window the scheduler preempts reads low, so the clock is the 90th percentile of the
 * windows, not their median; on a quiet machine they agree within a percent.
 */
export function measureClockMHz(windows = 400): { mhz: number; basis: string } {
  const adds = clockProbe();
  const iters = 20_000;
  adds(iters * 10); // compile and warm up
  const mhz: number[] = [];
  for (let i = 0; i < windows; i++) {
    const t0 = performance.now();
    adds(iters);
    const dt = performance.now() - t0;
    if (dt > 0) mhz.push(iters * CHAIN / dt / 1000);
  }
  mhz.sort((a, b) => a - b);
  const at = (q: number) => mhz[Math.min(mhz.length - 1, Math.floor(q * mhz.length))]!;
  return {
    mhz: at(0.9),
    basis: `dependent i32.add chain in wasm, 90th percentile of ${mhz.length} windows ` +
      `(median ${round(at(0.5), 0)} MHz, max ${round(at(1), 0)} MHz)`,
  };
}

/** Deno.loadavg() rounded, or null without permission. */
export function loadAverage(): number[] | null {
  try {
    return Deno.loadavg().map((v) => round(v, 2));
  } catch {
    return null;
  }
}

/** Rounds to `digits` decimals. */
export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** What the peer process says about itself when it starts. */
export interface PeerInfo {
  torch: string;
  threads: number;
  /** The BLAS torch was built for (`torch.__config__`) and the libraries it loaded. */
  blas: Record<string, unknown>;
  python: string;
}

/**
 * The PyTorch peer (tasks/engine/bench_torch.py) as a persistent process on `threads` threads
 * (torch, OpenMP, OpenBLAS and MKL pools all pinned): {@link TorchPeer.time} asks it to run a
 * case `n` times and returns the milliseconds of each repetition.
 */
export class TorchPeer {
  readonly info: PeerInfo;
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #lines: AsyncIterator<string>;
  readonly #stderr: Promise<string>;

  private constructor(
    info: PeerInfo,
    child: Deno.ChildProcess,
    lines: AsyncIterator<string>,
    stderr: Promise<string>,
  ) {
    this.info = info;
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#lines = lines;
    this.#stderr = stderr;
  }

  /**
   * Starts the peer with the first Python that imports torch (`$ENGINE_BENCH_PYTHON`,
   * /usr/bin/python3, python3). Returns null plus the reason when none does.
   */
  static async start(threads: number): Promise<{ peer: TorchPeer | null; note: string }> {
    const script = new URL("./bench_torch.py", import.meta.url).pathname;
    const env = Deno.env.get("ENGINE_BENCH_PYTHON");
    const tried: string[] = [];
    for (const py of [...(env ? [env] : []), "/usr/bin/python3", "python3"]) {
      // Pin every thread pool: Debian's torch leaves BLAS calls to OpenBLAS, whose pthread
      // build otherwise uses all cores even when torch.get_num_threads() is 1.
      const n = String(threads);
      let child: Deno.ChildProcess;
      try {
        child = new Deno.Command(py, {
          args: [script, n],
          env: { OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n },
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
      } catch {
        tried.push(`${py}: not found`);
        continue;
      }
      // Drain stderr as it comes (a full pipe would stall the peer); keep it for errors.
      const stderr = new Response(child.stderr).text();
      const lines = readLines(child.stdout);
      const first = await lines.next();
      if (first.done) {
        await child.status;
        tried.push(`${py}: ${(await stderr).trim().split("\n").pop() || "exited"}`);
        continue;
      }
      const hello = JSON.parse(first.value) as Omit<PeerInfo, "python">;
      const peer = new TorchPeer({ ...hello, python: py }, child, lines, stderr);
      return { peer, note: `PyTorch ${hello.torch} via ${py}, ${hello.threads} thread(s)` };
    }
    return { peer: null, note: `PyTorch peer skipped: no Python with torch (${tried.join("; ")})` };
  }

  /** Milliseconds of each of `reps` repetitions of `caseName`. */
  async time(caseName: string, reps: number): Promise<number[]> {
    const reply = await this.#ask({ case: caseName, reps });
    if (!Array.isArray(reply.ms)) {
      throw new Error(`PyTorch peer, case ${caseName}: ${reply.error ?? "no timings"}`);
    }
    return reply.ms as number[];
  }

  /**
   * Waits (at most `maxMs`) until the peer's process is idle: after a call its OpenBLAS and
   * OpenMP worker threads spin for tens of milliseconds, which would slow whatever runs next.
   * Idle = under 1 ms of the process's CPU time in 10 ms.
   */
  async settle(maxMs = 1000): Promise<void> {
    const start = performance.now();
    let last = await this.cpuSeconds();
    while (performance.now() - start < maxMs) {
      await new Promise((r) => setTimeout(r, 10));
      const now = await this.cpuSeconds();
      if (now - last < 0.001) return;
      last = now;
    }
  }

  /** CPU seconds the peer's process has used so far (all its threads). */
  async cpuSeconds(): Promise<number> {
    return Number((await this.#ask({ cpu: true })).cpuSeconds);
  }

  /** Peak resident memory of the peer process so far. */
  async maxRssBytes(): Promise<number> {
    return Number((await this.#ask({ rss: true })).maxRssKiB) * 1024;
  }

  /** Ends the process (closing its input) and waits for it. */
  async close(): Promise<void> {
    await this.#writer.close();
    await this.#child.status;
    await this.#stderr;
  }

  async #ask(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(req) + "\n"));
    const line = await this.#lines.next();
    if (line.done) {
      await this.#child.status;
      const err = (await this.#stderr).trim().split("\n").pop() || "no message";
      throw new Error(`PyTorch peer exited before answering: ${err}`);
    }
    return JSON.parse(line.value) as Record<string, unknown>;
  }
}

/** The lines of a byte stream. */
async function* readLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, i);
      buf = buf.slice(i + 1);
    }
  }
  if (buf) yield buf;
}
