/**
 * Drift between committed results and a fresh run: per published record, the committed and the
 * new value, whether the difference is inside the record's tolerance (noise-aware for interval
 * timings: two intervals that overlap are inside), and whether the verdict changed; per claim,
 * whether its verdict changed. A changed verdict is what fails `deno task check`.
 * @module
 */
import type { Paper, ProfileName, PublishedRecord, ResultFile } from "../core/experiment.ts";
import type { ComparisonRow, OursValue } from "./compare.ts";
import { fmt } from "./report.ts";
import { profileVerdicts } from "./verdicts.ts";

/** One record's drift. */
export interface DriftRow {
  record: PublishedRecord;
  committed: ComparisonRow;
  fresh: ComparisonRow;
  /** new − committed (null when either is missing). */
  delta: number | null;
  /** Whether the difference is inside the tolerance (null when either value is missing). */
  inside: boolean | null;
  /** The verdict's outcome differs. */
  changed: boolean;
}

/** One claim's drift. */
export interface ClaimDrift {
  id: string;
  /** Experiments whose results the claim's verdict reads. */
  experiments: string[];
  committed: string;
  fresh: string;
  changed: boolean;
}

/** Whether two values of a metric differ by no more than its tolerance (or its noise). */
export function insideTolerance(r: PublishedRecord, a: OursValue, b: OursValue): boolean {
  if (a.interval && b.interval) {
    return a.interval.lo <= b.interval.hi && b.interval.lo <= a.interval.hi;
  }
  const d = Math.abs(a.mean - b.mean);
  const tol = Math.max(
    r.tolerance.abs ?? 0,
    (r.tolerance.rel ?? 0) * Math.abs(r.value),
    Math.hypot(a.std ?? 0, b.std ?? 0),
  );
  return d <= tol;
}

/** Drift of every record and claim of one profile. */
export function paperDrift(
  paper: Paper,
  profile: ProfileName,
  committed: Map<string, ResultFile> | undefined,
  fresh: Map<string, ResultFile> | undefined,
): { rows: DriftRow[]; claims: ClaimDrift[] } {
  const before = profileVerdicts(paper, profile, committed);
  const after = profileVerdicts(paper, profile, fresh);
  const all = (v: typeof before) => [...v.rows, ...v.targets];
  const a = all(after);
  const rows = all(before).map((c) => {
    const f = a.find((x) => x.record === c.record)!;
    const both = c.ours && f.ours;
    return {
      record: c.record,
      committed: c,
      fresh: f,
      delta: both ? f.ours!.mean - c.ours!.mean : null,
      inside: both ? insideTolerance(c.record, c.ours!, f.ours!) : null,
      changed: c.outcome !== f.outcome,
    };
  });
  const claims = before.claims.map((c, i) => {
    const f = after.claims[i]!;
    return {
      id: c.claim.id,
      experiments: [...new Set(c.claim.tests.map((t) => t.experiment))],
      committed: c.outcome,
      fresh: f.outcome,
      changed: c.outcome !== f.outcome,
    };
  });
  return { rows, claims };
}

function cell(row: ComparisonRow): string {
  if (!row.ours) return "–";
  const iv = row.ours.interval;
  return iv ? `${fmt(row.ours.mean)} [${fmt(iv.lo)}, ${fmt(iv.hi)}]` : fmt(row.ours.mean);
}

/** A plain-text drift table for the terminal. */
export function driftTable(d: { rows: DriftRow[]; claims: ClaimDrift[] }): string {
  const head = ["experiment", "metric", "committed", "new", "Δ", "tolerance", "verdict"];
  const body = d.rows.map((r) => [
    r.record.experiment,
    r.record.metric,
    cell(r.committed),
    cell(r.fresh),
    fmt(r.delta),
    r.inside === null ? "–" : r.inside ? "inside" : "OUTSIDE",
    r.changed ? `CHANGED ${r.committed.outcome} → ${r.fresh.outcome}` : r.fresh.outcome,
  ]);
  const claims = d.claims.map((c) => [
    "claim",
    c.id,
    c.committed,
    c.fresh,
    "",
    "",
    c.changed ? `CHANGED ${c.committed} → ${c.fresh}` : "same",
  ]);
  const all = [...body, ...claims];
  const widths = head.map((h, i) => Math.max(h.length, ...all.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...all.map(line)].join("\n");
}
