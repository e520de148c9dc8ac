import assert from "node:assert/strict";
import { PAPERS } from "../mod.ts";
import { listFiles, runDeno } from "./_cli.ts";

// End to end: every registered experiment through its real code path at the smoke profile.
Deno.test("reproduce all --profile smoke runs every experiment and writes results and reports", async () => {
  const out = await Deno.makeTempDir();
  const r = await runDeno("tasks/reproduce.ts", ["all", "--profile", "smoke", "--out", out]);
  assert.equal(r.code, 0, r.stderr.slice(-4000));
  const files = listFiles(out);
  for (const p of PAPERS) {
    assert.ok(files.includes(`${p.id}/REPORT.md`), `${p.id}/REPORT.md`);
    for (const e of p.experiments) {
      const rel = `${p.id}/${e.id}.smoke.v${e.version}.json`;
      assert.ok(files.includes(rel), `${rel} missing`);
      const res = JSON.parse(await Deno.readTextFile(`${out}/${rel}`));
      assert.equal(res.samples.cells.done, res.samples.cells.planned, rel);
    }
  }
  assert.ok(!files.some((f) => f.includes(".partial/") || f.endsWith(".tmp")));
  assert.match(r.stdout, /report: /);
  await Deno.remove(out, { recursive: true });
});
