/**
 * Figure 8 (Rae et al. 2016 Supp. F, §4.3): a SAM trained by the doubling curriculum on
 * associative recall, then tested forward only on sequences far longer than any it was trained
 * on — the paper trains to level 10,000 and tests to 200,000 steps, where SAM "stays far below
 * chance (48 bits)". Here: trained at a small memory (the curriculum's short sequences never
 * fill it, so the model behaves as it would at any larger N), tested with N ≥ 2^20 words on
 * one long sequence per repeat by `forwardOnly` (no tape, no journal, memory written in place
 * and reset afterwards), with the step time and the bytes held measured along the way.
 * @module
 */
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
import { Rng } from "../../../tasks/core/rng.ts";
import { seedStat } from "../../../tasks/core/stats.ts";
import {
  associativeRecallEpisode,
  associativeRecallSizes,
  type Episode,
} from "../../../datasets/synthetic/mod.ts";
import { loadHnsw } from "../_hnsw.ts";
import { PARAM_NAMES } from "../controller.ts";
import { Curriculum } from "../curriculum.ts";
import { forwardOnly } from "../long_eval.ts";
import { SamModel, type SamSpec } from "../sam.ts";
import { train } from "../train.ts";

/** Config of the generalisation experiment. */
export interface GeneralisationConfig extends Config {
  /** SAM variants (paper: SAM linear and SAM ANN). */
  models: string[];
  /** Associative recall: bits per vector and vectors per item (chance = bits × itemSteps). */
  bits: number;
  itemSteps: number;
  /** Training minibatches and their size. */
  trainEpisodes: number;
  batch: number;
  /** RMSProp (Figure 2's settings). */
  learningRate: number;
  decay: number;
  clipNorm: number;
  /** Curriculum (§4.3: h doubles when the mean cost over a window is below a threshold). */
  curriculumStart: number;
  curriculumThreshold: number;
  curriculumWindow: number;
  /** Highest level h (items stored = level + 1) the training may reach (paper: 10,000). */
  curriculumMaxLevel: number;
  /** Controller and memory sizes. */
  hidden: number;
  W: number;
  heads: number;
  K: number;
  /** Memory words while training (≥ the words the longest training sequence writes). */
  trainN: number;
  /** Memory words at test (paper: 2 × 10^6 for the sparse models in §4.3). */
  testN: number;
  /** Test sequence lengths in steps (each rounded to a whole number of items). */
  testLengths: number[];
  /** Test repeats per length: min(maxRepeats, max(1, ⌊testSteps / length⌋)). */
  testSteps: number;
  maxRepeats: number;
  /** hnswlib graph settings (degree, build and search beam). */
  annM: number;
  annEfConstruction: number;
  annEfSearch: number;
}

const limits: Limits<GeneralisationConfig> = {
  models: { nonEmpty: true, distinct: true, oneOf: ["sam_ann", "sam_linear"] },
  bits: { min: 1, max: 64, integer: true },
  itemSteps: { min: 1, max: 16, integer: true },
  trainEpisodes: { min: 1, max: 10_000_000, integer: true },
  batch: { min: 1, max: 256, integer: true },
  learningRate: { min: 1e-9, max: 1 },
  decay: { min: 0, max: 0.9999 },
  clipNorm: { min: 0.001, max: 1e6 },
  curriculumStart: { min: 1, max: 1_000_000, integer: true },
  curriculumThreshold: { min: 0, max: 1e6 },
  curriculumWindow: { min: 1, max: 1_000_000, integer: true },
  curriculumMaxLevel: { min: 1, max: 1_000_000, integer: true },
  hidden: { min: 1, max: 1024, integer: true },
  W: { min: 1, max: 256, integer: true },
  heads: { min: 1, max: 16, integer: true },
  K: { min: 1, max: 64, integer: true },
  trainN: { min: 4, max: 1 << 24, integer: true },
  testN: { min: 4, max: 1 << 24, integer: true },
  testLengths: { nonEmpty: true, distinct: true, min: 10, max: 10_000_000, integer: true },
  testSteps: { min: 1, max: 1e9, integer: true },
  maxRepeats: { min: 1, max: 10_000, integer: true },
  annM: { min: 2, max: 128, integer: true },
  annEfConstruction: { min: 1, max: 4096, integer: true },
  annEfSearch: { min: 1, max: 4096, integer: true },
};

