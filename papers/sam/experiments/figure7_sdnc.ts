/**
 * Figure 7 (Rae et al. 2016 Supp. D): time per forward+backward step and memory of the dense DNC
 * and the Sparse DNC (linear, exact top-K reads) versus memory size N.
 *
 * Paper: the naive DNC only up to N = 2048 (beyond, it exceeded the machine's memory); at 2048 the
 * SDNC is ≈ 440× faster and uses ≈ 240× less memory, counted *including* initialisation over 10
 * time steps. Here every sweep cell runs one 10-step pass under the unique-bytes probe (bytes =
 * TF.js unique-buffer peak above the pre-pass level + the SDNC's host journal, memory words,
 * norms, flags and LRU rings; the DNC's initial state is made inside its pass, so it is in its
 * peak), then `reps` timed passes. The speed-up at `ratioLog2N` comes from one cell that times the
 * two models in turn (AB AB …) for `ratioRounds` rounds after a warm-up round; the SDNC's bytes
 * are counted again in each round.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type {
  CellContext,
  CellRecord,
  CellSpec,
  Config,
  Experiment,
  Json,
  Limits,
} from "../../../tasks/core/experiment.ts";
import type { LinePlotSpec } from "../../../tasks/core/figure.ts";
import {
  type IntervalMetric,
  medianInterval,
  ratioInterval,
} from "../../../tasks/core/interval.ts";
import { uniquePeakBytes } from "../../../tasks/core/memory.ts";
import { Rng } from "../../../tasks/core/rng.ts";
import { SdncModel } from "../dnc_model.ts";
import type { SequenceModel } from "../model.ts";
import { createModel } from "../models.ts";
import { interleavedRounds, medianOf, randomEpisode } from "./_bench.ts";

/** Config of the Figure 7 benchmark. */
export interface SdncBenchConfig extends Config {
  /** log2 N of the dense DNC cells (paper: up to 2^11). */
  dncLog2N: number[];
  /** log2 N of the Sparse DNC cells (paper: beyond 2^11). */
  sdncLog2N: number[];
  /** log2 N of the interleaved ratio cell (paper: 2^11 = 2048). */
  ratioLog2N: number;
  /** Batch (paper: not stated for Fig. 7; Supp. E's benchmarks use 8). */
  batch: number;
  /** LSTM units (paper: 100). */
  hidden: number;
  /** Word size (paper Supp. E: 32). */
  W: number;
  /** Read heads (paper: 4). */
  heads: number;
  /** Words per head and read part (paper: 4). */
  K: number;
  /** Link entries per row and precedence non-zeros K_L (paper: 8). */
  KL: number;
  /** Steps of a sweep pass, the memory counted over them (paper: 10). */
  steps: number;
  /** Timed passes after the memory pass, SDNC cells. */
  sdncReps: number;
  /** Timed passes after the memory pass, DNC cells (0: the memory pass's time is reported). */
  dncReps: number;
  /** Steps of the DNC's timed sequence in the ratio cell (its cost per step is Θ(N²) each). */
  ratioDncSteps: number;
  /** Timed rounds of the ratio cell, after one warm-up round. */
  ratioRounds: number;
  /** DNC cells whose estimated TF.js bytes exceed this are not run (wasm heap: 4 GiB). */
  dncMaxBytes: number;
}

const limits: Limits<SdncBenchConfig> = {
  dncLog2N: { nonEmpty: true, distinct: true, min: 2, max: 14, integer: true },
  sdncLog2N: { nonEmpty: true, distinct: true, min: 2, max: 22, integer: true },
  ratioLog2N: { min: 2, max: 14, integer: true },
  batch: { min: 1, max: 64, integer: true },
  hidden: { min: 1, max: 1024, integer: true },
  W: { min: 1, max: 256, integer: true },
  heads: { min: 1, max: 16, integer: true },
  K: { min: 1, max: 64, integer: true },
  KL: { min: 1, max: 64, integer: true },
  steps: { min: 1, max: 1000, integer: true },
  sdncReps: { min: 1, max: 100, integer: true },
  dncReps: { min: 0, max: 100, integer: true },
  ratioDncSteps: { min: 1, max: 1000, integer: true },
  ratioRounds: { min: 7, max: 100, integer: true },
  dncMaxBytes: { min: 0, max: 1e12, integer: true },
};

