import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { IntervalMetric } from "../../../tasks/core/interval.ts";
import { experiment, ratioMetrics } from "./figure1a_speed.ts";
import { runSmoke } from "./_smoke.ts";

await tf.setBackend("wasm");
await tf.ready();

const cfg = experiment.profiles.smoke;
const backend = { name: "wasm", requested: "wasm", adapter: null, reason: "test" };

function assertInterval(v: unknown, rounds: number, what: string): IntervalMetric {
  const i = v as IntervalMetric;
  assert.ok(i && typeof i === "object", `${what}: an interval`);
  assert.equal(i.rounds, rounds, `${what}: rounds`);
  assert.ok(i.lo > 0 && i.lo <= i.median && i.median <= i.hi, `${what}: lo ≤ median ≤ hi`);
  assert.ok(Number.isFinite(i.hi) && i.level > 0.95, `${what}: level ${i.level}`);
  return i;
}

Deno.test("figure1a_speed smoke profile times every model at every N and measures recall@K", async () => {
  const s = await runSmoke(experiment);
  const all = s.metrics.rows as { model: string; N: number; msPerStep: number }[];
  const rows = all.filter((r) => !r.model.endsWith("_js"));
  assert.equal(rows.length, cfg.models.length * cfg.log2N.length);
  for (const r of all) assert.ok(r.msPerStep > 0 && Number.isFinite(r.msPerStep));
  // The NTM and DAM through dense_js.ts at every N of jsLog2N: their own cells below the largest,
  // the ratio_js cell's rounds at it.
  const js = all.filter((r) => r.model.endsWith("_js")).map((r) => `${r.model}@${r.N}`);
  assert.deepEqual(
    js.sort(),
    ["ntm_js", "dam_js"].flatMap((m) => cfg.jsLog2N.map((k) => `${m}@${2 ** k}`)).sort(),
  );
  const planned = experiment.cells(cfg, [1]).map((c) => c.id);
  assert.ok(planned.includes(`ntm_js/N=2^${Math.min(...cfg.jsLog2N)}`));
  assert.ok(!planned.includes(`ntm_js/N=2^${Math.max(...cfg.jsLog2N)}`), "the ratio_js cell's N");
  assert.equal(s.metrics.maxDenseJsN, 2 ** Math.max(...cfg.jsLog2N));
  for (
    const m of [
      "speedupNtmOverSamAnnAtMaxDenseJsN",
      "speedupDamOverSamAnnAtMaxDenseJsN",
      "speedupNtmOverSamLinearAtMaxDenseJsN",
    ]
  ) assertInterval(s.metrics[m], cfg.ratioRounds, m);
  const d = s.metrics.ratioRoundsAtMaxDenseJsN as { order: string[] };
  assert.deepEqual(d.order, ["ntm_js", "dam_js", "sam_linear", "sam_ann"]);
  const recall = s.metrics.recallAtK as { recall: number }[];
  assert.ok(recall.length > 0 && recall.every((r) => r.recall >= 0 && r.recall <= 1));
  assert.equal(s.figures?.length, 1);
  assert.equal(s.metrics.maxDenseN, 2 ** Math.max(...cfg.log2N));
  for (
    const m of [
      "speedupNtmOverSamAnnAtMaxDenseN",
      "speedupDamOverSamAnnAtMaxDenseN",
      "speedupNtmOverSamLinearAtMaxDenseN",
    ]
  ) assertInterval(s.metrics[m], cfg.ratioRounds, m);
  // The extrapolated speed-ups stay single numbers (null here: the smoke profile has no 2^20).
  assert.equal(s.metrics.speedupNtmOverSamAnnAt1MExtrapolated, null);
});

Deno.test("the ratio cell times every model in turn for ratioRounds rounds at the largest dense N", async () => {
  const cell = experiment.cells(cfg, [1]).find((c) => c.params.model === "ratio");
  assert.ok(cell, "the smoke profile plans a ratio cell");
  assert.equal(cell.params.N, 2 ** Math.max(...cfg.log2N));
  const out = await experiment.run(cfg, {
    cell,
    profile: "smoke",
    backend,
    progress: { update() {}, log() {} },
  });
  assert.equal(out.msPerStep, null);
  assert.deepEqual(out.rounds?.map((r) => r.name), cfg.models);
  for (const r of out.rounds!) {
    assert.equal(r.steps, r.name.startsWith("sam") ? cfg.sparseSteps : cfg.denseSteps);
    assert.equal(r.wallMs.length, cfg.ratioRounds, `${r.name}: warm-up round dropped`);
    assert.equal(r.cpuMs.length, cfg.ratioRounds);
    assert.ok(r.wallMs.every((x) => x > 0 && Number.isFinite(x)), `${r.name} wall ms`);
    assert.ok(r.cpuMs.every((x) => x >= 0 && Number.isFinite(x)), `${r.name} cpu ms`);
  }
  const { wall, detail } = ratioMetrics([out], out.N);
  const ntm = out.rounds!.find((r) => r.name === "ntm")!.wallMs;
  const ann = out.rounds!.find((r) => r.name === "sam_ann")!.wallMs;
  const perRound = ntm.map((x, i) => x / ann[i]!).sort((a, b) => a - b);
  const i = assertInterval(wall.ntmOverSamAnn, cfg.ratioRounds, "ntm / sam_ann");
  assert.equal(i.median, perRound[perRound.length >> 1], "median of the per-round ratios");
  assertInterval(wall.damOverSamAnn, cfg.ratioRounds, "dam / sam_ann");
  assertInterval(wall.ntmOverSamLinear, cfg.ratioRounds, "ntm / sam_linear");
  const d = detail as Record<string, Record<string, unknown>>;
  for (const m of cfg.models) assertInterval(d.wallMsPerStep?.[m], cfg.ratioRounds, `${m} ms`);
  assert.ok(d.cpuSpeedup?.ntmOverSamAnn, "CPU-time speed-up beside wall time");
  assert.throws(() => ratioMetrics([out], out.N * 2), /maxDenseN/);
});

Deno.test("a ratio_js cell at another N than the largest ntm_js row is a fault", () => {
  const rounds = ["ntm_js", "sam_ann"].map((name) => ({
    name,
    steps: 1,
    wallMs: [2, 2, 2, 2, 2, 2, 2],
    cpuMs: [2, 2, 2, 2, 2, 2, 2],
  }));
  const cell = { model: "ratio_js", N: 256, msPerStep: null, notRun: null, rounds };
  assert.equal(ratioMetrics([cell], 256, "ratio_js").wall.ntmOverSamAnn?.median, 1);
  assert.equal(ratioMetrics([cell], 256).wall.ntmOverSamAnn, null, "the tape ratio cell is apart");
  assert.throws(() => ratioMetrics([cell], 512, "ratio_js"), /maxDenseJsN/);
});
