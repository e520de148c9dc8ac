/**
 * Figure 4: one-shot Omniglot (Rae et al. 2016 §4.5, after Santoro et al. 2016). Each model
 * (LSTM, NTM, DAM, SAM linear, SAM ANN; the Figure 2 controllers) trains for the same wall-clock
 * budget on episodes of C characters (10 presentations each, the previous step's label as
 * input, a softmax over the labels) with an exponential curriculum on C; the best seed on the
 * validation characters (at the largest evaluation C, as the paper's 500-character validation
 * task) is reported on novel test characters: the fraction of errors on the 2nd–10th
 * presentations at each evaluation C.
 *
 * Paper: trained on ≤ ≈130-step episodes, tested to 500 characters (≈5000 steps); dense MANNs
 * ≈ 0.4 errors at 100 characters, SAM < 0.2. The default profile trains each model for 11 s
 * on one core (C from 2, at most 8) and tests at C = 2, 4, 8: far from the paper's scale.
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
import { UsageError } from "../../../tasks/core/errors.ts";
import { Rng } from "../../../tasks/core/rng.ts";
import { seedStat } from "../../../tasks/core/stats.ts";
import { PARAM_NAMES } from "../controller.ts";
import { Curriculum, type LevelChange } from "../curriculum.ts";
import type { ModelName, SequenceModel } from "../model.ts";
import { createModel } from "../models.ts";
import {
  type CharacterSet,
  type CharacterSplit,
  loadCharacters,
  omniglotEpisode,
  type OmniglotEpisodeOptions,
  omniglotSizes,
  presentationErrors,
  splitCharacters,
} from "../omniglot_episodes.ts";
import { clipByGlobalNorm } from "../train.ts";

/** Config of the Omniglot experiment. */
export interface OmniglotConfig extends Config {
  /** Models (paper: LSTM, NTM, DAM, SAM). */
  models: string[];
  /** Wall-clock training budget per run, seconds (paper: equal for all MANNs, not stated). */
  budgetSeconds: number;
  /** Cap on training minibatches per run (reached first only in short runs). */
  maxEpisodes: number;
  /** Batch (paper Supp. C, Figure 2: 8). */
  batch: number;
  /** RMSProp learning rate, decay and global-norm clip (not given for Omniglot; ours). */
  learningRate: number;
  decay: number;
  clipNorm: number;
  /** LSTM units, memory words, word size, heads, words read per head (Figure 2 sizes). */
  hidden: number;
  N: number;
  W: number;
  heads: number;
  K: number;
  /** Image side after resampling (Santoro: 20). */
  imageSize: number;
  /** Per-axis stretch drawn from U(1 − s, 1 + s). */
  stretch: number;
  /** Presentations per character (paper: 10). */
  presentations: number;
  /** Label vocabulary, the softmax width (≥ the largest C; paper: 500). */
  labels: number;
  /** Curriculum: first C, largest training C (paper: ≤ ≈130 steps, so 13). */
  curriculumStart: number;
  curriculumMax: number;
  /** C doubles when the mean training error (2nd–10th presentations) of a window is below this. */
  curriculumThreshold: number;
  /** Minibatches in that window. */
  curriculumWindow: number;
  /** C of the test (and validation) tasks (paper: 50, 100, 200, 300, 500). */
  evalSizes: number[];
  /** Minibatches per evaluation task. */
  evalEpisodes: number;
  /**
   * Characters held out for validation and test (Santoro: 423 test of 1,623; the paper tests
   * on 500 novel characters, so the paper profile holds out 500).
   */
  validationCharacters: number;
  testCharacters: number;
  /** Seed of the character split. */
  splitSeed: number;
}

const limits: Limits<OmniglotConfig> = {
  models: {
    nonEmpty: true,
    distinct: true,
    oneOf: ["lstm", "ntm", "dam", "sam_linear", "sam_ann"],
  },
  budgetSeconds: { min: 0.01, max: 1e7 },
  maxEpisodes: { min: 1, max: 1e9, integer: true },
  batch: { min: 1, max: 256, integer: true },
  learningRate: { min: 1e-9, max: 1 },
  decay: { min: 0, max: 0.9999 },
  clipNorm: { min: 0.001, max: 1e6 },
  hidden: { min: 1, max: 1024, integer: true },
  N: { min: 4, max: 1_048_576, integer: true },
  W: { min: 1, max: 256, integer: true },
  heads: { min: 1, max: 16, integer: true },
  K: { min: 1, max: 64, integer: true },
  imageSize: { min: 4, max: 28, integer: true },
  stretch: { min: 0, max: 0.5 },
  presentations: { min: 2, max: 20, integer: true },
  labels: { min: 2, max: 5000, integer: true },
  curriculumStart: { min: 1, max: 1000, integer: true },
  curriculumMax: { min: 1, max: 1000, integer: true },
  curriculumThreshold: { min: 0, max: 1 },
  curriculumWindow: { min: 1, max: 100000, integer: true },
  evalSizes: { nonEmpty: true, distinct: true, min: 1, max: 1000, integer: true },
  evalEpisodes: { min: 1, max: 10000, integer: true },
  validationCharacters: { min: 1, max: 1000, integer: true },
  testCharacters: { min: 1, max: 1000, integer: true },
  splitSeed: { min: 1, max: 2 ** 31, integer: true },
};

