/**
 * Writes `results/<paper>/REPORT.md`: for every profile with results, first the paper's claims
 * with one verdict each, then a table of every published number next to ours (mean ± std over
 * seeds), ratio, difference and verdict, the project targets apart, then the figures, the notes
 * and the provenance of each result file, marking results whose code has changed as stale.
 * @module
 */
import type { Paper, ProfileName, ResultFile } from "../core/experiment.ts";
import { compareRecord, type ComparisonRow } from "./compare.ts";
import { writeAtomic } from "../core/json.ts";
import {
  type ClaimRow,
  loadPaperVerdicts,
  type PaperVerdicts,
  paperVerdicts,
  type ProfileVerdicts,
} from "./verdicts.ts";

export { loadResults } from "./verdicts.ts";

/** Format a number compactly for a table. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(2);
  if (Number.isInteger(x)) return String(x);
  return a >= 100 ? x.toFixed(1) : a >= 1 ? x.toFixed(3) : x.toPrecision(3);
}

function oursCell(row: ComparisonRow): string {
  if (!row.ours) return "–";
  const s = row.ours.std !== null && row.ours.n > 1
    ? ` ± ${fmt(row.ours.std)} (n=${row.ours.n})`
    : "";
  return fmt(row.ours.mean) + s;
}

function arrow(d: string): string {
  return d === "higher" ? "↑" : d === "lower" ? "↓" : "=";
}

function escapeCell(s: string): string {
  return s.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** The comparison rows of one profile. */
export function comparisonRows(
  paper: Paper,
  profile: ProfileName,
  results: Map<string, ResultFile> | undefined,
): ComparisonRow[] {
  return paper.published.records.map((r) =>
    compareRecord(r, profile, results?.get(r.experiment) ?? null)
  );
}

function rowLine(row: ComparisonRow, stale: boolean): string {
  const r = row.record;
  const metric = r.label ? `${r.metric} (${r.label})` : r.metric;
  const verdict = escapeCell(row.verdict) + (stale ? " **(stale result)**" : "");
  return `| ${r.experiment} | ${escapeCell(metric)} | ${arrow(r.direction)} | ${
    `${fmt(r.value)} ${escapeCell(r.unit)}`.trim()
  } | ${oursCell(row)} | ${fmt(row.ratio)} | ${fmt(row.difference)} | ${verdict} | ${r.kind} | ${
    escapeCell(r.source)
  } ${r.tag} |`;
}

function claimLine(c: ClaimRow): string {
  const seen = new Set<string>();
  const tested = c.rows.filter((row) => {
    const k = `${row.record.experiment}.${row.record.metric}`;
    return !seen.has(k) && seen.add(k);
  }).map((row) => `${row.record.metric} = ${oursCell(row)}`).join("; ") || "–";
  const evidence = c.evidence.length ? c.evidence.map(escapeCell).join(" ") : "";
  return `| ${escapeCell(c.claim.claim)} | “${escapeCell(c.claim.quote)}” (${
    escapeCell(c.claim.source)
  } ${c.claim.tag}) | **${escapeCell(c.verdict)}** | ${escapeCell(tested)} | ${evidence} |`;
}

const LEGEND = [
  "Claim verdicts: *reproduced*; *partly* (which part is said); *not reproduced*; *extrapolated",
  "only*; *inconclusive (noise)*; *not run* (no experiment yet, or not at this profile); *cannot",
  "run here* (reason given). Row verdicts: *reproduced* = at least as good as published within",
  "tolerance (better beyond it only where the record says better is a pass; else *better than",
  "published*, not counted); *within tolerance* = worse but inside it; *differs*; *known gap*",
  "(reason rendered from the result file); *extrapolated* (never a reproduction); *inconclusive",
  "(noise)* (an interval on both sides of the published value); *context only* (hardware-bound",
  "absolutes: no verdict); *not run at this profile*; *published only*. Kinds: paper-measured,",
  "read-off-plot, hardware-bound, computed-from-model (an independent implementation of the",
  "paper's model), project-target (own section, never a reproduction). Tags: [text]/[read] read",
  "in the paper, [fig≈] read off a plot (±30%), [recalled] unverified, [derived]/[computed]",
  "worked out from the paper's model. A *stale* result was written by code that has changed since.",
];

