/**
 * `deno task report --merge`: combines the shard files of `--shard i/n` runs into result files,
 * written beside the shards (`<out>/<paper>/shards/…` → `<out>/<paper>/…`) unless `--out` says
 * otherwise. Every shard of a plan must be present and come from the same plan (config, seeds,
 * cells), and every cell must pass the experiment's output check.
 * @module
 */
import type { CellRecord, Paper } from "../core/experiment.ts";
import { Fault, UsageError } from "../core/errors.ts";
import { readJsonOrNull } from "../core/json.ts";
import { finishResult, outputProblem, planCells, planKey, type ShardFile } from "./runner.ts";
import { partialDir } from "./paths.ts";
import { acquireLock } from "./lock.ts";

/** The output folder a shard file sits in (`<out>/<paper>/shards/<file>`), or null. */
export function outBesideShard(file: string, paper: string): string | null {
  const parts = file.split("/");
  if (parts.length < 3 || parts.at(-2) !== "shards" || parts.at(-3) !== paper) return null;
  const out = parts.slice(0, -3).join("/");
  return out === "" ? (file.startsWith("/") ? "/" : ".") : out;
}

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

/**
 * Merge shard files into result files under `out` (or beside the shards when `out` is null);
 * returns the result paths written and the (out, paper) pairs whose report needs rewriting.
 */
export async function mergeShards(
  files: readonly string[],
  registry: readonly Paper[],
  out: string | null,
): Promise<{ written: string[]; targets: { out: string; paper: string }[] }> {
  if (files.length === 0) throw new UsageError("--merge: no shard files found");
  const groups = new Map<string, { out: string; shards: ShardFile[] }>();
  for (const f of files) {
    const s = await readJsonOrNull<ShardFile>(f);
    if (!s || s.kind !== "shard" || !Array.isArray(s.cells) || typeof s.shard !== "object") {
      throw new Fault("not a shard file", f, "delete it, or rerun that shard");
    }
    const dest = out ?? outBesideShard(f, s.paper);
    if (dest === null) {
      throw new UsageError(
        `--merge: ${f} is not under <out>/${s.paper}/shards/; say where to write with --out DIR`,
      );
    }
    const k =
      `${dest}|${s.paper}/${s.experiment}/${s.profile}/v${s.experimentVersion}/${s.planKey}`;
    const g = groups.get(k) ?? { out: dest, shards: [] };
    g.shards.push(s);
    groups.set(k, g);
  }
  const written: string[] = [];
  const targets = new Map<string, { out: string; paper: string }>();
  for (const [k, { out: dest, shards }] of groups) {
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
    const cells = planCells(exp, first.config, first.seeds);
    const key = await planKey(paper.id, exp, first.profile, first.config, first.seeds, cells);
    if (key !== first.planKey) {
      throw new UsageError(`--merge: ${k}: the code now plans different cells; rerun the shards`);
    }
    const byId = new Map<string, CellRecord>();
    for (const s of shards) for (const c of s.cells) byId.set(c.id, c);
    for (const c of cells) {
      const r = byId.get(c.id);
      const problem = r ? outputProblem(exp, first.config, c, r.output) : null;
      if (problem !== null) {
        throw new UsageError(`--merge: ${k}: cell ${c.id} ${problem}; rerun its shard`);
      }
    }
    const records = cells.map((c) => byId.get(c.id)).filter((c): c is CellRecord => !!c);
    const staging = partialDir(dest, paper.id, exp.id, first.profile, exp.version, "merge");
    const lock = await acquireLock(staging);
    let path: string;
    try {
      path = await finishResult({
        paper: paper.id,
        experiment: exp,
        profile: first.profile,
        config: first.config,
        seeds: first.seeds,
        backend: first.provenance.backend,
        out: dest,
        records,
        cellsPlanned: cells.length,
        provenance: {
          ...first.provenance,
          wallSeconds: shards.reduce((s, x) => s + x.provenance.wallSeconds, 0),
          shards: shards.map((s) => `${s.shard.index}/${n} ${s.provenance.startedAt}`),
        },
        staging,
      });
    } finally {
      await lock.release();
    }
    await Deno.remove(staging, { recursive: true }).catch(() => {});
    await Deno.remove(staging.slice(0, staging.lastIndexOf("/"))).catch(() => {});
    written.push(path);
    targets.set(`${dest}|${paper.id}`, { out: dest, paper: paper.id });
  }
  return { written, targets: [...targets.values()] };
}