const paper: OmniglotConfig = {
  models: ["lstm", "ntm", "dam", "sam_linear", "sam_ann"],
  budgetSeconds: 24 * 3600,
  maxEpisodes: 1e8,
  batch: 8,
  learningRate: 1e-4,
  decay: 0.9,
  clipNorm: 10,
  hidden: 100,
  N: 1024,
  W: 32,
  heads: 4,
  K: 4,
  imageSize: 20,
  stretch: 0.2,
  presentations: 10,
  labels: 500,
  curriculumStart: 2,
  curriculumMax: 13,
  curriculumThreshold: 0.3,
  curriculumWindow: 100,
  evalSizes: [50, 100, 200, 300, 500],
  evalEpisodes: 10,
  validationCharacters: 500,
  testCharacters: 500,
  splitSeed: 2016,
};
/**
 * Default: 11 s per run on one core (≈ 2.5 min for 5 models × 2 seeds with evaluation). lr 3e-3
 * was picked over 1e-3 from the training error of two short trial runs (LSTM, DAM; seed 1).
 */
const defaults: OmniglotConfig = {
  ...paper,
  budgetSeconds: 11,
  learningRate: 3e-3,
  N: 128,
  imageSize: 10,
  labels: 8,
  curriculumMax: 8,
  curriculumWindow: 20,
  evalSizes: [2, 4, 8],
  evalEpisodes: 1,
  validationCharacters: 100,
  testCharacters: 423,
};
const smoke: OmniglotConfig = {
  ...defaults,
  budgetSeconds: 30,
  maxEpisodes: 3,
  batch: 2,
  hidden: 16,
  N: 32,
  W: 8,
  heads: 2,
  K: 2,
  imageSize: 6,
  labels: 4,
  curriculumWindow: 1,
  curriculumThreshold: 1,
  curriculumMax: 4,
  evalSizes: [2, 4],
  evalEpisodes: 1,
};

/** A cell: one model trained with the cell's seed. */
interface OmniglotParams {
  model: string;
}

/** Output of one cell. */
interface OmniglotCell {
  model: string;
  seed: number;
  /** Minibatches trained and the seconds they took. */
  episodes: number;
  trainSeconds: number;
  /** Largest C trained at, and the curriculum's changes of C. */
  maxC: number;
  levels: LevelChange[];
  /** Training error (2nd–10th presentations) at the end: mean of the last window. */
  finalTrainError: number;
  /** Validation error at the largest evaluation C (selects the best seed). */
  validationError: number;
  /** Test error per evaluation C (novel characters). */
  test: { C: number; error: number; count: number }[];
}

function inspect(
  config: OmniglotConfig,
  cell: CellSpec<OmniglotParams>,
  output: Json,
): CellInspection {
  const o = output as Partial<OmniglotCell> | null;
  const samples = { runs: { planned: 1, done: o ? 1 : 0 } };
  if (o === null) return { problem: null, samples };
  let problem: string | null = null;
  if (o.model !== cell.params.model || o.seed !== cell.seed) {
    problem = `holds ${o.model}/seed=${o.seed}`;
  } else if (
    !Array.isArray(o.test) || o.test.map((t) => t.C).join() !== config.evalSizes.join() ||
    typeof o.validationError !== "number"
  ) {
    problem = `lacks the test errors at C = ${config.evalSizes.join(", ")}`;
  }
  return { problem, samples };
}

/** Characters in Omniglot (background + evaluation). */
const OMNIGLOT_CHARACTERS = 1623;

/** The character split of a config. */
function splitOf(config: OmniglotConfig, n: number): CharacterSplit {
  const sizes = { validation: config.validationCharacters, test: config.testCharacters };
  if (sizes.validation + sizes.test >= n) {
    throw new UsageError(
      `figure4_omniglot: validationCharacters + testCharacters must leave training characters of ${n}`,
    );
  }
  return splitCharacters(n, sizes, config.splitSeed);
}

/** Episode options at C characters. */
function episodeOptions(config: OmniglotConfig, C: number): OmniglotEpisodeOptions {
  return {
    batch: config.batch,
    classes: C,
    labels: config.labels,
    presentations: config.presentations,
    size: config.imageSize,
    stretch: config.stretch,
  };
}

