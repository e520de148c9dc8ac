/**
 * Figure 1a: wall time of one forward+backward step (batch 8) versus memory size N, for the
 * dense NTM and DAM (ordinary TF.js autodiff) and SAM with exact (linear) and ANN reads.
 *
 * Paper (Rae et al. 2016 §4.1, Supp. E): N = 1M, NTM 12 s vs SAM ANN 7 ms per step (1600×),
 * SAM linear ≈ 75 ms; LSTM 100, word 32, 4 heads, K = 4, batch 8, Torch7 on a Xeon E5-1650.
 * Here: one wasm thread; dense models run while their estimated tape fits the wasm heap, the
 * rest are recorded as not run (their cost is extrapolated linearly, and labelled so). The
 * speed-ups at the largest N where the NTM runs come from one `ratio` cell that times the four
 * models in turn (ABCD ABCD …) for `ratioRounds` rounds after a warm-up round: each is the
 * median of the per-round ratios with its confidence interval.
 *
 * Beyond the wasm heap, the same NTM and DAM (same parameters, values and gradients) run through
 * `dense_js.ts` — each step's memory access one JS tape node, the memory in JS typed arrays — as
 * the models `ntm_js` / `dam_js` at `jsLog2N`, with a second interleaved cell `ratio_js` at the
 * largest of them (the measured speed-ups `…AtMaxDenseJsN`).
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
} from "../../../tasks/core/experiment.ts";
import type { Limits } from "../../../tasks/core/experiment.ts";
import type { LinePlotSpec } from "../../../tasks/core/figure.ts";
import {
  type IntervalMetric,
  medianInterval,
  ratioInterval,
} from "../../../tasks/core/interval.ts";
import { Rng } from "../../../tasks/core/rng.ts";
import type { ModelName } from "../model.ts";
import { SamModel } from "../sam.ts";
import {
  benchModel,
  type Contender,
  denseNotRun,
  extrapolateLinear,
  interleavedRounds,
  medianOf,
  randomEpisode,
  type RoundTimes,
} from "./_bench.ts";

/** Config of the speed benchmark. */
export interface SpeedConfig extends Config {
  /** Models (paper: NTM, DAM, SAM linear, SAM ANN). */
  models: string[];
  /** log2 of the memory sizes N (paper: 2^5 … 2^20). */
  log2N: number[];
  /** Batch (paper Supp. E: 8). */
  batch: number;
  /** LSTM units (paper: 100). */
  hidden: number;
  /** Word size (paper Supp. E: 32). */
  W: number;
  /** Heads (paper: 4). */
  heads: number;
  /** Words per head (paper: 4). */
  K: number;
  /** Steps per timed sequence, sparse models (ours; time is divided by it). */
  sparseSteps: number;
  /** Steps per timed sequence, dense models (ours: short, to fit the wasm heap). */
  denseSteps: number;
  /** Timed repetitions after one warm-up pass (ours; the median is reported). */
  reps: number;
  /** Dense cells whose estimated tape exceeds this many bytes are not run (wasm heap: 4 GiB). */
  denseMaxBytes: number;
  /**
   * log2 N at which SAM ANN runs twice in one cell, with eager in-place index re-links and with
   * deferred (batched) ones, on the same `updateSteps`-step sequences (update-cost study).
   */
  eagerLog2N: number[];
  /** Steps of the update-cost sequences (long enough for words to be re-written). */
  updateSteps: number;
  /**
   * log2 N at which SAM ANN also runs on a *full* memory: every word pre-filled with N(0, 1)
   * values and indexed (build time excluded), the graph kept across sequences.
   */
  fullLog2N: number[];
  /** log2 N of the same full-memory run with eager (naive) in-place re-links. */
  fullEagerLog2N: number[];
  /**
   * Timed rounds of the `ratio` cell (after one warm-up round): at the largest N where the NTM
   * runs, every model of `models` is timed once per round, in turn.
   */
  ratioRounds: number;
  /**
   * log2 N at which the NTM and DAM also run through dense_js.ts (the memory outside the wasm
   * heap), as `ntm_js` / `dam_js`; the largest also gets the interleaved `ratio_js` cell.
   */
  jsLog2N: number[];
}