const paper: GeneralisationConfig = {
  models: ["sam_ann", "sam_linear"],
  bits: 6,
  itemSteps: 1,
  trainEpisodes: 100_000,
  batch: 16,
  learningRate: 3e-3,
  decay: 0.9,
  clipNorm: 10,
  curriculumStart: 1,
  curriculumThreshold: 1,
  curriculumWindow: 50,
  curriculumMaxLevel: 10_000,
  hidden: 100,
  W: 16,
  heads: 1,
  K: 4,
  trainN: 1 << 17,
  testN: 1 << 21,
  testLengths: [100, 1000, 10_000, 50_000, 100_000, 200_000],
  testSteps: 200_000,
  maxRepeats: 20,
  annM: 8,
  annEfConstruction: 16,
  annEfSearch: 64,
};
/**
 * Default: ≈ 4 minutes on one core. The learning rate was chosen from the training cost of two
 * 150 s curriculum runs (3e-3: 1.5 bits after 900 minibatches; 1e-2: 1.4 after 700), never
 * from a test length.
 */
const defaults: GeneralisationConfig = {
  ...paper,
  models: ["sam_ann"],
  learningRate: 1e-2,
  trainEpisodes: 600,
  curriculumMaxLevel: 64,
  trainN: 4096,
  testN: 1 << 20,
  testLengths: [100, 1000, 10_000, 100_000],
  testSteps: 4000,
  maxRepeats: 4,
};
const smoke: GeneralisationConfig = {
  ...defaults,
  trainEpisodes: 6,
  batch: 2,
  curriculumWindow: 2,
  curriculumThreshold: 100,
  curriculumMaxLevel: 4,
  hidden: 8,
  W: 4,
  K: 2,
  trainN: 64,
  testN: 1 << 12,
  testLengths: [20, 200],
  testSteps: 200,
  maxRepeats: 2,
};

/** One cell: one SAM variant, trained and tested with one seed. */
interface GenParams {
  model: string;
}

/** One tested length. */
interface GenTest {
  testLength: number;
  items: number;
  repeats: number;
  /** Mean and sd over the repeats of the cost per sequence (bits). */
  bits: number;
  bitsSd: number;
  chanceBits: number;
  msPerStep: number;
  bytes: number;
  /** Step time and bytes along the longest repeat (10 probes). */
  probes: { step: number; msPerStep: number; bytes: number }[];
}

/** What a cell returns. */
interface GenCell {
  model: string;
  seed: number;
  /** Curriculum history: (minibatch, h). */
  levels: { episode: number; level: number }[];
  maxLevel: number;
  /** Mean training cost per 50 minibatches. */
  trainCurve: { episode: number; bits: number }[];
  trainSeconds: number;
  tests: GenTest[];
  testSeconds: number;
}

/** Steps of an associative-recall sequence of n items (see associative_recall.ts). */
function recallSteps(n: number, S: number): number {
  return n * (S + 1) + 2 * (S + 1) + S;
}

/** Items whose sequence is closest to `length` steps (at least 2). */
export function itemsForLength(length: number, S: number): number {
  return Math.max(2, Math.round((length - 2 * (S + 1) - S) / (S + 1)));
}

/** Repeats of a test length under the config's step budget. */
export function repeatsFor(config: GeneralisationConfig, length: number): number {
  return Math.min(config.maxRepeats, Math.max(1, Math.floor(config.testSteps / length)));
}

function samSpec(
  config: GeneralisationConfig,
  model: string,
  N: number,
  maxSteps: number,
): SamSpec {
  const { X, Y } = associativeRecallSizes(config);
  return {
    input: X,
    output: Y,
    hidden: config.hidden,
    N,
    W: config.W,
    heads: config.heads,
    K: config.K,
    delta: 0.005,
    index: model === "sam_ann" ? "ann" : "linear",
    ann: {
      m: config.annM,
      efConstruction: config.annEfConstruction,
      efSearch: config.annEfSearch,
      eager: false,
      flushEvery: 256,
    },
    maxSteps,
    backward: "tape",
  };
}

function inspect(
  config: GeneralisationConfig,
  cell: CellSpec<GenParams>,
  output: Json,
): CellInspection {
  const o = output as Partial<GenCell> | null;
  const planned = config.testLengths.length;
  const samples = { testLengths: { planned, done: 0 } };
  if (o === null) return { problem: null, samples };
  let problem: string | null = null;
  if (o.model !== cell.params.model || o.seed !== cell.seed) {
    problem = `holds ${o.model}/seed=${o.seed}`;
  } else if (!Array.isArray(o.tests) || o.tests.length !== planned) {
    problem = `holds ${o.tests?.length ?? 0} test lengths, the config plans ${planned}`;
  }
  if (problem === null) samples.testLengths.done = planned;
  return { problem, samples };
}

