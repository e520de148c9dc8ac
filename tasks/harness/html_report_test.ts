import assert from "node:assert/strict";
import { PAPERS } from "../../mod.ts";
import { Browser, findChromium } from "../../tests/_chromium.ts";
import { listFiles, ROOT } from "../../tests/_cli.ts";
import type { Paper, ResultFile } from "../core/experiment.ts";
import {
  escapeHtml,
  loadPage,
  type PageLoader,
  type PaperPageData,
  paperPageData,
  type ProfileInput,
  renderPaperPage,
  rowIds,
  verdictKind,
  writeHtmlReport,
} from "./html_report.ts";
import { compareRecord, type ComparisonRow } from "./compare.ts";
import { toyPaper } from "../../tests/fixtures/toy_paper.ts";

Deno.test("verdictKind() is the verdict's text before its reason", () => {
  assert.equal(verdictKind("reproduced"), "reproduced");
  assert.equal(verdictKind("known gap: 600 Adam steps: one thread"), "known gap");
  assert.equal(verdictKind("published only: no GPU here"), "published only");
});

Deno.test("renderPaperPage() escapes every text it shows and gives each row its verdict kind", () => {
  const data: PaperPageData = {
    id: "toy",
    title: 'A <b>bold</b> & "quoted" paper',
    arxiv: "arXiv:0000.00000",
    profiles: [{
      profile: "default",
      claims: [{
        id: "c1",
        claim: "<script>alert(1)</script>",
        quote: "we <i>claim</i>",
        source: "abstract",
        verdict: "partly: speed only",
        evidence: ["measured at <N>"],
        rows: [{ id: "default/e.m", label: "e: m <1>" }],
      }],
      rows: [{
        id: "default/e.m",
        experiment: "e",
        metric: "m (a<b)",
        direction: "↑",
        published: "1",
        ours: "2",
        ratio: "2",
        difference: "1",
        verdict: "known gap: x < y",
        source: "Table 1 [text]",
      }],
      targets: [],
      experiments: [],
    }],
  };
  const html = renderPaperPage(data);
  for (
    const raw of ["<script>alert", "<b>bold</b>", "<i>claim</i>", "<N>", "a<b", "x < y", "<1>"]
  ) {
    assert.ok(!html.includes(raw), `${raw} is escaped`);
  }
  assert.ok(html.includes(escapeHtml("m (a<b)")));
  assert.match(html, /data-row-id="default\/e\.m" data-verdict="known gap"/);
  assert.match(html, /data-claim-id="c1"[^>]*data-verdict="partly"/);
  assert.match(html, /<a href="#row-default\/e\.m">/);
});

Deno.test("paperPageData() links each claim to the ids of its rows, keeps targets apart and marks stale results", () => {
  const paper = toyPaper;
  const records = paper.published.records;
  assert.ok(records.length >= 2, "the toy paper has two records");
  const row = (i: number): ComparisonRow => compareRecord(records[i]!, "smoke", null);
  const profile: ProfileInput = {
    profile: "smoke",
    claims: [{
      claim: { id: "k", claim: "it works", source: "§1" },
      verdict: "reproduced",
      rows: [row(1)],
    }],
    rows: [row(0)],
    targets: [row(1)],
    stale: { [paper.experiments[0]!.id]: { stale: true, reason: "stale: code changed" } },
  };
  const exp = paper.experiments[0]!;
  const result = {
    schema: 1,
    paper: paper.id,
    experiment: exp.id,
    experimentVersion: exp.version,
    title: exp.title,
    reproduces: exp.reproduces,
    profile: "smoke",
    config: {},
    seeds: [1],
    metrics: {},
    samples: { cells: { planned: 2, done: 2 }, episodes: { planned: 10, done: 4 } },
    figures: [{ name: "f", caption: "a figure", svg: null, png: "f.png" }],
    notes: ["a note"],
    provenance: {
      commit: "0123456789abcdef",
      dirty: true,
      deno: "2.9.6",
      v8: "v8",
      tfjs: "4.22.0",
      backend: { name: "cpu", requested: "cpu", adapter: null, reason: "asked" },
      backendVersion: "4.22.0",
      os: "linux x86_64",
      cpus: 2,
      cpuModel: "cpu",
      startedAt: "2026-01-01T00:00:00.000Z",
      wallSeconds: 1.5,
      command: "deno task reproduce toy",
    },
  } as ResultFile;
  const data = paperPageData(paper, {
    paper: { id: paper.id, title: paper.title, arxiv: paper.arxiv },
    profiles: [profile],
  }, new Map([["smoke", new Map([[exp.id, result]])]]));
  const pv = data.profiles[0]!;
  const idOf = rowIds(records, "smoke");
  assert.deepEqual(pv.claims?.[0]?.rows, [{ id: idOf(records[1]!), label: "pi: tau" }]);
  assert.deepEqual(pv.rows.map((r) => r.id), [idOf(records[0]!)]);
  assert.deepEqual(pv.targets.map((r) => r.id), [idOf(records[1]!)]);
  assert.notEqual(idOf(records[0]!), idOf(records[1]!));
  const e = pv.experiments[0]!;
  assert.equal(e.resultFile, `${exp.id}.smoke.v${exp.version}.json`);
  assert.equal(e.stale, "stale: code changed");
  assert.deepEqual(e.truncated, ["episodes: 4 of 10 planned"]);
  assert.deepEqual(e.figures, [{ caption: "a figure", src: "f.png", alternates: [] }]);
  assert.ok(e.provenance.some(([k, v]) => k === "commit" && /dirty/.test(v)), "dirty shown");
  assert.match(renderPaperPage(data), /data-stale>⚠ stale: code changed/);
});

