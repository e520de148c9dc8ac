import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import type { IntervalMetric } from "../../../tasks/core/interval.ts";
import { experiment, ratioMetrics } from "./figure7_sdnc.ts";
import { runSmoke } from "./_smoke.ts";

await tf.setBackend("wasm");
await tf.ready();

const cfg = experiment.profiles.smoke;

function assertInterval(v: unknown, rounds: number, what: string): IntervalMetric {
  const i = v as IntervalMetric;
  assert.ok(i && typeof i === "object", `${what}: an interval`);
  assert.equal(i.rounds, rounds, `${what}: rounds`);
  assert.ok(i.lo > 0 && i.lo <= i.median && i.median <= i.hi, `${what}: lo ≤ median ≤ hi`);
  assert.ok(Number.isFinite(i.hi), `${what}: finite`);
  return i;
}

Deno.test("figure7_sdnc smoke profile times and counts the bytes of both models at every N and measures the ratios in interleaved rounds", async () => {
  const s = await runSmoke(experiment);
  const rows = s.metrics.rows as { model: string; N: number; msPerStep: number; bytes: number }[];
  const want = [
    ...cfg.dncLog2N.map((k) => `dnc/${2 ** k}`),
    ...cfg.sdncLog2N.map((k) => `sdnc/${2 ** k}`),
  ].sort();
  assert.deepEqual(rows.map((r) => `${r.model}/${r.N}`).sort(), want);
  for (const r of rows) {
    assert.ok(r.msPerStep > 0 && Number.isFinite(r.msPerStep), `${r.model} N=${r.N} time`);
    assert.ok(r.bytes > 0 && Number.isFinite(r.bytes), `${r.model} N=${r.N} bytes`);
  }
  // The DNC's links make its bytes grow with N² (less its N-independent parts at these small
  // N); the SDNC's only through its Θ(N) initialisation.
  const at = (m: string, N: number) => rows.find((r) => r.model === m && r.N === N)!.bytes;
  const [a, b] = cfg.dncLog2N.map((k) => 2 ** k) as [number, number];
  const gD = at("dnc", b) / at("dnc", a), gS = at("sdnc", b) / at("sdnc", a);
  assert.ok(gD > 1.5 && gD > gS, `bytes ×${gD} (DNC) vs ×${gS} (SDNC) from N = ${a} to ${b}`);
  const speed = assertInterval(s.metrics.speedupDncOverSdncAtRatioN, cfg.ratioRounds, "speedup");
  const mem = assertInterval(s.metrics.memoryRatioDncOverSdncAtRatioN, cfg.ratioRounds, "memory");
  assert.ok(mem.median > 1, `the DNC holds more than the SDNC at N = 2^${cfg.ratioLog2N}`);
  void speed;
  // The smoke ratio N is not 2048, so the 2048 metrics stay empty rather than mislabelled.
  assert.equal(s.metrics.speedupDncOverSdncAt2048, null);
  assert.equal(s.figures?.length, 2);
});

Deno.test("figure7_sdnc ratio metrics fault on a ratio cell without its rounds", () => {
  assert.throws(
    () => ratioMetrics({ model: "ratio", N: 8, msPerStep: null, bytes: null, notRun: null }),
    /lacks its rounds/,
  );
  assert.deepEqual(ratioMetrics(undefined), { speedup: null, cpuSpeedup: null, memory: null });
});

Deno.test("figure7_sdnc default and paper profiles measure both models up to N = 2048 and the SDNC to 2^20", () => {
  for (const p of [experiment.profiles.default, experiment.profiles.paper]) {
    assert.ok(Math.max(...p.dncLog2N) >= 11 && p.dncLog2N.includes(p.ratioLog2N));
    assert.equal(p.ratioLog2N, 11);
    assert.ok(Math.max(...p.sdncLog2N) >= 20 && p.sdncLog2N.includes(11));
    assert.equal(p.steps, 10);
  }
  const p = experiment.profiles.paper;
  assert.deepEqual([p.batch, p.W, p.heads, p.K, p.KL, p.hidden], [8, 32, 4, 4, 8, 100]);
});
