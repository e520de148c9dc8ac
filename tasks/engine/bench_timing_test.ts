import assert from "node:assert/strict";
import type { BenchCase } from "./bench_cases.ts";
import { round } from "./bench_machine.ts";
import { benchRow, type CaseTimes } from "./bench_timing.ts";

const matmul: BenchCase = {
  name: "matmul1024",
  description: "test",
  flops: 2 * 1024 ** 3,
  step: () => assert.fail("benchRow() does not run steps"),
  dispose: () => {},
};

/** Seven rounds where ours takes `ours` ms and the one-thread peer `ours · ratio` ms. */
function rounds(ours: number[], ratios: number[]): CaseTimes {
  const perRound = ours.map((o, i) => ({
    ours: o,
    one: o * ratios[i]!,
    all: o * ratios[i]! * 2,
    threads: o / 1.6,
  }));
  return {
    ms: ours,
    rounds: ours.length,
    perRound,
    peerMs: perRound.map((r) => r.one),
    peerAllMs: perRound.map((r) => r.all),
    msThreads: perRound.map((r) => r.threads),
    threads: 2,
    tfPeakBytes: 1,
  };
}

Deno.test("benchRow() reports the median per-round ratio (peer / ours) with its interval and verdict", () => {
  const ours = [100, 110, 90, 105, 95, 100, 120];
  const straddle = benchRow(matmul, "wasm", rounds(ours, [0.4, 0.5, 0.42, 0.47, 0.44, 0.46, 0.43]));
  assert.equal(straddle.ratioToPeer, 0.44);
  assert.equal(straddle.ratioToPeerLow, 0.4);
  assert.equal(straddle.ratioToPeerHigh, 0.5);
  assert.equal(straddle.ratioConfidence, 0.9844); // 7 rounds: [min, max]
  assert.equal(straddle.target, 0.45);
  assert.equal(straddle.verdict, "straddles");
  assert.equal(straddle.ratioToPeerAllCores, 0.88);
  assert.equal(straddle.msMedian, 100);
  assert.equal(straddle.rounds, 7);
  // ours on two threads at 1/1.6 of one thread's time in every round
  assert.equal(straddle.threads, 2);
  assert.equal(straddle.msMedianThreads, 62.5);
  assert.equal(straddle.scalingThreads, 1.6);
  assert.equal(straddle.scalingThreadsLow, 1.6);
  assert.equal(straddle.scalingTarget, 1.7);
  assert.equal(straddle.scalingVerdict, "below");
  assert.equal(straddle.ratioThreadsToPeerAllCores, round(0.44 * 2 * 1.6));
  const meets = benchRow(matmul, "wasm", rounds(ours, [0.5, 0.6, 0.55, 0.52, 0.58, 0.51, 0.57]));
  assert.equal(meets.verdict, "meets");
  const below = benchRow(matmul, "wasm", rounds(ours, [0.3, 0.32, 0.29, 0.31, 0.3, 0.33, 0.44]));
  assert.equal(below.verdict, "below");
});

Deno.test("benchRow() of a case timed alone has no peer, ratio or verdict", () => {
  const row = benchRow(matmul, "cpu", {
    ms: [2000, 2100, 1900],
    rounds: null,
    perRound: [],
    peerMs: [],
    peerAllMs: [],
    msThreads: [],
    threads: null,
    tfPeakBytes: 5,
  });
  assert.equal(row.msMedian, 2000);
  assert.equal(row.gflops, 1.07);
  for (
    const k of [
      "rounds",
      "peerMsMedian",
      "ratioToPeer",
      "target",
      "verdict",
      "threads",
      "scalingThreads",
      "scalingVerdict",
    ] as const
  ) {
    assert.equal(row[k], null, k);
  }
});
