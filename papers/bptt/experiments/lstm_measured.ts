/**
 * Measured LSTM at t = 1000: peak memory and time per training iteration (forward + backward of
 * the whole sequence) for standard BPTT, Chen et al.'s √t checkpointing, and BPTT-HSM/ISM/MSM at
 * several total-bytes budgets, all in one process so the ratios compare; beside them, PyTorch's
 * `torch.utils.checkpoint` schemes against PyTorch's own standard BPTT (when installed). Also
 * measures the cell's α (internal/hidden state bytes) and β (backward/forward time per op).
 *
 * The paper's LSTM size, batch and hardware are unknown (notes §3); this runs a CPU-sized LSTM on
 * the harness's backend (wasm). Budgets are fractions of standard BPTT's measured unique-byte
 * peak; the planner first takes off the iteration's fixed bytes (`_lstm.ts`). Time ratios are
 * medians of per-round ratios with an order-statistic interval over interleaved rounds; the
 * op-count prediction `(C/t + β)/(1 + β)` is shown beside each, with a flag when it falls outside
 * the measured interval. Cost: about 4–6 min on 2 cores (default).
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
import type { LinePlotSpec } from "../../../tasks/core/figure.ts";
import type { IntervalMetric } from "../../../tasks/core/interval.ts";
import { measureLstmMethods, PAPER_BETA } from "./_lstm.ts";
import { torchPeer, type TorchPeerResult } from "./_torch_peer.ts";

/** Config of the measured LSTM benchmark. */
export interface LstmMeasuredConfig extends Config {
  /** Sequence length (abstract: "sequences of length 1000"). */
  t: number;
  /** LSTM units, input size = units (paper: unknown; CPU-sized here). */
  hidden: number;
  /** Batch size (paper: unknown). */
  batch: number;
  /** Total-bytes budgets as fractions of standard BPTT's measured peak (5% ↔ "95% saved"). */
  fractions: number[];
  /** Extra budgets for MSM alone (e.g. to meet PyTorch's two-level checkpointing's memory). */
  msmFractions: number[];
  /** Methods to run. */
  methods: string[];
  /** Timed interleaved rounds (after one discarded warm-up round). */
  rounds: number;
  /** Also run the PyTorch peer (`torch_peer.py`) when PyTorch is installed. */
  torchPeer: boolean;
}

/** Valid values (t × batch × hidden bounded so standard BPTT's tape fits a few GB). */
const limits: Limits<LstmMeasuredConfig> = {
  t: { min: 2, max: 10_000, integer: true },
  hidden: { min: 1, max: 1024, integer: true },
  batch: { min: 1, max: 256, integer: true },
  fractions: { nonEmpty: true, maxItems: 20, distinct: true, min: 0.001, max: 1 },
  methods: { nonEmpty: true, distinct: true, oneOf: ["bptt", "chen", "hsm", "ism", "msm"] },
  msmFractions: { maxItems: 20, distinct: true, min: 0.001, max: 1 },
  rounds: { min: 1, max: 100, integer: true },
  torchPeer: { oneOf: [true, false] },
};

const paper: LstmMeasuredConfig = {
  t: 1000,
  hidden: 128, // unknown in the paper
  batch: 16, // unknown in the paper
  fractions: [0.05, 0.1, 0.25, 0.5],
  msmFractions: [0.04],
  methods: ["bptt", "chen", "hsm", "ism", "msm"],
  rounds: 7,
  torchPeer: true,
};
const defaults: LstmMeasuredConfig = {
  ...paper,
  hidden: 64,
  batch: 8,
  fractions: [0.05, 0.1, 0.25],
  rounds: 7,
};
const smoke: LstmMeasuredConfig = {
  ...defaults,
  t: 100,
  hidden: 16,
  batch: 2,
  fractions: [0.5, 0.75], // the fixed bytes are a quarter of standard BPTT's peak here
  msmFractions: [],
  rounds: 2,
  torchPeer: false,
};

function runCell(config: LstmMeasuredConfig, ctx: CellContext<NoParams>): Cell {
  const ours = measureLstmMethods(
    config,
    ctx.cell.seed!,
    config.fractions,
    config.methods,
    (d, n) => ctx.progress.update(d, n),
  );
  const peer = config.torchPeer ? torchPeer(config, ctx.cell.seed!) : { skipped: "not asked" };
  return { ...ours, torchPeer: peer };
}

type Row = Record<string, Json>;
type Cell = ReturnType<typeof measureLstmMethods> & {
  torchPeer: TorchPeerResult;
};

const shift = (i: IntervalMetric, d: number): IntervalMetric => ({
  ...i,
  median: i.median + d,
  lo: i.lo + d,
  hi: i.hi + d,
});

