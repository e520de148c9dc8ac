/**
 * The abstract's headline claim as a checked comparison: "for sequences of length 1000, our
 * algorithm saves 95% of memory usage while using only one third more time per iteration than
 * the standard BPTT". The user's budget is total bytes: 5% of standard BPTT's *measured* peak
 * (unique TF.js buffers). The planner fits everything the iteration holds inside it (the fixed
 * gradient and transient bytes it measures first, the stored states in the rest). Runs standard
 * BPTT and BPTT-MSM (plus ISM and HSM) on the LSTM of `lstm_measured`, interleaved rounds in one
 * process, and reports the measured peak against the budget and the time ratio with its interval.
 *
 * Expected (notes §3): at 1.95 forward ops/step the time ratio is (1.95 + β)/(1 + β): 1.317 at
 * β = 2. With total bytes the stored states get less than 5%, so C/t is higher. Cost: about
 * 2–3 min on 2 cores (default).
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
} from "../../../tasks/core/experiment.ts";
import { jsonValue, type Limits } from "../../../tasks/core/experiment.ts";
import type { IntervalMetric } from "../../../tasks/core/interval.ts";
import { optimalCost } from "../plan.ts";
import { measureLstmMethods, PAPER_BETA } from "./_lstm.ts";

/** Config of the headline comparison. */
export interface HeadlineConfig extends Config {
  /** Sequence length (abstract: 1000). */
  t: number;
  /** LSTM units (paper: unknown). */
  hidden: number;
  /** Batch (paper: unknown). */
  batch: number;
  /** Total-bytes budget as a fraction of standard BPTT's measured peak (95% saved → 0.05). */
  fraction: number;
  /** Timed interleaved rounds (after one discarded warm-up round). */
  rounds: number;
}

/** Valid values (t × batch × hidden bounded so standard BPTT's tape fits a few GB). */
const limits: Limits<HeadlineConfig> = {
  t: { min: 2, max: 10_000, integer: true },
  hidden: { min: 1, max: 1024, integer: true },
  batch: { min: 1, max: 256, integer: true },
  fraction: { min: 0.001, max: 1 },
  rounds: { min: 1, max: 100, integer: true },
};

const paper: HeadlineConfig = { t: 1000, hidden: 128, batch: 16, fraction: 0.05, rounds: 9 };
const defaults: HeadlineConfig = { ...paper, hidden: 64, batch: 8, rounds: 15 };
const smoke: HeadlineConfig = {
  ...defaults,
  t: 100,
  hidden: 16,
  batch: 2,
  fraction: 0.5, // the fixed bytes are a quarter of standard BPTT's peak at this size
  rounds: 2,
};

/** What a cell measures: α, the fixed bytes and one row per method (`measureLstmMethods`). */
type Out = ReturnType<typeof measureLstmMethods>;

function runCell(config: HeadlineConfig, ctx: CellContext<NoParams>): Out {
  return measureLstmMethods(
    config,
    ctx.cell.seed!,
    [config.fraction],
    ["bptt", "msm", "ism", "hsm"],
    (d, n) => ctx.progress.update(d, n),
  );
}

const shift = (i: IntervalMetric, d: number): IntervalMetric => ({
  ...i,
  median: i.median + d,
  lo: i.lo + d,
  hi: i.hi + d,
});