const paper: SdncBenchConfig = {
  dncLog2N: [5, 6, 7, 8, 9, 10, 11],
  sdncLog2N: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
  ratioLog2N: 11,
  batch: 8,
  hidden: 100,
  W: 32,
  heads: 4,
  K: 4,
  KL: 8,
  steps: 10,
  sdncReps: 3,
  dncReps: 1,
  ratioDncSteps: 10,
  ratioRounds: 9,
  dncMaxBytes: 100e9,
};
const defaults: SdncBenchConfig = {
  ...paper,
  dncLog2N: [5, 7, 9, 10, 11],
  sdncLog2N: [5, 7, 9, 11, 14, 17, 20],
  batch: 1,
  sdncReps: 2,
  dncReps: 1,
  ratioDncSteps: 2,
  ratioRounds: 9,
  dncMaxBytes: 3.8e9,
};
const smoke: SdncBenchConfig = {
  ...defaults,
  dncLog2N: [4, 5],
  sdncLog2N: [4, 5, 8],
  ratioLog2N: 5,
  hidden: 16,
  W: 8,
  heads: 2,
  K: 2,
  KL: 3,
  steps: 3,
  sdncReps: 1,
  dncReps: 1,
  ratioRounds: 7,
};

/** TF.js bytes of the DNC's 10-step pass per N²·B·step: 3.45 GB at N = 2048, B = 1 (here), up. */
const DNC_BYTES_PER_N2_STEP = 90;

/** Why the DNC is not run at N (estimated tape over `dncMaxBytes`), or null. */
function dncNotRun(config: SdncBenchConfig, N: number, T: number): string | null {
  const est = DNC_BYTES_PER_N2_STEP * N * N * config.batch * T;
  if (est <= config.dncMaxBytes) return null;
  return `estimated tape ${(est / 2 ** 30).toFixed(1)} GiB > ${
    (config.dncMaxBytes / 2 ** 30).toFixed(1)
  } GiB`;
}

/** A cell: one model at memory size N, or the interleaved ratio cell ("ratio"). */
interface SdncParams {
  model: string;
  N: number;
}

/** Output of one cell. */
interface SdncCell {
  model: string;
  N: number;
  /** Median wall ms per step; null when not run or for the ratio cell. */
  msPerStep: number | null;
  /** Bytes of a `steps`-step forward+backward, initialisation included; null when not run. */
  bytes: number | null;
  notRun: string | null;
  /** Parts of `bytes` (ratio cell: of `dncBytes`): TF.js unique peak, host records, host init. */
  tfBytes?: number;
  hostBytes?: number;
  initBytes?: number;
  /** Ratio cell: per-step wall and CPU ms of every timed round, per model. */
  rounds?: { name: string; steps: number; wallMs: number[]; cpuMs: number[] }[];
  /** Ratio cell: the DNC's and the SDNC's bytes (one 10-step pass; the SDNC once per round). */
  dncBytes?: number;
  sdncRoundBytes?: number[];
}

async function build(config: SdncBenchConfig, name: "dnc" | "sdnc", N: number, rng: Rng) {
  return await createModel(name, {
    input: 9,
    output: 8,
    hidden: config.hidden,
    N,
    W: config.W,
    heads: config.heads,
    K: config.K,
    KL: config.KL,
    batch: config.batch,
    maxSteps: config.steps,
  }, rng);
}

/** Bytes of one forward+backward pass over `steps` steps, initialisation included. */
function measureBytes(m: SequenceModel, config: SdncBenchConfig, rng: Rng) {
  const ep = randomEpisode(rng, config.steps, config.batch);
  let hostBytes = 0;
  const t0 = performance.now();
  const { peakBytes } = uniquePeakBytes(() => {
    const res = m.run(ep, true);
    hostBytes = res.hostBytes;
    tf.dispose(res.grads!);
  });
  const ms = (performance.now() - t0) / config.steps;
  const initBytes = m instanceof SdncModel ? m.initBytes() : 0;
  return { tfBytes: peakBytes, hostBytes, initBytes, bytes: peakBytes + hostBytes + initBytes, ms };
}

async function runSweep(config: SdncBenchConfig, ctx: CellContext<SdncParams>): Promise<SdncCell> {
  const { model, N } = ctx.cell.params;
  const name = model === "dnc" ? "dnc" : "sdnc";
  if (name === "dnc") {
    const notRun = dncNotRun(config, N, config.steps);
    if (notRun) return { model, N, msPerStep: null, bytes: null, notRun };
  }
  const rng = new Rng(ctx.cell.seed ?? 1);
  const m = await build(config, name, N, rng);
  try {
    const mem = measureBytes(m, config, rng);
    const reps = name === "dnc" ? config.dncReps : config.sdncReps;
    const ep = randomEpisode(rng, config.steps, config.batch);
    const times: number[] = reps === 0 ? [mem.ms] : [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      tf.dispose(m.run(ep, true).grads!);
      times.push((performance.now() - t0) / config.steps);
      ctx.progress.update(r + 1, reps, `${model} N=${N}`);
    }
    const { ms: _ms, ...bytes } = mem;
    return { model, N, msPerStep: medianOf(times), notRun: null, ...bytes };
  } finally {
    m.dispose();
  }
}

