/**
 * `deno task report [paper|all] [--out DIR] [--merge PATH...]`: regenerates REPORT.md from the
 * result files, after merging shard outputs when `--merge` names shard files or folders.
 * @module
 */
import { parseArgs } from "node:util";
import type { Paper } from "../core/experiment.ts";
import { UsageError } from "../core/errors.ts";
import { findShardFiles, mergeShards } from "./merge.ts";
import { writeReport } from "./report.ts";
import { writeHtmlReport } from "./html_report.ts";

export const REPORT_USAGE = "usage: deno task report [paper|all] [--out DIR] [--merge PATH...]";

/** Entry point; returns the exit code. */
export async function reportMain(args: string[], registry: readonly Paper[]): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          out: { type: "string", default: "results" },
          merge: { type: "boolean", default: false },
          help: { type: "boolean", short: "h" },
        },
      });
    } catch (e) {
      throw new UsageError(`${(e as Error).message}; valid flags: --out, --merge, --help`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      console.log(REPORT_USAGE);
      return 0;
    }
    const out = values.out!;
    let targets: Paper[];
    if (values.merge) {
      const files = await findShardFiles(positionals.length ? positionals : [out]);
      const { written, papers } = await mergeShards(files, registry, out);
      for (const w of written) console.log(`merged ${w}`);
      targets = registry.filter((p) => papers.has(p.id));
    } else {
      const ids = registry.map((p) => p.id);
      const which = positionals[0] ?? "all";
      if (positionals.length > 1 || ![...ids, "all"].includes(which)) {
        throw new UsageError(
          `unknown paper "${positionals.join(" ")}"; valid: ${[...ids, "all"].join(", ")}`,
        );
      }
      targets = which === "all" ? [...registry] : registry.filter((p) => p.id === which);
    }
    for (const p of targets) console.log(`wrote ${(await writeReport(out, p)).path}`);
    for (const path of await writeHtmlReport(out, registry, targets)) console.log(`wrote ${path}`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
