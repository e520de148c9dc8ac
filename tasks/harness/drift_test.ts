import assert from "node:assert/strict";
import type { PublishedRecord, ResultFile } from "../core/experiment.ts";
import { insideTolerance, paperDrift } from "./drift.ts";
import { checkMain, parseCheckArgs } from "./check_cli.ts";
import { reproduceMain } from "./cli.ts";
import { toyPaper } from "../../tests/fixtures/toy_paper.ts";
import { readJsonOrNull, writeJsonAtomic } from "../core/json.ts";

const REC: PublishedRecord = {
  experiment: "pi",
  metric: "pi",
  value: 100,
  unit: "",
  direction: "lower",
  kind: "paper-measured",
  source: "s",
  tag: "[text]",
  tolerance: { rel: 0.05 },
};

Deno.test("insideTolerance() uses the record's tolerance, and interval overlap for timings", () => {
  const p = (mean: number) => ({ mean, std: null, n: 1 });
  assert.ok(insideTolerance(REC, p(100), p(104)));
  assert.ok(!insideTolerance(REC, p(100), p(106)));
  const iv = (lo: number, hi: number) => ({
    mean: (lo + hi) / 2,
    std: null,
    n: 9,
    interval: { lo, hi, level: 0.95 },
  });
  assert.ok(insideTolerance(REC, iv(1.1, 1.3), iv(1.25, 1.4)));
  assert.ok(!insideTolerance(REC, iv(1.1, 1.2), iv(1.25, 1.4)));
});

Deno.test("paperDrift() flags a changed verdict, not a move inside the same verdict", () => {
  const res = (pi: number) =>
    new Map([["pi", { metrics: { pi }, config: {} } as unknown as ResultFile]]);
  const same = paperDrift(toyPaper, "default", res(3.14), res(3.15));
  assert.ok(same.rows.every((r) => !r.changed));
  const moved = paperDrift(toyPaper, "default", res(3.14), res(2.5));
  const row = moved.rows.find((r) => r.record.metric === "pi")!;
  assert.equal(row.changed, true);
  assert.equal(row.inside, false);
  assert.equal(row.fresh.outcome, "differs");
});

Deno.test("parseCheckArgs() keeps reproduce flags and refuses bad input", () => {
  const a = parseCheckArgs(["toy", "--profile", "smoke", "--fresh", "/tmp/x"], [toyPaper])!;
  assert.deepEqual([a.target, a.profile, a.fresh, a.rest], ["toy", "smoke", "/tmp/x", [
    "toy",
    "--profile",
    "smoke",
  ]]);
  assert.throws(() => parseCheckArgs(["nope"], [toyPaper]), /expected one paper/);
  assert.throws(() => parseCheckArgs(["toy", "--profile", "huge"], [toyPaper]), /unknown profile/);
  assert.throws(
    () => parseCheckArgs(["toy", "--out", "x"], [toyPaper]),
    /--out is not a check flag/,
  );
});

/** The fresh-run folders under results/_check/ (where check reruns go without --fresh). */
async function checkRuns(): Promise<Set<string>> {
  const names = new Set<string>();
  try {
    for await (const e of Deno.readDir("results/_check")) names.add(e.name);
  } catch { /* none yet */ }
  return names;
}

Deno.test("check reruns a paper and exits 0 when no verdict changed, 1 when one did", async () => {
  const committed = await Deno.makeTempDir({ prefix: "check_committed_" });
  const quiet = console.log;
  console.log = () => {};
  try {
    const args = ["toy", "--profile", "smoke"];
    assert.equal(
      await checkMain([...args, "--committed", committed, "--fresh", committed], [toyPaper]),
      0,
    );
    // A seeded rerun reproduces the committed run: no drift.
    const fresh = await Deno.makeTempDir({ prefix: "check_fresh_" });
    assert.equal(await reproduceMain([...args, "--out", committed], [toyPaper]), 0);
    const before = await checkRuns();
    assert.equal(await checkMain([...args, "--committed", committed], [toyPaper]), 0);
    for (const run of await checkRuns()) {
      if (!before.has(run)) await Deno.remove(`results/_check/${run}`, { recursive: true });
    }
    // A committed value that no longer holds is a verdict change.
    const file = `${committed}/toy/pi.smoke.v1.json`;
    const r = (await readJsonOrNull<ResultFile>(file))!;
    (r.metrics.pi as { mean: number }).mean = 2.5;
    await writeJsonAtomic(file, r);
    assert.equal(await reproduceMain([...args, "--out", fresh], [toyPaper]), 0);
    assert.equal(
      await checkMain([...args, "--committed", committed, "--fresh", fresh], [toyPaper]),
      1,
    );
    await Deno.remove(fresh, { recursive: true });
  } finally {
    console.log = quiet;
    await Deno.remove(committed, { recursive: true });
  }
});
