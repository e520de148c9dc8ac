/**
 * Everything a report shows, as data: per profile, the paper's claims with one verdict each,
 * the comparison rows (project targets apart) and which results are stale. `REPORT.md` and the
 * HTML page both render from {@link paperVerdicts} / {@link loadPaperVerdicts}.
 *
 * A claim's verdict follows from the rows of the records it names (context-only rows never
 * decide it):
 * - `cannot run here: …` / `not run: …` when the claim says so (no experiment tests it);
 * - `cannot run here: …` when every deciding row is published only;
 * - `not run at this profile` when none of them has a result;
 * - `reproduced` when every deciding row with a result passes, and the tests cover the whole
 *   claim; `partly: …` when some pass (naming which) or the tests cover only the claim's
 *   `scope`;
 * - `extrapolated only` when nothing passes and the rows that ran are extrapolated;
 * - `inconclusive (noise)` when nothing passes and nothing fails;
 * - `not reproduced: …` otherwise, with the failing rows' verdicts.
 * @module
 */
import type { Claim, Paper, ProfileName, PublishedRecord, ResultFile } from "../core/experiment.ts";
import { PROFILES } from "../core/experiment.ts";
import { compareRecord, type ComparisonRow, PASSING } from "./compare.ts";
import { experimentCodeHash, type Staleness, staleness } from "./code_hash.ts";
import { renderTemplate } from "./template.ts";
import { readJsonOrNull } from "../core/json.ts";
import { resultPath } from "./paths.ts";

/** What a claim's verdict means, for filters and counts. */
export type ClaimOutcome =
  | "reproduced"
  | "partly"
  | "not reproduced"
  | "extrapolated only"
  | "inconclusive"
  | "not run"
  | "cannot run here";

/** One claim with its verdict at one profile. */
export interface ClaimRow {
  claim: Claim;
  outcome: ClaimOutcome;
  verdict: string;
  /** The rows of the records the claim names. */
  rows: ComparisonRow[];
  /** The claim's evidence lines, filled in from the results. */
  evidence: string[];
}

/** Everything the report shows for one profile. */
export interface ProfileVerdicts {
  profile: ProfileName;
  claims: ClaimRow[];
  /** Rows of every record except project targets. */
  rows: ComparisonRow[];
  /** Rows of project targets (own section, never a reproduction). */
  targets: ComparisonRow[];
  /** Staleness of each experiment's result at this profile (absent: no result). */
  stale: Record<string, Staleness>;
}

/** Everything the report shows for one paper. */
export interface PaperVerdicts {
  paper: { id: string; title: string; arxiv: string };
  profiles: ProfileVerdicts[];
}

/** Does a claim's test name this record? */
export function testsRecord(claim: Claim, r: PublishedRecord): boolean {
  return claim.tests.some((t) =>
    t.experiment === r.experiment && t.metric === r.metric &&
    (t.label === undefined || t.label === r.label)
  );
}

/** A row's short name: its metric, with the label where several rows share the metric. */
function rowNamer(rows: readonly ComparisonRow[]): (row: ComparisonRow) => string {
  const count = new Map<string, number>();
  for (const r of rows) count.set(r.record.metric, (count.get(r.record.metric) ?? 0) + 1);
  return (row) =>
    (count.get(row.record.metric) ?? 0) > 1 && row.record.label
      ? `${row.record.metric} (${row.record.label})`
      : row.record.metric;
}

/** Rows as "name, name: verdict; …", rows that share a verdict named together. */
function grouped(rows: readonly ComparisonRow[], rowName: (r: ComparisonRow) => string): string {
  const by = new Map<string, string[]>();
  for (const r of rows) by.set(r.verdict, [...(by.get(r.verdict) ?? []), rowName(r)]);
  return [...by].map(([verdict, names]) => `${names.join(", ")}: ${verdict}`).join("; ");
}

