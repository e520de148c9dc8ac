/**
 * `deno task bench engine`: times (a) a 1024² matmul, (b) an LSTM step and (c) a conv-LSTM step
 * (forward + backward) on each available TF.js backend, and the same in PyTorch when installed,
 * and returns the rows; `deno task bench engine` writes them to `results/engine/bench.default.v1.json`
 * through the harness.
 *
 * Timing: `warmup` untimed steps, then `reps` timed steps; the median is reported. wasm and cpu
 * kernels are synchronous, so a step's wall time is its compute time; on webgpu each step ends
 * with `await data()` of every output (readback included). PyTorch is timed the same way, at its
 * default thread count (the ratio `ratioToPeer`) and with all cores (`ratioToPeerAllCores`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { peakRssBytes } from "../core/memory.ts";
import { median } from "../core/stats.ts";
import { type BenchCase, convLstmCase, lstmCase, matmulCase } from "./bench_cases.ts";
import { loadAverage, machineInfo, round, runTorchPeer } from "./bench_machine.ts";
import { installEngine } from "./install.ts";
import { withOriginalKernels } from "./kernel_registry.ts";

/** One row of the result file. */
export interface BenchRow {
  case: string;
  backend: string;
  msMedian: number;
  msMin: number;
  reps: number;
  gflops: number;
  peerMsMedian: number | null;
  ratioToPeer: number | null;
  peerMsMedianAllCores: number | null;
  ratioToPeerAllCores: number | null;
  /** Fastest PyTorch repetition, and the ratio of fastest to fastest (less sensitive to load). */
  peerMsMin: number | null;
  ratioToPeerByMin: number | null;
  /** Peak bytes of TF.js tensors during one step (`tf.profile`). */
  tfPeakBytes: number;
}

/** Options of one bench run. */
export interface EngineBenchOptions {
  /** Backends to time; default: cpu, wasm, and webgpu when an adapter exists. */
  backends?: string[];
  /** Fewer repetitions (for a quick look; not for the committed file). */
  quick?: boolean;
  /** Skip PyTorch. */
  noPeer?: boolean;
}

/**
 * Timed repetitions per case and backend. cpu and software webgpu are 20–130× slower than wasm
 * (a software-webgpu conv-LSTM step took 105 s here), so they get one warm-up and few reps.
 */
function repsFor(backend: string, name: string, quick: boolean): { warmup: number; reps: number } {
  const slow = backend !== "wasm";
  const base: Record<string, number> = slow
    ? { matmul1024: 3, matmul512TransposeA: 3, lstmStep: 10, convLstmStep: 1 }
    : { matmul1024: 15, matmul512TransposeA: 5, lstmStep: 50, convLstmStep: 7 };
  const reps = quick ? Math.max(1, Math.ceil(base[name]! / 3)) : base[name]!;
  return { warmup: slow || quick ? 1 : 3, reps };
}

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

