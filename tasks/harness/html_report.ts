/**
 * Writes the static report pages: `<out>/index.html` (every paper, its verdict counts, links)
 * and `<out>/<paper>/index.html` (per profile: the claims table, the comparison rows and the
 * project targets, each with filters by verdict, then each experiment's figures, notes,
 * provenance and result file). One HTML file per page with inline CSS and a little inline JS;
 * nothing is fetched from the network and nothing is built.
 *
 * The page renders from data: a {@link PaperInput} (claims with verdicts, rows, targets,
 * staleness per profile) and the result files, loaded by {@link loadPage} from `verdicts.ts`
 * ({@link loadRowsOnly} gives the comparison rows alone, without claims).
 * @module
 */
import type { Paper, ProfileName, PublishedRecord, ResultFile } from "../core/experiment.ts";
import { writeAtomic } from "../core/json.ts";
import type { ComparisonRow } from "./compare.ts";
import { comparisonRows, fmt, loadResults } from "./report.ts";
import { resultStem } from "./paths.ts";
import { loadPaperVerdicts } from "./verdicts.ts";

/**
 * A claim with its verdict, as the page takes it. Structurally a subset of the claims-with-
 * verdicts rows (`claim` quoted with its source, one verdict, the rows that test it, evidence
 * lines), so those can be passed as they are.
 */
export interface ClaimInput {
  claim: { id: string; claim: string; quote?: string; source: string };
  verdict: string;
  /** The comparison rows of the records that test the claim. */
  rows: readonly ComparisonRow[];
  evidence?: readonly string[];
}

/** One profile's claims, rows and staleness, as the page takes them. */
export interface ProfileInput {
  profile: ProfileName;
  /** null or absent: no claims list yet for this paper. */
  claims?: readonly ClaimInput[] | null;
  rows: readonly ComparisonRow[];
  /** Rows of project targets: shown apart, never a reproduction. */
  targets?: readonly ComparisonRow[];
  /** Per experiment id: whether its result was produced by other code than the current. */
  stale?: Readonly<Record<string, { stale: boolean; reason: string | null }>>;
}

/** Everything the page shows about a paper except the result files themselves. */
export interface PaperInput {
  paper: { id: string; title: string; arxiv: string };
  profiles: readonly ProfileInput[];
}

/** The page's input built from the comparison rows alone (no claims list). */
export function rowsOnlyInput(
  paper: Paper,
  results: Map<ProfileName, Map<string, ResultFile>>,
): PaperInput {
  const profiles: ProfileName[] = [...results.keys()];
  if (profiles.length === 0) profiles.push("default");
  return {
    paper: { id: paper.id, title: paper.title, arxiv: paper.arxiv },
    profiles: profiles.map((profile) => ({
      profile,
      claims: null,
      rows: comparisonRows(paper, profile, results.get(profile)),
    })),
  };
}

/** One claim, as text. */
export interface ClaimView {
  id: string;
  claim: string;
  quote: string;
  source: string;
  verdict: string;
  evidence: string[];
  /** The rows that test it: their ids ({@link RowView.id}) and what they measure. */
  rows: { id: string; label: string }[];
}

/** One comparison row, as text. */
export interface RowView {
  /** `<profile>/<experiment>.<metric>` (with `~k` when a metric has several records). */
  id: string;
  experiment: string;
  metric: string;
  direction: string;
  published: string;
  ours: string;
  ratio: string;
  difference: string;
  verdict: string;
  source: string;
}

/** A figure beside a result file; `src` is relative to the paper's page. */
export interface FigureView {
  caption: string;
  src: string;
  /** Other formats of the same figure (relative links). */
  alternates: string[];
}

/** One experiment at one profile. */
export interface ExperimentView {
  id: string;
  title: string;
  reproduces: string;
  /** Result file name relative to the paper's page, or null when not run at this profile. */
  resultFile: string | null;
  /** Why the result is stale, or null. */
  stale: string | null;
  /** Provenance as label/value pairs. */
  provenance: [string, string][];
  /** "samples X: done of planned" lines for truncated runs. */
  truncated: string[];
  notes: string[];
  figures: FigureView[];
}