function summarize(config: HeadlineConfig, records: CellRecord<Out>[]) {
  const [first] = records;
  if (!first) throw new Error("headline: summarize() got no cell");
  const out = first.output;
  const base = out.rows.find((r) => r.method === "bptt");
  if (!base) throw new Error("headline: the cell measured no bptt row");
  const metrics: Record<string, Json> = {};
  for (const m of ["msm", "ism", "hsm"]) {
    const r = out.rows.find((x) => x.method === m);
    const tag = m === "msm" ? "" : `_${m}`;
    if (!r) {
      const s = out.skipped.find((x) => x.method === m);
      metrics[`skipped${tag}`] = s ? s.reason : "not run";
      continue;
    }
    metrics[`memorySavedFraction${tag}`] = 1 - r.uniquePeakFraction;
    metrics[`memorySavedFractionTfBytes${tag}`] = 1 - r.tfPeakFraction;
    metrics[`storedMemorySavedFraction${tag}`] = 1 - r.peakStoredBytes / base.peakStoredBytes;
    metrics[`peakBytes${tag}`] = r.uniquePeakBytes;
    metrics[`budgetBytes${tag}`] = r.budgetBytes;
    metrics[`budgetUnits${tag}`] = r.budgetUnits;
    metrics[`withinBudget${tag}`] = r.withinBudget;
    metrics[`timeRatio${tag}`] = jsonValue(r.timeRatio);
    metrics[`cpuTimeRatio${tag}`] = jsonValue(r.cpuTimeRatio);
    metrics[`timeOverheadFraction${tag}`] = jsonValue(shift(r.timeRatio, -1));
    metrics[`cpuTimeOverheadFraction${tag}`] = jsonValue(shift(r.cpuTimeRatio, -1));
    metrics[`forwardOpsPerStep${tag}`] = r.forwardOpsPerStep;
    metrics[`predictedTimeRatio${tag}`] = r.predictedTimeRatio;
    metrics[`predictedTimeRatioPaperBeta${tag}`] = r.predictedTimeRatioPaperBeta;
    metrics[`predictionInsideInterval${tag}`] = r.predictionInsideInterval;
  }
  // The notes' reading of "5% memory": 5% of α(t−1)+1 hidden-state units for stored states alone.
  const alphaPlanned = Math.ceil(out.alpha - 1e-9);
  const storedOnly = Math.floor(config.fraction * (out.alpha * (config.t - 1) + 1));
  metrics.forwardOpsPerStepStoredOnlyBudget =
    optimalCost({ t: config.t, memory: storedOnly, strategy: "msm", alpha: alphaPlanned }) /
    config.t;
  metrics.beta = jsonValue(out.betaCell);
  metrics.betaStep = jsonValue(out.betaStep);
  metrics.alpha = out.alpha;
  metrics.fixedBytes = out.fixedBytes;
  metrics.bpttPeakBytes = out.standardUniquePeakBytes;
  metrics.bpttTfPeakBytes = out.standardTfPeakBytes;
  const msm = out.rows.find((r) => r.method === "msm");
  const verdict = (ratio: "timeRatio" | "cpuTimeRatio") =>
    !msm
      ? "not run (budget below the fixed bytes)"
      : 1 - msm.uniquePeakFraction < 0.95 || msm[ratio].lo > 4 / 3
      ? "fails"
      : msm[ratio].hi <= 4 / 3
      ? "holds"
      : "inconclusive (noise)";
  metrics.claimVerdict = verdict("timeRatio");
  metrics.claimVerdictCpu = verdict("cpuTimeRatio");
  metrics.rows = jsonValue(out.rows);
  return Promise.resolve({
    metrics,
    notes: [
      `Budget = ${config.fraction} × standard BPTT's measured unique-byte peak (${out.standardUniquePeakBytes} B), total bytes; the planner takes off the ${out.fixedBytes} fixed bytes it measured first (gradient accumulators, register, step transients) and gives stored states the rest (budgetUnits hidden states).`,
      "memorySavedFraction = 1 − unique-buffer peak of MSM / of standard BPTT (exact high-water mark, a clone or view counted once); memorySavedFractionTfBytes uses tf.memory().numBytes samples (sum of live tensors); storedMemorySavedFraction compares only the policies' stored states.",
      `timeRatio = median of ${config.rounds} per-round ratios (interleaved, order reversed every other round, warm-up discarded) with an order-statistic interval; timeOverheadFraction = timeRatio − 1. predictedTimeRatio = (C/t + betaStep)/(1 + betaStep) with β measured per op in the same run; predictedTimeRatioPaperBeta uses β = ${PAPER_BETA}.`,
      "claimVerdict (wall time) and claimVerdictCpu (process CPU time): holds when ≥ 95% saved (unique bytes) and the whole interval is ≤ 4/3; fails when < 95% saved or the whole interval is above 4/3; otherwise inconclusive (noise).",
    ],
  });
}

/** The 95% memory / one-third time claim. */
export const experiment: Experiment<HeadlineConfig, NoParams, Out> = {
  id: "headline",
  version: 3,
  title: "Headline: 95% memory saved at ≤ 1/3 more time, t = 1000",
  reproduces: "Abstract (t = 1000: 95% memory saved, one third more time)",
  profiles: { smoke, default: defaults, paper },
  limits,
  seeds: { smoke: [1], default: [1], paper: [1] },
  cells: (_config, seeds) => seeds.map((seed) => ({ id: `seed=${seed}`, seed, params: {} })),
  run: (config, ctx) => Promise.resolve(runCell(config, ctx)),
  summarize,
};
