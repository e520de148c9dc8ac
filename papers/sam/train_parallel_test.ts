import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { copyEpisode, costBits } from "../../datasets/synthetic/mod.ts";
import { flatGrads } from "./flat_params.ts";
import type { ModelName } from "./model.ts";
import { createModel, type ModelSizes } from "./models.ts";
import { pooledGrads, trainParallel } from "./train_parallel.ts";
import { TrainPool } from "./train_pool.ts";

await tf.setBackend("cpu");
await tf.ready();

const SIZES: ModelSizes = {
  input: 5,
  output: 4,
  hidden: 12,
  N: 16,
  W: 6,
  heads: 2,
  K: 2,
  batch: 5,
  maxSteps: 9,
};

for (const name of ["sam_linear", "sam_ann", "ntm", "dam"] as ModelName[]) {
  Deno.test(`pooled gradients of ${name} over 2 workers equal its gradient on the whole minibatch`, async () => {
    const ep = copyEpisode(new Rng(4), { batch: 5, bits: 4, minLength: 1, maxLength: 4 });
    const whole = await createModel(name, SIZES, new Rng(9));
    const ref = whole.run(ep, true);
    const refFlat = flatGrads(ref.grads!);
    tf.dispose(ref.grads!);
    const pool = await TrainPool.start(2, name, { ...SIZES, batch: 3 }, 9, tf.getBackend());
    try {
      const { bits, grads } = await pooledGrads(whole, pool, ep);
      const got = flatGrads(grads);
      tf.dispose(grads);
      let err = 0, scale = 0;
      for (let i = 0; i < got.length; i++) {
        err = Math.max(err, Math.abs(got[i]! - refFlat[i]!));
        scale = Math.max(scale, Math.abs(refFlat[i]!));
      }
      assert.ok(scale > 0, "reference gradient is zero");
      assert.ok(err <= 1e-5 * scale + 1e-7, `max |Δg| ${err} (max |g| ${scale})`);
      assert.ok(Math.abs(bits - costBits(ep, ref.probs)) < 1e-4, `bits ${bits}`);
    } finally {
      pool.close();
      whole.dispose();
    }
  });
}

Deno.test("trainParallel lowers the copy cost of SAM on a repeated small batch", async () => {
  const ep = copyEpisode(new Rng(1), { batch: 4, bits: 4, minLength: 2, maxLength: 2 });
  const sizes = { ...SIZES, batch: 4, N: 16, W: 8, hidden: 16, maxSteps: ep.T };
  const model = await createModel("sam_linear", sizes, new Rng(2));
  const pool = await TrainPool.start(2, "sam_linear", { ...sizes, batch: 2 }, 2, tf.getBackend());
  const before = tf.memory().numTensors;
  try {
    const costs = await trainParallel(model, pool, () => ep, {
      episodes: 30,
      learningRate: 1e-2,
      decay: 0.9,
      clipNorm: 10,
    });
    assert.ok(costs[29]! < 0.7 * costs[0]!, `cost ${costs[0]} → ${costs[29]}`);
    assert.equal(tf.memory().numTensors, before);
  } finally {
    pool.close();
    model.dispose();
  }
});

Deno.test("a worker's failure rejects the request and closes the pool", async () => {
  const pool = await TrainPool.start(2, "lstm", SIZES, 1, tf.getBackend());
  const bad = copyEpisode(new Rng(1), { batch: 2, bits: 3, minLength: 1, maxLength: 2 });
  try {
    await assert.rejects(() => pool.grads(new Float32Array(3), [bad, bad]), /sam train worker/);
    await assert.rejects(() => pool.grads(new Float32Array(3), [bad, bad]), /closed/);
  } finally {
    pool.close();
  }
});
