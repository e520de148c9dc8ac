/**
 * Compares result files with a paper's published numbers and gives each a verdict that cannot
 * over-claim. The rules, in order (each pinned by `compare_test.ts`):
 *
 * 1. `published only: …`: the record says there is no data or hardware here to run it.
 * 2. `not run at this profile`: no result file for this profile, or the metric is missing.
 * 3. `context only`: a hardware-bound absolute (`kind: "hardware-bound"`): shown with its ratio,
 *    never a pass or a fail.
 * 4. `extrapolated`: the metric's name ends in `Extrapolated` (the experiment's mark for a
 *    value that depends on an extrapolation): never reproduced, whichever side it falls on.
 * 5. Interval metrics (`{median, lo, hi, rounds, level}`): a verdict only when both ends of the
 *    interval get the same one (so the whole interval is on one side of the published value),
 *    else `inconclusive (noise)`.
 *    A record with `needsInterval` (a timing ratio) whose metric is a single number is
 *    `inconclusive (noise)` too.
 * 6. `kind: "project-target"`: `target met` or `target missed`, never a reproduction.
 * 7. Otherwise, in the metric's direction: `reproduced` (at least as good, within tolerance;
 *    or better beyond it when the record says `betterIsPass`), `better than published` (beyond
 *    the tolerance and not counted), `within tolerance` (worse but inside it), `known gap: …`
 *    (worse, with the record's reason rendered from the result) or `differs`. For direction
 *    `none`: within max(1%, the seeds' std) is `reproduced`, within tolerance `within
 *    tolerance`, else `differs` / `known gap`.
 * @module
 */
import type { ProfileName, PublishedRecord, ResultFile } from "../core/experiment.ts";
import { isSeedStat } from "../core/stats.ts";
import { renderTemplate } from "./template.ts";

/** A repeated timing as median and a confidence interval (written by interleaved benches). */
export interface IntervalStat {
  median: number;
  lo: number;
  hi: number;
  rounds: number;
  level: number;
}

/** True when a metric value is an {@link IntervalStat}. */
export function isIntervalStat(v: unknown): v is IntervalStat {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return ["median", "lo", "hi", "rounds", "level"].every((k) => typeof o[k] === "number");
}

/** Our value of a metric: mean ± std over seeds, or a median with its interval. */
export interface OursValue {
  mean: number;
  std: number | null;
  n: number;
  /** Present for interval metrics. */
  interval?: { lo: number; hi: number; level: number };
}

/** What a row's verdict means, for filters and counts. */
export type Outcome =
  | "reproduced"
  | "within tolerance"
  | "better"
  | "differs"
  | "known gap"
  | "extrapolated"
  | "inconclusive"
  | "context"
  | "target met"
  | "target missed"
  | "not run"
  | "published only";

/** Outcomes that count as reproducing the record. */
export const PASSING: ReadonlySet<Outcome> = new Set(["reproduced", "within tolerance"]);

/** One row of the comparison table. */
export interface ComparisonRow {
  record: PublishedRecord;
  profile: ProfileName;
  ours: OursValue | null;
  /** ours / published (null when published is 0 or ours missing). */
  ratio: number | null;
  /** ours − published. */
  difference: number | null;
  outcome: Outcome;
  /** The verdict as shown: the outcome in words, with its reason. */
  verdict: string;
}

/** Read a metric as mean ± std (or median with its interval); null when absent or not numeric. */
export function metricValue(result: ResultFile, metric: string): OursValue | null {
  const v = result.metrics[metric] as unknown;
  if (typeof v === "number" && Number.isFinite(v)) return { mean: v, std: null, n: 1 };
  if (isSeedStat(v) && Number.isFinite(v.mean)) return { mean: v.mean, std: v.std, n: v.n };
  if (isIntervalStat(v) && [v.median, v.lo, v.hi].every(Number.isFinite)) {
    return {
      mean: v.median,
      std: null,
      n: v.rounds,
      interval: { lo: v.lo, hi: v.hi, level: v.level },
    };
  }
  return null;
}

/** True when a metric's value depends on an extrapolation (its name ends in `Extrapolated`). */
export function isExtrapolatedMetric(metric: string): boolean {
  return /Extrapolated$/.test(metric);
}

function withinTolerance(r: PublishedRecord, ours: number): boolean {
  const d = Math.abs(ours - r.value);
  const { abs, rel } = r.tolerance;
  if (abs !== undefined && d <= abs) return true;
  if (rel !== undefined && d <= rel * Math.abs(r.value)) return true;
  return d === 0;
}

/** Where one value falls against a record; both ends of an interval must fall alike. */
type Side =
  | "match"
  | "better-inside"
  | "better-beyond"
  | "worse-inside"
  | "worse-beyond-low"
  | "worse-beyond-high";