function renderProfile(
  paper: Paper,
  pv: ProfileVerdicts,
  byExp: Map<string, ResultFile> | undefined,
): string[] {
  const { profile } = pv;
  const lines: string[] = [`## Profile \`${profile}\``, ""];
  const staleIds = Object.entries(pv.stale).filter(([, s]) => s.stale);
  if (staleIds.length) {
    lines.push("**Stale results** (rerun to refresh):", "");
    for (const [id, s] of staleIds) lines.push(`- ${id}: ${s.reason}`);
    lines.push("");
  }
  lines.push(
    `### Claims (profile \`${profile}\`)`,
    "",
    "| claim | the paper's words (source) | verdict | tested by (ours) | measured here |",
    "|---|---|---|---|---|",
    ...pv.claims.map(claimLine),
    "",
    `### Published numbers (profile \`${profile}\`)`,
    "",
    "| experiment | metric | ↑/↓ | published | ours | ratio | Δ | verdict | kind | source |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...pv.rows.map((row) => rowLine(row, pv.stale[row.record.experiment]?.stale ?? false)),
    "",
  );
  if (pv.targets.length) {
    lines.push(
      `### Project targets (profile \`${profile}\`; ours, not the paper's: never a reproduction)`,
      "",
      "| experiment | metric | ↑/↓ | target | ours | ratio | Δ | verdict | kind | source |",
      "|---|---|---|---|---|---|---|---|---|---|",
      ...pv.targets.map((row) => rowLine(row, pv.stale[row.record.experiment]?.stale ?? false)),
      "",
    );
  }
  for (const exp of paper.experiments) {
    const res = byExp?.get(exp.id);
    lines.push(`### ${exp.id} — ${exp.title} (${exp.reproduces})`, "");
    if (!res) {
      lines.push(`Not run at profile \`${profile}\`.`, "");
      continue;
    }
    const s = res.samples.cells;
    const p = res.provenance;
    lines.push(
      `Result: \`${res.experiment}.${profile}.v${res.experimentVersion}.json\`; cells ${s?.done}/${s?.planned}` +
        `; seeds ${res.seeds.join(", ") || "–"}; backend ${p.backend.name}` +
        `${p.backend.adapter ? ` (${p.backend.adapter})` : ""}; ${p.cpus} × ${p.cpuModel}` +
        `; ${fmt(p.wallSeconds)} s; commit ${p.commit.slice(0, 10)}${p.dirty ? " (dirty)" : ""}` +
        `; code ${res.code?.hash ?? "not recorded"}.`,
      "",
    );
    const st = pv.stale[exp.id];
    if (st?.stale) lines.push(`**Stale:** ${st.reason}.`, "");
    for (const [name, sm] of Object.entries(res.samples)) {
      if (name !== "cells" && sm.done < sm.planned) {
        lines.push(`**Truncated:** ${name} ${sm.done} of ${sm.planned} planned.`, "");
      }
    }
    for (const note of res.notes) lines.push(`- ${note}`);
    if (res.notes.length) lines.push("");
    for (const f of res.figures) {
      const file = f.svg ?? f.png;
      if (file) lines.push(`![${escapeCell(f.caption)}](${file})`, "", `*${f.caption}*`, "");
    }
  }
  return lines;
}

/** Render the Markdown report from computed verdicts (or compute them without staleness). */
export function renderReport(
  paper: Paper,
  results: Map<ProfileName, Map<string, ResultFile>>,
  verdicts: PaperVerdicts = paperVerdicts(paper, results),
): string {
  const lines: string[] = [
    `# ${paper.title} (${paper.arxiv}): reproduction report`,
    "",
    "Generated by the harness; do not edit. Regenerate with",
    "`deno task reproduce " + paper.id + "` (default profile) or `deno task report " + paper.id +
    "`.",
    ...LEGEND,
    "",
  ];
  for (const pv of verdicts.profiles) {
    lines.push(...renderProfile(paper, pv, results.get(pv.profile)));
  }
  return lines.join("\n");
}

/** Regenerate `<out>/<paper>/REPORT.md`; returns its path and the rows of each profile. */
export async function writeReport(
  out: string,
  paper: Paper,
): Promise<{ path: string; text: string }> {
  const { verdicts, results } = await loadPaperVerdicts(out, paper);
  const text = renderReport(paper, results, verdicts);
  const path = `${out}/${paper.id}/REPORT.md`;
  await writeAtomic(path, text);
  return { path, text };
}

function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 3) + "..." : s;
}

/** A plain-text table for the terminal (one profile). */
export function terminalTable(rows: ComparisonRow[]): string {
  const head = ["experiment", "metric", "published", "ours", "verdict"];
  const body = rows.map((row) => [
    row.record.experiment,
    clip(row.record.label ? `${row.record.metric} (${row.record.label})` : row.record.metric, 56),
    `${fmt(row.record.value)} ${row.record.unit}`.trim(),
    oursCell(row),
    clip(row.verdict, 60),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
