import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { copyEpisode } from "../../datasets/synthetic/copy.ts";
import { createModel } from "./models.ts";
import { train } from "./train.ts";

await tf.setBackend("cpu");
await tf.ready();

Deno.test("train() lowers the copy cost of SAM on a repeated small batch without leaking tensors", async () => {
  const ep = copyEpisode(new Rng(1), { batch: 4, bits: 4, minLength: 2, maxLength: 2 });
  const model = await createModel("sam_linear", {
    input: 5,
    output: 4,
    hidden: 16,
    N: 16,
    W: 8,
    heads: 2,
    K: 2,
    batch: 4,
    maxSteps: ep.T,
  }, new Rng(2));
  const before = tf.memory().numTensors;
  const costs = train(model, () => ep, {
    episodes: 30,
    learningRate: 1e-2,
    decay: 0.9,
    clipNorm: 10,
  });
  assert.ok(costs[29]! < 0.7 * costs[0]!, `cost ${costs[0]} → ${costs[29]}`);
  // Optimiser slots are freed by dispose(); nothing else may remain.
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});
