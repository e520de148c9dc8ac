/**
 * Tables 1–2 (Rae et al. 2016 §4.4, Supp. G): bAbI v1.2 error % per task, one model trained
 * jointly on all 20 tasks, one-hot word input and output (a vocabulary of 157 words over all
 * tasks), LSTM, NTM, DAM, SAM (exact linear index), DNC and Sparse DNC. A task fails at > 5 %
 * test error. Table 1 is each model's best run chosen by validation error, Table 2 the mean ± sd
 * over runs.
 *
 * Paper: 10,000 training questions per task, a small validation split, 15 runs; best runs 2.9 %
 * (SDNC) to 28.0 % (LSTM) mean error. The default profile trains each model for a few hundred
 * minibatches on the 1k set, with small controllers and short contexts, on one core: it is far
 * from the tables and says so. The paper profile is the paper's protocol (its compute is in the
 * notes; shard its cells with `--shard i/n`).
 * @module
 */
import type {
  CellContext,
  CellInspection,
  CellRecord,
  CellSpec,
  Config,
  Experiment,
  Figure,
  Json,
  Limits,
} from "../../../tasks/core/experiment.ts";
import type { PublishedRecord } from "../../../tasks/core/experiment.ts";
import { Rng } from "../../../tasks/core/rng.ts";
import { seedStat } from "../../../tasks/core/stats.ts";
import type { Task3TenK } from "../../../datasets/babi/mod.ts";
import published from "../published.json" with { type: "json" };
import { babiEpisode } from "../babi_episodes.ts";
import { babiData, taskErrors } from "../babi_data.ts";
import type { ModelName } from "../model.ts";
import { createModel } from "../models.ts";
import { train } from "../train.ts";

/** Config of the bAbI experiment. */
export interface BabiConfig extends Config {
  /** `"en-10k"` (the paper's 10,000 questions per task) or `"en"` (1,000). */
  set: string;
  /** en-10k task 3, whose training file the shared copy lacks: "use-1k", "omit" or "require". */
  task3TenK: string;
  /** Tasks trained jointly and tested (paper: 1…20). */
  tasks: number[];
  /** Models (paper: LSTM, NTM, DAM, SAM, DNC, SDNC). */
  models: string[];
  /** Training minibatches per run (not in our notes for bAbI; ours). */
  steps: number;
  batch: number;
  learningRate: number;
  decay: number;
  clipNorm: number;
  /** LSTM units (paper gives 100 for Figure 2 only). */
  hidden: number;
  /** Memory words, word size, heads, words per head (K), SDNC link entries K_L. */
  N: number;
  W: number;
  heads: number;
  K: number;
  KL: number;
  /** Fraction of each task's training stories held out for validation (ours: 0.1). */
  validFraction: number;
  /** Most recent statements fed per question (0 = the whole story). */
  maxSentences: number;
  /** First questions of each task's validation / test split evaluated (0 = all). */
  validPerTask: number;
  testPerTask: number;
}

/** Models this experiment builds. */
export const BABI_MODELS = ["lstm", "ntm", "dam", "sam_linear", "sam_ann", "dnc", "sdnc"] as const;

/** Valid values. */
const limits: Limits<BabiConfig> = {
  set: { oneOf: ["en-10k", "en"] },
  task3TenK: { oneOf: ["use-1k", "omit", "require"] },
  tasks: { nonEmpty: true, distinct: true, min: 1, max: 20, integer: true },
  models: { nonEmpty: true, distinct: true, oneOf: BABI_MODELS },
  steps: { min: 1, max: 10_000_000, integer: true },
  batch: { min: 1, max: 256, integer: true },
  learningRate: { min: 1e-9, max: 1 },
  decay: { min: 0, max: 0.9999 },
  clipNorm: { min: 0.001, max: 1e6 },
  hidden: { min: 1, max: 1024, integer: true },
  N: { min: 4, max: 1_048_576, integer: true },
  W: { min: 1, max: 256, integer: true },
  heads: { min: 1, max: 16, integer: true },
  K: { min: 1, max: 64, integer: true },
  KL: { min: 1, max: 64, integer: true },
  validFraction: { min: 0.01, max: 0.5 },
  maxSentences: { min: 0, max: 1000, integer: true },
  validPerTask: { min: 0, max: 10_000, integer: true },
  testPerTask: { min: 0, max: 1000, integer: true },
};

const ALL_TASKS = Array.from({ length: 20 }, (_, i) => i + 1);

