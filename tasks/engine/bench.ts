/**
 * `deno task bench engine`: times (a) a 1024² matmul, (b) an LSTM step and (c) a conv-LSTM step
 * (forward + backward) on each available TF.js backend, and on wasm the same against PyTorch
 * (when installed), and returns the rows; `deno task bench engine` writes them to
 * `results/engine/bench.default.v1.json` through the harness.
 *
 * Timing: wasm and cpu kernels are synchronous, so a step's wall time is its compute time; on
 * webgpu each step ends with `await data()` of every output (readback included).
 * - wasm against the peer: after a warm-up of each, rounds of the all-cores peer's
 *   repetitions, the one-thread peer's and ours, one after the other (≥ 7 rounds), so that both
 *   sides see the same machine load. A ratio (peer time / our time, higher is better) is the
 *   median of the per-round ratios, with a distribution-free 95 % interval
 *   (`tasks/core/interval.ts`), checked against issue 14's target: meets, below, or
 *   straddles it (`bench_timing.ts`).
 * - Each such round ends with a turn of ours on every core: a `GemmThreads` pool with the
 *   threaded matmul and conv kernels (`gemm_threads_kernel.ts`) installed for that turn only. Its
 *   rows give the scaling (our one-thread time / ours on every core, per round, with its interval,
 *   against issue 14's 1.7× on matmul and conv) and the all-cores peer against ours on every core.
 * - Other backends: `warmup` untimed steps, then `reps` timed steps; the median is reported.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { peakRssBytes } from "../core/memory.ts";
import { median } from "../core/stats.ts";
import { type BenchCase, convLstmCase, lstmCase, matmulCase } from "./bench_cases.ts";
import { relaxedSimdSupported } from "./gemm.ts";
import { GemmThreads } from "./gemm_threads.ts";
import { installThreadedConv, installThreadedMatMul } from "./gemm_threads_kernel.ts";
import { loadAverage, type MachineInfo, machineInfo, round } from "./bench_machine.ts";
import {
  type BenchRow,
  benchRow,
  interleavedRounds,
  type OursThreaded,
  type Peers,
  startPeers,
  timeAlone,
} from "./bench_timing.ts";
import { installEngine } from "./install.ts";
import { withOriginalKernels } from "./kernel_registry.ts";

export type { BenchRow };

/** Options of one bench run. */
export interface EngineBenchOptions {
  /** Backends to time; default: cpu, wasm, and webgpu when an adapter exists. */
  backends?: string[];
  /** Fewer repetitions (for a quick look; not for the committed file). */
  quick?: boolean;
  /** Skip PyTorch. */
  noPeer?: boolean;
}

/** The backend the peer is measured against (the engine's CPU path; issue 14's targets). */
const PEER_BACKEND = "wasm";

async function hasWebGpu(): Promise<boolean> {
  if (!Deno.env.get("XDG_RUNTIME_DIR")) {
    // wgpu's GL path warns on stderr without it (harmless); give it a private one.
    const dir = Deno.makeTempDirSync({ prefix: "xdg-" });
    Deno.chmodSync(dir, 0o700);
    Deno.env.set("XDG_RUNTIME_DIR", dir);
  }
  const gpu = (globalThis.navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false;
  }
}

/**
 * Every case on one backend: against the peers in rounds when `peers` is given, else alone.
 * Returns null when the backend does not initialise.
 */
async function benchBackend(
  backend: string,
  quick: boolean,
  peers: Peers | null,
  pool: GemmThreads | null,
): Promise<BenchRow[] | null> {
  if (!(await tf.setBackend(backend))) return null;
  await tf.ready();
  installEngine(backend);
  const threaded: OursThreaded | null = pool && {
    threads: pool.threads,
    install: () => {
      const matmul = installThreadedMatMul(pool), conv = installThreadedConv(pool);
      return () => (conv(), matmul());
    },
  };
  const rows: BenchRow[] = [];
  for (const make of [matmulCase, lstmCase, convLstmCase]) {
    const c = make();
    try {
      const times = peers
        ? await interleavedRounds(c, backend, peers, quick, threaded)
        : await timeAlone(c, backend, quick);
      const row = benchRow(c, backend, times);
      console.error(
        `${backend.padEnd(6)} ${c.name.padEnd(13)} ${row.msMedian.toFixed(2).padStart(9)} ms` +
          (row.ratioToPeer === null
            ? ""
            : `  peer ${row.peerMsMedian} ms, ratio ${row.ratioToPeer} [${row.ratioToPeerLow}, ${row.ratioToPeerHigh}]`) +
          (row.scalingThreads === null
            ? ""
            : `  ${row.threads} threads ${row.msMedianThreads} ms, scaling ${row.scalingThreads} [${row.scalingThreadsLow}, ${row.scalingThreadsHigh}]`),
      );
      rows.push(row);
    } finally {
      c.dispose();
    }
  }
  return rows;
}

/** A same-process comparison of one case with and without the engine's kernels. */
export interface EngineEffect {
  case: string;
  backend: string;
  msMedianEngine: number;
  /** null when the case cannot run without the engine. */
  msMedianWithout: number | null;
  speedup: number | null;
  error?: string;
}

