import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { episodesToThreshold, experiment } from "./figure2_learning.ts";
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
  for (const model of cfg.models) {
    const f = s.metrics[`copy_${model}_reachedFraction`] as number;
    assert.ok(f >= 0 && f <= 1);
    const e = s.metrics[`copy_${model}_episodesToThreshold`] as { mean: number };
    assert.ok(e.mean >= cfg.curveWindow && e.mean <= cfg.episodes);
  }
});

Deno.test("episodesToThreshold is the end of the first window whose mean cost is below the threshold", () => {
  const costs = [9, 8, 3, 0.5, 0.5, 2, 0.1];
  assert.equal(episodesToThreshold(costs, 1, 2), 5); // mean(0.5, 0.5) < 1; mean(3, 0.5) is not
  assert.equal(episodesToThreshold(costs, 5, 1), 3);
  assert.equal(episodesToThreshold(costs, 0.05, 2), null);
  assert.equal(episodesToThreshold([0, 0], 1, 3), null); // never a full window
});
