import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { experiment } from "./figure2_learning.ts";
import { runSmoke } from "./_smoke.ts";

await tf.setBackend("wasm");
await tf.ready();

Deno.test("figure2_learning smoke profile records a cost curve per task and model", async () => {
  const s = await runSmoke(experiment);
  const cfg = experiment.profiles.smoke;
  for (const task of cfg.tasks) {
    for (const model of cfg.models) {
      const st = s.metrics[`${task}_${model}_finalBits`] as { mean: number; n: number };
      assert.ok(st.mean > 0 && Number.isFinite(st.mean));
      assert.equal(st.n, experiment.seeds.smoke.length);
    }
  }
  assert.equal(s.figures?.length, cfg.tasks.length);
});
