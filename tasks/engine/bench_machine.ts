/**
 * What the engine benchmark records about the machine: cores, CPU model and clock, the derived
 * fp32 peak of one core, load averages, and the PyTorch peer (run as a subprocess).
 *
 * @module
 */

/** CPU facts from /proc/cpuinfo plus the derived one-core fp32 peak. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  cpuMHz: number | null;
  /** Widest fp32 SIMD with FMA the CPU advertises, e.g. "avx2+fma". */
  simd: string;
  /** fp32 FLOP per cycle per core assumed for `simd` (2 FMA pipes). */
  flopsPerCycle: number;
  /** cpuMHz · flopsPerCycle / 1000, GFLOP/s; null when the clock is unknown. */
  fp32PeakGflopsOneCore: number | null;
  /** How the peak was derived, in words (a lower bound where the CPU boosts above cpu MHz). */
  peakBasis: string;
  /** Peak of WebAssembly SIMD128 on one core: 4 lanes, 2 mul + 2 add pipes. */
  wasmSimdPeakGflopsOneCore: number | null;
}

/** Reads /proc/cpuinfo (Linux); fields fall back to null / "unknown" elsewhere. */
export function machineInfo(): MachineInfo {
  let text = "";
  try {
    text = Deno.readTextFileSync("/proc/cpuinfo");
  } catch { /* not Linux */ }
  const model = text.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim() ?? "unknown";
  const mhz = Number(text.match(/^cpu MHz\s*:\s*([\d.]+)$/m)?.[1] ?? NaN);
  const flags = new Set((text.match(/^flags\s*:\s*(.+)$/m)?.[1] ?? "").split(/\s+/));
  let simd = "sse", fpc = 8;
  if (flags.has("avx512f")) [simd, fpc] = ["avx512f+fma (counted as 2x256-bit FMA)", 32];
  else if (flags.has("avx2") && flags.has("fma")) [simd, fpc] = ["avx2+fma", 32];
  else if (flags.has("avx")) [simd, fpc] = ["avx", 16];
  const clock = Number.isFinite(mhz) ? mhz : null;
  return {
    cores: navigator.hardwareConcurrency,
    cpuModel: model,
    cpuMHz: clock,
    simd,
    flopsPerCycle: fpc,
    fp32PeakGflopsOneCore: clock ? round(clock * fpc / 1000, 1) : null,
    peakBasis:
      `${fpc} fp32 FLOP/cycle (${simd}: 2 pipes x 8 lanes x FMA) x cpu MHz from /proc/cpuinfo`,
    wasmSimdPeakGflopsOneCore: clock ? round(clock * 16 / 1000, 1) : null,
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

/** One PyTorch run's timings. */
export interface PeerRun {
  torch: string;
  threads: number;
  cases: Record<string, { ms: number[]; msMedian: number }>;
  maxRssKiB: number;
  python: string;
}

/**
 * Runs tasks/engine/bench_torch.py on `threads` threads (torch, OpenMP, OpenBLAS and MKL pools
 * all pinned) with the first Python that imports torch
 * (`$ENGINE_BENCH_PYTHON`, /usr/bin/python3, python3). Returns null plus the reason when none.
 */
export async function runTorchPeer(
  threads: number,
  reps: Record<string, number>,
): Promise<{ run: PeerRun | null; note: string }> {
  const script = new URL("./bench_torch.py", import.meta.url).pathname;
  const env = Deno.env.get("ENGINE_BENCH_PYTHON");
  const candidates = [...(env ? [env] : []), "/usr/bin/python3", "python3"];
  const tried: string[] = [];
  for (const py of candidates) {
    let out: Deno.CommandOutput;
    try {
      // Pin every thread pool: Debian's torch leaves BLAS calls to OpenBLAS, whose pthread
      // build otherwise uses all cores even when torch.get_num_threads() is 1.
      const n = String(threads);
      out = await new Deno.Command(py, {
        args: [script, JSON.stringify({ threads, reps })],
        env: { OMP_NUM_THREADS: n, OPENBLAS_NUM_THREADS: n, MKL_NUM_THREADS: n },
        stdout: "piped",
        stderr: "piped",
      }).output();
    } catch {
      tried.push(`${py}: not found`);
      continue;
    }
    if (!out.success) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "";
      tried.push(`${py}: ${err}`);
      continue;
    }
    const run = JSON.parse(new TextDecoder().decode(out.stdout)) as PeerRun;
    run.python = py;
    return { run, note: `PyTorch ${run.torch} via ${py}, ${run.threads} thread(s)` };
  }
  return { run: null, note: `PyTorch peer skipped: no Python with torch (${tried.join("; ")})` };
}
