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
import { RESULT_SCHEMA } from "../core/experiment.ts";
import { type Shard, shardCells } from "./config.ts";
import {
  readJsonOrNull,
  removeStaleTemps,
  stableHash,
  writeAtomic,
  writeJsonAtomic,
} from "../core/json.ts";
import { cellFileName, figurePath, partialDir, resultPath, shardPath } from "./paths.ts";
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

/** Hash identifying a plan: a checkpoint is reused only under the same plan. */
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

/** Remove a finished run's checkpoints, and `.partial/` itself once empty. */
async function dropCheckpoint(dir: string): Promise<void> {
  await Deno.remove(dir, { recursive: true });
  const parent = dir.slice(0, dir.lastIndexOf("/"));
  try {
    await Deno.remove(parent); // fails (kept) while other runs have checkpoints there
  } catch { /* not empty */ }
}

async function loadCheckpoint(dir: string, key: string, sink: ProgressSink): Promise<void> {
  const meta = await readJsonOrNull<{ planKey: string }>(`${dir}/plan.json`).catch(() => null);
  if (meta && meta.planKey !== key) {
    sink.write(`${dir}: checkpoint is from another plan; starting over\n`);
    await Deno.remove(dir, { recursive: true });
  }
  await removeStaleTemps(dir);
  await writeJsonAtomic(`${dir}/plan.json`, { planKey: key });
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
  const dir = partialDir(out, paper, exp.id, profile, exp.version);
  await loadCheckpoint(dir, key, sink);
  const records: CellRecord<O>[] = [];
  let resumed = 0, ran = 0;
  for (const [k, cell] of mine.entries()) {
    const label = `[${paper}/${exp.id} ${k + 1}/${mine.length} ${cell.id}]`;
    const file = `${dir}/${cellFileName(cell.id)}`;
    // a checkpoint this plan wrote (same plan key): its output is the O that run() returned
    const saved = await readJsonOrNull<CellRecord<O>>(file).catch(() => null);
    if (saved && saved.id === cell.id) {
      records.push(saved);
      resumed++;
      sink.write(`${label} resumed from checkpoint\n`);
      continue;
    }
    const progress = new CellProgress(sink, label);
    const c0 = performance.now();
    const output = await exp.run(config, {
      cell,
      profile,
      backend,
      progress,
    });
    const record: CellRecord<O> = {
      id: cell.id,
      seed: cell.seed ?? null,
      output,
      wallSeconds: Math.round(performance.now() - c0) / 1000,
    };
    await writeJsonAtomic(file, record);
    records.push(record);
    ran++;
    progress.finish(`done in ${record.wallSeconds.toFixed(1)}s`);
  }
  const wall = (performance.now() - t0) / 1000;
  const prov = provenance(backend, startedAt, wall, req.command, git);
  if (req.shard && req.shard.count > 1) {
    const path = shardPath(
      out,
      paper,
      exp.id,
      profile,
      exp.version,
      req.shard.index,
      req.shard.count,
    );
    const shardFile: ShardFile<O> = {
      schema: RESULT_SCHEMA,
      kind: "shard",
      paper,
      experiment: exp.id,
      experimentVersion: exp.version,
      profile,
      planKey: key,
      config,
      seeds: [...seeds],
      shard: req.shard,
      cellsPlanned: cells.length,
      cells: records,
      provenance: prov,
    };
    await writeJsonAtomic(path, shardFile);
    await dropCheckpoint(dir);
    return { path, cellsRun: ran, cellsResumed: resumed, cellsPlanned: cells.length };
  }
  const path = await finishResult({
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
  });
  await dropCheckpoint(dir);
  return { path, cellsRun: ran, cellsResumed: resumed, cellsPlanned: cells.length };
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
}

/** Summarise cell records, write figures (SVG + PNG) and the result file. Returns its path. */
export async function finishResult<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  req: FinishRequest<C, P, O>,
): Promise<string> {
  const { experiment: exp, paper, profile, out } = req;
  const summary: Summary = await exp.summarize(req.config, req.records, {
    profile,
    backend: req.backend,
  });
  const figures: FigureRef[] = [];
  const baseName = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  for (const fig of summary.figures ?? []) {
    const ref: FigureRef = { name: fig.name, caption: fig.caption, svg: null, png: null };
    const svg = fig.plot ? await linePlot(fig.plot) : null;
    if (svg) {
      const svgFile = figurePath(out, paper, exp.id, profile, fig.name, "svg");
      await writeAtomic(svgFile, svg);
      ref.svg = baseName(svgFile);
    }
    const png = fig.png ?? (svg ? await svgToPng(svg) : null);
    if (png) {
      const pngFile = figurePath(out, paper, exp.id, profile, fig.name, "png");
      await writeAtomic(pngFile, png);
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
    },
    figures,
    notes: summary.notes ?? [],
    provenance: req.provenance,
    ...await codeHashField(paper, exp.id),
  };
  const path = resultPath(out, paper, exp.id, profile, exp.version);
  await writeJsonAtomic(path, result);
  return path;
}

/** The `code` field of a result: the hash of the experiment's sources (none for fixtures). */
async function codeHashField(paper: string, experiment: string): Promise<Pick<ResultFile, "code">> {
  const code = await experimentCodeHash(paper, experiment);
  return code ? { code } : {};
}
