import assert from "node:assert/strict";
import type { PublishedRecord, ResultFile } from "../core/experiment.ts";
import { compareRecord, isExtrapolatedMetric, PASSING } from "./compare.ts";
import { seedStat } from "../core/stats.ts";

const REC: PublishedRecord = {
  experiment: "e",
  metric: "nll",
  value: 100,
  unit: "nats",
  direction: "lower",
  kind: "paper-measured",
  source: "Table 1",
  tag: "[text]",
  tolerance: { rel: 0.05 },
};

function result(metrics: ResultFile["metrics"], config: ResultFile["config"] = {}): ResultFile {
  return { metrics, config } as unknown as ResultFile;
}

const v = (metrics: ResultFile["metrics"], rec: Partial<PublishedRecord> = {}) =>
  compareRecord({ ...REC, ...rec }, "default", result(metrics));

Deno.test("compareRecord() gives the point verdicts in the metric's direction", () => {
  assert.equal(v({ nll: 99 }).verdict, "reproduced");
  assert.equal(v({ nll: 100 }).verdict, "reproduced");
  assert.equal(v({ nll: 104 }).verdict, "within tolerance");
  assert.equal(v({ nll: 120 }).verdict, "differs");
  assert.equal(v({ nll: 120 }, { direction: "higher" }).outcome, "better");
  assert.equal(v({ nll: 100.5 }, { direction: "none" }).verdict, "reproduced");
  assert.equal(v({ nll: 103 }, { direction: "none" }).verdict, "within tolerance");
  assert.equal(v({ nll: 90 }, { direction: "none" }).verdict, "differs");
  assert.equal(v({ other: 1 }).verdict, "not run at this profile");
  assert.equal(compareRecord(REC, "paper", null).verdict, "not run at this profile");
  assert.equal(
    v({ other: 1 }, { knownGap: "does not fit the heap" }).verdict,
    "not run at this profile: does not fit the heap",
  );
  assert.equal(
    v({ nll: 1 }, { publishedOnly: "no CIFAR offline" }).verdict,
    "published only: no CIFAR offline",
  );
});

Deno.test("better than published beyond the tolerance counts only where the record says so", () => {
  const plain = v({ nll: 50 });
  assert.equal(plain.outcome, "better");
  assert.match(plain.verdict, /^better than published \(not counted/);
  assert.ok(!PASSING.has(plain.outcome));
  const bound = v({ nll: 50 }, { betterIsPass: true });
  assert.equal(bound.outcome, "reproduced");
  assert.match(bound.verdict, /better than published/);
  // Inside the tolerance, better is simply reproduced either way.
  assert.equal(v({ nll: 97 }).outcome, "reproduced");
});

Deno.test("a known-gap reason is rendered from the result file, so it quotes the run", () => {
  const row = compareRecord(
    { ...REC, knownGap: "{config.steps} Adam steps of batch {config.batch}" },
    "default",
    result({ nll: 130 }, { steps: 3400, batch: 16 }),
  );
  assert.equal(row.outcome, "known gap");
  assert.equal(row.verdict, "known gap: 3,400 Adam steps of batch 16");
  const missing = compareRecord(
    { ...REC, knownGap: "{config.steps} steps" },
    "default",
    result({ nll: 130 }),
  );
  assert.equal(missing.verdict, "known gap: ‹config.steps: missing› steps");
});

Deno.test("an extrapolated metric is never reproduced, on either side of the published value", () => {
  assert.ok(isExtrapolatedMetric("speedupNtmOverSamAnnAt1MExtrapolated"));
  assert.ok(!isExtrapolatedMetric("speedupNtmOverSamAnnAtMaxDenseN"));
  const rec = { metric: "ratioExtrapolated", direction: "higher" as const, betterIsPass: true };
  for (const x of [3818, 1600, 1500, 10]) {
    const row = v({ ratioExtrapolated: x }, rec);
    assert.equal(row.outcome, "extrapolated", `ours ${x}`);
    assert.match(row.verdict, /^extrapolated, not measured/);
    assert.ok(!PASSING.has(row.outcome));
  }
  assert.match(v({ ratioExtrapolated: 3818 }, rec).verdict, /better than published/);
  assert.match(v({ ratioExtrapolated: 10 }, rec).verdict, /worse than published/);
});

Deno.test("a hardware-bound absolute is context only, never a pass or a fail", () => {
  for (const x of [1, 100, 1e6]) {
    const row = v({ nll: x }, { kind: "hardware-bound" });
    assert.equal(row.outcome, "context");
    assert.match(row.verdict, /^context only/);
    assert.equal(row.ratio, x / 100);
  }
});

Deno.test("a project target is met or missed, never reproduced", () => {
  const met = v({ nll: 99.35 }, { kind: "project-target", tolerance: { abs: 0 } });
  assert.equal(met.outcome, "target met");
  assert.doesNotMatch(met.verdict, /reproduced$/);
  const missed = v({ nll: 100.58 }, { kind: "project-target", tolerance: { abs: 0 } });
  assert.equal(missed.outcome, "target missed");
});

Deno.test("an interval gets a verdict only when the whole of it is on one side", () => {
  const iv = (median: number, lo: number, hi: number) => ({
    ratio: { median, lo, hi, rounds: 9, level: 0.95 },
  });
  const rec = { metric: "ratio", value: 1.333, tolerance: { abs: 0.1 }, betterIsPass: true };
  assert.equal(v(iv(1.2, 1.15, 1.25), rec).outcome, "reproduced");
  const straddle = v(iv(1.3, 1.2, 1.4), rec);
  assert.equal(straddle.outcome, "inconclusive");
  assert.match(straddle.verdict, /^inconclusive \(noise\)/);
  assert.equal(v(iv(1.38, 1.36, 1.4), rec).outcome, "within tolerance");
  assert.equal(v(iv(1.6, 1.5, 1.7), rec).outcome, "differs");
  // One end inside the tolerance, the other beyond it: not decided either.
  assert.equal(v(iv(1.45, 1.4, 1.5), rec).outcome, "inconclusive");
  // The median and n are read from the interval.
  const row = v(iv(1.2, 1.15, 1.25), rec);
  assert.deepEqual(row.ours, {
    mean: 1.2,
    std: null,
    n: 9,
    interval: { lo: 1.15, hi: 1.25, level: 0.95 },
  });
});

Deno.test("a timing ratio that needs an interval is inconclusive as a single number", () => {
  const rec = {
    metric: "ratio",
    value: 1.333,
    tolerance: { abs: 0.1 },
    needsInterval: true,
    betterIsPass: true,
  };
  const row = v({ ratio: 0.978 }, rec);
  assert.equal(row.outcome, "inconclusive");
  assert.match(row.verdict, /single timing/);
  const ok = v({ ratio: { median: 1.1, lo: 1.05, hi: 1.16, rounds: 9, level: 0.95 } }, rec);
  assert.equal(ok.outcome, "reproduced");
});

Deno.test("compareRecord() reads SeedStats as mean ± std and reports ratio and difference", () => {
  const row = compareRecord(REC, "default", result({ nll: seedStat([90, 110, 100]) as never }));
  assert.deepEqual(row.ours, { mean: 100, std: 10, n: 3 });
  assert.equal(row.ratio, 1);
  assert.equal(row.difference, 0);
  assert.equal(row.verdict, "reproduced");
});