/** Valid values (N ≤ 2^22: a 2^22 × W float memory is 0.5 GB at W = 32). */
const limits: Limits<SpeedConfig> = {
  models: { nonEmpty: true, distinct: true, oneOf: ["ntm", "dam", "sam_linear", "sam_ann"] },
  log2N: { nonEmpty: true, distinct: true, min: 2, max: 22, integer: true },
  batch: { min: 1, max: 64, integer: true },
  hidden: { min: 1, max: 1024, integer: true },
  W: { min: 1, max: 256, integer: true },
  heads: { min: 1, max: 16, integer: true },
  K: { min: 1, max: 64, integer: true },
  sparseSteps: { min: 1, max: 1000, integer: true },
  denseSteps: { min: 1, max: 1000, integer: true },
  reps: { min: 1, max: 100, integer: true },
  denseMaxBytes: { min: 0, max: 64e9, integer: true },
  eagerLog2N: { distinct: true, min: 2, max: 22, integer: true },
  updateSteps: { min: 1, max: 10_000, integer: true },
  fullLog2N: { distinct: true, min: 2, max: 22, integer: true },
  fullEagerLog2N: { distinct: true, min: 2, max: 22, integer: true },
  ratioRounds: { min: 7, max: 100, integer: true },
  jsLog2N: { distinct: true, min: 2, max: 22, integer: true },
};

const paper: SpeedConfig = {
  models: ["ntm", "dam", "sam_linear", "sam_ann"],
  log2N: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
  batch: 8,
  hidden: 100,
  W: 32,
  heads: 4,
  K: 4,
  sparseSteps: 10,
  denseSteps: 2,
  reps: 3,
  denseMaxBytes: 3e9,
  eagerLog2N: [10, 15, 20],
  updateSteps: 50,
  fullLog2N: [10, 12, 14, 16],
  fullEagerLog2N: [10, 12, 14],
  ratioRounds: 9,
  jsLog2N: [15, 16, 17, 18, 19, 20],
};
const defaults: SpeedConfig = {
  ...paper,
  log2N: [5, 8, 10, 12, 14, 15, 16, 18, 20],
  sparseSteps: 6,
  reps: 2,
  eagerLog2N: [10, 16],
  fullLog2N: [10, 12, 14],
  fullEagerLog2N: [10, 12],
  jsLog2N: [15, 16, 17],
};
const smoke: SpeedConfig = {
  ...defaults,
  log2N: [5, 8],
  sparseSteps: 3,
  denseSteps: 1,
  reps: 1,
  hidden: 16,
  eagerLog2N: [8],
  updateSteps: 6,
  fullLog2N: [6],
  fullEagerLog2N: [6],
  ratioRounds: 7,
  jsLog2N: [6, 8],
};

/**
 * A cell: one model of `config.models` at memory size N, one of the SAM ANN studies
 * (`sam_ann_full`, `sam_ann_full_eager`, `sam_ann_update_modes`), the NTM or DAM through
 * dense_js.ts (`ntm_js`, `dam_js`), or the interleaved `ratio` cell of every model at the
 * largest N where the NTM runs (`ratio_js`: the same with `ntm_js` / `dam_js`, at the largest
 * of `jsLog2N`).
 */
interface SpeedParams {
  model: string;
  N: number;
}

/** ANN timing of one index-update mode, per step (a type alias: metrics carry it as Json). */
type ModeTiming = {
  msPerStep: number;
  insertMsPerStep: number;
  relinkMsPerStep: number;
  relinksPerStep: number;
  searchMsPerStep: number;
};

