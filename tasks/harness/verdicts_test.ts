import assert from "node:assert/strict";
import type { Claim, Paper, PublishedRecord, ResultFile } from "../core/experiment.ts";
import { PAPERS } from "../../mod.ts";
import { claimVerdict, paperVerdicts, testsRecord } from "./verdicts.ts";
import { compareRecord } from "./compare.ts";

const rec = (metric: string, extra: Partial<PublishedRecord> = {}): PublishedRecord => ({
  experiment: "e",
  metric,
  value: 100,
  unit: "",
  direction: "lower",
  kind: "paper-measured",
  source: "Table 1",
  tag: "[text]",
  tolerance: { rel: 0.05 },
  ...extra,
});

const claim = (tests: string[], extra: Partial<Claim> = {}): Claim => ({
  id: "c",
  claim: "c",
  quote: "q",
  source: "abstract",
  tag: "[text]",
  tests: tests.map((metric) => ({ experiment: "e", metric })),
  ...extra,
});

const result = (metrics: Record<string, number>) =>
  ({ metrics, config: {} }) as unknown as ResultFile;

function verdictOf(c: Claim, recs: PublishedRecord[], metrics: Record<string, number> | null) {
  const rows = recs.map((r) => compareRecord(r, "default", metrics ? result(metrics) : null));
  return claimVerdict(c, rows.filter((row) => testsRecord(c, row.record)));
}

Deno.test("a claim is reproduced only when every deciding row passes", () => {
  const recs = [rec("a"), rec("b")];
  assert.equal(verdictOf(claim(["a", "b"]), recs, { a: 99, b: 100 }).outcome, "reproduced");
  const partly = verdictOf(claim(["a", "b"]), recs, { a: 99, b: 150 });
  assert.equal(partly.outcome, "partly");
  assert.match(partly.verdict, /reproduced: a; not: b: differs/);
  assert.equal(verdictOf(claim(["a", "b"]), recs, { a: 150, b: 150 }).outcome, "not reproduced");
  assert.equal(verdictOf(claim(["a"]), recs, null).outcome, "not run");
});

Deno.test("a claim whose tests cover only a part says so, even when they pass", () => {
  const v = verdictOf(claim(["a"], { scope: "the space bound" }), [rec("a")], { a: 99 });
  assert.equal(v.outcome, "partly");
  assert.match(v.verdict, /reproduced for the space bound only/);
});

Deno.test("extrapolated, context-only and target rows never make a claim reproduced", () => {
  const recs = [
    rec("aExtrapolated", { direction: "higher" }),
    rec("ms", { kind: "hardware-bound" }),
    rec("t", { kind: "project-target" }),
  ];
  const all = { aExtrapolated: 3818, ms: 1, t: 1 };
  assert.equal(verdictOf(claim(["aExtrapolated", "ms"]), recs, all).outcome, "extrapolated only");
  assert.equal(verdictOf(claim(["ms"]), recs, all).outcome, "not run");
  assert.equal(verdictOf(claim(["t"]), recs, all).outcome, "not run");
});

Deno.test("published-only, not-run and cannot-run claims say why", () => {
  const po = [rec("cifar", { publishedOnly: "no CIFAR offline" })];
  assert.deepEqual(verdictOf(claim(["cifar"]), po, {}), {
    outcome: "cannot run here",
    verdict: "cannot run here: no CIFAR offline",
  });
  assert.equal(
    verdictOf(claim([], { notRun: "no experiment yet" }), [], {}).verdict,
    "not run: no experiment yet",
  );
  assert.equal(
    verdictOf(claim([], { cannotRun: "no GPU" }), [], {}).verdict,
    "cannot run here: no GPU",
  );
});

Deno.test("an inconclusive timing leaves its claim inconclusive, not reproduced", () => {
  const recs = [rec("ratio", { needsInterval: true })];
  assert.equal(verdictOf(claim(["ratio"]), recs, { ratio: 90 }).outcome, "inconclusive");
});

Deno.test("every paper's claims are well formed and name existing records", () => {
  for (const p of PAPERS) {
    const claims = p.published.claims ?? [];
    assert.ok(claims.length >= 3, `${p.id}: claims`);
    assert.equal(new Set(claims.map((c) => c.id)).size, claims.length, `${p.id}: claim ids`);
    for (const c of claims) {
      const where = `${p.id}/${c.id}`;
      assert.ok(c.quote.length >= 5 && c.source.length > 0, `${where}: quote and source`);
      assert.match(c.tag, /^\[.+\]$/, `${where}: tag`);
      assert.ok(c.tests.length > 0 || c.notRun || c.cannotRun, `${where}: tests or a reason`);
      for (const t of c.tests) {
        assert.ok(
          p.published.records.some((r) => testsRecord({ ...c, tests: [t] }, r)),
          `${where}: no record ${t.experiment}.${t.metric}${t.label ? ` (${t.label})` : ""}`,
        );
      }
    }
  }
});

Deno.test("paperVerdicts() keeps project targets out of the rows and the claims", () => {
  const paper = PAPERS.find((p) => p.id === "draw") as Paper;
  const v = paperVerdicts(paper, new Map());
  const pv = v.profiles[0]!;
  assert.equal(pv.profile, "default");
  assert.ok(pv.targets.length >= 1 && pv.targets.every((r) => r.record.kind === "project-target"));
  assert.ok(pv.rows.every((r) => r.record.kind !== "project-target"));
  assert.ok(pv.claims.every((c) => c.rows.every((r) => r.record.kind !== "project-target")));
});