/** One profile's claims, rows and experiments. */
export interface ProfileView {
  profile: ProfileName;
  /** null: no claims list yet for this paper. */
  claims: ClaimView[] | null;
  rows: RowView[];
  targets: RowView[];
  experiments: ExperimentView[];
}

/** Everything one paper's page shows. */
export interface PaperPageData {
  id: string;
  title: string;
  arxiv: string;
  profiles: ProfileView[];
}

/** The verdict's kind, used by the filters: the text before the first ":" ("known gap: …"). */
export function verdictKind(verdict: string): string {
  return verdict.split(":")[0]!.trim();
}

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

function arrow(d: string): string {
  return d === "higher" ? "↑" : d === "lower" ? "↓" : "=";
}

function oursText(row: ComparisonRow): string {
  if (!row.ours) return "–";
  const s = row.ours.std !== null && row.ours.n > 1
    ? ` ± ${fmt(row.ours.std)} (n=${row.ours.n})`
    : "";
  return fmt(row.ours.mean) + s;
}

type RecordKey = Pick<PublishedRecord, "experiment" | "metric" | "label">;

function sameRecord(a: RecordKey, b: RecordKey): boolean {
  return a.experiment === b.experiment && a.metric === b.metric && a.label === b.label;
}

/**
 * Row ids of a paper's records at a profile: `<profile>/<experiment>.<metric>`, with `~k` for
 * the k-th record of a metric that has several; they depend only on the published records.
 */
export function rowIds(
  records: readonly PublishedRecord[],
  profile: ProfileName,
): (r: RecordKey) => string {
  const ids = new Map<PublishedRecord, string>();
  const seen = new Map<string, number>();
  for (const r of records) {
    const base = `${profile}/${r.experiment}.${r.metric}`;
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    ids.set(r, k === 1 ? base : `${base}~${k}`);
  }
  return (r) => {
    const hit = ids.get(r as PublishedRecord) ??
      [...ids].find(([rec]) => sameRecord(rec, r))?.[1];
    if (hit === undefined) throw new Error(`no published record ${r.experiment}.${r.metric}`);
    return hit;
  };
}

/** Row views of comparison rows. */
export function rowViews(
  rows: readonly ComparisonRow[],
  idOf: (r: RecordKey) => string,
): RowView[] {
  return rows.map((row) => {
    const r = row.record;
    return {
      id: idOf(r),
      experiment: r.experiment,
      metric: r.label ? `${r.metric} (${r.label})` : r.metric,
      direction: arrow(r.direction),
      published: `${fmt(r.value)} ${r.unit}`.trim(),
      ours: oursText(row),
      ratio: fmt(row.ratio),
      difference: fmt(row.difference),
      verdict: row.verdict,
      source: `${r.source} ${r.tag}`.trim(),
    };
  });
}

function provenanceView(res: ResultFile): [string, string][] {
  const p = res.provenance;
  const s = res.samples.cells;
  return [
    ["commit", `${p.commit.slice(0, 12)}${p.dirty ? " (dirty: uncommitted changes)" : ""}`],
    ["command", p.command],
    ["started", p.startedAt],
    ["wall time", `${fmt(p.wallSeconds)} s`],
    ["cells", s ? `${s.done} of ${s.planned}` : "–"],
    ["seeds", res.seeds.join(", ") || "–"],
    ["backend", `${p.backend.name}${p.backend.adapter ? ` (${p.backend.adapter})` : ""}`],
    ["machine", `${p.cpus} × ${p.cpuModel}, ${p.os}`],
    ["versions", `Deno ${p.deno}, V8 ${p.v8}, TF.js ${p.tfjs}, backend ${p.backendVersion}`],
    ...(p.shards?.length ? [["shards", p.shards.join(", ")] as [string, string]] : []),
  ];
}

