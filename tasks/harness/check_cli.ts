/**
 * `deno task check <paper|all> [--committed DIR] [--fresh DIR] [reproduce flags...]`: reruns the
 * paper's experiments into a new folder under `results/_check/` (or reads an existing fresh run with `--fresh`),
 * then prints, per published number, the committed value, the new one, whether the difference
 * is inside the record's tolerance, and whether the verdict changed. Exit 0 when no verdict
 * changed, 1 when one did, 2 on bad input.
 * @module
 */
import type { Paper, ProfileName } from "../core/experiment.ts";
import { PROFILES } from "../core/experiment.ts";
import { UsageError } from "../core/errors.ts";
import { reproduceMain } from "./cli.ts";
import { driftTable, paperDrift } from "./drift.ts";
import { loadResults } from "./verdicts.ts";

export const CHECK_USAGE =
  "usage: deno task check <paper|all> [--committed DIR] [--fresh DIR] [reproduce flags...]";

interface CheckArgs {
  committed: string;
  fresh: string | null;
  profile: ProfileName;
  target: string;
  rest: string[];
}

/** Take `--committed` / `--fresh` out of the arguments; the rest go to `reproduce`. */
export function parseCheckArgs(args: string[], registry: readonly Paper[]): CheckArgs | null {
  let committed = "results", fresh: string | null = null;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--help" || a === "-h") return null;
    const m = a.match(/^--(committed|fresh)(?:=(.*))?$/);
    if (!m) {
      rest.push(a);
      continue;
    }
    const value = m[2] ?? args[++i];
    if (value === undefined || value === "") throw new UsageError(`--${m[1]} needs a folder`);
    if (m[1] === "committed") committed = value;
    else fresh = value;
  }
  const positionals = rest.filter((a, i) => !a.startsWith("-") && !rest[i - 1]?.startsWith("--"));
  const ids = [...registry.map((p) => p.id), "all"];
  if (positionals.length !== 1 || !ids.includes(positionals[0]!)) {
    throw new UsageError(`expected one paper (${ids.join(", ")}), got "${positionals.join(" ")}"`);
  }
  const pi = rest.findIndex((a) => a === "--profile" || a.startsWith("--profile="));
  const profile = pi < 0
    ? "default"
    : rest[pi]!.includes("=")
    ? rest[pi]!.split("=")[1]!
    : rest[pi + 1] ?? "";
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new UsageError(`unknown profile "${profile}"; valid: ${PROFILES.join(", ")}`);
  }
  if (rest.some((a) => a === "--out" || a.startsWith("--out="))) {
    throw new UsageError(
      "--out is not a check flag: the rerun goes to a temporary folder (see --fresh)",
    );
  }
  return { committed, fresh, profile: profile as ProfileName, target: positionals[0]!, rest };
}

/** Entry point; returns the exit code. */
export async function checkMain(args: string[], registry: readonly Paper[]): Promise<number> {
  let parsed: CheckArgs | null;
  try {
    parsed = parseCheckArgs(args, registry);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (!parsed) {
    console.log(CHECK_USAGE);
    return 0;
  }
  let fresh = parsed.fresh;
  if (fresh === null) {
    // under results/_check/ (git-ignored), which the task's --allow-write covers
    await Deno.mkdir("results/_check", { recursive: true });
    fresh = await Deno.makeTempDir({ dir: "results/_check", prefix: "run-" });
    const code = await reproduceMain([...parsed.rest, "--out", fresh], registry);
    if (code !== 0) return code;
    console.log(`\nfresh run: ${fresh}`);
  }
  const papers = parsed.target === "all"
    ? [...registry]
    : registry.filter((p) => p.id === parsed.target);
  let changed = 0;
  for (const paper of papers) {
    const after = (await loadResults(fresh, paper)).get(parsed.profile);
    // Only experiments that were rerun are compared (`--only` reruns a subset).
    const before = new Map(
      [...(await loadResults(parsed.committed, paper)).get(parsed.profile) ?? []]
        .filter(([id]) => after?.has(id)),
    );
    const all = paperDrift(paper, parsed.profile, before, after);
    const rerun = (e: string) => after?.has(e) ?? false;
    const d = {
      rows: all.rows.filter((r) => rerun(r.record.experiment)),
      claims: all.claims.filter((c) => c.experiments.some(rerun)),
    };
    console.log(`\n${paper.id} — profile ${parsed.profile}: ${parsed.committed} vs ${fresh}\n`);
    console.log(driftTable(d));
    changed += d.rows.filter((r) => r.changed).length + d.claims.filter((c) => c.changed).length;
  }
  console.log(
    changed ? `\n${changed} verdict(s) changed` : "\nno verdict changed",
  );
  return changed ? 1 : 0;
}
