import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ConvDraw } from "./conv_draw.ts";
import { loadDrawData } from "./data.ts";
import { flatWeights, train } from "./train.ts";
import { type ModelFields, trainedModel } from "./trained.ts";
import { movingAverage } from "./weight_average.ts";

await tf.setBackend("cpu");
await tf.ready();

Deno.test("movingAverage() starts from a copy of the first weights and then mixes d·a + (1 − d)·w", () => {
  const w1 = Float32Array.of(1, 2), w2 = Float32Array.of(3, 6);
  const a = movingAverage(null, w1, 0.75);
  assert.notEqual(a, w1, "a copy, not the caller's array");
  assert.deepEqual(Array.from(movingAverage(a, w2, 0.75)), [1.5, 3]);
  assert.throws(() => movingAverage(a, Float32Array.of(1), 0.75), /2 averaged weights, 1 new/);
});

Deno.test("trainedModel() with ema ends on the moving average of every step's weights", async () => {
  const fields: ModelFields = {
    s2d: 4,
    hidden: 3,
    zChannels: 2,
    iterations: 2,
    kernel: 3,
    batch: 8,
    steps: 4,
    lr: 2e-2,
    lrFinal: 2e-2,
    clip: 100,
    replicas: 1,
    ema: 0.6,
    useCache: false,
  };
  const tm = await trainedModel("binarized_mnist", fields, 5);
  try {
    // The same training again, step by step: a_1 = w_1, a_t = d·a_{t−1} + (1 − d)·w_t.
    const data = await loadDrawData("binarized_mnist");
    const twin = new ConvDraw(tm.record.modelConfig);
    const seen: Float32Array[] = [];
    await train(twin, data.train, false, tm.record.trainConfig, {
      onStep: () => seen.push(flatWeights(twin)),
    });
    let want: Float32Array | null = null;
    for (const w of seen) want = movingAverage(want, w, fields.ema);
    const got = flatWeights(tm.model), last = seen.at(-1)!;
    let worst = 0, fromLast = 0;
    for (let i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i]! - want![i]!));
      fromLast = Math.max(fromLast, Math.abs(got[i]! - last[i]!));
    }
    assert.ok(worst < 1e-6, `max |weights − average| = ${worst}`);
    assert.ok(fromLast > 1e-4, "the model does not keep its last step's weights");
    twin.dispose();
  } finally {
    tm.dispose();
  }
});