function experimentView(
  exp: Paper["experiments"][number],
  profile: ProfileName,
  res: ResultFile | undefined,
  stale: ProfileInput["stale"],
): ExperimentView {
  const base = { id: exp.id, title: exp.title, reproduces: exp.reproduces };
  if (!res) {
    return {
      ...base,
      resultFile: null,
      stale: null,
      provenance: [],
      truncated: [],
      notes: [],
      figures: [],
    };
  }
  const st = stale?.[exp.id];
  return {
    ...base,
    resultFile: `${resultStem(res.experiment, profile, res.experimentVersion)}.json`,
    stale: st?.stale ? st.reason ?? "stale" : null,
    provenance: provenanceView(res),
    truncated: Object.entries(res.samples)
      .filter(([name, sm]) => name !== "cells" && sm.done < sm.planned)
      .map(([name, sm]) => `${name}: ${sm.done} of ${sm.planned} planned`),
    notes: res.notes,
    figures: res.figures.flatMap((f): FigureView[] => {
      const src = f.svg ?? f.png;
      if (!src) return [];
      const alternates = [f.svg, f.png].filter((x): x is string => !!x && x !== src);
      return [{ caption: f.caption, src, alternates }];
    }),
  };
}

/** Build a paper's page data from its input (claims, rows, staleness) and its result files. */
export function paperPageData(
  paper: Paper,
  input: PaperInput,
  results: Map<ProfileName, Map<string, ResultFile>>,
): PaperPageData {
  return {
    id: input.paper.id,
    title: input.paper.title,
    arxiv: input.paper.arxiv,
    profiles: input.profiles.map((pi): ProfileView => {
      const idOf = rowIds(paper.published.records, pi.profile);
      const byExp = results.get(pi.profile);
      return {
        profile: pi.profile,
        claims: pi.claims
          ? pi.claims.map((c) => ({
            id: c.claim.id,
            claim: c.claim.claim,
            quote: c.claim.quote ?? "",
            source: c.claim.source,
            verdict: c.verdict,
            evidence: [...(c.evidence ?? [])],
            rows: c.rows.map((r) => ({
              id: idOf(r.record),
              label: `${r.record.experiment}: ${r.record.label ?? r.record.metric}`,
            })),
          }))
          : null,
        rows: rowViews(pi.rows, idOf),
        targets: rowViews(pi.targets ?? [], idOf),
        experiments: paper.experiments.map((exp) =>
          experimentView(exp, pi.profile, byExp?.get(exp.id), pi.stale)
        ),
      };
    }),
  };
}

const STYLE = `
:root { --fg: #1d1d1f; --muted: #5b5b66; --line: #d8d8de; --bg: #fff; --alt: #f6f6f8; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
  color: var(--fg); background: var(--bg); margin: 0 auto; padding: 1.2em 2em 4em;
  max-width: 1400px; }
h1 { font-size: 1.6em; margin: .2em 0 .4em; } h2 { margin-top: 1.8em; border-bottom: 1px solid
  var(--line); padding-bottom: .2em; } h3 { margin-top: 1.6em; }
a { color: #0b5cad; } .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .6em 0; font-size: 13.5px; }
th, td { border: 1px solid var(--line); padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: var(--alt); position: sticky; top: 0; }
tbody tr:nth-child(even) { background: #fbfbfc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdict { font-weight: 600; } .verdict .muted { font-weight: 400; font-size: 12.5px; }
td.src { font-size: 12.5px; color: var(--muted); }
.v-reproduced { color: #146c2e; } .v-differs, .v-not-reproduced { color: #b3261e; }
.v-within-tolerance, .v-partly { color: #8a5a00; } .v-known-gap { color: #7a3fb0; }
.v-extrapolated, .v-extrapolated-only, .v-inconclusive-noise, .v-inconclusive { color: #1f5f99; }
.v-better-than-published { color: #2d6a4f; } .v-context-only, .v-not-run,
.v-not-run-at-this-profile, .v-published-only, .v-cannot-run-here { color: var(--muted); }
.filters { display: flex; flex-wrap: wrap; gap: .4em 1em; align-items: center; margin: .6em 0;
  padding: .5em .7em; background: var(--alt); border: 1px solid var(--line); border-radius: 6px; }
.filters label { cursor: pointer; white-space: nowrap; }
.figures { display: flex; flex-wrap: wrap; gap: 1.2em; }
figure { margin: 0; max-width: 100%; } figure img { max-width: min(100%, 640px); height: auto;
  border: 1px solid var(--line); background: #fff; image-rendering: auto; }
figcaption { font-size: 13px; color: var(--muted); max-width: 640px; }
dl.prov { display: grid; grid-template-columns: max-content 1fr; gap: .1em 1em; font-size: 13px; }
dl.prov dt { color: var(--muted); } dl.prov dd { margin: 0; font-family: ui-monospace, monospace; }
ul.notes { font-size: 14px; } .quote { font-size: 13px; color: var(--muted); margin-top: .2em; }
ul.evidence { margin: 0; padding-left: 1.1em; font-size: 12.5px; }
.stale { color: #9a4d00; font-weight: 600; } h3.sub { margin-top: 2.2em; } .none { font-style: italic; color: var(--muted); }
nav.toc { font-size: 14px; } nav.toc a { margin-right: 1em; }
`;

