import assert from "node:assert/strict";
import { listFiles, runDeno } from "./_cli.ts";

const TOY = "tests/fixtures/toy_cli.ts";
const RUN = ["reproduce", "toy", "--backend", "cpu", "--profile", "smoke", "--seeds", "1,2,3"];

Deno.test("three shards merged by report --merge equal one unsharded run", async () => {
  const sharded = await Deno.makeTempDir(), whole = await Deno.makeTempDir();
  for (const i of [1, 2, 3]) {
    const r = await runDeno(TOY, [...RUN, "--shard", `${i}/3`, "--out", sharded]);
    assert.equal(r.code, 0, r.stderr);
  }
  assert.deepEqual(listFiles(`${sharded}/toy`), [
    "shards/pi.smoke.v1.shard-1-of-3.json",
    "shards/pi.smoke.v1.shard-2-of-3.json",
    "shards/pi.smoke.v1.shard-3-of-3.json",
  ]);
  const merged = await runDeno(TOY, [
    "report",
    "--merge",
    `${sharded}/toy/shards`,
    "--out",
    sharded,
  ]);
  assert.equal(merged.code, 0, merged.stderr);
  assert.equal((await runDeno(TOY, [...RUN, "--out", whole])).code, 0);
  const a = JSON.parse(await Deno.readTextFile(`${sharded}/toy/pi.smoke.v1.json`));
  const b = JSON.parse(await Deno.readTextFile(`${whole}/toy/pi.smoke.v1.json`));
  assert.deepEqual(a.metrics, b.metrics);
  assert.deepEqual(a.samples, b.samples);
  assert.equal(a.provenance.shards.length, 3);
  assert.match(await Deno.readTextFile(`${sharded}/toy/REPORT.md`), /\| pi \| pi \|/);
  await Deno.remove(sharded, { recursive: true });
  await Deno.remove(whole, { recursive: true });
});

Deno.test("report --merge refuses an incomplete set of shards", async () => {
  const out = await Deno.makeTempDir();
  assert.equal((await runDeno(TOY, [...RUN, "--shard", "1/2", "--out", out])).code, 0);
  const r = await runDeno(TOY, ["report", "--merge", `${out}/toy/shards`, "--out", out]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /missing shard\(s\) 2 of 2/);
  assert.ok(!listFiles(out).includes("toy/pi.smoke.v1.json"));
  await Deno.remove(out, { recursive: true });
});
