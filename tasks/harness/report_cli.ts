/**
 * `deno task report [paper|all] [--out DIR] [--merge PATH...]`: regenerates REPORT.md from the
 * result files, after merging shard outputs when `--merge` names shard files or folders. Merged
 * results are written beside their shards unless `--out` says where. No result files to report
 * on is an error, not an empty page.
 * @module
 */
import type { Paper } from "../core/experiment.ts";
import { UsageError } from "../core/errors.ts";
import { findShardFiles, mergeShards } from "./merge.ts";
import { loadResults, writeReport } from "./report.ts";
import { checkOutDir, parseStrict } from "./args.ts";
import { runMain } from "./main.ts";
import { requirePermissions } from "./permissions.ts";
import { writeHtmlReport } from "./html_report.ts";

export const REPORT_USAGE =
  "usage: deno task report [paper|all] [--out DIR] [--merge PATH...] [--verbose]";

/** Entry point; returns the exit code. */
export function reportMain(args: string[], registry: readonly Paper[]): Promise<number> {
  return runMain(args, (a) => report(a, registry));
}

async function report(args: string[], registry: readonly Paper[]): Promise<number> {
  const { values, positionals } = parseStrict(args, {
    out: { type: "string" },
    merge: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(REPORT_USAGE);
    return 0;
  }
  const out = values.out !== undefined ? checkOutDir(values.out) : null;
  const writes = out ? [out] : values.merge && positionals.length ? positionals : ["results"];
  requirePermissions([
    { name: "read" },
    ...writes.map((path) => ({ name: "write", path }) as const),
  ], "report");
  let targets: { out: string; paper: Paper }[];
  if (values.merge) {
    const files = await findShardFiles(positionals.length ? positionals : [out ?? "results"]);
    const merged = await mergeShards(files, registry, out);
    for (const w of merged.written) console.log(`merged ${w}`);
    targets = merged.targets.map((t) => ({
      out: t.out,
      paper: registry.find((p) => p.id === t.paper)!,
    }));
  } else {
    const ids = registry.map((p) => p.id);
    const which = positionals[0] ?? "all";
    if (positionals.length > 1 || ![...ids, "all"].includes(which)) {
      throw new UsageError(
        `unknown paper "${positionals.join(" ")}"; valid: ${[...ids, "all"].join(", ")}`,
      );
    }
    const dir = out ?? "results";
    const chosen = which === "all" ? [...registry] : registry.filter((p) => p.id === which);
    const withResults: Paper[] = [];
    for (const p of chosen) if ((await loadResults(dir, p)).size > 0) withResults.push(p);
    if (withResults.length === 0) {
      throw new UsageError(
        `no result files under ${dir}/${which === "all" ? "<paper>" : which}/; run ` +
          `deno task reproduce first, or pass --out to the folder that holds them`,
      );
    }
    for (const p of chosen) {
      if (!withResults.includes(p)) {
        console.error(`skipped ${p.id}: no result files in ${dir}/${p.id}/`);
      }
    }
    targets = withResults.map((paper) => ({ out: dir, paper }));
  }
  for (const t of targets) console.log(`wrote ${(await writeReport(t.out, t.paper)).path}`);
  for (const dir of new Set(targets.map((t) => t.out))) {
    const papers = targets.filter((t) => t.out === dir).map((t) => t.paper);
    for (const path of await writeHtmlReport(dir, registry, papers)) console.log(`wrote ${path}`);
  }
  return 0;
}
