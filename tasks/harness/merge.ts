/**
 * `deno task report --merge`: combines the shard files of `--shard i/n` runs into result files.
 * Every shard of a plan must be present and come from the same plan (config, seeds, cells).
 * @module
 */
import type { CellRecord, Config, Experiment, Jsonable, Paper } from "../core/experiment.ts";
import { UsageError } from "../core/errors.ts";
import { readJsonOrNull } from "../core/json.ts";
import { finishResult, planCells, planKey, type ShardFile } from "./runner.ts";

/** Shard files named on the command line: files, or directories searched recursively. */
export async function findShardFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  async function walk(p: string): Promise<void> {
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.stat(p);
    } catch {
      throw new UsageError(`--merge: "${p}" does not exist`);
    }
    if (stat.isFile) {
      found.push(p);
      return;
    }
    for await (const e of Deno.readDir(p)) {
      const child = `${p}/${e.name}`;
      if (e.isDirectory) await walk(child);
      else if (/\.shard-\d+-of-\d+\.json$/.test(e.name)) found.push(child);
    }
  }
  for (const p of paths) await walk(p.replace(/\/$/, ""));
  return found.sort();
}

/** Merge shard files into result files under `out`; returns the result paths written. */
export async function mergeShards(
  files: readonly string[],
  registry: readonly Paper[],
  out: string,
): Promise<{ written: string[]; papers: Set<string> }> {
  if (files.length === 0) throw new UsageError("--merge: no shard files found");
  const groups = new Map<string, ShardFile[]>();
  for (const f of files) {
    const s = await readJsonOrNull<ShardFile>(f);
    if (!s || s.kind !== "shard") throw new UsageError(`--merge: ${f} is not a shard file`);
    const k = `${s.paper}/${s.experiment}/${s.profile}/v${s.experimentVersion}/${s.planKey}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const written: string[] = [];
  const papers = new Set<string>();
  for (const [k, shards] of groups) {
    const first = shards[0]!;
    const paper = registry.find((p) => p.id === first.paper);
    const exp = paper?.experiments.find((e) => e.id === first.experiment);
    if (!paper || !exp) throw new UsageError(`--merge: ${k}: experiment not in the registry`);
    if (exp.version !== first.experimentVersion) {
      throw new UsageError(
        `--merge: ${k}: shards are v${first.experimentVersion}, the code is v${exp.version}`,
      );
    }
    const n = first.shard.count;
    const have = new Set(shards.map((s) => s.shard.index));
    const missing = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !have.has(i));
    if (missing.length) {
      throw new UsageError(`--merge: ${k}: missing shard(s) ${missing.join(", ")} of ${n}`);
    }
    written.push(await mergeGroup(k, paper.id, exp, shards, out));
    papers.add(paper.id);
  }
  return { written, papers };
}

/**
 * Merge the complete shard set `k` of one experiment into its result file; returns its path.
 * The shards' cells are typed as the experiment's outputs: the plan key proves that this
 * experiment's code planned them.
 */
async function mergeGroup<C extends Config, P extends Jsonable<P>, O extends Jsonable<O>>(
  k: string,
  paperId: string,
  exp: Experiment<C, P, O>,
  shards: readonly ShardFile<O>[],
  out: string,
): Promise<string> {
  const first = shards[0]!; // a group holds at least the shard that made it
  const n = first.shard.count;
  // the shard's config is the experiment's, as resolved by the run that wrote it
  const config = first.config as C;
  const cells = planCells(exp, config, first.seeds);
  const key = await planKey(paperId, exp, first.profile, config, first.seeds, cells);
  if (key !== first.planKey) {
    throw new UsageError(`--merge: ${k}: the code now plans different cells; rerun the shards`);
  }
  const byId = new Map<string, CellRecord<O>>();
  for (const s of shards) for (const c of s.cells) byId.set(c.id, c);
  const records = cells.flatMap((c) => byId.get(c.id) ?? []);
  return await finishResult({
    paper: paperId,
    experiment: exp,
    profile: first.profile,
    config,
    seeds: first.seeds,
    backend: first.provenance.backend,
    out,
    records,
    cellsPlanned: cells.length,
    provenance: {
      ...first.provenance,
      wallSeconds: shards.reduce((s, x) => s + x.provenance.wallSeconds, 0),
      shards: shards.map((s) => `${s.shard.index}/${n} ${s.provenance.startedAt}`),
    },
  });
}
