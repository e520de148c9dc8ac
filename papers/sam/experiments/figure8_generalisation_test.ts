import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { experiment, itemsForLength, repeatsFor } from "./figure8_generalisation.ts";
import { runSmoke } from "./_smoke.ts";

await tf.setBackend("wasm");
await tf.ready();

Deno.test("figure8_generalisation smoke profile trains by the curriculum and tests every length forward only", async () => {
  const s = await runSmoke(experiment);
  const cfg = experiment.profiles.smoke;
  const rows = s.metrics.rows as {
    model: string;
    testLength: number;
    bits: number;
    chanceBits: number;
    msPerStep: number;
    bytes: number;
  }[];
  assert.equal(rows.length, cfg.models.length * cfg.testLengths.length);
  for (const r of rows) {
    assert.ok(Number.isFinite(r.bits) && r.bits > 0, `bits ${r.bits}`);
    assert.equal(r.chanceBits, cfg.bits * cfg.itemSteps);
    assert.ok(r.msPerStep > 0 && r.bytes > 0);
  }
  assert.ok(rows.at(-1)!.testLength >= 190, "the longest test is about as long as asked");
  for (const m of cfg.models) {
    const lvl = s.metrics[`${m}_maxLevel`] as { mean: number };
    assert.ok(lvl.mean >= cfg.curriculumStart && lvl.mean <= cfg.curriculumMaxLevel);
    assert.ok(Number.isFinite(s.metrics[`${m}_fractionOfChanceAtLongest`] as number));
  }
  assert.equal(s.figures?.length, 1);
});

Deno.test("test lengths become whole items and the step budget sets the repeats", () => {
  // n items of S steps take n(S + 1) + 2(S + 1) + S steps
  assert.equal(itemsForLength(100_000, 1), 49_998);
  assert.equal(itemsForLength(5, 1), 2);
  const cfg = { ...experiment.profiles.default, testSteps: 10_000, maxRepeats: 8 };
  assert.equal(repeatsFor(cfg, 100), 8);
  assert.equal(repeatsFor(cfg, 2_000), 5);
  assert.equal(repeatsFor(cfg, 100_000), 1);
});