// Filters: each `.filters` form shows the rows of its table whose data-verdict is checked.
const SCRIPT = `
for (const form of document.querySelectorAll("form.filters")) {
  const table = document.getElementById(form.dataset.table);
  const count = form.querySelector(".shown");
  const apply = () => {
    const on = new Set([...form.querySelectorAll("input[type=checkbox]:checked")].map((i) => i.value));
    let shown = 0;
    for (const tr of table.tBodies[0].rows) {
      tr.hidden = !on.has(tr.dataset.verdict);
      if (!tr.hidden) shown++;
    }
    count.textContent = shown + " of " + table.tBodies[0].rows.length + " shown";
  };
  form.addEventListener("change", apply);
  form.querySelector("button.all").addEventListener("click", () => {
    for (const i of form.querySelectorAll("input[type=checkbox]")) i.checked = true;
    apply();
  });
  apply();
}
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

function verdictCell(verdict: string): string {
  const kind = verdictKind(verdict);
  const rest = verdict.slice(kind.length).replace(/^\s*:\s*/, "");
  return `<td class="verdict v-${slug(kind)}">${escapeHtml(kind)}${
    rest ? `<div class="muted">${escapeHtml(rest)}</div>` : ""
  }</td>`;
}

function counts(items: readonly { verdict: string }[]): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const r of items) {
    kinds.set(verdictKind(r.verdict), (kinds.get(verdictKind(r.verdict)) ?? 0) + 1);
  }
  return kinds;
}

function filterForm(tableId: string, items: readonly { verdict: string }[]): string {
  const boxes = [...counts(items)].map(([k, n]) =>
    `<label><input type="checkbox" value="${escapeHtml(k)}" checked> ${
      escapeHtml(k)
    } (${n})</label>`
  );
  return `<form class="filters" data-table="${tableId}" onsubmit="return false">
<strong>verdict:</strong> ${boxes.join(" ")}
<button type="button" class="all">show all</button> <span class="shown muted"></span>
</form>`;
}

function claimsSection(profile: ProfileName, claims: ClaimView[] | null): string {
  const head = `<h3 id="claims-${profile}">The paper's claims</h3>`;
  if (claims === null) {
    return `${head}
<p class="none" data-claims="none">No claims list for this paper yet: the verdicts below are per published number.</p>`;
  }
  const tableId = `claims-table-${profile}`;
  const rows = claims.map((c) =>
    `<tr data-claim-id="${escapeHtml(c.id)}" id="claim-${profile}-${
      escapeHtml(c.id)
    }" data-verdict="${escapeHtml(verdictKind(c.verdict))}"><td><strong>${
      escapeHtml(c.claim)
    }</strong>${
      c.quote ? `<div class="quote">“${escapeHtml(c.quote)}”</div>` : ""
    }</td><td class="src">${escapeHtml(c.source)}</td>${verdictCell(c.verdict)}<td>${
      c.evidence.length
        ? `<ul class="evidence">${c.evidence.map((e) => `<li>${escapeHtml(e)}</li>`).join("")}</ul>`
        : ""
    }</td><td class="src">${
      c.rows.map((r) => `<a href="#row-${escapeHtml(r.id)}">${escapeHtml(r.label)}</a>`)
        .join("<br>")
    }</td></tr>`
  );
  return `${head}
${filterForm(tableId, claims)}
<table id="${tableId}"><colgroup><col style="width:34%"><col style="width:9%"><col style="width:20%"><col style="width:22%"><col style="width:15%"></colgroup><thead><tr><th>claim</th><th>where</th><th>verdict</th><th>evidence</th><th>rows</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody></table>`;
}