/** Output of one cell; which optional fields are set depends on the cell's model. */
interface SpeedCell {
  model: string;
  N: number;
  /** Median wall ms per step; null when not run (`notRun` says why) or for update modes. */
  msPerStep: number | null;
  notRun: string | null;
  /** Steps per timed sequence (every cell that ran). */
  steps?: number;
  /** SAM models: ms per step in the memory search; full index: the same, from the index timers. */
  searchMsPerStep?: number;
  /** SAM ANN: the index's insert / update / search ms per step. */
  indexMsPerStep?: { insert: number; update: number; search: number };
  /** SAM ANN and full index: recall@K of the ANN against the exact scan. */
  recallAtK?: number;
  /** SAM ANN: the queries that recall is over. */
  recallQueries?: number;
  /** Full index: seconds to build the index of N words. */
  buildSeconds?: number;
  /** Full index: ms and re-links per step of the index updates. */
  relinkMsPerStep?: number;
  relinksPerStep?: number;
  /** Update modes: eager and deferred index updates on the same sequences. */
  eager?: ModeTiming;
  deferred?: ModeTiming;
  /** Ratio cell: each model's per-step wall and CPU ms of every timed round, in turn order. */
  rounds?: RoundTimes[];
}

function annTiming(m: SamModel) {
  return m.ann!.reduce((s, a) => ({
    insertMs: s.insertMs + a.timing.insertMs,
    updateMs: s.updateMs + a.timing.updateMs,
    searchMs: s.searchMs + a.timing.searchMs,
    inserts: s.inserts + a.timing.inserts,
    updates: s.updates + a.timing.updates,
  }), { insertMs: 0, updateMs: 0, searchMs: 0, inserts: 0, updates: 0 });
}

/** Eager vs deferred index updates, same sequences, alternating passes in one process. */
async function runUpdateModes(
  config: SpeedConfig,
  ctx: CellContext<SpeedParams>,
): Promise<SpeedCell> {
  const N = ctx.cell.params.N, T = config.updateSteps;
  const MODES = ["eager", "deferred"] as const;
  const build = async (eager: boolean) =>
    await benchModel("sam_ann", N, config, T, new Rng(ctx.cell.seed ?? 1), {
      ann: { eager },
    }) as SamModel;
  const models = { eager: await build(true), deferred: await build(false) };
  const ep = randomEpisode(new Rng(ctx.cell.seed ?? 1), T, config.batch);
  const times: Record<(typeof MODES)[number], number[]> = { eager: [], deferred: [] };
  for (let r = 0; r <= config.reps; r++) {
    for (const mode of MODES) {
      const t0 = performance.now();
      tf.dispose(models[mode].run(ep, true).grads!);
      if (r > 0) times[mode].push((performance.now() - t0) / T);
    }
    ctx.progress.update(r + 1, config.reps + 1, `update modes N=${N}`);
  }
  const out: SpeedCell = {
    model: "sam_ann_update_modes",
    N,
    steps: T,
    msPerStep: null,
    notRun: null,
  };
  for (const mode of MODES) {
    const m = models[mode];
    const t = annTiming(m), passes = config.reps + 1;
    out[mode] = {
      msPerStep: medianOf(times[mode]),
      insertMsPerStep: t.insertMs / passes / T,
      relinkMsPerStep: t.updateMs / passes / T,
      relinksPerStep: t.updates / passes / T,
      searchMsPerStep: t.searchMs / passes / T,
    };
    m.dispose();
  }
  return out;
}

