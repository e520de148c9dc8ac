import assert from "node:assert/strict";
import type { PublishedRecord, ResultFile } from "../core/experiment.ts";
import { compareRecord } from "./compare.ts";
import { seedStat } from "../core/stats.ts";

const REC: PublishedRecord = {
  experiment: "e",
  metric: "nll",
  value: 100,
  unit: "nats",
  direction: "lower",
  source: "Table 1",
  tag: "[text]",
  tolerance: { rel: 0.05 },
};

function result(metrics: ResultFile["metrics"]): ResultFile {
  return { metrics } as unknown as ResultFile;
}

Deno.test("compareRecord() gives each verdict in the right situation", () => {
  const v = (metrics: ResultFile["metrics"], rec: Partial<PublishedRecord> = {}) =>
    compareRecord({ ...REC, ...rec }, "default", result(metrics)).verdict;
  assert.equal(v({ nll: 99 }), "reproduced");
  assert.equal(v({ nll: 104 }), "within tolerance");
  assert.equal(v({ nll: 120 }), "differs");
  assert.equal(v({ nll: 120 }, { knownGap: "CPU scale" }), "known gap: CPU scale");
  assert.equal(v({ nll: 120 }, { direction: "higher" }), "reproduced");
  assert.equal(v({ nll: 100.5 }, { direction: "none" }), "reproduced");
  assert.equal(v({ nll: 103 }, { direction: "none" }), "within tolerance");
  assert.equal(v({ other: 1 }), "not run at this profile");
  assert.equal(
    v({ nll: 1 }, { publishedOnly: "no CIFAR offline" }),
    "published only: no CIFAR offline",
  );
  assert.equal(
    compareRecord(REC, "paper", null).verdict,
    "not run at this profile",
  );
});

Deno.test("compareRecord() reads SeedStats as mean ± std and reports ratio and difference", () => {
  const row = compareRecord(REC, "default", result({ nll: seedStat([90, 110, 100]) as never }));
  assert.deepEqual(row.ours, { mean: 100, std: 10, n: 3 });
  assert.equal(row.ratio, 1);
  assert.equal(row.difference, 0);
  assert.equal(row.verdict, "reproduced");
});