/** `[512, 512]ᵀ · [512, 512]`: what autodiff of a matMul asks the backend for. */
function matmulTransposeCase(): BenchCase {
  const a = tf.randomNormal([512, 512], 0, 1, "float32", 21);
  const b = tf.randomNormal([512, 512], 0, 1, "float32", 22);
  return {
    name: "matmul512TransposeA",
    description: "matMul(a, b, transposeA = true), 512x512",
    flops: 2 * 512 ** 3,
    step: () => [tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, true, false)],
    dispose: () => tf.dispose([a, b]),
  };
}

/** Times cases on `backend` with the engine and with TF.js's own kernels (same process). */
async function engineEffects(backend: string, quick: boolean): Promise<EngineEffect[]> {
  const out: EngineEffect[] = [];
  for (const make of [matmulTransposeCase, lstmCase, convLstmCase]) {
    const c = make();
    const withEngine = median((await timeAlone(c, backend, quick)).ms);
    let without: number | null = null, error: string | undefined;
    try {
      const plain: BenchCase = { ...c, step: () => withOriginalKernels(() => c.step()) };
      without = median((await timeAlone(plain, backend, true)).ms);
    } catch (e) {
      error = (e instanceof Error ? e.message : String(e)).split("\n")[0];
    }
    c.dispose();
    out.push({
      case: c.name,
      backend,
      msMedianEngine: round(withEngine),
      msMedianWithout: without === null ? null : round(without),
      speedup: without === null ? null : round(without / withEngine, 2),
      ...(error ? { error } : {}),
    });
    console.error(`effect ${backend} ${c.name}: ${JSON.stringify(out.at(-1))}`);
  }
  return out;
}