/** SAM ANN on a full memory: N indexed words, graph kept (and re-synced) across sequences. */
async function runFull(config: SpeedConfig, ctx: CellContext<SpeedParams>): Promise<SpeedCell> {
  const N = ctx.cell.params.N, T = config.sparseSteps;
  const eager = ctx.cell.params.model === "sam_ann_full_eager";
  const rng = new Rng(ctx.cell.seed ?? 1);
  const m = await benchModel("sam_ann", N, config, T, rng, {
    persistent: true,
    ann: { eager },
  }) as SamModel;
  const t0 = performance.now();
  m.prefill(rng);
  const buildSeconds = (performance.now() - t0) / 1e3;
  const before = annTiming(m);
  const ep = randomEpisode(rng, T, config.batch);
  const times: number[] = [];
  for (let r = 0; r <= config.reps; r++) {
    const t1 = performance.now();
    tf.dispose(m.run(ep, true).grads!);
    if (r > 0) times.push((performance.now() - t1) / T);
    ctx.progress.update(r + 1, config.reps + 1, `full index N=${N}`);
  }
  const t = annTiming(m), passes = config.reps + 1;
  m.recallProbe = { hits: 0, total: 0 };
  m.run(ep, false);
  const recall = m.recallProbe.hits / m.recallProbe.total;
  m.dispose();
  return {
    model: ctx.cell.params.model,
    N,
    msPerStep: medianOf(times),
    notRun: null,
    steps: T,
    buildSeconds,
    recallAtK: recall,
    relinkMsPerStep: (t.updateMs - before.updateMs) / passes / T,
    relinksPerStep: (t.updates - before.updates) / passes / T,
    searchMsPerStep: (t.searchMs - before.searchMs) / passes / T,
  };
}

/**
 * The models of `config.models` that run at N, timed in turn (ABCD ABCD …) on their own
 * sequences (dense `denseSteps`, sparse `sparseSteps` steps): one warm-up round, then
 * `ratioRounds` timed rounds.
 */
async function runRatio(config: SpeedConfig, ctx: CellContext<SpeedParams>): Promise<SpeedCell> {
  const { N, model: cellModel } = ctx.cell.params;
  const js = cellModel === "ratio_js";
  const contenders: Contender[] = [];
  for (const name of config.models as ModelName[]) {
    const sparse = name.startsWith("sam");
    const T = sparse ? config.sparseSteps : config.denseSteps;
    if (!js && denseNotRun(name, N, config, T)) continue;
    const rng = new Rng(ctx.cell.seed ?? 1);
    const model = await benchModel(name, N, config, T, rng, js ? { denseImpl: "js" } : {});
    contenders.push({
      name: js && !sparse ? `${name}_js` : name,
      model,
      episode: randomEpisode(rng, T, config.batch),
    });
  }
  const total = config.ratioRounds + 1;
  try {
    const rounds = interleavedRounds(contenders, config.ratioRounds, 1, (r) => {
      ctx.progress.update(r + 1, total, `${cellModel} N=${N}`);
    });
    return { model: cellModel, N, msPerStep: null, notRun: null, rounds };
  } finally {
    for (const c of contenders) c.model.dispose();
  }
}

/**
 * log2 of the ratio cell's N: the largest of `log2N` where the NTM's tape fits (null when none
 * does, or the NTM or SAM ANN is not among the models).
 */
function ratioLog2N(config: SpeedConfig): number | null {
  if (!config.models.includes("ntm") || !config.models.includes("sam_ann")) return null;
  const fits = config.log2N.filter((k) =>
    denseNotRun("ntm", 2 ** k, config, config.denseSteps) === null
  );
  return fits.length ? Math.max(...fits) : null;
}

