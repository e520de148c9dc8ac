/**
 * Runs one experiment: plans its cells, runs the ones this shard owns (reusing checkpointed
 * cells of an interrupted run with the same plan), then summarises, writes figures and the
 * result file atomically, and removes the checkpoints. With `--shard i/n` it writes a shard file
 * instead, which `deno task report --merge` combines.
 * @module
 */
import type {
  BackendInfo,
  CellParams,
  CellRecord,
  CellSpec,
  Config,
  Experiment,
  FigureRef,
  Json,
  Jsonable,
  ProfileName,
  ResultFile,
  Summary,
} from "../core/experiment.ts";
import { jsonValue, RESULT_SCHEMA } from "../core/experiment.ts";
import { type Shard, shardCells } from "./config.ts";
import { readJsonOrNull, removeStaleTemps, stableHash, writeJsonAtomic } from "../core/json.ts";
import { cellFileName, figurePath, partialDir, resultPath, shardPath } from "./paths.ts";
import { acquireLock } from "./lock.ts";
import { publishFiles, type Staged } from "./publish.ts";
import { CellProgress, type ProgressSink } from "./progress.ts";
import { gitState, provenance } from "./provenance.ts";
import { linePlot, svgToPng } from "./plot.ts";
import { experimentCodeHash } from "./code_hash.ts";

/** Everything one experiment run needs (typed as the experiment's config, cells and outputs). */
export interface RunRequest<
  C extends Config = Config,
  P extends Jsonable<P> = CellParams,
  O extends Jsonable<O> = Json,
> {
  paper: string;
  experiment: Experiment<C, P, O>;
  profile: ProfileName;
  config: C;
  seeds: readonly number[];
  backend: BackendInfo;
  out: string;
  shard: Shard | null;
  sink: ProgressSink;
  command: string;
}

/** What a run produced. */
export interface RunOutcome {
  /** Result file (full run) or shard file (sharded run). */
  path: string;
  cellsRun: number;
  cellsResumed: number;
  cellsPlanned: number;
}

/** Shard output written by `--shard i/n` (its cells' outputs are typed `O`). */
export interface ShardFile<O extends Jsonable<O> = Json> {
  schema: number;
  kind: "shard";
  paper: string;
  experiment: string;
  experimentVersion: number;
  profile: ProfileName;
  planKey: string;
  config: Config;
  seeds: number[];
  shard: Shard;
  cellsPlanned: number;
  cells: CellRecord<O>[];
  provenance: ResultFile["provenance"];
}

/** Validate the cell plan: non-empty, unique ids. */
export function planCells<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  experiment: Experiment<C, P, O>,
  config: C,
  seeds: readonly number[],
): CellSpec<P>[] {
  const cells = experiment.cells(config, seeds);
  if (cells.length === 0) throw new Error(`${experiment.id}: cells() planned no work`);
  const ids = new Set<string>();
  for (const c of cells) {
    if (ids.has(c.id)) throw new Error(`${experiment.id}: duplicate cell id "${c.id}"`);
    ids.add(c.id);
  }
  return cells;
}

/**
 * Hash identifying a plan (paper, experiment, version, profile, resolved config, seeds, cells):
 * every checkpoint carries it and is reused only under the same plan.
 */
export function planKey(
  paper: string,
  experiment: Pick<Experiment, "id" | "version">,
  profile: ProfileName,
  config: Config,
  seeds: readonly number[],
  cells: readonly Pick<CellSpec, "id">[],
): Promise<string> {
  return stableHash({
    paper,
    experiment: experiment.id,
    version: experiment.version,
    profile,
    config,
    seeds,
    cells: cells.map((c) => c.id),
  });
}

/** Remove a finished run's checkpoints (its own folder only), and `.partial/` once empty. */
async function dropCheckpoint(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  const parent = dir.slice(0, dir.lastIndexOf("/"));
  try {
    await Deno.remove(parent); // fails (kept) while other runs have checkpoints there
  } catch { /* not empty */ }
}

/** A checkpoint as written: the cell record plus the key of the plan it belongs to. */
interface Checkpoint<O extends Jsonable<O> = Json> extends CellRecord<O> {
  planKey: string;
}

/** Why a checkpoint cannot be reused for `cell` under plan `key`, or null when it can. */
export function checkpointProblem<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  exp: Experiment<C, P, O>,
  config: C,
  cell: CellSpec<P>,
  key: string,
  saved: unknown,
): string | null {
  const c = saved as Partial<Checkpoint> | null;
  if (!c || typeof c !== "object" || Array.isArray(c)) return "not a checkpoint object";
  if (c.planKey !== key) return c.planKey ? "from another plan" : "carries no plan key";
  if (c.id !== cell.id) return `holds cell "${String(c.id)}"`;
  if (c.seed !== (cell.seed ?? null)) return `holds seed ${String(c.seed)}, expected ${cell.seed}`;
  if (typeof c.wallSeconds !== "number") return "has no wallSeconds";
  return outputProblem(exp, config, cell, c.output);
}

