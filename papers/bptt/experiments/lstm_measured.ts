/**
 * Measured LSTM at t = 1000: peak TF.js memory and wall time per training iteration (forward +
 * backward of the whole sequence) for standard BPTT, Chen et al.'s √t checkpointing, and
 * BPTT-HSM/ISM/MSM at several memory budgets, all in one process so the ratios compare. Also
 * measures the cell's α (internal/hidden state bytes) and β (backward/forward time per op).
 *
 * The paper's LSTM size, batch and hardware are unknown (notes §3); this runs a CPU-sized LSTM on
 * the harness's backend (wasm). Expected: memory falls with the budget as the DP says; time grows
 * with forward ops/step as (C/t + β)/(1 + β). Cost: about 2–3 min on 2 cores (default).
 *
 * @module
 */

import type {
  CellContext,
  CellRecord,
  Config,
  Experiment,
  Json,
  NoParams,
  SeedStat,
} from "../../../tasks/core/experiment.ts";
import type { LinePlotSpec } from "../../../tasks/core/figure.ts";
import { seedStat } from "../../../tasks/core/stats.ts";
import { measureLstmMethods } from "./_lstm.ts";

/** Config of the measured LSTM benchmark. */
export interface LstmMeasuredConfig extends Config {
  /** Sequence length (abstract: "sequences of length 1000"). */
  t: number;
  /** LSTM units, input size = units (paper: unknown; CPU-sized here). */
  hidden: number;
  /** Batch size (paper: unknown). */
  batch: number;
  /** Budgets as fractions of standard BPTT's memory (abstract: 5% ↔ "95% saved"). */
  fractions: number[];
  /** Methods to run. */
  methods: string[];
  /** Timed iterations per method (interleaved). */
  iterations: number;
}

const paper: LstmMeasuredConfig = {
  t: 1000,
  hidden: 128, // unknown in the paper
  batch: 16, // unknown in the paper
  fractions: [0.05, 0.1, 0.25, 0.5],
  methods: ["bptt", "chen", "hsm", "ism", "msm"],
  iterations: 3,
};
const defaults: LstmMeasuredConfig = {
  ...paper,
  hidden: 64,
  batch: 8,
  fractions: [0.05, 0.1, 0.25],
  iterations: 3,
};
const smoke: LstmMeasuredConfig = {
  ...defaults,
  t: 100,
  hidden: 16,
  batch: 2,
  fractions: [0.05, 0.25],
  iterations: 1,
};

/** What a cell measures: α and one row per method and budget (`measureLstmMethods`). */
type Measured = ReturnType<typeof measureLstmMethods>;

function runCell(config: LstmMeasuredConfig, ctx: CellContext<NoParams>): Measured {
  return measureLstmMethods(
    config,
    ctx.cell.seed!,
    config.fractions,
    config.methods,
    (d, n) => ctx.progress.update(d, n),
  );
}

function summarize(config: LstmMeasuredConfig, records: CellRecord<Measured>[]) {
  const cells = records.map((r) => r.output);
  const bpttRow = (c: Measured) => {
    const row = c.rows.find((r) => r.method === "bptt");
    if (!row) throw new Error("lstm_measured: a cell measured no bptt row (config.methods)");
    return row;
  };
  const [first] = cells;
  if (!first) throw new Error("lstm_measured: summarize() got no cell");
  const base = bpttRow(first);
  const rows = first.rows.map((r) => ({
    method: r.method,
    memoryFraction: r.memoryFraction,
    peakBytes: r.peakBytes,
    msPerIteration: r.msPerIteration,
    msMedian: r.msMedian,
    cpuMsPerIteration: r.cpuMsPerIteration,
    peakStoredBytes: r.peakStoredBytes,
    budgetBytes: r.budgetBytes,
    forwardOpsPerStep: r.forwardOps / config.t,
    peakBytesRatio: r.peakBytes / base.peakBytes,
    timeRatio: r.msPerIteration / base.msPerIteration,
    cpuTimeRatio: r.cpuMsPerIteration / base.cpuMsPerIteration,
  }));
  const beta = base.bwdMsPerOp / base.fwdMsPerOp;
  const msm5 = rows.find((r) => r.method === "msm" && r.memoryFraction === config.fractions[0]);
  const metrics: Record<string, Json | SeedStat> = {
    rows,
    alpha: first.alpha,
    alphaPlanned: Math.ceil(first.alpha - 1e-9),
    beta: seedStat(cells.map((c) => bpttRow(c).bwdMsPerOp / bpttRow(c).fwdMsPerOp)),
    fwdMsPerOp: base.fwdMsPerOp,
    bwdMsPerOp: base.bwdMsPerOp,
    bpttMsPerIteration: base.msPerIteration,
    bpttPeakBytes: base.peakBytes,
    storedWithinBudget: first.rows.every((r) =>
      r.budgetBytes === null || r.peakStoredBytes <= r.budgetBytes
    ),
  };
  if (msm5) {
    metrics.msmTimeRatioAtSmallestBudget = msm5.timeRatio;
    metrics.msmCpuTimeRatioAtSmallestBudget = msm5.cpuTimeRatio;
    metrics.msmPeakBytesRatioAtSmallestBudget = msm5.peakBytesRatio;
    metrics.msmPredictedTimeRatioAtSmallestBudget = (msm5.forwardOpsPerStep + beta) / (1 + beta);
  }
  const plot: LinePlotSpec = {
    title: `LSTM t = ${config.t} (H = ${config.hidden}, batch ${config.batch}): memory vs time`,
    data: rows.map((r) => ({
      method: r.method,
      MB: r.peakBytes / 1e6,
      ms: r.msPerIteration,
    })),
    x: { field: "MB", title: "peak TF.js memory above baseline (MB)", log: true },
    y: { field: "ms", title: "ms per iteration" },
    color: "method",
  };
  return {
    metrics,
    figures: [{
      name: "lstm_memory_time",
      caption: "Measured peak memory vs time per iteration",
      plot,
    }],
    notes: [
      "peakBytes = high-water mark of tf.memory().numBytes above the pre-iteration level, sampled after every op and at the end of every step's tf.tidy, where the step's intermediates are alive (includes stored states, the register, running and accumulated gradients and per-step transients; excludes params, inputs, targets).",
      `α = ${first.alpha} measured from tensor sizes is planned as ⌈α⌉; budgets are fractions of standard BPTT's α(t−1)+1 units.`,
      "Times are the fastest of the interleaved iterations (wall: msPerIteration; process CPU: cpuMsPerIteration) on a shared 2-core machine; msMedian is the median wall time.",
    ],
  };
}

/** Measured LSTM memory and time per iteration for every method. */
export const experiment: Experiment<LstmMeasuredConfig, NoParams, Measured> = {
  id: "lstm_measured",
  version: 2,
  title: "LSTM at t = 1000: measured peak memory and time per iteration, all methods",
  reproduces: "LSTM memory/time experiment (sequence length 1000)",
  profiles: { smoke, default: defaults, paper },
  seeds: { smoke: [1], default: [1], paper: [1] },
  cells: (_config, seeds) => seeds.map((seed) => ({ id: `seed=${seed}`, seed, params: {} })),
  run: (config, ctx) => Promise.resolve(runCell(config, ctx)),
  summarize: (config, records) => summarize(config, records),
};