/** The verdict of one claim from its rows. */
export function claimVerdict(
  claim: Claim,
  rows: readonly ComparisonRow[],
): { outcome: ClaimOutcome; verdict: string } {
  if (claim.cannotRun) {
    return { outcome: "cannot run here", verdict: `cannot run here: ${claim.cannotRun}` };
  }
  if (claim.notRun) return { outcome: "not run", verdict: `not run: ${claim.notRun}` };
  const deciding = rows.filter((r) =>
    r.outcome !== "context" && r.record.kind !== "project-target"
  );
  if (deciding.length === 0) {
    return { outcome: "not run", verdict: "not run: no row here can decide it (context only)" };
  }
  if (deciding.every((r) => r.outcome === "published only")) {
    const why = deciding[0]!.record.publishedOnly!;
    return { outcome: "cannot run here", verdict: `cannot run here: ${why}` };
  }
  const ran = deciding.filter((r) => r.outcome !== "not run" && r.outcome !== "published only");
  if (ran.length === 0) return { outcome: "not run", verdict: "not run at this profile" };
  const pass = ran.filter((r) => PASSING.has(r.outcome));
  const rest = deciding.filter((r) => !PASSING.has(r.outcome));
  const rowName = rowNamer(rows);
  const others = grouped(rest, rowName);
  if (pass.length === ran.length && rest.length === 0) {
    return claim.scope
      ? { outcome: "partly", verdict: `partly: reproduced for ${claim.scope} only` }
      : { outcome: "reproduced", verdict: "reproduced" };
  }
  if (pass.length > 0) {
    const scope = claim.scope ? ` (tests cover ${claim.scope})` : "";
    return {
      outcome: "partly",
      verdict: `partly${scope}: reproduced: ${pass.map(rowName).join(", ")}; not: ${others}`,
    };
  }
  if (ran.every((r) => r.outcome === "extrapolated")) {
    return { outcome: "extrapolated only", verdict: `extrapolated only: ${others}` };
  }
  const failing = ran.filter((r) => r.outcome !== "extrapolated" && r.outcome !== "inconclusive");
  if (failing.length === 0) {
    return { outcome: "inconclusive", verdict: `inconclusive (noise): ${others}` };
  }
  return { outcome: "not reproduced", verdict: `not reproduced: ${others}` };
}

/** Fill a claim's evidence templates: `{<experiment>.metrics.x}` reads that experiment's result. */
export function renderEvidence(
  claim: Claim,
  results: Map<string, ResultFile> | undefined,
): string[] {
  const data = Object.fromEntries(results ?? []);
  return (claim.evidence ?? []).map((t) => renderTemplate(t, data).text);
}

/** The claims, rows and targets of one profile. */
export function profileVerdicts(
  paper: Paper,
  profile: ProfileName,
  results: Map<string, ResultFile> | undefined,
  stale: Record<string, Staleness> = {},
): ProfileVerdicts {
  const all = paper.published.records.map((r) =>
    compareRecord(r, profile, results?.get(r.experiment) ?? null)
  );
  const claims = (paper.published.claims ?? []).map((claim) => {
    // A project target is never evidence for a paper's claim: it has its own section.
    const rows = all.filter((row) =>
      row.record.kind !== "project-target" && testsRecord(claim, row.record)
    );
    return { claim, ...claimVerdict(claim, rows), rows, evidence: renderEvidence(claim, results) };
  });
  return {
    profile,
    claims,
    rows: all.filter((r) => r.record.kind !== "project-target"),
    targets: all.filter((r) => r.record.kind === "project-target"),
    stale,
  };
}

/** The verdicts of every profile that has results (the default profile when none has). */
export function paperVerdicts(
  paper: Paper,
  results: Map<ProfileName, Map<string, ResultFile>>,
  stale: Map<ProfileName, Record<string, Staleness>> = new Map(),
): PaperVerdicts {
  const profiles = PROFILES.filter((p) => results.has(p));
  if (profiles.length === 0) profiles.push("default");
  return {
    paper: { id: paper.id, title: paper.title, arxiv: paper.arxiv },
    profiles: profiles.map((p) => profileVerdicts(paper, p, results.get(p), stale.get(p))),
  };
}

/** Result files of a paper, by profile and experiment id (current version of each). */
export async function loadResults(
  out: string,
  paper: Paper,
): Promise<Map<ProfileName, Map<string, ResultFile>>> {
  const all = new Map<ProfileName, Map<string, ResultFile>>();
  for (const profile of PROFILES) {
    const byExp = new Map<string, ResultFile>();
    for (const exp of paper.experiments) {
      const r = await readJsonOrNull<ResultFile>(
        resultPath(out, paper.id, exp.id, profile, exp.version),
      );
      if (r) byExp.set(exp.id, r);
    }
    if (byExp.size > 0) all.set(profile, byExp);
  }
  return all;
}

/** Staleness of every loaded result against the current code. */
export async function resultStaleness(
  paper: Paper,
  results: Map<ProfileName, Map<string, ResultFile>>,
): Promise<Map<ProfileName, Record<string, Staleness>>> {
  const now = new Map<string, Awaited<ReturnType<typeof experimentCodeHash>>>();
  for (const exp of paper.experiments) now.set(exp.id, await experimentCodeHash(paper.id, exp.id));
  const out = new Map<ProfileName, Record<string, Staleness>>();
  for (const [profile, byExp] of results) {
    const rec: Record<string, Staleness> = {};
    for (const [id, r] of byExp) rec[id] = staleness(r, now.get(id) ?? null);
    out.set(profile, rec);
  }
  return out;
}

/** Load a paper's results from `out` and compute everything the report shows. */
export async function loadPaperVerdicts(
  out: string,
  paper: Paper,
): Promise<{ verdicts: PaperVerdicts; results: Map<ProfileName, Map<string, ResultFile>> }> {
  const results = await loadResults(out, paper);
  const stale = await resultStaleness(paper, results);
  return { verdicts: paperVerdicts(paper, results, stale), results };
}
