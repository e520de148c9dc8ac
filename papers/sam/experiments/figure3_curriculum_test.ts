import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { experiment, levelAt, samAdvancesFurthest } from "./figure3_curriculum.ts";
import { runSmoke } from "./_smoke.ts";

await tf.setBackend("wasm");
await tf.ready();

Deno.test("figure3_curriculum smoke profile trains every replica under the curriculum and plots h per task", async () => {
  const s = await runSmoke(experiment);
  const cfg = experiment.profiles.smoke;
  for (const task of cfg.tasks) {
    for (const model of cfg.models) {
      const st = s.metrics[`${task}_${model}_maxLevel`] as { mean: number; n: number };
      assert.equal(st.n, experiment.seeds.smoke.length);
      assert.ok(st.mean >= cfg.startLevel && st.mean <= cfg.maxLevel);
    }
    assert.ok([0, 1].includes(s.metrics[`${task}_samAdvancesFurthest`] as number));
  }
  const rows = s.metrics.rows as { episodes: number; maxLevel: number; cpuSeconds: number }[];
  assert.equal(rows.length, cfg.tasks.length * cfg.models.length * experiment.seeds.smoke.length);
  for (const r of rows) {
    assert.ok(r.episodes >= 1 && r.cpuSeconds >= cfg.budgetSeconds, JSON.stringify(r));
    // the smoke threshold is huge: h doubled at each full window until the cap
    if (r.episodes >= 2 * cfg.window) assert.equal(r.maxLevel, cfg.maxLevel);
  }
  assert.equal(s.figures?.length, cfg.tasks.length);
});

Deno.test("levelAt reads a step history at an episode", () => {
  const h = [{ episode: 0, level: 1 }, { episode: 10, level: 2 }, { episode: 30, level: 4 }];
  assert.deepEqual([0, 9, 10, 29, 30, 99].map((e) => levelAt(h, e)), [1, 1, 2, 2, 4, 4]);
});

Deno.test("samAdvancesFurthest is 1 only when a SAM is strictly above every other model", () => {
  assert.equal(samAdvancesFurthest({ lstm: 4, ntm: 8, sam_linear: 16, sam_ann: 2 }), 1);
  assert.equal(samAdvancesFurthest({ lstm: 4, ntm: 16, sam_linear: 16 }), 0);
  assert.equal(samAdvancesFurthest({ dam: 32, sam_ann: 8 }), 0);
  assert.equal(samAdvancesFurthest({ lstm: 4 }), null);
});