const CHROMIUM = findChromium();
const IN_CI = Deno.env.get("CI") === "true";
const SKIP = CHROMIUM === null && !IN_CI;
if (SKIP) {
  console.warn(
    "html_report_test: skipping the browser test: no chromium on PATH (apt-get install -y " +
      "chromium, or set CHROMIUM=/path/to/chrome); with CI=true it fails instead",
  );
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  json: "application/json",
  md: "text/markdown; charset=utf-8",
};

/** Serve a folder read-only on 127.0.0.1 (an ephemeral port). */
function serveDir(root: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.split("/").includes("..")) return new Response("bad path", { status: 400 });
    try {
      const body = await Deno.readFile(`${root}${path}`);
      const type = TYPES[path.split(".").pop() ?? ""] ?? "application/octet-stream";
      return new Response(req.method === "HEAD" ? null : body, {
        headers: { "content-type": type },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
}

interface PageCheck {
  rows: string[];
  claims: string[];
  claimLinks: string[];
  images: { src: string; w: number; h: number }[];
  links: { href: string; status: number }[];
  filters: { kind: string; hidden: number; hiddenKinds: string[]; ofKind: number }[];
  papers: string[];
}

// Runs in the page: what is rendered, whether every image and file link loads, and what
// unticking each verdict filter hides.
const CHECK = `(async () => {
  const rows = [...document.querySelectorAll("tr[data-row-id]")].map((tr) => tr.dataset.rowId);
  const claims = [...document.querySelectorAll("tr[data-claim-id]")].map((tr) => tr.dataset.claimId);
  const claimLinks = [...document.querySelectorAll("tr[data-claim-id] a")]
    .map((a) => a.getAttribute("href").slice(1)).filter((id) => !document.getElementById(id));
  await Promise.all([...document.images].map((i) => i.decode().catch(() => {})));
  const images = [...document.images].map((i) => ({ src: i.getAttribute("src"), w: i.naturalWidth, h: i.naturalHeight }));
  const links = [];
  for (const a of document.querySelectorAll("a[data-file], section[data-paper] h2 a")) {
    links.push({ href: a.getAttribute("href"), status: (await fetch(a.href, { method: "HEAD" })).status });
  }
  const filters = [];
  for (const form of document.querySelectorAll("form.filters")) {
    const body = document.getElementById(form.dataset.table).tBodies[0];
    for (const box of form.querySelectorAll("input[type=checkbox]")) {
      box.click();
      const hidden = [...body.rows].filter((r) => r.hidden);
      filters.push({ kind: box.value, hidden: hidden.length,
        hiddenKinds: [...new Set(hidden.map((r) => r.dataset.verdict))],
        ofKind: [...body.rows].filter((r) => r.dataset.verdict === box.value).length });
      box.click();
    }
  }
  const papers = [...document.querySelectorAll("section[data-paper]")].map((s) => s.dataset.paper);
  return { rows, claims, claimLinks, images, links, filters, papers };
})()`;

/**
 * What `deno task report` loads; for a paper with no claims list yet, a made-up one built from
 * its rows, so that the claims table's rendering and links are checked too.
 */
function withClaimsFor(paper: Paper): PageLoader {
  return async (out, p) => {
    const loaded = await loadPage(out, p);
    if (p !== paper || loaded.input.profiles.some((pi) => pi.claims)) return loaded;
    const profiles = loaded.input.profiles.map((pi): ProfileInput => ({
      ...pi,
      claims: pi.rows.slice(0, 2).map((row, i) => ({
        claim: { id: `claim-${i + 1}`, claim: `claim ${i + 1}`, quote: "quoted", source: "test" },
        verdict: i === 0 ? "reproduced" : "partly: one of two rows",
        rows: [row],
        evidence: [`evidence ${i + 1}`],
      })),
    }));
    return { ...loaded, input: { ...loaded.input, profiles } };
  };
}

Deno.test({
  name: "the report pages render in Chromium with every row, claim and figure, working verdict " +
    "filters, loading links and no console error",
  ignore: SKIP,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    if (CHROMIUM === null) {
      throw new Error("no chromium on PATH with CI=true: .ci/run installs Debian's chromium");
    }
    const out = await Deno.makeTempDir({ prefix: "html-report-" });
    const shots = await Deno.makeTempDir({ prefix: "html-report-shots-" });
    for (const p of PAPERS) {
      for (const f of listFiles(`${ROOT}results/${p.id}`)) {
        if (f.includes("/")) continue; // result files and figures only
        await Deno.mkdir(`${out}/${p.id}`, { recursive: true });
        await Deno.copyFile(`${ROOT}results/${p.id}/${f}`, `${out}/${p.id}/${f}`);
      }
    }
    // Expected content: what the loader gives and the figures the result files list.
    const withClaims = PAPERS[PAPERS.length - 1]!;
    const load = withClaimsFor(withClaims);
    const expected = new Map<string, { rows: string[]; claims: string[]; figures: string[][] }>();
    for (const p of PAPERS) {
      const { input, results } = await load(out, p);
      const rows: string[] = [], claims: string[] = [];
      for (const pi of input.profiles) {
        const idOf = rowIds(p.published.records, pi.profile);
        rows.push(...[...pi.rows, ...(pi.targets ?? [])].map((r) => idOf(r.record)));
        claims.push(...(pi.claims ?? []).map((c) => c.claim.id));
      }
      const figures = [...results.values()].flatMap((m) => [...m.values()])
        .flatMap((r) => r.figures.map((f) => [f.svg, f.png].filter((x): x is string => !!x)));
      expected.set(p.id, { rows, claims, figures });
    }
    assert.ok(expected.get(withClaims.id)!.claims.length > 0, "the claims check has claims");
    await writeHtmlReport(out, PAPERS, PAPERS, load);

    const server = serveDir(out);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const browser = await Browser.launch(CHROMIUM);
    try {
      for (const id of ["", ...PAPERS.map((p) => p.id)]) {
        const url = `${base}/${id ? `${id}/` : ""}index.html`;
        const page = await browser.newPage();
        await page.goto(url);
        const c = await page.evaluate<PageCheck>(CHECK);
        await Deno.writeFile(`${shots}/${id || "index"}.png`, await page.screenshot());
        assert.deepEqual(page.errors, [], `${url}: console errors`);
        for (const l of c.links) assert.equal(l.status, 200, `${url}: link ${l.href}`);
        if (!id) {
          assert.deepEqual(c.papers, PAPERS.map((p) => p.id), "index lists every paper");
          assert.equal(c.links.length, 2 * PAPERS.length, "index links each page and report");
          continue;
        }
        const exp = expected.get(id)!;
        assert.deepEqual(c.rows, exp.rows, `${id}: every comparison row, in order`);
        assert.ok(c.rows.length > 0, `${id}: has rows`);
        assert.deepEqual(c.claims, exp.claims, `${id}: every claim`);
        assert.deepEqual(c.claimLinks, [], `${id}: claim links that point at no row`);
        for (const alts of exp.figures) {
          const img = c.images.find((i) => alts.includes(i.src));
          assert.ok(img, `${id}: figure ${alts.join(" / ")} is shown`);
          assert.ok(img.w > 0 && img.h > 0, `${id}: figure ${img.src} loaded (${img.w}×${img.h})`);
        }
        assert.equal(c.images.length, exp.figures.length, `${id}: one image per figure`);
        assert.ok(c.links.some((l) => l.href.endsWith(".json")), `${id}: links its result files`);
        assert.ok(c.filters.length > 0, `${id}: has verdict filters`);
        for (const f of c.filters) {
          assert.deepEqual(f.hiddenKinds, [f.kind], `${id}: unticking "${f.kind}" hides only it`);
          assert.equal(f.hidden, f.ofKind, `${id}: unticking "${f.kind}" hides all its rows`);
        }
      }
      console.log(`html_report_test: screenshots in ${shots}`);
    } finally {
      await browser.close();
      await server.shutdown();
      await Deno.remove(out, { recursive: true });
    }
  },
});
