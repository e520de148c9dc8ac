import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { belowThreshold, episodesToThreshold, experiment, summarize } from "./figure2_learning.ts";
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
    assert.ok(e.mean >= cfg.curveWindow * cfg.batch && e.mean <= cfg.copyMinibatches * cfg.batch);
  }
});

Deno.test("episodesToThreshold is the end of the first window whose mean cost is below the threshold", () => {
  const costs = [9, 8, 3, 0.5, 0.5, 2, 0.1];
  assert.equal(episodesToThreshold(costs, 1, 2), 5); // mean(0.5, 0.5) < 1; mean(3, 0.5) is not
  assert.equal(episodesToThreshold(costs, 5, 1), 3);
  assert.equal(episodesToThreshold(costs, 0.05, 2), null);
  assert.equal(episodesToThreshold([0, 0], 1, 3), null); // never a full window
});

Deno.test("the copy claim ratio is the slower SAM's episodes over the faster dense model's, and is left out when a SAM seed missed the threshold", () => {
  const config = {
    ...experiment.profiles.smoke,
    tasks: ["copy"],
    models: ["ntm", "dam", "sam_linear", "sam_ann"],
    copyMinibatches: 10,
    batch: 4,
    curveWindow: 2,
  };
  const reachedAt: Record<string, (number | null)[]> = {
    ntm: [40, null], // null: counts as the budget, 10 × 4 = 40 episodes
    dam: [20, 28],
    sam_linear: [24, 32],
    sam_ann: [36, 28],
  };
  const records = (at: Record<string, (number | null)[]>) =>
    Object.entries(at).flatMap(([model, seeds]) =>
      seeds.map((e, k) => ({
        id: `copy/${model}/seed=${k + 1}`,
        seed: k + 1,
        wallSeconds: 1,
        output: {
          task: "copy",
          model,
          seed: k + 1,
          batch: 4,
          curve: [{ minibatch: 2, episode: 8, bits: 3 }],
          firstBits: 3,
          finalBits: 3,
          episodesToThreshold: e,
          minibatches: 10,
          stopped: false,
          msPerMinibatch: 1,
        },
      }))
    );
  const s = summarize(config, records(reachedAt));
  // slower SAM: sam_ann, mean 32; faster dense: dam, mean 24.
  assert.equal(s.metrics.copy_sparseOverDenseEpisodes, 32 / 24);
  assert.deepEqual((s.metrics.copy_ntm_episodesToThreshold as { perSeed: number[] }).perSeed, [
    40,
    40,
  ]);
  assert.equal(s.metrics.copy_ntm_reachedFraction, 0.5);
  const missed = summarize(config, records({ ...reachedAt, sam_ann: [36, null] }));
  assert.equal(missed.metrics.copy_sparseOverDenseEpisodes, undefined);
  assert.ok(missed.notes!.some((n) => n.startsWith("copy_sparseOverDenseEpisodes not computed")));
});

Deno.test("belowThreshold stops at the same minibatch as episodesToThreshold reports", () => {
  const costs = [9, 8, 3, 0.5, 0.5, 2, 0.1];
  const stop = belowThreshold(1, 2), seen: number[] = [];
  let at = -1;
  for (const c of costs) {
    seen.push(c);
    if (stop(seen)) {
      at = seen.length;
      break;
    }
  }
  assert.equal(at, episodesToThreshold(costs, 1, 2));
});