async function runCell(
  config: GeneralisationConfig,
  ctx: CellContext<GenParams>,
): Promise<GenCell> {
  const { model: name } = ctx.cell.params, seed = ctx.cell.seed!;
  const S = config.itemSteps, B = config.batch;
  const chanceBits = S * config.bits;
  // Training: the curriculum's level ℓ ~ U(1, h) stores ℓ + 1 items (recall needs ≥ 2).
  const trainSteps = recallSteps(config.curriculumMaxLevel + 1, S);
  const trained = await SamModel.create(
    samSpec(config, name, config.trainN, trainSteps),
    B,
    new Rng(seed),
  );
  const cur = new Curriculum({
    start: config.curriculumStart,
    threshold: config.curriculumThreshold,
    window: config.curriculumWindow,
    maxLevel: config.curriculumMaxLevel,
  });
  const data = new Rng(seed * 7919 + 8);
  const t0 = performance.now();
  const costs: number[] = [];
  try {
    train(trained, (): Episode => {
      const items = cur.sample(data) + 1;
      return associativeRecallEpisode(data, {
        batch: B,
        bits: config.bits,
        itemSteps: S,
        minItems: items,
        maxItems: items,
      });
    }, {
      episodes: config.trainEpisodes,
      learningRate: config.learningRate,
      decay: config.decay,
      clipNorm: config.clipNorm,
      onEpisode: (i, bits) => {
        cur.observe(bits);
        costs.push(bits);
        ctx.progress.update(
          i + 1,
          config.trainEpisodes,
          `${name} h=${cur.level} ${bits.toFixed(2)} bits`,
        );
      },
    });
  } catch (e) {
    trained.dispose();
    throw e;
  }
  const trainSeconds = (performance.now() - t0) / 1e3;
  const trainCurve: { episode: number; bits: number }[] = [];
  for (let i = 0; i + 50 <= costs.length; i += 50) {
    trainCurve.push({
      episode: i + 50,
      bits: costs.slice(i, i + 50).reduce((s, v) => s + v, 0) / 50,
    });
  }
  // Test: the trained weights in a batch-1 SAM with testN words, sized for the longest sequence.
  const lengths = [...config.testLengths].sort((a, b) => a - b);
  const maxSteps = Math.max(...lengths.map((L) => recallSteps(itemsForLength(L, S), S)));
  const tester = await SamModel.create(
    samSpec(config, name, config.testN, maxSteps),
    1,
    new Rng(seed),
  );
  const lib = tester.ann ? await loadHnsw() : null;
  const tests: GenTest[] = [];
  const t1 = performance.now();
  try {
    try {
      for (const n of PARAM_NAMES) tester.params[n].assign(trained.params[n]);
    } finally {
      trained.dispose();
    }
    // One untimed pass first, so the step times do not include the JIT's warm-up.
    const warm = Math.min(1000, lengths.at(-1)!);
    forwardOnly(
      tester,
      associativeRecallEpisode(new Rng(seed * 31 + 1), {
        batch: 1,
        bits: config.bits,
        itemSteps: S,
        minItems: itemsForLength(warm, S),
        maxItems: itemsForLength(warm, S),
      }),
    );
    const testRng = new Rng(seed * 104729 + 3);
    for (const L of lengths) {
      const items = itemsForLength(L, S), repeats = repeatsFor(config, L);
      const bits: number[] = [];
      let ms = 0, steps = 0, bytes = 0;
      let probes: GenTest["probes"] = [];
      for (let r = 0; r < repeats; r++) {
        const ep = associativeRecallEpisode(testRng, {
          batch: 1,
          bits: config.bits,
          itemSteps: S,
          minItems: items,
          maxItems: items,
        });
        const res = forwardOnly(tester, ep, {
          wasmHeap: lib ? () => lib.HEAPU8.length : undefined,
        });
        bits.push(res.bits);
        ms += res.msPerStep * ep.T, steps += ep.T;
        bytes = Math.max(bytes, res.bytes);
        probes = res.probes;
        ctx.progress.update(
          tests.length,
          lengths.length,
          `${name} T=${ep.T} ${res.bits.toFixed(2)} bits`,
        );
      }
      const st = seedStat(bits);
      tests.push({
        testLength: recallSteps(items, S),
        items,
        repeats,
        bits: st.mean,
        bitsSd: st.std,
        chanceBits,
        msPerStep: ms / steps,
        bytes,
        probes,
      });
    }
  } finally {
    tester.dispose();
  }
  return {
    model: name,
    seed,
    levels: cur.history.map((c) => ({ ...c })),
    maxLevel: cur.level,
    trainCurve,
    trainSeconds,
    tests,
    testSeconds: (performance.now() - t1) / 1e3,
  };
}

