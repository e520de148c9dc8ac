import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadBinarizedMnist } from "../../datasets/binarized_mnist/mod.ts";
import { ConvDraw } from "./conv_draw.ts";
import { batchTensor, configHash, evaluate, train, trainStep } from "./train.ts";

await tf.setBackend("cpu");
await tf.ready();

const SMALL = {
  height: 28,
  width: 28,
  s2d: 4,
  hidden: 6,
  zChannels: 2,
  iterations: 3,
  kernel: 3,
  likelihood: "bernoulli" as const,
  seed: 1,
};

Deno.test("trainStep() leaves no new tensors behind after the optimizer's first step", async () => {
  const test = await loadBinarizedMnist("test");
  const model = new ConvDraw(SMALL);
  const opt = tf.train.adam(1e-3);
  const x = batchTensor(test, [0, 1, 2, 3]);
  trainStep(model, opt, x, 1, 10); // creates Adam's slots
  const before = tf.memory().numTensors;
  for (let s = 2; s <= 4; s++) {
    trainStep(model, opt, x, s, 10);
    assert.equal(tf.memory().numTensors, before, `step ${s}`);
  }
  x.dispose();
  opt.dispose();
  model.dispose();
});

Deno.test("train() lowers the negative ELBO of binarized MNIST and evaluate() sums its parts", async () => {
  const test = await loadBinarizedMnist("test");
  const data = { ...test, n: 16 };
  const model = new ConvDraw({ ...SMALL, hidden: 4, iterations: 2 });
  const e0 = await evaluate(model, data, 16, 3);
  train(model, data, false, { steps: 12, batch: 8, lr: 2e-2, lrFinal: 2e-2, clip: 100, seed: 2 });
  const e1 = await evaluate(model, data, 16, 3);
  assert.ok(e1.nelbo < e0.nelbo - 50, `${e0.nelbo} -> ${e1.nelbo}`);
  assert.ok(Math.abs(e1.recon + e1.klTotal - e1.nelbo) < 1e-3);
  assert.ok(e1.klPerIter.every((k) => k >= 0));
  model.dispose();
});

Deno.test("configHash() is stable and separates different configs", () => {
  assert.equal(configHash({ a: 1, b: [2] }), configHash({ a: 1, b: [2] }));
  assert.notEqual(configHash({ a: 1 }), configHash({ a: 2 }));
});