/** Error fraction (2nd–10th presentations) over `episodes` forward passes at C characters. */
function evaluate(
  model: SequenceModel,
  config: OmniglotConfig,
  chars: CharacterSet,
  pool: number[],
  C: number,
  rng: Rng,
): { error: number; count: number } {
  let errors = 0, count = 0;
  for (let k = 0; k < config.evalEpisodes; k++) {
    const ep = omniglotEpisode(rng, chars, pool, episodeOptions(config, C));
    const res = model.run(ep, false);
    const e = presentationErrors(ep, res.probs);
    errors += e.errors, count += e.count;
  }
  return { error: errors / count, count };
}

/**
 * Throw a UsageError unless the labels cover every C and the held-out splits hold the largest
 * test C (checked when the cells are planned, before any work).
 */
export function checkConfig(config: OmniglotConfig, split: CharacterSplit): void {
  const bigC = Math.max(...config.evalSizes, config.curriculumMax);
  if (bigC > config.labels) {
    throw new UsageError(`figure4_omniglot: C = ${bigC} needs labels ≥ ${bigC}`);
  }
  const smallest = Math.min(split.validation.length, split.test.length);
  if (Math.max(...config.evalSizes) > smallest) {
    throw new UsageError(
      `figure4_omniglot: evaluation C up to ${
        Math.max(...config.evalSizes)
      } needs ≥ that many validation and test characters`,
    );
  }
  if (config.curriculumStart > config.curriculumMax) {
    throw new UsageError("figure4_omniglot: curriculumStart exceeds curriculumMax");
  }
}

async function runCell(
  config: OmniglotConfig,
  ctx: CellContext<OmniglotParams>,
): Promise<OmniglotCell> {
  const name = ctx.cell.params.model as ModelName; // config.models: one of the model names
  const seed = ctx.cell.seed!;
  const chars = await loadCharacters();
  if (chars.keys.length !== OMNIGLOT_CHARACTERS) {
    throw new Error(`figure4_omniglot: Omniglot has ${chars.keys.length} characters, not 1,623`);
  }
  const split = splitOf(config, chars.keys.length);
  const { X, Y } = omniglotSizes(episodeOptions(config, 1));
  const maxSteps = config.presentations * Math.max(...config.evalSizes, config.curriculumMax);
  const model = await createModel(name, {
    input: X,
    output: Y,
    hidden: config.hidden,
    N: config.N,
    W: config.W,
    heads: config.heads,
    K: config.K,
    batch: config.batch,
    maxSteps,
    samBackward: "tape",
    denseImpl: "js",
  }, new Rng(seed));
  const cur = new Curriculum({
    start: config.curriculumStart,
    threshold: config.curriculumThreshold,
    window: config.curriculumWindow,
    maxLevel: config.curriculumMax,
  });
  const opt = tf.train.rmsprop(config.learningRate, config.decay, 0, 1e-8);
  const data = new Rng(seed * 7919 + 4);
  const recent: number[] = [];
  let episodes = 0, maxC = cur.level;
  const t0 = performance.now();
  try {
    while (
      episodes < config.maxEpisodes && (performance.now() - t0) / 1e3 < config.budgetSeconds
    ) {
      const C = cur.level;
      maxC = Math.max(maxC, C);
      const ep = omniglotEpisode(data, chars, split.train, episodeOptions(config, C));
      const res = model.run(ep, true);
      const clipped = clipByGlobalNorm(res.grads!, config.clipNorm);
      tf.dispose(res.grads!);
      const named: Record<string, tf.Tensor> = {};
      PARAM_NAMES.forEach((n, k) => (named[model.params[n].name] = clipped[k]!));
      opt.applyGradients(named);
      tf.dispose(clipped);
      const e = presentationErrors(ep, res.probs);
      const err = e.errors / e.count;
      cur.observe(err);
      recent.push(err);
      if (recent.length > config.curriculumWindow) recent.shift();
      episodes++;
      ctx.progress.update(
        Math.min(config.budgetSeconds, (performance.now() - t0) / 1e3),
        config.budgetSeconds,
        `${name} C=${C} error ${err.toFixed(2)}`,
      );
    }
    const trainSeconds = (performance.now() - t0) / 1e3;
    const evalRng = new Rng(config.splitSeed * 31 + seed);
    const bigC = Math.max(...config.evalSizes);
    const validationError = evaluate(model, config, chars, split.validation, bigC, evalRng).error;
    const test = config.evalSizes.map((C) => ({
      C,
      ...evaluate(model, config, chars, split.test, C, evalRng),
    }));
    return {
      model: name,
      seed,
      episodes,
      trainSeconds,
      maxC,
      levels: [...cur.history],
      finalTrainError: recent.reduce((s, v) => s + v, 0) / Math.max(1, recent.length),
      validationError,
      test,
    };
  } finally {
    opt.dispose();
    model.dispose();
  }
}