function side(r: PublishedRecord, x: number, std: number | null): Side {
  const inside = withinTolerance(r, x);
  if (r.direction === "none") {
    if (Math.abs(x - r.value) <= Math.max(0.01 * Math.abs(r.value), std ?? 0)) return "match";
    if (inside) return "worse-inside";
    return x < r.value ? "worse-beyond-low" : "worse-beyond-high";
  }
  const better = r.direction === "higher" ? x >= r.value : x <= r.value;
  if (better) return inside ? "better-inside" : "better-beyond";
  return inside
    ? "worse-inside"
    : r.direction === "higher"
    ? "worse-beyond-low"
    : "worse-beyond-high";
}

/**
 * The side of an interval's median when both ends lead to the same verdict (better beyond the
 * tolerance and better inside it are one verdict where better is a pass), else null.
 */
function intervalSide(
  r: PublishedRecord,
  median: number,
  iv: { lo: number; hi: number },
): Side | null {
  const norm = (x: Side): Side => x === "better-beyond" && r.betterIsPass ? "better-inside" : x;
  const lo = norm(side(r, iv.lo, null)), hi = norm(side(r, iv.hi, null));
  return lo === hi ? side(r, median, null) : null;
}

function sideInWords(s: Side, r: PublishedRecord): string {
  switch (s) {
    case "match":
    case "better-inside":
      return "at least as good as published, within tolerance";
    case "better-beyond":
      return "better than published beyond the tolerance";
    case "worse-inside":
      return "worse than published but within tolerance";
    default:
      return r.direction === "none"
        ? "outside the tolerance"
        : "worse than published beyond the tolerance";
  }
}

/** Compare one record with the result of one profile (or its absence). */
export function compareRecord(
  record: PublishedRecord,
  profile: ProfileName,
  result: ResultFile | null,
): ComparisonRow {
  const base = { record, profile, ours: null, ratio: null, difference: null };
  if (record.publishedOnly) {
    return {
      ...base,
      outcome: "published only",
      verdict: `published only: ${record.publishedOnly}`,
    };
  }
  const ours = result ? metricValue(result, record.metric) : null;
  if (!ours || !result) {
    // A run that could not produce the metric says why when the record knows.
    const why = result && record.knownGap
      ? `: ${renderTemplate(record.knownGap, result).text}`
      : "";
    return { ...base, outcome: "not run", verdict: `not run at this profile${why}` };
  }
  const ratio = record.value !== 0 ? ours.mean / record.value : null;
  const row = { record, profile, ours, ratio, difference: ours.mean - record.value };
  const done = (outcome: Outcome, verdict: string): ComparisonRow => ({ ...row, outcome, verdict });
  if (record.kind === "hardware-bound") {
    const r = ratio !== null ? `; ours/published = ${ratio.toPrecision(3)}` : "";
    return done("context", `context only (hardware-bound absolute, not a verdict)${r}`);
  }
  const s = ours.interval
    ? intervalSide(record, ours.mean, ours.interval)
    : side(record, ours.mean, ours.std);
  if (isExtrapolatedMetric(record.metric)) {
    const where = s ? sideInWords(s, record) : "its interval straddles the published value";
    return done("extrapolated", `extrapolated, not measured (${where})`);
  }
  if (record.needsInterval && !ours.interval) {
    return done(
      "inconclusive",
      "inconclusive (noise): a single timing without an interval; this ratio needs interleaved rounds",
    );
  }
  if (s === null) {
    const iv = ours.interval!;
    return done(
      "inconclusive",
      `inconclusive (noise): the ${Math.round(iv.level * 100)}% interval ` +
        `[${iv.lo.toPrecision(4)}, ${iv.hi.toPrecision(4)}] is not on one side of ${record.value}`,
    );
  }
  const pass = s === "match" || s === "better-inside" || s === "worse-inside" ||
    (s === "better-beyond" && record.betterIsPass === true);
  if (record.kind === "project-target") {
    return pass || s === "better-beyond"
      ? done("target met", "target met (project target, not a reproduction)")
      : done("target missed", "target missed (project target, not a reproduction)");
  }
  if (s === "match" || s === "better-inside") return done("reproduced", "reproduced");
  if (s === "better-beyond") {
    return record.betterIsPass
      ? done("reproduced", "reproduced (better than published; the record counts better as a pass)")
      : done(
        "better",
        "better than published (not counted: the record does not say better is a pass)",
      );
  }
  if (s === "worse-inside") return done("within tolerance", "within tolerance");
  if (record.knownGap) {
    return done("known gap", `known gap: ${renderTemplate(record.knownGap, result).text}`);
  }
  return done("differs", "differs");
}
