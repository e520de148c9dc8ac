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
  SeedStat,
} from "../../../tasks/core/experiment.ts";
import type { Limits } from "../../../tasks/core/experiment.ts";
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

/** Valid values (t × batch × hidden bounded so standard BPTT's tape fits a few GB). */
const limits: Limits<LstmMeasuredConfig> = {
  t: { min: 2, max: 10_000, integer: true },
  hidden: { min: 1, max: 1024, integer: true },
  batch: { min: 1, max: 256, integer: true },
  fractions: { nonEmpty: true, maxItems: 20, distinct: true, min: 0.001, max: 1 },
  methods: { nonEmpty: true, distinct: true, oneOf: ["bptt", "chen", "hsm", "ism", "msm"] },
  iterations: { min: 1, max: 100, integer: true },
};

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

function runCell(config: LstmMeasuredConfig, ctx: CellContext): Json {
  return measureLstmMethods(
    config,
    ctx.cell.seed!,
    config.fractions,
    config.methods,
    (d, n) => ctx.progress.update(d, n),
  );
}

type Row = Record<string, number | string | null>;

function summarize(config: LstmMeasuredConfig, records: CellRecord[]) {
  const cells = records.map((r) => r.output as { alpha: number; rows: Row[]; hiddenBytes: number });
  const first = cells[0]!;
  const base = first.rows.find((r) => r.method === "bptt")!;
  const num = (r: Row, k: string) => r[k] as number;
  const rows = first.rows.map((r) => ({
    method: r.method,
    memoryFraction: r.memoryFraction,
    peakBytes: r.peakBytes,
    msPerIteration: r.msPerIteration,
    msMedian: r.msMedian,
    cpuMsPerIteration: r.cpuMsPerIteration,
    peakStoredBytes: r.peakStoredBytes,
    budgetBytes: r.budgetBytes,
    forwardOpsPerStep: num(r, "forwardOps") / config.t,
    peakBytesRatio: num(r, "peakBytes") / num(base, "peakBytes"),
    timeRatio: num(r, "msPerIteration") / num(base, "msPerIteration"),
    cpuTimeRatio: num(r, "cpuMsPerIteration") / num(base, "cpuMsPerIteration"),
  }));
  const beta = num(base, "bwdMsPerOp") / num(base, "fwdMsPerOp");
  const msm5 = rows.find((r) => r.method === "msm" && r.memoryFraction === config.fractions[0]);
  const metrics: Record<string, Json | SeedStat> = {
    rows,
    alpha: first.alpha,
    alphaPlanned: Math.ceil(first.alpha - 1e-9),
    beta: seedStat(cells.map((c) => {
      const b = c.rows.find((r) => r.method === "bptt")!;
      return num(b, "bwdMsPerOp") / num(b, "fwdMsPerOp");
    })),
    fwdMsPerOp: num(base, "fwdMsPerOp"),
    bwdMsPerOp: num(base, "bwdMsPerOp"),
    bpttMsPerIteration: num(base, "msPerIteration"),
    bpttPeakBytes: num(base, "peakBytes"),
    storedWithinBudget: first.rows.every((r) =>
      r.budgetBytes === null || num(r, "peakStoredBytes") <= num(r, "budgetBytes")
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
      method: r.method as string,
      MB: (r.peakBytes as number) / 1e6,
      ms: r.msPerIteration as number,
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
export const experiment: Experiment<LstmMeasuredConfig> = {
  id: "lstm_measured",
  version: 2,
  title: "LSTM at t = 1000: measured peak memory and time per iteration, all methods",
  reproduces: "LSTM memory/time experiment (sequence length 1000)",
  profiles: { smoke, default: defaults, paper },
  limits,
  seeds: { smoke: [1], default: [1], paper: [1] },
  cells: (_config, seeds) => seeds.map((seed) => ({ id: `seed=${seed}`, seed })),
  run: (config, ctx) => Promise.resolve(runCell(config, ctx)),
  summarize: (config, records) => summarize(config, records),
};