function rowsSection(profile: ProfileName, kind: "rows" | "targets", rows: RowView[]): string {
  const tableId = `${kind}-${profile}`;
  const title = kind === "rows"
    ? "Published numbers against ours"
    : "Project targets (our own goals: never counted as a reproduction)";
  if (kind === "targets" && rows.length === 0) return "";
  const body = rows.map((r) =>
    `<tr id="row-${escapeHtml(r.id)}" data-row-id="${escapeHtml(r.id)}" data-verdict="${
      escapeHtml(verdictKind(r.verdict))
    }"><td>${escapeHtml(r.experiment)}</td><td>${escapeHtml(r.metric)}</td><td>${
      escapeHtml(r.direction)
    }</td><td class="num">${escapeHtml(r.published)}</td><td class="num">${
      escapeHtml(r.ours)
    }</td><td class="num">${escapeHtml(r.ratio)}</td><td class="num">${
      escapeHtml(r.difference)
    }</td>${verdictCell(r.verdict)}<td class="src">${escapeHtml(r.source)}</td></tr>`
  );
  return `<h3 id="${tableId}-heading">${title}</h3>
${filterForm(tableId, rows)}
<table id="${tableId}"><colgroup><col style="width:9%"><col style="width:21%"><col style="width:3%"><col style="width:8%"><col style="width:10%"><col style="width:5%"><col style="width:6%"><col style="width:24%"><col style="width:14%"></colgroup><thead><tr><th>experiment</th><th>metric</th><th>↑/↓</th><th>published</th><th>ours</th><th>ratio</th><th>Δ</th><th>verdict</th><th>source</th></tr></thead>
<tbody>
${body.join("\n")}
</tbody></table>`;
}

function experimentSection(profile: ProfileName, e: ExperimentView): string {
  const head = `<h3 id="${escapeHtml(`${profile}-${e.id}`)}">${escapeHtml(e.id)} — ${
    escapeHtml(e.title)
  } <span class="muted">(${escapeHtml(e.reproduces)})</span></h3>`;
  if (e.resultFile === null) {
    return `${head}\n<p class="none">Not run at profile <code>${profile}</code>.</p>`;
  }
  const prov = e.provenance.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`);
  const figs = e.figures.map((f) =>
    `<figure><a href="${escapeHtml(f.src)}"><img src="${escapeHtml(f.src)}" alt="${
      escapeHtml(f.caption)
    }" data-figure="${escapeHtml(f.src)}"></a><figcaption>${escapeHtml(f.caption)}${
      f.alternates.map((a) =>
        ` <a href="${escapeHtml(a)}" data-file>${escapeHtml(a.split(".").pop()!)}</a>`
      )
        .join("")
    }</figcaption></figure>`
  );
  return `${head}
${e.stale ? `<p class="stale" data-stale>⚠ ${escapeHtml(e.stale)}</p>` : ""}
<p>Result file: <a href="${escapeHtml(e.resultFile)}" data-file>${escapeHtml(e.resultFile)}</a></p>
${e.truncated.map((t) => `<p><strong>Truncated:</strong> ${escapeHtml(t)}</p>`).join("\n")}
<dl class="prov">${prov.join("")}</dl>
${
    e.notes.length
      ? `<ul class="notes">${e.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`
      : ""
  }
