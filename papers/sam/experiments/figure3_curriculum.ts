/**
 * Figure 3: how far each model gets on a curriculum of ever longer sequences in the same
 * training budget (Rae et al. 2016 §4.3).
 *
 * The curriculum (`curriculum.ts`): the maximum level h doubles when the mean cost of the last
 * `window` minibatches at the current h is below `threshold` bits per sequence; each minibatch
 * draws its level from U(1, h). The paper gives neither threshold nor window, and compares the
 * models at equal wall-clock time (5 replicas each; NTM and DAM with 64 words, SAM with 2 × 10^6:
 * "roughly equal physical memory over 100 steps"). Here every replica gets the same budget of its
 * own thread's CPU time (`clock: "thread-cpu"`; "wall" is the paper's measure, fair only on an
 * idle machine), and the replicas of a cell train side by side in Web Workers, one core each.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type {
  CellContext,
  CellInspection,
  CellRecord,
  CellSpec,
  Config,
  Experiment,
  Json,
  Limits,
} from "../../../tasks/core/experiment.ts";
import { seedStat } from "../../../tasks/core/stats.ts";
import type { LevelChange } from "../curriculum.ts";
import { curriculumSizes, stepsAt } from "../curriculum_train.ts";
import { type CurriculumJob, runCurriculumJobs } from "../curriculum_workers.ts";
import type { ModelName } from "../model.ts";
import type { ModelSizes } from "../models.ts";

/** Config of the curriculum experiment. */
export interface CurriculumConfig extends Config {
  /** Tasks (paper: copy, associative recall, priority sort; here copy and recall). */
  tasks: string[];
  /** Models (paper: LSTM, NTM, DAM, SAM linear, SAM ANN). */
  models: string[];
  /** Training budget per replica, seconds on `clock` (paper: equal wall-clock time). */
  budgetSeconds: number;
  /** "thread-cpu": the replica thread's own CPU time; "wall": elapsed time. */
  clock: string;
  /** A replica stops after this many wall seconds even if its budget is not spent (0: never). */
  wallCapSeconds: number;
  /** Replicas trained at once (one Web Worker each). */
  concurrency: number;
  /** Batch (paper Supp. C: 8). */
  batch: number;
  /** RMSProp learning rate, decay, global-norm clip (as Figure 2). */
  learningRate: number;
  decay: number;
  clipNorm: number;
  /** LSTM units (paper: 100). */
  hidden: number;
  /** Memory words of NTM and DAM (paper: 64). */
  denseN: number;
  /** Memory words of SAM linear and SAM ANN (paper: 2 × 10^6). */
  sparseN: number;
  /** Word size, heads, words read per head. */
  W: number;
  heads: number;
  K: number;
  /** Curriculum: first h, threshold (bits per sequence), window (minibatches), cap on h. */
  startLevel: number;
  threshold: number;
  window: number;
  maxLevel: number;
}

const limits: Limits<CurriculumConfig> = {
  tasks: { nonEmpty: true, distinct: true, oneOf: ["copy", "associative_recall"] },
  models: {
    nonEmpty: true,
    distinct: true,
    oneOf: ["lstm", "ntm", "dam", "sam_linear", "sam_ann"],
  },
  budgetSeconds: { min: 0.01, max: 1_000_000 },
  clock: { oneOf: ["thread-cpu", "wall"] },
  wallCapSeconds: { min: 0, max: 10_000_000 },
  concurrency: { min: 1, max: 64, integer: true },
  batch: { min: 1, max: 256, integer: true },
  learningRate: { min: 1e-9, max: 1 },
  decay: { min: 0, max: 0.9999 },
  clipNorm: { min: 0.001, max: 1e6 },
  hidden: { min: 1, max: 1024, integer: true },
  denseN: { min: 4, max: 1_048_576, integer: true },
  sparseN: { min: 4, max: 4_194_304, integer: true },
  W: { min: 1, max: 256, integer: true },
  heads: { min: 1, max: 16, integer: true },
  K: { min: 1, max: 64, integer: true },
  startLevel: { min: 1, max: 1_000_000, integer: true },
  threshold: { min: 1e-6, max: 1e6 },
  window: { min: 1, max: 1_000_000, integer: true },
  maxLevel: { min: 1, max: 1_000_000, integer: true },
};