async function runCell(config: SpeedConfig, ctx: CellContext<SpeedParams>): Promise<SpeedCell> {
  const { model, N } = ctx.cell.params;
  if (model === "ratio" || model === "ratio_js") return await runRatio(config, ctx);
  if (model === "sam_ann_update_modes") return await runUpdateModes(config, ctx);
  if (model.startsWith("sam_ann_full")) return await runFull(config, ctx);
  // The other cells' models: config.models (model names), or ntm_js / dam_js.
  const js = model.endsWith("_js");
  const name = (js ? model.slice(0, -3) : model) as ModelName;
  const sparse = name.startsWith("sam");
  const T = sparse ? config.sparseSteps : config.denseSteps;
  const notRun = js ? null : denseNotRun(name, N, config, T);
  if (notRun) return { model, N, msPerStep: null, notRun } satisfies SpeedCell;
  const rng = new Rng(ctx.cell.seed ?? 1);
  const m = await benchModel(name, N, config, T, rng, js ? { denseImpl: "js" } : {});
  const ep = randomEpisode(rng, T, config.batch);
  const times: number[] = [];
  const searchMs: number[] = [];
  for (let r = 0; r <= config.reps; r++) {
    const t0 = performance.now();
    const res = m.run(ep, true);
    tf.dispose(res.grads!);
    const dt = performance.now() - t0;
    if (r > 0) {
      times.push(dt / T);
      if (m instanceof SamModel) searchMs.push(m.searchMs / T);
    }
    ctx.progress.update(r + 1, config.reps + 1, `${model} N=${N}`);
  }
  const out: SpeedCell = { model, N, msPerStep: medianOf(times), notRun: null, steps: T };
  if (m instanceof SamModel) {
    out.searchMsPerStep = medianOf(searchMs);
    if (m.ann) {
      const t = annTiming(m);
      const passes = config.reps + 1;
      out.indexMsPerStep = {
        insert: t.insertMs / passes / T,
        update: t.updateMs / passes / T,
        search: t.searchMs / passes / T,
      };
      // Recall@K against the exact scan, in an extra untimed pass.
      m.recallProbe = { hits: 0, total: 0 };
      const res = m.run(ep, false);
      out.recallAtK = m.recallProbe.hits / m.recallProbe.total;
      out.recallQueries = m.recallProbe.total / config.K;
      m.recallProbe = null;
      void res;
    }
  }
  m.dispose();
  return out;
}

function cellsOf(config: SpeedConfig): CellSpec<SpeedParams>[] {
  const cells: CellSpec<SpeedParams>[] = [];
  for (const model of config.models) {
    for (const k of config.log2N) {
      cells.push({ id: `${model}/N=2^${k}`, seed: 1, params: { model, N: 2 ** k } });
    }
  }
  const rk = ratioLog2N(config);
  if (rk !== null) {
    cells.push({ id: `ratio/N=2^${rk}`, seed: 1, params: { model: "ratio", N: 2 ** rk } });
  }
  // At the largest of jsLog2N the ratio_js cell's rounds give the ntm_js / dam_js rows.
  const jk = config.jsLog2N.length ? Math.max(...config.jsLog2N) : null;
  const ratioJs = jk !== null && config.models.includes("ntm") && config.models.includes("sam_ann");
  for (const model of config.models.filter((m) => m === "ntm" || m === "dam")) {
    for (const k of config.jsLog2N) {
      if (ratioJs && k === jk) continue;
      cells.push({
        id: `${model}_js/N=2^${k}`,
        seed: 1,
        params: { model: `${model}_js`, N: 2 ** k },
      });
    }
  }
  if (ratioJs) {
    cells.push({ id: `ratio_js/N=2^${jk}`, seed: 1, params: { model: "ratio_js", N: 2 ** jk } });
  }
  if (config.models.includes("sam_ann")) {
    for (const k of config.fullLog2N) {
      cells.push({
        id: `sam_ann_full/N=2^${k}`,
        seed: 1,
        params: { model: "sam_ann_full", N: 2 ** k },
      });
    }
    for (const k of config.fullEagerLog2N) {
      cells.push({
        id: `sam_ann_full_eager/N=2^${k}`,
        seed: 1,
        params: { model: "sam_ann_full_eager", N: 2 ** k },
      });
    }
    for (const k of config.eagerLog2N) {
      cells.push({
        id: `sam_ann_update_modes/N=2^${k}`,
        seed: 1,
        params: { model: "sam_ann_update_modes", N: 2 ** k },
      });
    }
  }
  return cells;
}

/** The speed-ups the ratio cell measures: numerator, denominator model. */
const RATIOS = {
  ntmOverSamAnn: ["ntm", "sam_ann"],
  damOverSamAnn: ["dam", "sam_ann"],
  ntmOverSamLinear: ["ntm", "sam_linear"],
} as const;
type RatioName = keyof typeof RATIOS;