function summarize(config: LstmMeasuredConfig, records: CellRecord<Cell>[]) {
  const [first] = records;
  if (!first) throw new Error("lstm_measured: summarize() got no cell");
  const c = first.output;
  const peer = c.torchPeer;
  // Ours and the peer's rows in one table; each is Jsonable, read back field by field below.
  const rows = [...c.rows, ...("rows" in peer ? peer.rows : [])].map((r) => jsonValue(r) as Row);
  const msm = c.rows.find((r) => r.method === "msm" && r.memoryFraction === config.fractions[0]);
  const metrics: Record<string, Json> = {
    rows,
    skipped: jsonValue(c.skipped),
    alpha: c.alpha,
    alphaPlanned: Math.ceil(c.alpha - 1e-9),
    beta: jsonValue(c.betaCell),
    betaStep: jsonValue(c.betaStep),
    perOpMs: jsonValue(c.perOpMs),
    fixedBytes: c.fixedBytes,
    bpttUniquePeakBytes: c.standardUniquePeakBytes,
    bpttTfPeakBytes: c.standardTfPeakBytes,
    bpttMsPerIteration: jsonValue(c.rows.find((r) => r.method === "bptt")!.wallMs),
    withinBudget: c.rows.every((r) => r.withinBudget !== false),
    torchPeer: "rows" in peer
      ? { torch: peer.torch, threads: peer.threads, segments: peer.segments }
      : { skipped: peer.skipped },
  };
  const chen = c.rows.find((r) => r.method === "chen");
  const msmAtChen = chen &&
    c.rows.find((r) => r.method === "msm" && r.memoryFraction === chen.uniquePeakFraction);
  if (chen && msmAtChen) {
    const brief = (r: typeof chen) => ({
      uniquePeakFraction: r.uniquePeakFraction,
      forwardOpsPerStep: r.forwardOpsPerStep,
      timeRatio: r.timeRatio,
      cpuTimeRatio: r.cpuTimeRatio,
    });
    metrics.atChenMemory = jsonValue({ chen: brief(chen), msm: brief(msmAtChen) });
  }
  if (msm) {
    metrics.msmTimeRatioAtSmallestBudget = jsonValue(msm.timeRatio);
    metrics.msmCpuTimeRatioAtSmallestBudget = jsonValue(msm.cpuTimeRatio);
    metrics.msmUniquePeakFractionAtSmallestBudget = msm.uniquePeakFraction;
    metrics.msmTfPeakFractionAtSmallestBudget = msm.tfPeakFraction;
    metrics.msmPredictedTimeRatioAtSmallestBudget = msm.predictedTimeRatio;
    metrics.msmPredictedTimeRatioPaperBetaAtSmallestBudget = msm.predictedTimeRatioPaperBeta;
    metrics.msmPredictionInsideIntervalAtSmallestBudget = msm.predictionInsideInterval;
    metrics.msmTimeOverheadAtSmallestBudget = jsonValue(shift(msm.timeRatio, -1));
  }
  const plot: LinePlotSpec = {
    title: `LSTM t = ${config.t} (H = ${config.hidden}, batch ${config.batch}): memory vs time`,
    data: rows.map((r) => ({
      method: r.method as string,
      memory: (r.uniquePeakFraction ?? r.memoryFraction) as number,
      ratio: (r.timeRatio as unknown as IntervalMetric).median,
    })),
    x: { field: "memory", title: "peak memory / own standard BPTT's", log: true },
    y: { field: "ratio", title: "time / own standard BPTT's (median of rounds)" },
    color: "method",
  };
  const skippedNote = "rows" in peer ? [] : [`PyTorch peer skipped: ${peer.skipped}.`];
  return {
    metrics,
    figures: [{
      name: "lstm_memory_time",
      caption: "Measured peak memory vs time per iteration, each against its own standard BPTT",
      plot,
    }],
    notes: [
      "uniquePeakBytes = exact high-water mark of unique TF.js buffers (a clone or view counted once) above the pre-iteration level; tfPeakBytes = the executor's samples of tf.memory().numBytes (sum of live tensors). Fractions and withinBudget use unique bytes.",
      `Budgets are total bytes (fraction × standard BPTT's unique peak ${c.standardUniquePeakBytes} B); the planner takes off the ${c.fixedBytes} fixed bytes it measures first (4-step run storing only h0) and stores states in the rest, planned with ⌈α⌉ = ${
        Math.ceil(c.alpha - 1e-9)
      } (α = ${c.alpha}).`,
      `Times: ${config.rounds} interleaved rounds after a discarded warm-up, order reversed every other round; timeRatio = median of per-round ratios to standard BPTT with an order-statistic interval (level = achieved coverage); wall and process CPU.`,
      `β per op (forward alone vs the cell's VJP alone): ${
        c.betaCell.median.toFixed(2)
      }; with the loss VJP and accumulation (betaStep): ${
        c.betaStep.median.toFixed(2)
      }. predictedTimeRatio = (C/t + betaStep)/(1 + betaStep); predictedTimeRatioPaperBeta uses β = ${PAPER_BETA}.`,
      "torch_* rows: PyTorch (one thread) on the same problem shape, memory = peak RSS above the pre-iteration level, ratios against PyTorch's own standard BPTT (torch_bptt).",
      ...skippedNote,
    ],
  };
}

/** Measured LSTM memory and time per iteration for every method. */
export const experiment: Experiment<LstmMeasuredConfig, NoParams, Cell> = {
  id: "lstm_measured",
  version: 3,
  title: "LSTM at t = 1000: measured peak memory and time per iteration, all methods",
  reproduces: "LSTM memory/time experiment (sequence length 1000)",
  profiles: { smoke, default: defaults, paper },
  limits,
  seeds: { smoke: [1], default: [1], paper: [1] },
  cells: (_config, seeds) => seeds.map((seed) => ({ id: `seed=${seed}`, seed, params: {} })),
  run: (config, ctx) => Promise.resolve(runCell(config, ctx)),
  summarize: (config, records) => summarize(config, records),
};
