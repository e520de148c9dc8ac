import assert from "node:assert/strict";
import { PAPERS } from "../mod.ts";
import { PROFILES, RECORD_KINDS } from "../tasks/core/experiment.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const exists = (p: string) => {
  try {
    Deno.statSync(`${ROOT}${p}`);
    return true;
  } catch {
    return false;
  }
};

function kind(v: unknown): string {
  if (Array.isArray(v)) return v.length && typeof v[0] === "string" ? "string[]" : "number[]";
  return typeof v;
}

Deno.test("every paper has the fixed skeleton and a unique id", () => {
  assert.equal(new Set(PAPERS.map((p) => p.id)).size, PAPERS.length);
  for (const p of PAPERS) {
    for (const f of ["mod.ts", "README.md", "published.json"]) {
      assert.ok(exists(`papers/${p.id}/${f}`), `papers/${p.id}/${f} is missing`);
    }
    assert.equal(p.published.paper, p.id);
    assert.match(p.arxiv, /^arXiv:\d{4}\.\d{5}$/);
    assert.ok(p.experiments.length > 0, `${p.id} registers no experiment`);
  }
});

Deno.test("every experiment satisfies the contract", async (t) => {
  for (const p of PAPERS) {
    const readme = Deno.readTextFileSync(`${ROOT}papers/${p.id}/README.md`);
    assert.equal(new Set(p.experiments.map((e) => e.id)).size, p.experiments.length);
    for (const e of p.experiments) {
      await t.step(`${p.id}/${e.id}`, () => {
        assert.match(e.id, /^[a-z][a-z0-9_]*$/);
        assert.ok(exists(`papers/${p.id}/experiments/${e.id}.ts`), "file named after the id");
        assert.ok(Number.isInteger(e.version) && e.version >= 1);
        assert.ok(e.title.length > 0 && e.reproduces.length > 0);
        assert.ok(readme.includes(e.id), `papers/${p.id}/README.md does not mention ${e.id}`);
        const keys = Object.keys(e.profiles.default).sort();
        for (const profile of PROFILES) {
          const cfg = e.profiles[profile];
          assert.deepEqual(Object.keys(cfg).sort(), keys, `${profile} has other keys than default`);
          for (const k of keys) {
            assert.equal(kind(cfg[k]), kind(e.profiles.default[k]), `${profile}.${k} type`);
          }
          const seeds = e.seeds[profile];
          assert.ok(seeds.length > 0 && seeds.every((s) => Number.isSafeInteger(s) && s > 0));
          const cells = e.cells(cfg, seeds);
          assert.ok(cells.length > 0, `${profile} plans no cells`);
          assert.equal(new Set(cells.map((c) => c.id)).size, cells.length, "cell ids unique");
          assert.deepEqual(e.cells(cfg, seeds), cells, "cells() is deterministic");
        }
        const records = p.published.records.filter((r) => r.experiment === e.id);
        // An experiment is compared with a published record, or is the evidence of a claim
        // that no record can test yet (e.g. a qualitative claim shown by figures).
        const evidence = (p.published.claims ?? []).some((c) =>
          (c.evidence ?? []).some((t) => t.includes(`{${e.id}.`))
        );
        assert.ok(records.length > 0 || evidence, `no published record or claim for ${e.id}`);
      });
    }
  }
});

Deno.test("every published record is well formed and names a registered experiment", () => {
  for (const p of PAPERS) {
    const ids = new Set(p.experiments.map((e) => e.id));
    for (const r of p.published.records) {
      const where = `${p.id}/${r.experiment}/${r.metric}`;
      assert.ok(ids.has(r.experiment), `${where}: unknown experiment`);
      assert.ok(Number.isFinite(r.value), `${where}: value`);
      assert.ok(["higher", "lower", "none"].includes(r.direction), `${where}: direction`);
      assert.ok(RECORD_KINDS.includes(r.kind), `${where}: kind "${r.kind}"`);
      assert.ok(r.source.length > 0 && /^\[.+\]$/.test(r.tag), `${where}: source and [tag]`);
      assert.ok(
        r.tolerance.abs !== undefined || r.tolerance.rel !== undefined,
        `${where}: tolerance`,
      );
    }
  }
});
