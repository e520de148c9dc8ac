import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { loadBinarizedMnist } from "../../datasets/binarized_mnist/mod.ts";
import { ConvDraw } from "./conv_draw.ts";
import { ReplicaPool } from "./replica_pool.ts";
import {
  batchPixels,
  batchTensor,
  dataParallelStep,
  evaluate,
  flatWeights,
  lossAndFlatGrads,
  shardSizes,
  train,
  trainStep,
} from "./train.ts";

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
  await train(model, data, false, {
    steps: 12,
    batch: 8,
    lr: 2e-2,
    lrFinal: 2e-2,
    clip: 100,
    seed: 2,
  });
  const e1 = await evaluate(model, data, 16, 3);
  assert.ok(e1.nelbo < e0.nelbo - 50, `${e0.nelbo} -> ${e1.nelbo}`);
  assert.ok(Math.abs(e1.recon + e1.klTotal - e1.nelbo) < 1e-3);
  assert.ok(e1.klPerIter.every((k) => k >= 0));
  model.dispose();
});

Deno.test("a two-replica step (one Web Worker) applies the mean gradient of the whole batch", async () => {
  const test = await loadBinarizedMnist("test");
  const idx = [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000];
  const pixels = batchPixels(test, idx);
  const shape: [number, number, number, number] = [8, 28, 28, 1];
  const parallel = new ConvDraw(SMALL), serial = new ConvDraw(SMALL);
  const pool = await ReplicaPool.start(1, SMALL, tf.getBackend());
  const sgd = tf.train.sgd(1);
  try {
    const w0 = flatWeights(serial);
    // expected: shard 0 (images 0–3, seed 5) here, shard 1 (images 4–7, seed 6), averaged
    const half = (h: number) => {
      const x = tf.tensor4d(pixels.slice(h * 4 * 784, (h + 1) * 4 * 784), [4, 28, 28, 1]);
      const r = lossAndFlatGrads(serial, x, 5 + h);
      x.dispose();
      return r;
    };
    const h0 = half(0), h1 = half(1);
    const before = tf.memory().numTensors;
    const loss = await dataParallelStep(parallel, sgd, pixels, shape, 5, 1e9, pool);
    assert.ok(tf.memory().numTensors <= before, "the step leaves no tensors behind");
    assert.ok(Math.abs(loss - (h0.loss + h1.loss) / 2) < 1e-3);
    const w1 = flatWeights(parallel);
    for (const a of [w1, h0.grads, h1.grads]) assert.equal(a.length, w0.length);
    let maxErr = 0, maxStep = 0;
    for (let i = 0; i < w0.length; i++) {
      const want = w0[i]! - (h0.grads[i]! + h1.grads[i]!) / 2;
      maxErr = Math.max(maxErr, Math.abs(w1[i]! - want));
      maxStep = Math.max(maxStep, Math.abs(w1[i]! - w0[i]!));
    }
    assert.ok(maxStep > 1e-3, "the step moved the weights");
    assert.ok(maxErr < 1e-5 * Math.max(1, maxStep), `max error ${maxErr}`);
  } finally {
    pool.close();
    sgd.dispose();
    parallel.dispose();
    serial.dispose();
  }
});

Deno.test("shardSizes() splits a batch as evenly as possible and refuses empty shards", () => {
  assert.deepEqual(shardSizes(32, 2), [16, 16]);
  assert.deepEqual(shardSizes(7, 3), [3, 2, 2]);
  assert.throws(() => shardSizes(2, 3), /cannot split a batch of 2 over 3 replicas/);
});

Deno.test("evaluate() over a replica pool equals the one-thread evaluation", async () => {
  const test = await loadBinarizedMnist("test");
  const model = new ConvDraw(SMALL);
  const pool = await ReplicaPool.start(2, SMALL, tf.getBackend());
  try {
    const one = await evaluate(model, test, 40, 3, 8);
    const three = await evaluate(model, test, 40, 3, 8, pool); // 5 batches over 3 replicas
    assert.equal(three.images, 40);
    assert.ok(
      Math.abs(one.nelbo - three.nelbo) < 1e-4 * one.nelbo,
      `${one.nelbo} vs ${three.nelbo}`,
    );
    assert.equal(three.klPerIter.length, one.klPerIter.length);
    one.klPerIter.forEach((k, t) => assert.ok(Math.abs(k - three.klPerIter[t]!) < 1e-3));
  } finally {
    pool.close();
    model.dispose();
  }
});

Deno.test("a failed worker request names its cause and closes the pool", async () => {
  const model = new ConvDraw(SMALL);
  const pool = await ReplicaPool.start(1, SMALL, tf.getBackend());
  try {
    const bad = {
      pixels: new Float32Array(3),
      shape: [1, 28, 28, 1] as [number, number, number, number],
      seed: 1,
    };
    await assert.rejects(pool.grads(flatWeights(model), [bad]), /replica worker: /);
    await assert.rejects(pool.grads(flatWeights(model), [bad]), /replica pool is closed/);
  } finally {
    pool.close();
    model.dispose();
  }
});