const paper: BabiConfig = {
  set: "en-10k",
  task3TenK: "use-1k",
  tasks: ALL_TASKS,
  models: ["lstm", "ntm", "dam", "sam_linear", "dnc", "sdnc"],
  steps: 200_000,
  batch: 8,
  learningRate: 1e-4,
  decay: 0.9,
  clipNorm: 10,
  hidden: 100,
  N: 128,
  W: 32,
  heads: 4,
  K: 4,
  KL: 8,
  validFraction: 0.1,
  maxSentences: 0,
  validPerTask: 0,
  testPerTask: 0,
};
const defaults: BabiConfig = {
  ...paper,
  set: "en",
  models: ["lstm", "dam", "sam_linear", "dnc", "sdnc"],
  steps: 30,
  batch: 16,
  learningRate: 3e-3,
  hidden: 32,
  N: 32,
  W: 16,
  heads: 2,
  KL: 4,
  maxSentences: 4,
  validPerTask: 10,
  testPerTask: 20,
};
const smoke: BabiConfig = {
  ...defaults,
  tasks: [1, 8],
  models: ["lstm", "sam_linear", "sdnc"],
  steps: 3,
  batch: 4,
  hidden: 8,
  N: 8,
  W: 4,
  heads: 1,
  K: 2,
  KL: 2,
  maxSentences: 2,
  validPerTask: 4,
  testPerTask: 6,
};

/** A cell: one run (seed) of one model. */
interface BabiParams {
  model: string;
}

/** Output of one run. */
interface BabiCell {
  model: string;
  seed: number;
  /** Per task of `config.tasks` that was loaded: validation and test error %, questions. */
  tasks: { task: number; validError: number; testError: number; valid: number; test: number }[];
  /** Mean validation error % over the tasks (what picks the best run). */
  validMean: number;
  /** Training cost (bits per question) averaged over the first and last tenth of the steps. */
  firstBits: number;
  finalBits: number;
  steps: number;
  msPerStep: number;
  /** Mean steps (words) per training minibatch's sequences. */
  meanSequenceSteps: number;
  /** Mean steps of a training question fed with its whole story (the paper profile's). */
  wholeStorySteps: number;
  evalSeconds: number;
  notes: string[];
}

function inspect(config: BabiConfig, cell: CellSpec<BabiParams>, output: Json): CellInspection {
  const o = output as Partial<BabiCell> | null;
  const samples = { steps: { planned: config.steps, done: o?.steps ?? 0 } };
  if (o === null) return { problem: null, samples };
  let problem: string | null = null;
  if (o.model !== cell.params.model || o.seed !== cell.seed) {
    problem = `holds ${o.model}/seed=${o.seed}`;
  } else if (o.steps !== config.steps) {
    problem = `trained ${o.steps} steps, the config plans ${config.steps}`;
  } else if (!Array.isArray(o.tasks) || o.tasks.length === 0) problem = "lacks its task errors";
  return { problem, samples };
}

const pct = (p: { errors: number; questions: number } | undefined) =>
  p && p.questions > 0 ? (100 * p.errors) / p.questions : NaN;