/** Why a cell's output does not fit the cell (generic shape, then the experiment's own check). */
export function outputProblem<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  exp: Experiment<C, P, O>,
  config: C,
  cell: CellSpec<P>,
  output: unknown,
): string | null {
  if (output === undefined || output === null) return "has no output";
  if (typeof output === "object" && !Array.isArray(output) && Object.keys(output).length === 0) {
    return "has an empty output";
  }
  return exp.inspect?.(config, cell, output as Json).problem ?? null;
}

/** A reusable checkpoint of `cell`, or null (a line says why one was discarded). */
async function loadCheckpoint<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  file: string,
  exp: Experiment<C, P, O>,
  config: C,
  cell: CellSpec<P>,
  key: string,
  label: string,
  sink: ProgressSink,
): Promise<CellRecord<O> | null> {
  let saved: unknown;
  try {
    saved = await readJsonOrNull<unknown>(file);
  } catch {
    saved = "unreadable";
  }
  if (saved === null) return null;
  const problem = checkpointProblem(exp, config, cell, key, saved);
  if (problem !== null) {
    sink.write(`${label} checkpoint ${problem}; discarded, rerunning the cell\n`);
    await Deno.remove(file).catch(() => {});
    return null;
  }
  // it passed the plan, cell and output checks: its output is the O this plan's run() returned
  const { planKey: _, ...record } = saved as Checkpoint<O>;
  return record;
}

/** Run (or resume) one experiment and write its result or shard file. */
export async function runExperiment<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  req: RunRequest<C, P, O>,
): Promise<RunOutcome> {
  const { experiment: exp, paper, profile, config, seeds, backend, out, sink } = req;
  const startedAt = new Date();
  const t0 = performance.now();
  const git = gitState();
  const cells = planCells(exp, config, seeds);
  const key = await planKey(paper, exp, profile, config, seeds, cells);
  const mine = shardCells(cells, req.shard);
  const sharded = req.shard !== null && req.shard.count > 1;
  const dir = partialDir(out, paper, exp.id, profile, exp.version, req.shard);
  const lock = await acquireLock(dir);
  if (lock.tookOver) {
    sink.write(`${dir}: took over from a run that was killed (pid ${lock.tookOver.pid})\n`);
  }
  try {
    await removeStaleTemps(dir, true); // this run holds the folder: every temp is a dead run's
    const { records, ran, resumed } = await runCells(req, mine, key, dir);
    const wall = (performance.now() - t0) / 1000;
    const prov = provenance(backend, startedAt, wall, req.command, git);
    let path: string;
    if (sharded) {
      path = await writeShard(req, key, cells.length, records, prov, dir);
    } else {
      path = await finishResult({
        paper,
        experiment: exp,
        profile,
        config,
        seeds,
        backend,
        out,
        records,
        cellsPlanned: cells.length,
        provenance: prov,
        staging: dir,
      });
    }
    await dropCheckpoint(dir);
    return { path, cellsRun: ran, cellsResumed: resumed, cellsPlanned: cells.length };
  } finally {
    await lock.release();
  }
}

/** Run this shard's cells, reusing checkpoints that match the plan; checkpoint each new one. */
async function runCells<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  req: RunRequest<C, P, O>,
  mine: readonly CellSpec<P>[],
  key: string,
  dir: string,
): Promise<{ records: CellRecord<O>[]; ran: number; resumed: number }> {
  const { experiment: exp, paper, profile, config, backend, sink } = req;
  const records: CellRecord<O>[] = [];
  let resumed = 0, ran = 0;
  for (const [k, cell] of mine.entries()) {
    const label = `[${paper}/${exp.id} ${k + 1}/${mine.length} ${cell.id}]`;
    const file = `${dir}/${cellFileName(cell.id)}`;
    const saved = await loadCheckpoint(file, exp, config, cell, key, label, sink);
    if (saved) {
      records.push(saved);
      resumed++;
      sink.write(`${label} resumed from checkpoint\n`);
      continue;
    }
    const progress = new CellProgress(sink, label);
    const c0 = performance.now();
    const output = await exp.run(config, { cell, profile, backend, progress });
    const problem = outputProblem(exp, config, cell, output);
    if (problem !== null) {
      throw new Error(`${paper}/${exp.id}: cell ${cell.id} ${problem} (a bug in the experiment)`);
    }
    const record: CellRecord<O> = {
      id: cell.id,
      seed: cell.seed ?? null,
      output,
      wallSeconds: Math.round(performance.now() - c0) / 1000,
    };
    await writeJsonAtomic(file, { ...record, planKey: key } satisfies Checkpoint<O>);
    records.push(record);
    ran++;
    progress.finish(`done in ${record.wallSeconds.toFixed(1)}s`);
  }
  return { records, ran, resumed };
}