const paper: CurriculumConfig = {
  tasks: ["copy", "associative_recall"],
  models: ["lstm", "ntm", "dam", "sam_linear", "sam_ann"],
  budgetSeconds: 4 * 3600,
  clock: "thread-cpu",
  wallCapSeconds: 0,
  concurrency: 2,
  batch: 8,
  learningRate: 1e-5,
  decay: 0.9,
  clipNorm: 10,
  hidden: 100,
  denseN: 64,
  sparseN: 2_000_000,
  W: 32,
  heads: 4,
  K: 4,
  startLevel: 1,
  threshold: 1,
  window: 100,
  maxLevel: 8192,
};
const defaults: CurriculumConfig = {
  ...paper,
  budgetSeconds: 10,
  wallCapSeconds: 60,
  learningRate: 3e-3,
  sparseN: 4096,
  window: 25,
  maxLevel: 256,
};
const smoke: CurriculumConfig = {
  ...defaults,
  tasks: ["copy"],
  models: ["lstm", "sam_ann"],
  budgetSeconds: 0.3,
  wallCapSeconds: 20,
  batch: 2,
  hidden: 8,
  denseN: 8,
  sparseN: 16,
  W: 4,
  heads: 1,
  K: 2,
  threshold: 1e6, // every full window doubles h, so the smoke run exercises the doubling
  window: 2,
  maxLevel: 4,
};

/** A cell: one model on one task, all its replicas. */
interface CurriculumParams {
  task: string;
  model: string;
  seeds: number[];
}

/** One replica's run. */
interface ReplicaRun {
  seed: number;
  episodes: number;
  maxLevel: number;
  history: LevelChange[];
  cpuSeconds: number;
  wallSeconds: number;
  wallCapped: boolean;
  buildSeconds: number;
  lastWindowBits: number | null;
}

/** Output of a cell. */
interface CurriculumCell {
  task: string;
  model: string;
  replicas: ReplicaRun[];
}

/** The output must be this cell's task, model and replicas, each with a level history. */
function inspect(
  config: CurriculumConfig,
  cell: CellSpec<CurriculumParams>,
  output: Json,
): CellInspection {
  const o = output as Partial<CurriculumCell> | null;
  const planned = cell.params.seeds.length;
  const samples = { replicas: { planned, done: 0 } };
  if (o === null) return { problem: null, samples };
  let problem: string | null = null;
  if (o.task !== cell.params.task || o.model !== cell.params.model) {
    problem = `holds ${o.task}/${o.model}`;
  } else if (
    !Array.isArray(o.replicas) ||
    o.replicas.map((r) => r.seed).join() !== cell.params.seeds.join()
  ) {
    problem = "lacks its replicas";
  } else if (
    o.replicas.some((r) =>
      !Array.isArray(r.history) || r.history.length === 0 || r.maxLevel > config.maxLevel
    )
  ) {
    problem = "holds a replica without a level history within maxLevel";
  }
  if (problem === null) samples.replicas.done = planned;
  return { problem, samples };
}

/** The sizes every replica of `model` is built with: for the longest episode h can reach. */
export function sizesOf(config: CurriculumConfig, task: string, model: string): ModelSizes {
  const s = curriculumSizes(task);
  const sparse = model === "sam_linear" || model === "sam_ann";
  return {
    input: s.X,
    output: s.Y,
    hidden: config.hidden,
    N: sparse ? config.sparseN : config.denseN,
    W: config.W,
    heads: config.heads,
    K: config.K,
    batch: config.batch,
    // the ANN graph is sized for the longest episode (only SAM ANN reads it)
    maxSteps: stepsAt(task, config.maxLevel),
    samBackward: "tape",
    denseImpl: "js",
  };
}