async function runCell(config: BabiConfig, ctx: CellContext<BabiParams>): Promise<BabiCell> {
  const model = ctx.cell.params.model as ModelName; // limits: one of BABI_MODELS
  const seed = ctx.cell.seed!;
  const data = await babiData({
    set: config.set as "en-10k" | "en",
    task3TenK: config.task3TenK as Task3TenK,
    tasks: config.tasks,
    validFraction: config.validFraction,
    maxSentences: config.maxSentences,
    validPerTask: config.validPerTask,
    testPerTask: config.testPerTask,
  });
  const { codec } = data, B = config.batch;
  const longest = [...data.train, ...data.valid, ...data.test].reduce(
    (m, it) => Math.max(m, it.input.length),
    0,
  );
  const m = await createModel(model, {
    input: codec.X,
    output: codec.Y,
    hidden: config.hidden,
    N: config.N,
    W: config.W,
    heads: config.heads,
    K: config.K,
    KL: config.KL,
    batch: B,
    maxSteps: longest,
    samBackward: "tape",
    denseImpl: "js",
  }, new Rng(seed));
  const rng = new Rng(seed * 7919 + 1);
  let seqSteps = 0;
  try {
    const t0 = performance.now();
    const costs = train(m, () => {
      const items = Array.from({ length: B }, () => data.train[rng.int(data.train.length)]!);
      seqSteps += items.reduce((s, it) => s + it.input.length, 0) / B;
      return babiEpisode(codec, items, B);
    }, {
      episodes: config.steps,
      learningRate: config.learningRate,
      decay: config.decay,
      clipNorm: config.clipNorm,
      onEpisode: (i, bits) =>
        ctx.progress.update(i + 1, config.steps, `${model} ${bits.toFixed(2)} bits`),
    });
    const msPerStep = (performance.now() - t0) / config.steps;
    const t1 = performance.now();
    const valid = taskErrors(m, codec, data.valid, B);
    const test = taskErrors(m, codec, data.test, B);
    const tasks = data.counts.map((c) => ({
      task: c.task,
      validError: pct(valid.get(c.task)),
      testError: pct(test.get(c.task)),
      valid: c.valid,
      test: c.test,
    }));
    const tenth = Math.max(1, Math.floor(costs.length / 10));
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    return {
      model,
      seed,
      tasks,
      validMean: mean(tasks.map((t) => t.validError)),
      firstBits: mean(costs.slice(0, tenth)),
      finalBits: mean(costs.slice(-tenth)),
      steps: config.steps,
      msPerStep,
      meanSequenceSteps: seqSteps / config.steps,
      wholeStorySteps: data.wholeStorySteps,
      evalSeconds: (performance.now() - t1) / 1e3,
      notes: [
        ...data.notes,
        `questions: ${data.train.length} training, ${data.valid.length} validation, ${data.test.length} test`,
      ],
    };
  } finally {
    m.dispose();
  }
}

/** Published Table 1 value of a metric (for the figure), if there is one. */
function publishedValue(metric: string): number | null {
  const recs = (published.records as PublishedRecord[]).filter((r) =>
    r.experiment === "babi" && r.metric === metric
  );
  return recs[0]?.value ?? null;
}

function summarize(config: BabiConfig, records: CellRecord<BabiCell>[]) {
  const cells = records.map((r) => r.output);
  const metrics: Record<string, Json> = {};
  const rows: Json[] = [];
  const figures: Figure[] = [];
  const failed = (c: BabiCell) => c.tasks.filter((t) => t.testError > 5).length;
  const meanErr = (c: BabiCell) => c.tasks.reduce((s, t) => s + t.testError, 0) / c.tasks.length;
  for (const model of config.models) {
    const runs = cells.filter((c) => c.model === model).sort((a, b) => a.seed - b.seed);
    if (runs.length === 0) continue;
    // Table 1: the run with the lowest mean validation error (ties: the lowest seed).
    const best = runs.reduce((b, c) => (c.validMean < b.validMean ? c : b));
    for (const t of best.tasks) metrics[`errorTask${t.task}_${model}`] = t.testError;
    metrics[`meanError_${model}`] = meanErr(best);
    metrics[`failedTasks_${model}`] = failed(best);
    metrics[`bestSeed_${model}`] = best.seed;
    // Table 2: mean ± sd over the runs.
    metrics[`meanErrorRuns_${model}`] = seedStat(runs.map(meanErr));
    metrics[`failedTasksRuns_${model}`] = seedStat(runs.map(failed));
    metrics[`msPerStep_${model}`] = runs.reduce((s, c) => s + c.msPerStep, 0) / runs.length;
    for (const c of runs) {
      for (const t of c.tasks) {
        rows.push({
          model,
          seed: c.seed,
          task: t.task,
          validError: t.validError,
          testError: t.testError,
        });
      }
    }
    const data: Record<string, number | string | null>[] = [];
    for (const t of best.tasks) {
      const all = runs.map((c) => c.tasks.find((x) => x.task === t.task)!.testError);
      data.push({
        task: t.task,
        error: t.testError,
        lo: Math.min(...all),
        hi: Math.max(...all),
        series: `${model}, ours (best of ${runs.length} by validation; band: range over runs)`,
        source: "ours",
      });
      const pub = publishedValue(`errorTask${t.task}_${model}`);
      if (pub !== null) {
        data.push({
          task: t.task,
          error: pub,
          lo: pub,
          hi: pub,
          series: `${model}, published (Table 1)`,
          source: "published (Table 1)",
        });
      }
    }
    figures.push({
      name: `babi_${model}`,
      caption: `bAbI test error % per task, ${model}: ours (the best of ${runs.length} runs by ` +
        `validation, the band the range over runs) beside the paper's Table 1 (dashed)`,
      plot: {
        title: `bAbI (Tables 1–2): ${model}`,
        data,
        x: { field: "task", title: "bAbI task" },
        y: { field: "error", title: "test error (%)" },
        color: "series",
        band: { lo: "lo", hi: "hi" },
        dashField: "source",
      },
    });
  }
  metrics.rows = rows;
  metrics.tasksRun = cells[0]?.tasks.length ?? 0;
  const first = cells[0];
  const seqSteps = cells.reduce((s, c) => s + c.meanSequenceSteps, 0) / Math.max(1, cells.length);
  const msPerStep = cells.reduce((s, c) => s + c.msPerStep, 0) / Math.max(1, cells.length);
  return {
    metrics,
    figures,
    samples: {
      steps: { planned: config.steps * cells.length, done: cells.reduce((s, c) => s + c.steps, 0) },
    },
    notes: [
      ...(first?.notes ?? []),
      `Protocol: one model per run trained jointly on tasks ${
        config.tasks.join(",")
      } of the ${config.set} set; each question is one sequence of its story's ${
        config.maxSentences > 0 ? `${config.maxSentences} most recent statements` : "statements"
      } then the question, one word per step (one-hot, 157-word vocabulary + an answer marker), then one answer step per answer word scored by a softmax over the vocabulary; a question is right when every answer word is the most likely output.`,
      `Validation: the last ${
        Math.round(config.validFraction * 100)
      } % of each task's training stories (whole stories)${
        config.validPerTask > 0 ? `, first ${config.validPerTask} questions per task evaluated` : ""
      }; test: ${
        config.testPerTask > 0 ? `the first ${config.testPerTask}` : "all"
      } questions of each task's test file, evaluated once per trained run. Table 1 metrics (errorTask<k>, meanError, failedTasks: error > 5 %) are each model's best run by mean validation error; Table 2 (meanErrorRuns, failedTasksRuns) the mean ± sd over ${
        new Set(cells.map((c) => c.seed)).size
      } runs.`,
      `Each run trains ${config.steps} minibatches of ${config.batch} questions (RMSProp lr ${config.learningRate}), LSTM ${config.hidden}, N ${config.N}, word ${config.W}, ${config.heads} heads, K ${config.K}; mean ${
        seqSteps.toFixed(1)
      } steps per sequence, ${
        msPerStep.toFixed(0)
      } ms per minibatch (mean over models, this machine).`,
      `SAM here uses the exact linear index (sam_linear); the paper does not say which index its bAbI runs used.`,
      paperCompute(config, cells),
    ],
  };
}