function summarize(config: OmniglotConfig, records: CellRecord<OmniglotCell>[]) {
  const cells = records.map((r) => r.output);
  const metrics: Record<string, Json> = {};
  const rows: Json[] = [];
  const data: Record<string, number | string>[] = [];
  for (const model of config.models) {
    const runs = cells.filter((c) => c.model === model);
    if (runs.length === 0) continue;
    // The best run on the validation characters (ties: the lower seed).
    const best = runs.reduce((a, c) => (c.validationError < a.validationError ? c : a));
    for (const t of best.test) {
      metrics[`testError_C${t.C}_${model}`] = t.error;
      metrics[`testErrorMean_C${t.C}_${model}`] = seedStat(
        runs.map((c) => c.test.find((u) => u.C === t.C)!.error),
      );
      data.push({ model, characters: t.C, error: t.error });
    }
    metrics[`maxC_${model}`] = best.maxC;
    metrics[`bestSeed_${model}`] = best.seed;
    metrics[`episodes_${model}`] = seedStat(runs.map((c) => c.episodes));
    for (const c of runs) {
      rows.push({
        model,
        seed: c.seed,
        best: c === best,
        episodes: c.episodes,
        trainSeconds: c.trainSeconds,
        maxC: c.maxC,
        finalTrainError: c.finalTrainError,
        validationError: c.validationError,
        ...Object.fromEntries(c.test.map((t) => [`testError_C${t.C}`, t.error])),
      });
    }
  }
  metrics.chanceError = 1 - 1 / config.labels;
  metrics.rows = rows;
  const split =
    `characters split by character (seed ${config.splitSeed}): ${config.testCharacters} test, ${config.validationCharacters} validation, ${
      1623 - config.testCharacters - config.validationCharacters
    } train of Omniglot's 1,623 (background + evaluation sheets)`;
  return {
    metrics,
    figures: [{
      name: "figure4_omniglot",
      caption:
        `Test error (2nd–${config.presentations}th presentations, novel characters) vs number of characters C, best of ${
          new Set(cells.map((c) => c.seed)).size
        } seeds by validation error at C = ${Math.max(...config.evalSizes)}`,
      plot: {
        title: "Figure 4: Omniglot one-shot",
        data,
        x: { field: "characters", title: "number of characters C" },
        y: { field: "error", title: "test error (fraction)" },
        color: "model",
      },
    }],
    samples: { runs: { planned: cells.length, done: cells.length } },
    notes: [
      split + ".",
      `Episodes: C characters × ${config.presentations} presentations (different drawers), each character rotated by a random quarter turn and stretched by U(${
        1 - config.stretch
      }, ${
        1 + config.stretch
      }) per axis, images resampled to ${config.imageSize}×${config.imageSize}, a random one-hot label of ${config.labels}; input [image, previous step's label]; softmax cross-entropy over the labels at every step.`,
      `Curriculum: C starts at ${config.curriculumStart} and doubles (capped at ${config.curriculumMax}) when the mean training error on 2nd–${config.presentations}th presentations over ${config.curriculumWindow} minibatches falls below ${config.curriculumThreshold}.`,
      `Each run trains for ${config.budgetSeconds} s of wall clock (at most ${config.maxEpisodes} minibatches of ${config.batch}), the same budget for every model as in the paper; the episode counts therefore depend on the machine and its load (episodes_<model>). RMSProp lr ${config.learningRate} (not tuned).`,
      `testError_C<c>_<model>: the run with the lowest validation error at C = ${
        Math.max(...config.evalSizes)
      }, tested on ${config.evalEpisodes} minibatches of novel characters per C; testErrorMean_*: all seeds. Chance error: ${
        (1 - 1 / config.labels).toFixed(3)
      }.`,
    ],
  };
}

/** Figure 4: one-shot Omniglot. */
export const experiment: Experiment<OmniglotConfig, OmniglotParams, OmniglotCell> = {
  id: "figure4_omniglot",
  version: 1,
  title: "One-shot Omniglot: test error vs number of characters",
  reproduces: "Figure 4",
  profiles: { smoke, default: defaults, paper },
  limits,
  inspect,
  seeds: { smoke: [1], default: [1, 2], paper: [1, 2, 3, 4, 5] },
  cells: (config, seeds) => {
    checkConfig(config, splitOf(config, OMNIGLOT_CHARACTERS));
    return config.models.flatMap((model) =>
      seeds.map((seed) => ({ id: `${model}/seed=${seed}`, seed, params: { model } }))
    );
  },
  run: runCell,
  summarize: (config, records) => summarize(config, records),
};