async function runRatio(config: SdncBenchConfig, ctx: CellContext<SdncParams>): Promise<SdncCell> {
  const N = ctx.cell.params.N;
  const notRun = dncNotRun(config, N, config.steps);
  if (notRun) return { model: "ratio", N, msPerStep: null, bytes: null, notRun };
  const rng = new Rng(ctx.cell.seed ?? 1);
  const dnc = await build(config, "dnc", N, rng);
  const sdnc = await build(config, "sdnc", N, rng);
  try {
    const dncMem = measureBytes(dnc, config, rng);
    const sdncRoundBytes: number[] = [];
    const contenders = [
      { name: "dnc", model: dnc, episode: randomEpisode(rng, config.ratioDncSteps, config.batch) },
      { name: "sdnc", model: sdnc, episode: randomEpisode(rng, config.steps, config.batch) },
    ];
    const total = config.ratioRounds + 1;
    const rounds = interleavedRounds(contenders, config.ratioRounds, 1, (r) => {
      if (r > 0) sdncRoundBytes.push(measureBytes(sdnc, config, rng).bytes);
      ctx.progress.update(r + 1, total, `ratio N=${N}`);
    });
    return {
      model: "ratio",
      N,
      msPerStep: null,
      bytes: null,
      notRun: null,
      rounds,
      dncBytes: dncMem.bytes,
      tfBytes: dncMem.tfBytes,
      hostBytes: dncMem.hostBytes,
      initBytes: dncMem.initBytes,
      sdncRoundBytes,
    };
  } finally {
    dnc.dispose(), sdnc.dispose();
  }
}

function cellsOf(config: SdncBenchConfig): CellSpec<SdncParams>[] {
  const cells: CellSpec<SdncParams>[] = [];
  for (const [model, ks] of [["dnc", config.dncLog2N], ["sdnc", config.sdncLog2N]] as const) {
    for (const k of ks) {
      // The DNC at the ratio N is measured (bytes and time) by the ratio cell only.
      if (model === "dnc" && k === config.ratioLog2N) continue;
      cells.push({ id: `${model}/N=2^${k}`, seed: 1, params: { model, N: 2 ** k } });
    }
  }
  const k = config.ratioLog2N;
  cells.push({ id: `ratio/N=2^${k}`, seed: 1, params: { model: "ratio", N: 2 ** k } });
  return cells;
}

/** Speed-up and memory ratio of the ratio cell (null when it did not run). */
export function ratioMetrics(cell: SdncCell | undefined): {
  speedup: IntervalMetric | null;
  cpuSpeedup: IntervalMetric | null;
  memory: IntervalMetric | null;
} {
  if (!cell || cell.notRun) return { speedup: null, cpuSpeedup: null, memory: null };
  const dnc = cell.rounds?.find((r) => r.name === "dnc");
  const sdnc = cell.rounds?.find((r) => r.name === "sdnc");
  if (!dnc || !sdnc || cell.dncBytes === undefined || !cell.sdncRoundBytes?.length) {
    throw new Error(`figure7_sdnc: ratio cell N=${cell.N} lacks its rounds or bytes`);
  }
  return {
    speedup: ratioInterval(dnc.wallMs, sdnc.wallMs),
    cpuSpeedup: ratioInterval(dnc.cpuMs, sdnc.cpuMs),
    memory: medianInterval(cell.sdncRoundBytes.map((b) => cell.dncBytes! / b)),
  };
}