/**
 * The paper profile's compute, estimated from this run: its minibatch count times this run's
 * measured cost per word step of a minibatch, scaled to whole stories; a lower bound, since the
 * paper profile's controller and memory are larger than the default's.
 */
function paperCompute(config: BabiConfig, cells: BabiCell[]): string {
  const p = experiment.profiles.paper, seeds = experiment.seeds.paper.length;
  if (cells.length === 0) return "";
  const msPerWordStep = cells.reduce((s, c) => s + c.msPerStep / c.meanSequenceSteps, 0) /
    cells.length;
  const whole = cells[0]!.wholeStorySteps;
  const hours = (p.steps * whole * msPerWordStep) / 3.6e6;
  return `Compute of the paper profile: ${p.steps} minibatches of ${p.batch} questions per run, fed with whole stories (${
    whole.toFixed(0)
  } steps per question on average in this run's ${config.set} training split), × ${seeds} runs × ${p.models.length} models. At the ${
    msPerWordStep.toFixed(1)
  } ms per minibatch step measured here (mean over models, the default's smaller sizes and batch ${config.batch}), one run needs ≥ ${
    hours.toFixed(0)
  } h of one core, all ${seeds * p.models.length} runs ≥ ${
    (hours * seeds * p.models.length).toFixed(0)
  } core-hours: a bigger machine, sharded by run with --shard i/n.`;
}

/** Tables 1–2: bAbI. */
export const experiment: Experiment<BabiConfig, BabiParams, BabiCell> = {
  id: "babi",
  version: 1,
  title: "bAbI: error per task, joint training on the 20 tasks",
  reproduces: "Supp. Tables 1–2",
  profiles: { smoke, default: defaults, paper },
  limits,
  inspect,
  seeds: { smoke: [1], default: [1, 2], paper: Array.from({ length: 15 }, (_, i) => i + 1) },
  cells: (config, seeds) =>
    config.models.flatMap((model) =>
      seeds.map((seed) => ({ id: `${model}/seed=${seed}`, seed, params: { model } }))
    ),
  run: runCell,
  summarize: (config, records) => summarize(config, records),
};