/**
 * Interval metrics of the ratio cell (`which`: `ratio`, or `ratio_js` with the dense models as
 * `ntm_js` / `dam_js`): wall-time speed-ups (null where a model did not run, or no such cell
 * ran) and, in `detail`, each model's wall and CPU ms per step and the CPU-time speed-ups. A
 * ratio cell at another N than `maxDenseN` (for `ratio_js`: the largest N of the `ntm_js`
 * rows) is a fault.
 */
export function ratioMetrics(
  cells: readonly SpeedCell[],
  maxDenseN: number | null,
  which: "ratio" | "ratio_js" = "ratio",
): {
  wall: Record<RatioName, IntervalMetric | null>;
  detail: Json;
} {
  const wall: Record<RatioName, IntervalMetric | null> = {
    ntmOverSamAnn: null,
    damOverSamAnn: null,
    ntmOverSamLinear: null,
  };
  const cell = cells.find((c) => c.model === which);
  if (!cell) return { wall, detail: null };
  if (!cell.rounds) throw new Error(`figure1a_speed: ${which} cell N=${cell.N} lacks its rounds`);
  const bound = which === "ratio" ? "maxDenseN" : "maxDenseJsN";
  if (cell.N !== maxDenseN) {
    throw new Error(`figure1a_speed: ${which} cell at N=${cell.N}, but ${bound} is ${maxDenseN}`);
  }
  const of = (name: string) =>
    cell.rounds!.find((r) =>
      r.name === (which === "ratio_js" && !name.startsWith("sam") ? `${name}_js` : name)
    );
  const cpu: Record<string, IntervalMetric> = {};
  for (
    const [k, [num, den]] of Object.entries(RATIOS) as [RatioName, readonly [string, string]][]
  ) {
    const a = of(num), b = of(den);
    if (!a || !b) continue;
    wall[k] = ratioInterval(a.wallMs, b.wallMs);
    cpu[k] = ratioInterval(a.cpuMs, b.cpuMs);
  }
  const perModel = (f: (r: RoundTimes) => number[]) =>
    Object.fromEntries(cell.rounds!.map((r) => [r.name, medianInterval(f(r))]));
  const detail = {
    N: cell.N,
    order: cell.rounds.map((r) => r.name),
    steps: Object.fromEntries(cell.rounds.map((r) => [r.name, r.steps])),
    warmupRounds: 1,
    wallMsPerStep: perModel((r) => r.wallMs),
    cpuMsPerStep: perModel((r) => r.cpuMs),
    cpuSpeedup: cpu,
  };
  return { wall, detail };
}