function summarize(config: SdncBenchConfig, records: CellRecord<SdncCell>[]) {
  const cells = records.map((r) => r.output);
  const ran = cells.flatMap((c) => {
    if (c.model === "ratio") {
      // The ratio cell's DNC: its median round time and the bytes of its `steps`-step pass.
      const r = c.rounds?.find((x) => x.name === "dnc");
      if (!r || c.dncBytes === undefined || !config.dncLog2N.includes(config.ratioLog2N)) return [];
      return [{ ...c, model: "dnc", msPerStep: medianOf(r.wallMs), bytes: c.dncBytes }];
    }
    return c.msPerStep === null || c.bytes === null
      ? []
      : [{ ...c, msPerStep: c.msPerStep, bytes: c.bytes }];
  });
  const rows = ran.map((c) => ({ model: c.model, N: c.N, msPerStep: c.msPerStep, bytes: c.bytes }));
  const Nr = 2 ** config.ratioLog2N;
  const ratioCell = cells.find((c) => c.model === "ratio");
  const ratio = ratioMetrics(ratioCell);
  const at = (model: string, N: number) => ran.find((c) => c.model === model && c.N === N);
  const maxOf = (model: string) => {
    const ns = ran.filter((c) => c.model === model).map((c) => c.N);
    return ns.length ? Math.max(...ns) : null;
  };
  const dncR = ratioCell?.rounds?.find((r) => r.name === "dnc");
  const sdncR = ratioCell?.rounds?.find((r) => r.name === "sdnc");
  const metrics: Record<string, Json> = {
    rows,
    notRun: cells.filter((c) => c.notRun).map((c) => ({
      model: c.model,
      N: c.N,
      reason: c.notRun,
    })),
    ratioN: Nr,
    maxDncN: maxOf("dnc"),
    maxSdncN: maxOf("sdnc"),
    speedupDncOverSdncAtRatioN: ratio.speedup,
    memoryRatioDncOverSdncAtRatioN: ratio.memory,
    speedupDncOverSdncAt2048: Nr === 2048 ? ratio.speedup : null,
    memoryRatioDncOverSdncAt2048: Nr === 2048 ? ratio.memory : null,
    cpuSpeedupDncOverSdncAtRatioN: ratio.cpuSpeedup,
    ratioRounds: dncR && sdncR
      ? {
        warmupRounds: 1,
        steps: { dnc: dncR.steps, sdnc: sdncR.steps },
        wallMsPerStep: { dnc: medianInterval(dncR.wallMs), sdnc: medianInterval(sdncR.wallMs) },
        dncBytes: ratioCell!.dncBytes!,
        sdncRoundBytes: ratioCell!.sdncRoundBytes!,
      }
      : null,
    dncBytesAtRatioN: at("dnc", Nr)?.bytes ?? null,
    sdncBytesAtRatioN: at("sdnc", Nr)?.bytes ?? null,
    sdncMsPerStepAtMaxN: (() => {
      const n = maxOf("sdnc");
      return n === null ? null : at("sdnc", n)!.msPerStep;
    })(),
    bytesParts: ran.map((c) => ({
      model: c.model,
      N: c.N,
      tfBytes: c.tfBytes ?? null,
      hostBytes: c.hostBytes ?? null,
      initBytes: c.initBytes ?? null,
    })),
  };
  for (const r of rows) {
    metrics[`msPerStep_${r.model}_N${r.N}`] = r.msPerStep;
    metrics[`bytes_${r.model}_N${r.N}`] = r.bytes;
  }
  const common = { x: { field: "N", title: "memory words N", log: true }, color: "model" };
  const time: LinePlotSpec = {
    title: `Figure 7: forward+backward time per step (batch ${config.batch})`,
    data: rows,
    ...common,
    y: { field: "msPerStep", title: "wall time per step (ms)", log: true },
  };
  const memory: LinePlotSpec = {
    title: `Figure 7: memory of a ${config.steps}-step sequence, initialisation included`,
    data: rows.map((r) => ({ ...r, MiB: r.bytes / 2 ** 20 })),
    ...common,
    y: { field: "MiB", title: "memory (MiB)", log: true },
  };
  return {
    metrics,
    figures: [
      { name: "figure7_time", caption: "ms per forward+backward step vs N (log-log)", plot: time },
      { name: "figure7_memory", caption: "bytes of a 10-step pass vs N (log-log)", plot: memory },
    ],
    notes: [
      "SDNC with exact linear top-K reads (the paper's benchmark used a linear KNN), K_L link entries per row; DNC: dnc.ts in TF.js autodiff (Θ(N²) per step).",
      "bytes = TF.js unique-buffer peak above the pre-pass level (UniqueBytesProbe; the parameters are allocated before it and not counted, for both models) + SDNC host records (journal, selections, link journals) + SDNC initialisation (memory words, norms, flags, LRU rings).",
      "Speed-up at ratioN: DNC and SDNC timed in turn (AB AB …), a warm-up round dropped; the DNC on ratioDncSteps-step sequences, the SDNC on `steps`; median of per-round ratios of ms per step with the order-statistic interval. Memory ratio: the DNC's bytes of one `steps`-step pass over the SDNC's bytes counted once per round.",
      "DNC sweep cells with dncReps = 0 report the time of their one (memory) pass; the DNC row at ratioN is the ratio cell's (median round time, bytes of its `steps`-step pass).",
    ],
  };
}

/** Figure 7 DNC vs Sparse DNC benchmark. */
export const experiment: Experiment<SdncBenchConfig, SdncParams, SdncCell> = {
  id: "figure7_sdnc",
  version: 1,
  title: "Sparse DNC: time and memory per step vs memory size, against the dense DNC",
  reproduces: "Figure 7 (Supp. D)",
  profiles: { smoke, default: defaults, paper },
  limits,
  seeds: { smoke: [1], default: [1], paper: [1] },
  cells: (config) => cellsOf(config),
  run: (config, ctx) =>
    ctx.cell.params.model === "ratio" ? runRatio(config, ctx) : runSweep(config, ctx),
  summarize: (config, records) => summarize(config, records),
};