function summarize(config: GeneralisationConfig, records: CellRecord<GenCell>[]) {
  const cells = records.map((r) => r.output);
  const metrics: Record<string, Json> = {};
  const rows: Json[] = [];
  const data: Record<string, number | string>[] = [];
  for (const model of config.models) {
    const runs = cells.filter((c) => c.model === model);
    if (runs.length === 0) continue;
    const n = runs[0]!.tests.length;
    for (let k = 0; k < n; k++) {
      const ts = runs.map((c) => c.tests[k]!);
      const t = ts[0]!;
      const bits = ts.reduce((s, x) => s + x.bits, 0) / ts.length;
      const msPerStep = ts.reduce((s, x) => s + x.msPerStep, 0) / ts.length;
      const bytes = Math.max(...ts.map((x) => x.bytes));
      rows.push({
        model,
        testLength: t.testLength,
        items: t.items,
        repeats: t.repeats,
        seeds: ts.length,
        bits,
        chanceBits: t.chanceBits,
        msPerStep,
        bytes,
      });
      data.push({ model, testLength: t.testLength, bits, series: `${model}` });
      data.push({ model, testLength: t.testLength, bits: t.chanceBits, series: "chance" });
    }
    const first = runs.map((c) => c.tests[0]!), last = runs.map((c) => c.tests.at(-1)!);
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    metrics[`${model}_bitsAtLongest`] = mean(last.map((t) => t.bits));
    metrics[`${model}_chanceBits`] = last[0]!.chanceBits;
    metrics[`${model}_fractionOfChanceAtLongest`] = mean(last.map((t) => t.bits / t.chanceBits));
    metrics[`${model}_longestTestLength`] = last[0]!.testLength;
    metrics[`${model}_maxLevel`] = seedStat(runs.map((c) => c.maxLevel));
    metrics[`${model}_trainSeconds`] = mean(runs.map((c) => c.trainSeconds));
    metrics[`${model}_testSeconds`] = mean(runs.map((c) => c.testSeconds));
    // Flat in the length: the step time and bytes at the longest length over those at the shortest.
    metrics[`${model}_msPerStepLongestOverShortest`] = mean(last.map((t) => t.msPerStep)) /
      mean(first.map((t) => t.msPerStep));
    metrics[`${model}_bytesLongestOverShortest`] = Math.max(...last.map((t) => t.bytes)) /
      Math.max(...first.map((t) => t.bytes));
    // What the pass holds per step at the longest length (growth per written word, bounded by N).
    metrics[`${model}_bytesPerStepAtLongest`] = Math.max(...last.map((t) => t.bytes)) /
      last[0]!.testLength;
  }
  metrics.rows = rows;
  const maxLevels = cells.map((c) => `${c.model} seed ${c.seed}: h = ${c.maxLevel}`).join("; ");
  return {
    metrics,
    figures: [{
      name: "figure8_generalisation",
      caption:
        `Associative recall cost per sequence (bits) vs test length (steps), forward only at N = ${config.testN}; trained by the curriculum to ${maxLevels}`,
      plot: {
        title: "Figure 8: generalisation to long sequences",
        data,
        x: { field: "testLength", title: "test sequence length (steps)", log: true },
        y: { field: "bits", title: "cost per sequence (bits)" },
        color: "series",
      },
    }],
    samples: {
      testLengths: {
        planned: config.testLengths.length * cells.length,
        done: cells.reduce((s, c) => s + c.tests.length, 0),
      },
    },
    notes: [
      `Training: ${config.trainEpisodes} minibatches of ${config.batch} (RMSProp lr ${config.learningRate}), curriculum from h = ${config.curriculumStart}, doubling when the mean cost of ${config.curriculumWindow} minibatches is below ${config.curriculumThreshold} bits, capped at ${config.curriculumMaxLevel}; levels reached: ${maxLevels}. The paper trains to level 10,000.`,
      `Chance = ${
        config.itemSteps * config.bits
      } bits (${config.itemSteps} × ${config.bits} target bits at p = ½); the paper's task has chance 48 bits.`,
      `Test: batch 1, N = ${config.testN} words, forward only (long_eval.ts: no tape, no journal, memory written in place, reset afterwards); repeats per length min(${config.maxRepeats}, ⌊${config.testSteps} / length⌋).`,
    ],
  };
}

/** Figure 8 generalisation. */
export const experiment: Experiment<GeneralisationConfig, GenParams, GenCell> = {
  id: "figure8_generalisation",
  version: 1,
  title: "Generalisation of a curriculum-trained SAM to 100,000+ step associative recall",
  reproduces: "Supplementary Figure 8",
  profiles: { smoke, default: defaults, paper },
  limits,
  inspect,
  seeds: { smoke: [1], default: [1], paper: [1, 2, 3, 4, 5] },
  cells: (config, seeds) =>
    config.models.flatMap((model) =>
      seeds.map((seed) => ({ id: `${model}/seed=${seed}`, seed, params: { model } }))
    ),
  run: runCell,
  summarize: (config, records) => summarize(config, records),
};