/** The rows as a markdown table (printed at the end of a run, for the README). */
export function markdownTable(rows: BenchRow[]): string {
  const f = (v: number | null, d = 2) => (v === null ? "–" : v.toFixed(d));
  const iv = (r: number | null, lo: number | null, hi: number | null) =>
    r === null ? "–" : `${f(r)} [${f(lo)}, ${f(hi)}]`;
  const lines = [
    "| case | backend | ms (median) | GFLOP/s | rounds | PyTorch 1 thread, ms | ratio [95% interval] | target | verdict | PyTorch all cores, ms | ratio [95% interval] | ours on all cores, ms | scaling [95% interval] | target | verdict | PyTorch all cores / ours all cores [95% interval] |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const cells = [
      r.case,
      r.backend,
      f(r.msMedian, 1),
      f(r.gflops),
      r.rounds === null ? "–" : String(r.rounds),
      f(r.peerMsMedian, 1),
      iv(r.ratioToPeer, r.ratioToPeerLow, r.ratioToPeerHigh),
      f(r.target),
      r.verdict ?? "–",
      f(r.peerMsMedianAllCores, 1),
      iv(r.ratioToPeerAllCores, r.ratioToPeerAllCoresLow, r.ratioToPeerAllCoresHigh),
      f(r.msMedianThreads, 1),
      iv(r.scalingThreads, r.scalingThreadsLow, r.scalingThreadsHigh),
      f(r.scalingTarget),
      r.scalingVerdict ?? "–",
      iv(
        r.ratioThreadsToPeerAllCores,
        r.ratioThreadsToPeerAllCoresLow,
        r.ratioThreadsToPeerAllCoresHigh,
      ),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** The backends to time: those asked for, less webgpu without an adapter, wasm first. */
async function backendsToTime(asked: string[] | undefined, notes: string[]): Promise<string[]> {
  let backends = asked ?? ["cpu", "wasm", "webgpu"];
  if (backends.includes("webgpu")) {
    if (await hasWebGpu()) await import("@tensorflow/tfjs-backend-webgpu");
    else {
      backends = backends.filter((b) => b !== "webgpu");
      notes.push("webgpu skipped: navigator.gpu gave no adapter");
    }
  }
  return [...backends].sort((a, b) => (a === "wasm" ? -1 : b === "wasm" ? 1 : 0));
}

/** The name of the active webgpu adapter, or null. */
async function webgpuAdapterName(): Promise<string | null> {
  const a = await (navigator as Navigator & { gpu: GPU }).gpu.requestAdapter();
  return a ? [a.info.vendor, a.info.architecture, a.info.description].join(" ").trim() : null;
}

/** Everything a run measured, for {@link summary}. */
interface Measured {
  quick: boolean;
  machine: MachineInfo;
  rows: BenchRow[];
  effects: EngineEffect[];
  peers: Peers;
  peerRssBytes: number | null;
  adapter: string | null;
  loadBefore: number[] | null;
  notes: string[];
}

/** The result object of a run: rows, the machine against its peaks, the peer, memory, load. */
function summary(m: Measured): Record<string, unknown> {
  const { machine, rows, peers } = m;
  const wasmMatmul = rows.find((r) => r.case === "matmul1024" && r.backend === "wasm");
  const peerMatmul = wasmMatmul?.peerMsMedian ?? null;
  const tfPeakBytesByBackend: Record<string, number> = {};
  for (const r of rows) {
    tfPeakBytesByBackend[r.backend] = Math.max(tfPeakBytesByBackend[r.backend] ?? 0, r.tfPeakBytes);
  }
  const peak = machine.fp32PeakGflopsOneCore;
  return {
    schema: 2,
    bench: "engine",
    profile: m.quick ? "quick" : "default",
    version: 1,
    cores: machine.cores,
    machine,
    // Shares of the one-core peak derived from the measured clock; "best" from the fastest
    // repetition (what the core does when it is not shared).
    matmulShareOfOneCorePeak: wasmMatmul ? round(wasmMatmul.gflops / peak, 3) : null,
    matmulShareOfOneCorePeakBest: wasmMatmul
      ? round(2 * 1024 ** 3 / wasmMatmul.msMin / 1e6 / peak, 3)
      : null,
    matmulShareOfWasmSimdPeak: wasmMatmul
      ? round(wasmMatmul.gflops / machine.wasmSimdPeakGflopsOneCore, 3)
      : null,
    // One-thread OpenBLAS sgemm (the PyTorch peer): what one native core reaches here.
    peerMatmulGflopsOneThread: peerMatmul === null
      ? null
      : round(2 * 1024 ** 3 / peerMatmul / 1e6, 1),
    peerMatmulShareOfOneCorePeak: peerMatmul === null
      ? null
      : round(2 * 1024 ** 3 / peerMatmul / 1e6 / peak, 3),
    cases: {
      matmul1024: "1024x1024 @ 1024x1024 fp32, 2.147 GFLOP",
      lstmStep: "LSTM step fwd+bwd, batch 16, input 256, hidden 256; grads of x, h, c, W, b",
      convLstmStep:
        "conv-LSTM step fwd+bwd, batch 32, 14x14, 32+32 -> 4x32 channels, 5x5, 'same'; grads of x, h, c, W, b",
    },
    rows,
    engineEffect: m.effects,
    peer: peers.one
      ? {
        name: "PyTorch (CPU)",
        torch: peers.one.info.torch,
        python: peers.one.info.python,
        blas: peers.one.info.blas,
        threads: peers.one.info.threads,
        threadsAllCores: peers.all?.info.threads ?? null,
        pairedWith: PEER_BACKEND,
        maxRssBytes: m.peerRssBytes,
      }
      : null,
    memory: { peakRssBytes: peakRssBytes(), tfPeakBytesByBackend },
    webgpuAdapter: m.adapter,
    load: { before: m.loadBefore, after: loadAverage() },
    notes: m.notes,
  };
}

/**
 * Runs the benchmark and returns its result (rows, machine, peer, notes): the cases per
 * backend (wasm in rounds against the peer), then the engine's effect on wasm, then the
 * summary. Writing it, with the run's provenance, is the harness's job
 * (`tasks/harness/bench_result.ts`).
 */
export async function runEngineBench(
  opts: EngineBenchOptions = {},
): Promise<Record<string, unknown>> {
  tf.enableProdMode();
  const quick = opts.quick ?? false;
  const loadBefore = loadAverage();
  const machine = machineInfo();
  const notes: string[] = [];
  const backends = await backendsToTime(opts.backends, notes);
  const peers = await startPeers(opts.noPeer ?? false, machine.cores);
  notes.push(peers.note);
  // Ours on every core: only in the rounds against the peer, and only with relaxed SIMD.
  const pool = peers.one && machine.cores > 1 && backends.includes(PEER_BACKEND) &&
      relaxedSimdSupported()
    ? await GemmThreads.start(machine.cores)
    : null;
  notes.push(
    pool
      ? `ours on all cores: a ${pool.threads}-thread GemmThreads pool with the threaded matmul and conv kernels, the last turn of each round`
      : "ours on all cores: not run (needs the peer, wasm, relaxed SIMD and more than one core)",
  );
  if (peers.one && !backends.includes(PEER_BACKEND)) {
    notes.push(`the peer is paired with ${PEER_BACKEND} only, which was not timed`);
  }
  try {
    const rows: BenchRow[] = [];
    let adapter: string | null = null;
    for (const backend of backends) {
      const onPeer = backend === PEER_BACKEND;
      const got = await benchBackend(backend, quick, onPeer ? peers : null, onPeer ? pool : null);
      if (got === null) notes.push(`${backend} skipped: failed to initialise`);
      else rows.push(...got);
      if (got && backend === "webgpu") adapter = await webgpuAdapterName();
    }
    const effects = backends.includes("wasm") && (await tf.setBackend("wasm"))
      ? await engineEffects("wasm", quick)
      : [];
    const peerRssBytes = peers.one ? await peers.one.maxRssBytes() : null;
    console.log(markdownTable(rows));
    return summary({
      quick,
      machine,
      rows,
      effects,
      peers,
      peerRssBytes,
      adapter,
      loadBefore,
      notes,
    });
  } finally {
    pool?.close();
    await peers.one?.close();
    await peers.all?.close();
  }
}