async function timeCase(
  c: BenchCase,
  backend: string,
  quick: boolean,
): Promise<{ ms: number[]; tfPeakBytes: number }> {
  const sync = backend === "webgpu";
  const once = async () => {
    const t0 = performance.now();
    const out = c.step();
    if (sync) await Promise.all(out.map((t) => t.data()));
    const dt = performance.now() - t0;
    tf.dispose(out);
    return dt;
  };
  const { warmup, reps } = repsFor(backend, c.name, quick);
  for (let i = 0; i < warmup; i++) await once();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) ms.push(await once());
  const prof = await tf.profile(() => {
    tf.dispose(c.step());
  });
  return { ms, tfPeakBytes: prof.peakBytes };
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
    const withEngine = median((await timeCase(c, backend, quick)).ms);
    let without: number | null = null, error: string | undefined;
    try {
      const plain: BenchCase = { ...c, step: () => withOriginalKernels(() => c.step()) };
      without = median((await timeCase(plain, backend, true)).ms);
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
  const lines = [
    "| case | backend | ms (median) | GFLOP/s | PyTorch ms (1 thread default) | ratio | ratio by min | ratio vs PyTorch all cores |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.case} | ${r.backend} | ${f(r.msMedian, 1)} | ${f(r.gflops)} | ${
        f(r.peerMsMedian, 1)
      } | ` +
        `${f(r.ratioToPeer)} | ${f(r.ratioToPeerByMin)} | ${f(r.ratioToPeerAllCores)} |`,
    );
  }
  return lines.join("\n");
}

/**
 * Runs the benchmark and returns its result (rows, machine, peer, notes). Writing it, with the
 * run's provenance, is the harness's job (`tasks/harness/bench_result.ts`).
 */
export async function runEngineBench(
  opts: EngineBenchOptions = {},
): Promise<Record<string, unknown>> {
  tf.enableProdMode();
  const quick = opts.quick ?? false;
  const machine = machineInfo();
  const loadBefore = loadAverage();
  let backends = opts.backends ?? ["cpu", "wasm", "webgpu"];
  const notes: string[] = [];
  if (backends.includes("webgpu")) {
    if (await hasWebGpu()) await import("@tensorflow/tfjs-backend-webgpu");
    else {
      backends = backends.filter((b) => b !== "webgpu");
      notes.push("webgpu skipped: navigator.gpu gave no adapter");
    }
  }
  // wasm first and the PyTorch peer right after it, so the comparison that matters sees the
  // most similar machine load.
  backends = [...backends].sort((a, b) => (a === "wasm" ? -1 : b === "wasm" ? 1 : 0));
  const peerReps = quick
    ? { matmul1024: 5, lstmStep: 20, convLstmStep: 3 }
    : { matmul1024: 15, lstmStep: 50, convLstmStep: 7 };
  let peer: Awaited<ReturnType<typeof runTorchPeer>> = {
    run: null,
    note: "PyTorch peer skipped (--no-peer)",
  };
  let peerAll: Awaited<ReturnType<typeof runTorchPeer>> = { run: null, note: "" };
  const runPeers = async () => {
    if (opts.noPeer) return;
    peer = await runTorchPeer(1, peerReps); // one thread, like tfjs-backend-wasm here
    if (peer.run) peerAll = await runTorchPeer(machine.cores, peerReps);
  };
  type OwnRow = Omit<
    BenchRow,
    | "peerMsMedian"
    | "ratioToPeer"
    | "peerMsMedianAllCores"
    | "ratioToPeerAllCores"
    | "peerMsMin"
    | "ratioToPeerByMin"
  >;
  const ours: { row: OwnRow }[] = [];
  const tfPeakByBackend: Record<string, number> = {};
  let adapter: string | null = null;
  for (const backend of backends) {
    if (!(await tf.setBackend(backend))) {
      notes.push(`${backend} skipped: failed to initialise`);
      continue;
    }
    await tf.ready();
    installEngine(backend);
    if (backend === "webgpu") {
      const a = await (navigator as Navigator & { gpu: GPU }).gpu.requestAdapter();
      adapter = a
        ? [a.info.vendor, a.info.architecture, a.info.description].join(" ").trim()
        : null;
    }
    for (const make of [matmulCase, lstmCase, convLstmCase]) {
      const c = make();
      const { ms, tfPeakBytes } = await timeCase(c, backend, quick);
      c.dispose();
      const m = median(ms);
      console.error(`${backend.padEnd(6)} ${c.name.padEnd(13)} ${m.toFixed(2).padStart(9)} ms`);
      tfPeakByBackend[backend] = Math.max(tfPeakByBackend[backend] ?? 0, tfPeakBytes);
      ours.push({
        row: {
          case: c.name,
          backend,
          msMedian: round(m),
          msMin: round(Math.min(...ms)),
          reps: ms.length,
          gflops: round(c.flops / m / 1e6, 2),
          tfPeakBytes,
        },
      });
    }
    if (backend === "wasm") await runPeers();
  }
  if (!backends.includes("wasm")) await runPeers();
  const effects: EngineEffect[] = [];
  if (backends.includes("wasm") && (await tf.setBackend("wasm"))) {
    effects.push(...(await engineEffects("wasm", quick)));
  }
  notes.push(peer.note);
  const rows: BenchRow[] = ours.map(({ row }) => {
    const p = peer.run?.cases[row.case]?.msMedian ?? null;
    const pa = peerAll.run?.cases[row.case]?.msMedian ?? null;
    const pMs = peer.run?.cases[row.case]?.ms;
    const pMin = pMs && pMs.length ? Math.min(...pMs) : null;
    return {
      ...row,
      peerMsMedian: p === null ? null : round(p),
      ratioToPeer: p === null ? null : round(p / row.msMedian),
      peerMsMedianAllCores: pa === null ? null : round(pa),
      ratioToPeerAllCores: pa === null ? null : round(pa / row.msMedian),
      peerMsMin: pMin === null ? null : round(pMin),
      ratioToPeerByMin: pMin === null ? null : round(pMin / row.msMin),
    };
  });
  const wasmMatmul = rows.find((r) => r.case === "matmul1024" && r.backend === "wasm");
  const result = {
    schema: 1,
    bench: "engine",
    profile: quick ? "quick" : "default",
    version: 1,
    cores: machine.cores,
    machine,
    matmulShareOfOneCorePeak: wasmMatmul && machine.fp32PeakGflopsOneCore
      ? round(wasmMatmul.gflops / machine.fp32PeakGflopsOneCore, 3)
      : null,
    // The same from the fastest repetition (what the core does when it is not shared).
    matmulShareOfOneCorePeakBest: wasmMatmul && machine.fp32PeakGflopsOneCore
      ? round(2 * 1024 ** 3 / wasmMatmul.msMin / 1e6 / machine.fp32PeakGflopsOneCore, 3)
      : null,
    // One-thread OpenBLAS sgemm (the PyTorch peer) as the achievable single-core peak: the VM's
    // cores boost above the nominal clock in /proc/cpuinfo, so the nominal peak is a lower bound.
    peerMatmulGflopsOneThread: peer.run?.cases.matmul1024
      ? round(2 * 1024 ** 3 / peer.run.cases.matmul1024.msMedian / 1e6, 1)
      : null,
    cases: {
      matmul1024: "1024x1024 @ 1024x1024 fp32, 2.147 GFLOP",
      lstmStep: "LSTM step fwd+bwd, batch 16, input 256, hidden 256; grads of x, h, c, W, b",
      convLstmStep:
        "conv-LSTM step fwd+bwd, batch 32, 14x14, 32+32 -> 4x32 channels, 5x5, 'same'; grads of x, h, c, W, b",
    },
    rows,
    engineEffect: effects,
    peer: peer.run
      ? {
        name: "PyTorch (CPU)",
        torch: peer.run.torch,
        python: peer.run.python,
        threads: peer.run.threads,
        threadsAllCores: peerAll.run?.threads ?? null,
        maxRssBytes: peer.run.maxRssKiB * 1024,
      }
      : null,
    memory: { peakRssBytes: peakRssBytes(), tfPeakBytesByBackend: tfPeakByBackend },
    webgpuAdapter: adapter,
    load: { before: loadBefore, after: loadAverage() },
    notes,
  };
  console.log(markdownTable(rows));
  return result;
}