/** Write a shard file (staged in the shard's own checkpoint folder, then renamed). */
async function writeShard<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  req: RunRequest<C, P, O>,
  key: string,
  cellsPlanned: number,
  records: CellRecord<O>[],
  prov: ResultFile["provenance"],
  dir: string,
): Promise<string> {
  const { experiment: exp, paper, profile, out } = req;
  const shard = req.shard!;
  const path = shardPath(out, paper, exp.id, profile, exp.version, shard.index, shard.count);
  const shardFile: ShardFile<O> = {
    schema: RESULT_SCHEMA,
    kind: "shard",
    paper,
    experiment: exp.id,
    experimentVersion: exp.version,
    profile,
    planKey: key,
    config: req.config,
    seeds: [...req.seeds],
    shard,
    cellsPlanned,
    cells: records,
    provenance: prov,
  };
  await publishFiles(dir, [{ path, data: shardFile }]);
  return path;
}

/** Inputs of the summary step (shared by full runs and `report --merge`). */
export interface FinishRequest<
  C extends Config = Config,
  P extends Jsonable<P> = CellParams,
  O extends Jsonable<O> = Json,
> extends Omit<RunRequest<C, P, O>, "shard" | "sink" | "command"> {
  records: CellRecord<O>[];
  cellsPlanned: number;
  provenance: ResultFile["provenance"];
  /** Folder (held under a lock) where figures and the result file are staged before publishing. */
  staging: string;
}

/**
 * Samples the cells hold, summed over cells by the experiment's `inspect` (planned: what the
 * config plans for each planned cell; done: what the records contain).
 */
export function cellSamples<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  exp: Experiment<C, P, O>,
  config: C,
  seeds: readonly number[],
  records: readonly CellRecord<O>[],
): Record<string, { planned: number; done: number }> {
  const out: Record<string, { planned: number; done: number }> = {};
  if (!exp.inspect) return out;
  const byId = new Map(records.map((r) => [r.id, r]));
  for (const cell of exp.cells(config, seeds)) {
    const r = byId.get(cell.id);
    const seen = exp.inspect(config, cell, r ? jsonValue(r.output) : null).samples ?? {};
    for (const [k, v] of Object.entries(seen)) {
      const acc = out[k] ?? { planned: 0, done: 0 };
      out[k] = { planned: acc.planned + v.planned, done: acc.done + (r ? v.done : 0) };
    }
  }
  return out;
}

/**
 * Summarise cell records, then publish figures (SVG + PNG) and the result file as one step: all
 * are written into `req.staging` first, then renamed into place, the result file last. Returns
 * the result file's path.
 */
export async function finishResult<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  req: FinishRequest<C, P, O>,
): Promise<string> {
  const { experiment: exp, paper, profile, out } = req;
  const summary: Summary = await exp.summarize(req.config, req.records, {
    profile,
    backend: req.backend,
  });
  const figures: FigureRef[] = [];
  const staged: Staged[] = [];
  const baseName = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  for (const fig of summary.figures ?? []) {
    const ref: FigureRef = { name: fig.name, caption: fig.caption, svg: null, png: null };
    const svg = fig.plot ? await linePlot(fig.plot) : null;
    if (svg) {
      const svgFile = figurePath(out, paper, exp.id, profile, fig.name, "svg");
      staged.push({ path: svgFile, data: svg });
      ref.svg = baseName(svgFile);
    }
    const png = fig.png ?? (svg ? await svgToPng(svg) : null);
    if (png) {
      const pngFile = figurePath(out, paper, exp.id, profile, fig.name, "png");
      staged.push({ path: pngFile, data: png });
      ref.png = baseName(pngFile);
    }
    figures.push(ref);
  }
  const result: ResultFile = {
    schema: RESULT_SCHEMA,
    paper,
    experiment: exp.id,
    experimentVersion: exp.version,
    title: exp.title,
    reproduces: exp.reproduces,
    profile,
    config: req.config,
    seeds: [...req.seeds],
    metrics: summary.metrics,
    samples: {
      cells: { planned: req.cellsPlanned, done: req.records.length },
      ...(summary.samples ?? {}),
      ...cellSamples(exp, req.config, req.seeds, req.records),
    },
    figures,
    notes: summary.notes ?? [],
    provenance: req.provenance,
    ...await codeHashField(paper, exp.id),
  };
  const path = resultPath(out, paper, exp.id, profile, exp.version);
  await publishFiles(req.staging, [...staged, { path, data: result }]);
  return path;
}

/** The `code` field of a result: the hash of the experiment's sources (none for fixtures). */
async function codeHashField(paper: string, experiment: string): Promise<Pick<ResultFile, "code">> {
  const code = await experimentCodeHash(paper, experiment);
  return code ? { code } : {};
}