async function runCell(
  config: CurriculumConfig,
  ctx: CellContext<CurriculumParams>,
): Promise<CurriculumCell> {
  const { task, seeds } = ctx.cell.params;
  const model = ctx.cell.params.model as ModelName; // config.models: names of models
  const jobs: CurriculumJob[] = seeds.map((seed) => ({
    model,
    sizes: sizesOf(config, task, model),
    seed,
    dataSeed: seed * 7919 + 3,
    backend: tf.getBackend(),
    train: {
      task,
      batch: config.batch,
      curriculum: {
        start: config.startLevel,
        threshold: config.threshold,
        window: config.window,
        maxLevel: config.maxLevel,
      },
      budgetMs: config.budgetSeconds * 1000,
      clock: config.clock as "thread-cpu" | "wall",
      wallCapMs: config.wallCapSeconds * 1000,
      maxEpisodes: 0,
      learningRate: config.learningRate,
      decay: config.decay,
      clipNorm: config.clipNorm,
    },
  }));
  const replicas: ReplicaRun[] = [];
  for (let i = 0; i < jobs.length; i += config.concurrency) {
    const group = jobs.slice(i, i + config.concurrency);
    const hs = group.map(() => config.startLevel);
    const res = await runCurriculumJobs(group, (j, episode, h) => {
      hs[j] = h;
      ctx.progress.update(i, jobs.length, `${task} ${model} ep ${episode} h ${hs.join("/")}`);
    });
    res.forEach(({ run, buildMs }, j) =>
      replicas.push({
        seed: group[j]!.seed,
        episodes: run.episodes,
        maxLevel: run.maxLevel,
        history: run.history,
        cpuSeconds: run.cpuMs / 1000,
        wallSeconds: run.trainMs / 1000,
        wallCapped: run.wallCapped,
        buildSeconds: buildMs / 1000,
        lastWindowBits: run.lastWindowBits,
      })
    );
  }
  return { task, model, replicas };
}

/** h after `episode` minibatches of a history. */
export function levelAt(history: readonly LevelChange[], episode: number): number {
  let h = history[0]!.level;
  for (const c of history) if (c.episode <= episode) h = c.level;
  return h;
}

/**
 * Does SAM (linear or ANN) reach a higher mean final level than every other model run? 1 yes,
 * 0 no; null when no SAM or no other model ran.
 */
export function samAdvancesFurthest(meanLevel: Readonly<Record<string, number>>): number | null {
  const sam = ["sam_linear", "sam_ann"].filter((m) => m in meanLevel).map((m) => meanLevel[m]!);
  const rest = Object.keys(meanLevel).filter((m) => !m.startsWith("sam_")).map((m) =>
    meanLevel[m]!
  );
  if (sam.length === 0 || rest.length === 0) return null;
  return Math.max(...sam) > Math.max(...rest) ? 1 : 0;
}

/** About 12 log-spaced episode counts per decade from 1 to `last`, with `last` itself. */
function logGrid(last: number): number[] {
  const out = new Set<number>();
  for (let e = 1; e < last; e *= 10 ** (1 / 12)) out.add(Math.round(e));
  out.add(last);
  return [...out].sort((a, b) => a - b);
}

