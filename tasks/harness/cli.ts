/**
 * `deno task reproduce <paper|all> [flags]`: validates everything before writing anything, then
 * runs the selected experiments and writes result files and REPORT.md per paper.
 * @module
 */
import type { AnyExperiment, Config, Paper, ProfileName } from "../core/experiment.ts";
import { PROFILES } from "../core/experiment.ts";
import { UsageError } from "../core/errors.ts";
import {
  applyOverrides,
  checkLimits,
  type Override,
  parseOverride,
  parseSeeds,
  parseShard,
  type Shard,
} from "./config.ts";
import { BACKEND_CHOICES, type BackendChoice, setupBackend } from "../engine/mod.ts";
import { runExperiment } from "./runner.ts";
import { comparisonRows, loadResults, terminalTable, writeReport } from "./report.ts";
import { stderrSink } from "./progress.ts";
import { checkOutDir, parseStrict } from "./args.ts";
import { runMain } from "./main.ts";
import { outsideOutHint, reproduceNeeds, requirePermissions } from "./permissions.ts";

export const REPRODUCE_USAGE =
  `usage: deno task reproduce <paper|all> [--only e1,e2] [--profile smoke|default|paper]
       [--backend auto|webgpu|wasm|cpu] [--seeds 1,2,3] [--set key=value]... [--out DIR] [--shard i/n] [--verbose]`;

const OPTIONS = {
  only: { type: "string" },
  profile: { type: "string" },
  backend: { type: "string" },
  seeds: { type: "string" },
  set: { type: "string", multiple: true },
  out: { type: "string" },
  shard: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** A fully validated reproduce request. */
export interface ReproducePlan {
  papers: Paper[];
  experiments: Map<string, AnyExperiment[]>;
  configs: Map<string, Config>;
  profile: ProfileName;
  backend: BackendChoice;
  seeds: number[] | null;
  out: string;
  shard: Shard | null;
}

/** Parse argv strictly (unknown or repeated flags are one-line usage errors). */
export function parseFlags(args: string[]) {
  return parseStrict(args, OPTIONS);
}

function known(papers: readonly Paper[]): string[] {
  return papers.flatMap((p) => p.experiments.map((e) => e.id));
}

function choose<T extends string>(what: string, value: string, valid: readonly T[]): T {
  if (!(valid as readonly string[]).includes(value)) {
    throw new UsageError(`unknown ${what} "${value}"; valid: ${valid.join(", ")}`);
  }
  return value as T;
}

/** Validate a reproduce command line against the registry. Throws UsageError. */
export function planReproduce(args: string[], registry: readonly Paper[]): ReproducePlan | null {
  const { values, positionals } = parseFlags(args);
  if (values.help) return null;
  const ids = registry.map((p) => p.id);
  if (positionals.length !== 1) {
    throw new UsageError(
      `expected one paper (${[...ids, "all"].join(", ")}), got ${positionals.length}`,
    );
  }
  const target = choose("paper", positionals[0]!, [...ids, "all"]);
  const papers = target === "all" ? [...registry] : registry.filter((p) => p.id === target);
  const profile = choose("profile", values.profile ?? "default", PROFILES);
  const backend = choose("backend", values.backend ?? "auto", BACKEND_CHOICES);
  const seeds = values.seeds !== undefined ? parseSeeds(values.seeds) : null;
  const shard = values.shard !== undefined ? parseShard(values.shard) : null;
  const overrides: Override[] = (values.set ?? []).map(parseOverride);
  const experiments = new Map<string, AnyExperiment[]>();
  const only = values.only?.split(",").map((s) => s.trim()).filter((s) => s) ?? null;
  if (only !== null && only.length === 0) {
    throw new UsageError(`--only names no experiment; give e.g. --only ${known(papers)[0]}`);
  }
  for (const id of only ?? []) choose("experiment", id, known(papers));
  for (const p of papers) {
    const chosen = p.experiments.filter((e) => !only || only.includes(e.id));
    if (chosen.length > 0) experiments.set(p.id, chosen);
  }
  const base = new Map<string, Config>();
  for (const list of experiments.values()) {
    for (const e of list) base.set(e.id, e.profiles[profile] as Config);
  }
  const configs = applyOverrides(base, overrides);
  for (const list of experiments.values()) {
    for (const e of list) checkLimits(e.id, configs.get(e.id)!, e.limits, overrides);
  }
  const out = checkOutDir(values.out ?? (profile === "smoke" ? "results/_smoke" : "results"));
  return {
    papers: papers.filter((p) => experiments.has(p.id)),
    experiments,
    configs,
    profile,
    backend,
    seeds,
    out,
    shard,
  };
}

/** Entry point; returns the process exit code. */
export function reproduceMain(args: string[], registry: readonly Paper[]): Promise<number> {
  return runMain(args, (a) => reproduce(a, registry));
}

async function reproduce(args: string[], registry: readonly Paper[]): Promise<number> {
  const plan = planReproduce(args, registry);
  if (!plan) {
    console.log(REPRODUCE_USAGE);
    return 0;
  }
  requirePermissions(reproduceNeeds(plan.out), `--out ${plan.out}`, outsideOutHint(plan.out));
  let backend;
  try {
    backend = await setupBackend(plan.backend);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const sink = stderrSink();
  sink.write(`backend: ${backend.name} (${backend.reason}); profile ${plan.profile}\n`);
  const command = `deno task reproduce ${args.join(" ")}`;
  for (const paper of plan.papers) {
    for (const exp of plan.experiments.get(paper.id)!) {
      const seeds = plan.seeds ?? [...exp.seeds[plan.profile]];
      const outcome = await runExperiment({
        paper: paper.id,
        experiment: exp,
        profile: plan.profile,
        config: plan.configs.get(exp.id)!,
        seeds,
        backend,
        out: plan.out,
        shard: plan.shard,
        sink,
        command,
      });
      sink.write(
        `wrote ${outcome.path} (${outcome.cellsRun} cells run, ${outcome.cellsResumed} resumed)\n`,
      );
    }
    if (plan.shard && plan.shard.count > 1) continue;
    const { path } = await writeReport(plan.out, paper);
    const results = await loadResults(plan.out, paper);
    console.log(`\n${paper.title} — profile ${plan.profile}\n`);
    console.log(terminalTable(comparisonRows(paper, plan.profile, results.get(plan.profile))));
    console.log(`\nreport: ${path}`);
  }
  return 0;
}