function summarize(config: SpeedConfig, records: CellRecord<SpeedCell>[]) {
  const cells = records.map((r) => r.output);
  const ran = cells.flatMap((c) =>
    c.msPerStep === null || c.model.startsWith("sam_ann_full") || c.model.startsWith("ratio")
      ? []
      : [{ ...c, msPerStep: c.msPerStep }]
  );
  // The ntm_js / dam_js rows at the ratio_js cell's N: the median of its rounds.
  for (const c of cells.filter((c) => c.model === "ratio_js")) {
    for (const r of c.rounds ?? []) {
      if (!r.name.endsWith("_js")) continue;
      const msPerStep = medianOf(r.wallMs);
      ran.push({ model: r.name, N: c.N, msPerStep, notRun: null, steps: r.steps });
    }
  }
  const full = cells.filter((c) => c.model.startsWith("sam_ann_full"));
  const rows = ran.map((c) => ({ model: c.model, N: c.N, msPerStep: c.msPerStep }));
  const at = (model: string, N: number) =>
    ran.find((c) => c.model === model && c.N === N)?.msPerStep ?? null;
  // The paper's headline is quoted at N = 1M; ours at N = 2^20 when that cell ran (else null).
  const N1M = 2 ** 20;
  const ntmPts = ran.filter((c) => c.model === "ntm").map((c) => ({ N: c.N, y: c.msPerStep }));
  const maxDenseN = ntmPts.length ? Math.max(...ntmPts.map((p) => p.N)) : null;
  const annMax = at("sam_ann", N1M), linMax = at("sam_linear", N1M);
  const ntmAtMax = annMax !== null || linMax !== null ? extrapolateLinear(ntmPts, N1M) : null;
  const recalls = ran.flatMap((c) => {
    if (c.recallAtK === undefined) return [];
    if (c.recallQueries === undefined) {
      throw new Error(`figure1a_speed: ${c.model} N=${c.N} has a recall but no query count`);
    }
    return [{ N: c.N, recall: c.recallAtK, queries: c.recallQueries }];
  });
  const modes = cells.flatMap((c) => {
    if (c.model !== "sam_ann_update_modes") return [];
    if (!c.eager || !c.deferred || c.steps === undefined) {
      throw new Error(`figure1a_speed: update-modes cell N=${c.N} lacks its timings`);
    }
    return [{ N: c.N, steps: c.steps, eager: c.eager, deferred: c.deferred }];
  });
  const ratio = ratioMetrics(cells, maxDenseN);
  // The NTM and DAM through dense_js.ts: measured beyond the wasm heap.
  const ntmJsPts = ran.filter((c) => c.model === "ntm_js").map((c) => ({ N: c.N, y: c.msPerStep }));
  const maxDenseJsN = ntmJsPts.length ? Math.max(...ntmJsPts.map((p) => p.N)) : null;
  const ratioJs = ratioMetrics(cells, maxDenseJsN, "ratio_js");
  const ntmJsAt1M = annMax !== null && maxDenseJsN !== N1M
    ? extrapolateLinear(ntmJsPts, N1M)
    : null;
  const jsOverTape = (m: string) => {
    const a = maxDenseN ? at(`${m}_js`, maxDenseN) : null, b = maxDenseN ? at(m, maxDenseN) : null;
    return a !== null && b !== null ? a / b : null;
  };
  const metrics: Record<string, Json> = {
    rows,
    notRun: cells.filter((c) => c.notRun).map((c) => ({
      model: c.model,
      N: c.N,
      reason: c.notRun,
    })),
    maxN: Math.max(...ran.map((c) => c.N)),
    maxDenseN,
    samAnnMsAt1M: annMax,
    samLinearMsAt1M: linMax,
    ntmMsAtMaxDenseN: maxDenseN ? at("ntm", maxDenseN) : null,
    speedupNtmOverSamAnnAtMaxDenseN: ratio.wall.ntmOverSamAnn,
    speedupDamOverSamAnnAtMaxDenseN: ratio.wall.damOverSamAnn,
    speedupNtmOverSamLinearAtMaxDenseN: ratio.wall.ntmOverSamLinear,
    ratioRoundsAtMaxDenseN: ratio.detail,
    ntmMsAt1MExtrapolated: ntmAtMax,
    maxDenseJsN,
    ntmJsMsAtMaxDenseJsN: maxDenseJsN ? at("ntm_js", maxDenseJsN) : null,
    damJsMsAtMaxDenseJsN: maxDenseJsN ? at("dam_js", maxDenseJsN) : null,
    speedupNtmOverSamAnnAtMaxDenseJsN: ratioJs.wall.ntmOverSamAnn,
    speedupDamOverSamAnnAtMaxDenseJsN: ratioJs.wall.damOverSamAnn,
    speedupNtmOverSamLinearAtMaxDenseJsN: ratioJs.wall.ntmOverSamLinear,
    ratioRoundsAtMaxDenseJsN: ratioJs.detail,
    ntmJsOverAutodiffMsAtMaxDenseN: jsOverTape("ntm"),
    damJsOverAutodiffMsAtMaxDenseN: jsOverTape("dam"),
    ntmJsMsAt1MExtrapolated: ntmJsAt1M,
    speedupNtmJsOverSamAnnAt1MExtrapolated: ntmJsAt1M && annMax ? ntmJsAt1M / annMax : null,
    // Both measured at the paper's N when the ratio_js cell runs there (the paper profile).
    speedupNtmJsOverSamAnnAt1M: maxDenseJsN === N1M ? ratioJs.wall.ntmOverSamAnn : null,
    speedupNtmOverSamAnnAt1MExtrapolated: ntmAtMax && annMax ? ntmAtMax / annMax : null,
    speedupNtmOverSamLinearAt1MExtrapolated: ntmAtMax && linMax ? ntmAtMax / linMax : null,
    speedupSamLinearOverAnnAt1M: annMax && linMax ? linMax / annMax : null,
    recallAtK: recalls,
    recallAtKMean: recalls.length
      ? recalls.reduce((s, c) => s + c.recall, 0) / recalls.length
      : null,
    annIndexMsPerStep: cells.flatMap((c) =>
      c.indexMsPerStep ? [{ model: c.model, N: c.N, ...c.indexMsPerStep }] : []
    ),
    annFullIndex: full.map((c) => ({
      mode: c.model === "sam_ann_full_eager" ? "eager" : "deferred",
      N: c.N,
      msPerStep: c.msPerStep,
      recallAtK: c.recallAtK ?? null,
      buildSeconds: c.buildSeconds ?? null,
      relinksPerStep: c.relinksPerStep ?? null,
      relinkMsPerStep: c.relinkMsPerStep ?? null,
      searchMsPerStep: c.searchMsPerStep ?? null,
    })),
    annUpdateModes: modes,
    annDeferredSpeedupOverEager: modes.map((c) => ({
      N: c.N,
      ratio: c.eager.msPerStep / c.deferred.msPerStep,
    })),
  };
  for (const r of rows) metrics[`msPerStep_${r.model}_N${r.N}`] = r.msPerStep;
  const plot: LinePlotSpec = {
    title: `Figure 1a: forward+backward time per step (batch ${config.batch})`,
    data: [
      ...rows,
      ...full.map((c) => ({
        model: c.model,
        N: c.N,
        msPerStep: c.msPerStep,
      })),
    ],
    x: { field: "N", title: "memory words N", log: true },
    y: { field: "msPerStep", title: "wall time per step (ms)", log: true },
    color: "model",
  };
  return {
    metrics,
    figures: [{
      name: "figure1a_speed",
      caption: "ms per forward+backward step vs N (log-log)",
      plot,
    }],
    notes: [
      "One wasm thread (TF.js 4.22) for the controller; memory, scan and hnswlib in JS/wasm.",
      "Dense models time a sequence of denseSteps steps, sparse ones sparseSteps; both per step.",
      "Dense cost at N beyond the wasm heap is a linear extrapolation (labelled Extrapolated).",
      "Speed-ups at maxDenseN: one cell times every model in turn (ABCD ABCD …), a warm-up " +
      "round dropped; median of the per-round ratios of ms per step, with the order-statistic " +
      "interval of the median (ratioRoundsAtMaxDenseN has wall and CPU ms per model).",
      "ntm_js / dam_js: the same NTM and DAM (same parameters, values and gradients) through " +
      "dense_js.ts, each step's memory access one JS tape node with the memory in JS arrays, so " +
      "they run beyond the wasm heap; the ratio_js cell times them with SAM in turn at the " +
      "largest of jsLog2N (…AtMaxDenseJsN; its rounds' medians are the ntm_js / dam_js rows at " +
      "that N). The ntm / dam rows and …AtMaxDenseN are dense.ts " +
      "(the whole memory on the TF.js tape); …JsOverAutodiffMsAtMaxDenseN compares the two.",
    ],
  };
}

/** Figure 1a speed benchmark. */
export const experiment: Experiment<SpeedConfig, SpeedParams, SpeedCell> = {
  id: "figure1a_speed",
  version: 4,
  title: "Speed: forward+backward time per step vs memory size",
  reproduces: "Figure 1a",
  profiles: { smoke, default: defaults, paper },
  limits,
  seeds: { smoke: [1], default: [1], paper: [1] },
  cells: (config) => cellsOf(config),
  run: runCell,
  summarize: (config, records) => summarize(config, records),
};
