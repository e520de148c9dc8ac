import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { experiment } from "./figure1a_speed.ts";
import { runSmoke } from "./_smoke.ts";

await tf.setBackend("wasm");
await tf.ready();

Deno.test("figure1a_speed smoke profile times every model at every N and measures recall@K", async () => {
  const s = await runSmoke(experiment);
  const rows = s.metrics.rows as { model: string; N: number; msPerStep: number }[];
  const cfg = experiment.profiles.smoke;
  assert.equal(rows.length, cfg.models.length * cfg.log2N.length);
  for (const r of rows) assert.ok(r.msPerStep > 0 && Number.isFinite(r.msPerStep));
  const recall = s.metrics.recallAtK as { recall: number }[];
  assert.ok(recall.length > 0 && recall.every((r) => r.recall >= 0 && r.recall <= 1));
  assert.equal(s.figures?.length, 1);
});