${figs.length ? `<div class="figures">${figs.join("\n")}</div>` : ""}`;
}

/** Render one paper's page. */
export function renderPaperPage(data: PaperPageData): string {
  const toc = data.profiles.flatMap((p) => [
    `<a href="#claims-${p.profile}">claims (${p.profile})</a>`,
    `<a href="#rows-${p.profile}-heading">rows (${p.profile})</a>`,
    ...(p.targets.length ? [`<a href="#targets-${p.profile}-heading">targets</a>`] : []),
    `<a href="#experiments-${p.profile}">experiments</a>`,
  ]);
  const body = [
    `<p><a href="../index.html">← all papers</a> · <a href="REPORT.md" data-file>REPORT.md</a></p>`,
    `<h1>${escapeHtml(data.title)}</h1>`,
    `<p class="muted">${escapeHtml(data.arxiv)} · generated by <code>deno task report ${
      escapeHtml(data.id)
    }</code> from the result files in this folder; do not edit.</p>`,
    `<nav class="toc">${toc.join("")}</nav>`,
    ...data.profiles.map((pv) =>
      [
        `<h2 id="profile-${pv.profile}">Profile <code>${pv.profile}</code></h2>`,
        claimsSection(pv.profile, pv.claims),
        rowsSection(pv.profile, "rows", pv.rows),
        rowsSection(pv.profile, "targets", pv.targets),
        `<h3 id="experiments-${pv.profile}" class="sub">Experiments: figures, notes, provenance</h3>`,
        ...pv.experiments.map((e) => experimentSection(pv.profile, e)),
      ].join("\n")
    ),
  ];
  return page(`${data.title} — reproduction report`, body.join("\n"));
}

/** Render the index of every paper, with its verdict counts per profile. */
export function renderIndexPage(papers: PaperPageData[]): string {
  const items = papers.map((d) => {
    const lines = d.profiles.map((pv) => {
      const what = pv.claims ? ["claims", pv.claims] as const : ["rows", pv.rows] as const;
      const stale = pv.experiments.filter((e) => e.stale).length;
      return `<li><code>${pv.profile}</code>: ${what[1].length} ${what[0]}: ${
        [...counts(what[1])].map(([k, n]) => `${n} ${escapeHtml(k)}`).join(", ")
      }${
        stale ? ` · <span class="stale">${stale} stale result${stale > 1 ? "s" : ""}</span>` : ""
      }</li>`;
    });
    return `<section data-paper="${escapeHtml(d.id)}"><h2><a href="${
      escapeHtml(d.id)
    }/index.html">${escapeHtml(d.title)}</a></h2><p class="muted">${
      escapeHtml(d.arxiv)
    } · <a href="${escapeHtml(d.id)}/REPORT.md" data-file>REPORT.md</a></p><ul>${
      lines.join("")
    }</ul></section>`;
  });
  return page(
    "papers-repro: reproduction reports",
    `<h1>Reproduction reports</h1>
<p class="muted">Generated by <code>deno task report</code> from the result files; do not edit.</p>
${items.join("\n")}`,
  );
}

/** Loads what a paper's page shows from the result folder. */
export type PageLoader = (
  out: string,
  paper: Paper,
) => Promise<{ input: PaperInput; results: Map<ProfileName, Map<string, ResultFile>> }>;

/** The comparison rows of every profile with results; no claims list. */
export const loadRowsOnly: PageLoader = async (out, paper) => {
  const results = await loadResults(out, paper);
  return { input: rowsOnlyInput(paper, results), results };
};

/** What `deno task report` shows: the claims with their verdicts, the rows, targets, staleness. */
export const loadPage: PageLoader = async (out, paper) => {
  const { verdicts, results } = await loadPaperVerdicts(out, paper);
  return { input: verdicts, results };
};

/**
 * Write `<out>/<paper>/index.html` for each target and `<out>/index.html` for every paper of the
 * registry; returns the paths written.
 * @param load what each page shows (default {@link loadPage}).
 */
export async function writeHtmlReport(
  out: string,
  registry: readonly Paper[],
  targets: readonly Paper[],
  load: PageLoader = loadPage,
): Promise<string[]> {
  const written: string[] = [];
  const all: PaperPageData[] = [];
  for (const paper of registry) {
    const { input, results } = await load(out, paper);
    const data = paperPageData(paper, input, results);
    all.push(data);
    if (targets.includes(paper)) {
      const path = `${out}/${paper.id}/index.html`;
      await writeAtomic(path, renderPaperPage(data));
      written.push(path);
    }
  }
  const index = `${out}/index.html`;
  await writeAtomic(index, renderIndexPage(all));
  written.push(index);
  return written;
}
