/**
 * Compares result files with a paper's published numbers and gives each a verdict.
 *
 * Verdicts:
 * - `reproduced`: ours is at least as good as published in the metric's direction (or, for
 *   direction `none`, within 1% / within the seeds' spread).
 * - `within tolerance`: worse than published, but within the record's tolerance.
 * - `differs`: outside tolerance.
 * - `known gap: …`: outside tolerance, and the record says why we cannot match it.
 * - `not run at this profile`: no result file for this profile, or the metric is missing.
 * - `published only: …`: no data or hardware here to run it.
 * @module
 */
import type { ProfileName, PublishedRecord, ResultFile } from "../core/experiment.ts";
import { isSeedStat } from "../core/stats.ts";

/** One row of the comparison table. */
export interface ComparisonRow {
  record: PublishedRecord;
  profile: ProfileName;
  ours: { mean: number; std: number | null; n: number } | null;
  /** ours / published (null when published is 0 or ours missing). */
  ratio: number | null;
  /** ours − published. */
  difference: number | null;
  verdict: string;
}

/** Read a metric as mean ± std, or null when absent or not numeric. */
export function metricValue(
  result: ResultFile,
  metric: string,
): { mean: number; std: number | null; n: number } | null {
  const v = result.metrics[metric] as unknown;
  if (typeof v === "number" && Number.isFinite(v)) return { mean: v, std: null, n: 1 };
  if (isSeedStat(v) && Number.isFinite(v.mean)) return { mean: v.mean, std: v.std, n: v.n };
  return null;
}

function withinTolerance(r: PublishedRecord, ours: number): boolean {
  const d = Math.abs(ours - r.value);
  const { abs, rel } = r.tolerance;
  if (abs !== undefined && d <= abs) return true;
  if (rel !== undefined && d <= rel * Math.abs(r.value)) return true;
  return false;
}

function asGood(r: PublishedRecord, ours: { mean: number; std: number | null }): boolean {
  if (r.direction === "higher") return ours.mean >= r.value;
  if (r.direction === "lower") return ours.mean <= r.value;
  const spread = Math.max(0.01 * Math.abs(r.value), ours.std ?? 0);
  return Math.abs(ours.mean - r.value) <= spread;
}

/** Compare one record with the result of one profile (or its absence). */
export function compareRecord(
  record: PublishedRecord,
  profile: ProfileName,
  result: ResultFile | null,
): ComparisonRow {
  const base = { record, profile, ours: null, ratio: null, difference: null };
  if (record.publishedOnly) return { ...base, verdict: `published only: ${record.publishedOnly}` };
  const ours = result ? metricValue(result, record.metric) : null;
  if (!ours) return { ...base, verdict: "not run at this profile" };
  const ratio = record.value !== 0 ? ours.mean / record.value : null;
  const difference = ours.mean - record.value;
  let verdict: string;
  if (asGood(record, ours)) verdict = "reproduced";
  else if (withinTolerance(record, ours.mean)) verdict = "within tolerance";
  else if (record.knownGap) verdict = `known gap: ${record.knownGap}`;
  else verdict = "differs";
  return { record, profile, ours, ratio, difference, verdict };
}
