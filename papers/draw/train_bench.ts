/**
 * Time of one conv DRAW training step (the default profile's model: 28×28 folded to 7×7×16,
 * conv-LSTMs of 32 maps, T = 6; Adam, batch 32) in one thread against two data-parallel replicas
 * (this thread + one Web Worker). Run `deno bench -A papers/draw/train_bench.ts`; the README of
 * papers/draw records the numbers. Needs two idle cores to show the speed-up.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { setupBackend } from "../../tasks/engine/mod.ts";
import { ConvDraw, type ConvDrawConfig } from "./conv_draw.ts";
import { ReplicaPool } from "./replica_pool.ts";
import { dataParallelStep } from "./train.ts";

const CONFIG: ConvDrawConfig = {
  height: 28,
  width: 28,
  s2d: 4,
  hidden: 32,
  zChannels: 4,
  iterations: 6,
  kernel: 3,
  likelihood: "bernoulli",
  seed: 1,
};
const B = 32;

const backend = await setupBackend("auto");
const model = new ConvDraw(CONFIG);
const opt = tf.train.adam(1e-3);
// a fixed batch of binary images, as dense as MNIST's (≈ 13 % of pixels on)
let state = 12345;
const pixels = Float32Array.from({ length: B * 784 }, () => {
  state = (state * 1103515245 + 12345) >>> 0;
  return state / 2 ** 32 < 0.13 ? 1 : 0;
});
const pool = await ReplicaPool.start(1, CONFIG, tf.getBackend());
globalThis.addEventListener("unload", () => pool.close());
let seed = 1;

Deno.bench({
  name: `one thread (${backend.name})`,
  group: "conv DRAW train step, batch 32",
  baseline: true,
  n: 10,
  warmup: 3,
  fn: async () => {
    await dataParallelStep(model, opt, pixels, [B, 28, 28, 1], seed++, 500, null);
  },
});

Deno.bench({
  name: `two replicas (${backend.name})`,
  group: "conv DRAW train step, batch 32",
  n: 10,
  warmup: 3,
  fn: async () => {
    await dataParallelStep(model, opt, pixels, [B, 28, 28, 1], seed++, 500, pool);
  },
});