function summarize(config: CurriculumConfig, records: CellRecord<CurriculumCell>[]) {
  const cells = records.map((r) => r.output);
  const metrics: Record<string, Json> = {};
  const rows: Json[] = [];
  const figures = [];
  let replicasRun = 0, capped = 0;
  for (const task of config.tasks) {
    const data: Record<string, number | string>[] = [];
    const mean: Record<string, number> = {};
    for (const model of config.models) {
      const cell = cells.find((c) => c.task === task && c.model === model);
      if (!cell) continue;
      const reps = cell.replicas;
      replicasRun += reps.length;
      capped += reps.filter((r) => r.wallCapped).length;
      const st = seedStat(reps.map((r) => r.maxLevel));
      metrics[`${task}_${model}_maxLevel`] = st;
      mean[model] = st.mean;
      metrics[`${task}_${model}_episodes`] = seedStat(reps.map((r) => r.episodes));
      metrics[`${task}_${model}_cpuSeconds`] = seedStat(reps.map((r) => r.cpuSeconds));
      for (const r of reps) {
        rows.push({
          task,
          model,
          seed: r.seed,
          maxLevel: r.maxLevel,
          episodes: r.episodes,
          cpuSeconds: r.cpuSeconds,
          wallSeconds: r.wallSeconds,
          wallCapped: r.wallCapped,
          msPerEpisode: r.episodes > 0 ? (1000 * r.wallSeconds) / r.episodes : null,
          lastWindowBits: r.lastWindowBits,
          history: r.history.map((c) => [c.episode, c.level]),
        });
      }
      // The curve: geometric mean of h over replicas (min–max band), up to the shortest replica.
      const last = Math.min(...reps.map((r) => r.episodes));
      if (last < 1) continue;
      for (const e of logGrid(last)) {
        const hs = reps.map((r) => levelAt(r.history, e));
        const g = Math.exp(hs.reduce((s, h) => s + Math.log(h), 0) / hs.length);
        data.push({ model, episode: e, level: g, lo: Math.min(...hs), hi: Math.max(...hs) });
      }
    }
    const furthest = samAdvancesFurthest(mean);
    if (furthest !== null) metrics[`${task}_samAdvancesFurthest`] = furthest;
    figures.push({
      name: `figure3_${task}`,
      caption: `${task}: curriculum level h vs minibatches (log–log), geometric mean over ${
        cells[0]?.replicas.length ?? 0
      } replicas with min–max band; each replica ${config.budgetSeconds} s of ${config.clock} time`,
      plot: {
        title: `Figure 3: ${task.replaceAll("_", " ")}`,
        data,
        x: { field: "episode", title: "episodes (minibatches)", log: true },
        y: { field: "level", title: "curriculum level h", log: true },
        color: "model",
        band: { lo: "lo", hi: "hi" },
      },
    });
  }
  metrics.rows = rows;
  return {
    metrics,
    figures,
    samples: { replicas: { planned: replicasRun, done: replicasRun } },
    notes: [
      `Budget: ${config.budgetSeconds} s of ${config.clock} time per replica (${
        config.clock === "thread-cpu"
          ? "the replica worker thread's own user + system CPU time, process.threadCpuUsage(), so replicas sharing cores with other jobs still get equal compute; the paper compares equal wall-clock time"
          : "wall-clock, the paper's measure"
      }), ${config.concurrency} replicas at once in Web Workers (one wasm thread each); wall cap ${config.wallCapSeconds} s (0: none): ${capped} of ${replicasRun} replicas stopped at the cap before their budget was spent.`,
      `Curriculum: h starts at ${config.startLevel} and doubles (to at most ${config.maxLevel}) when the mean cost of the last ${config.window} minibatches at the current h is below ${config.threshold} bit per sequence; levels drawn from U(1, h) per minibatch (the paper writes U(0, h) and gives neither threshold nor window). Copy: level = sequence length; associative recall: level + 1 items of 3 six-bit vectors.`,
      `Memory: NTM and DAM ${config.denseN} words (the paper's 64), SAM linear and SAM ANN ${config.sparseN} words (the paper: 2 × 10^6); word ${config.W}, ${config.heads} heads, K = ${config.K}, LSTM ${config.hidden}, batch ${config.batch}, RMSProp lr ${config.learningRate}. The models are built for the longest episode h can reach (level ${config.maxLevel}).`,
      "samAdvancesFurthest = 1 when SAM linear or SAM ANN has a higher mean final h than every other model on the task (ties count as 0).",
    ],
  };
}

/** Figure 3: the curriculum. */
export const experiment: Experiment<CurriculumConfig, CurriculumParams, CurriculumCell> = {
  id: "figure3_curriculum",
  version: 1,
  title: "Curriculum to long sequences at equal training budget",
  reproduces: "Figure 3",
  profiles: { smoke, default: defaults, paper },
  limits,
  inspect,
  seeds: { smoke: [1, 2], default: [1, 2], paper: [1, 2, 3, 4, 5] },
  cells: (config, seeds) =>
    config.tasks.flatMap((task) =>
      config.models.map((model) => ({
        id: `${task}/${model}`,
        params: { task, model, seeds: [...seeds] },
      }))
    ),
  run: runCell,
  summarize: (config, records) => summarize(config, records),
};
