import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import assert from "node:assert/strict";
import { installedBackends, installEngine } from "./install.ts";
import { isReplaced, originalKernel, withOriginalKernels } from "./kernel_registry.ts";
import { Rng } from "../core/rng.ts";

Deno.test("installEngine() is idempotent and records what it replaced", () => {
  installEngine("wasm");
  const first = tf.getKernel("BatchMatMul", "wasm");
  installEngine("wasm");
  assert.equal(tf.getKernel("BatchMatMul", "wasm"), first);
  assert.ok(installedBackends().includes("wasm"));
  assert.ok(isReplaced("wasm", "Conv2DBackpropFilter"));
  assert.equal(originalKernel("wasm", "Conv2DBackpropFilter"), null);
  assert.notEqual(originalKernel("wasm", "BatchMatMul"), null);
});

Deno.test("withOriginalKernels() restores TF.js's own kernels only while it runs", () => {
  installEngine("wasm");
  const patched = tf.getKernel("BatchMatMul", "wasm");
  withOriginalKernels(() => {
    assert.equal(tf.getKernel("BatchMatMul", "wasm"), originalKernel("wasm", "BatchMatMul"));
    assert.equal(tf.getKernel("Conv2DBackpropFilter", "wasm"), undefined);
  });
  assert.equal(tf.getKernel("BatchMatMul", "wasm"), patched);
  assert.ok(tf.getKernel("Conv2DBackpropFilter", "wasm"));
});

Deno.test("installEngine() on a backend without engine kernels installs only the gradients", () => {
  installEngine("webgl");
  assert.ok(tf.getGradient("DepthToSpace"));
  assert.ok(tf.getGradient("TopK"));
  assert.equal(isReplaced("webgl", "BatchMatMul"), false);
});

Deno.test("tf.layers Embedding+LSTM and Conv2D/Conv2DTranspose models train on wasm with the engine", async () => {
  await tf.setBackend("wasm");
  installEngine("wasm");
  const rng = new Rng(5);
  const seqs = tf.tensor2d(Array.from({ length: 8 * 5 }, () => rng.int(20)), [8, 5], "int32");
  const labels = tf.tensor2d(Array.from({ length: 8 }, () => rng.int(2)), [8, 1]);
  const rnn = tf.sequential({
    layers: [
      tf.layers.embedding({ inputDim: 20, outputDim: 4, inputLength: 5 }),
      tf.layers.lstm({ units: 6 }),
      tf.layers.dense({ units: 1, activation: "sigmoid" }),
    ],
  });
  const img = tf.tensor4d(Float32Array.from({ length: 4 * 6 * 6 }, () => rng.normal()), [
    4,
    6,
    6,
    1,
  ]);
  const cnn = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [6, 6, 1],
        filters: 3,
        kernelSize: 3,
        strides: 2,
        padding: "same",
      }),
      tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: "same" }),
    ],
  });
  for (
    const [model, x, y, loss] of [[rnn, seqs, labels, "binaryCrossentropy"], [
      cnn,
      img,
      img,
      "meanSquaredError",
    ]] as const
  ) {
    model.compile({ optimizer: tf.train.adam(0.05), loss });
    const h = await model.fit(x, y, { epochs: 5, batchSize: 8, verbose: 0, shuffle: false });
    const losses = h.history.loss as number[];
    assert.ok(losses.every(Number.isFinite), `finite losses ${losses}`);
    assert.ok(losses.at(-1)! < losses[0]!, `loss decreases: ${losses}`);
    model.dispose();
  }
  tf.dispose([seqs, labels, img]);
});
