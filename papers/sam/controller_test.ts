import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { costBits, emptyEpisode, type Episode } from "../../datasets/synthetic/mod.ts";
import { installEngine } from "../../tasks/engine/mod.ts";
import {
  disposeParams,
  initParams,
  maskedBce,
  maskedLoss,
  maskedSoftmaxCe,
  outputProbs,
  PARAM_NAMES,
} from "./controller.ts";
import { createModel, MODEL_NAMES, type ModelSizes } from "./models.ts";

await tf.setBackend("cpu");
await tf.ready();
installEngine("cpu");

const B = 3, Y = 5;
const logitsA = Float32Array.from({ length: B * Y }, (_, i) => Math.sin(i * 1.7) * 2);
const labels = [2, 0, 4];
const onehot = new Float32Array(B * Y);
labels.forEach((c, b) => (onehot[b * Y + c] = 1));
const maskA = Float32Array.from([1, 0, 1]);

/** Softmax of row b of logitsA, computed in plain JS. */
function softmaxRow(b: number): number[] {
  const z = [...logitsA.subarray(b * Y, (b + 1) * Y)];
  const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), s = e.reduce((a, v) => a + v);
  return e.map((v) => v / s);
}

Deno.test("maskedSoftmaxCe equals −Σ mask · log softmax(target class) / B, computed directly", () => {
  let want = 0;
  for (let b = 0; b < B; b++) want -= maskA[b]! * Math.log(softmaxRow(b)[labels[b]!]!);
  want /= B;
  const got = tf.tidy(() =>
    maskedSoftmaxCe(tf.tensor2d(logitsA, [B, Y]), tf.tensor2d(onehot, [B, Y]), tf.tensor1d(maskA))
      .dataSync()[0]!
  );
  assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
});

Deno.test("maskedSoftmaxCe's gradient is mask · (softmax − one-hot) / B", () => {
  const g = tf.tidy(() =>
    tf.grad((z: tf.Tensor) => maskedSoftmaxCe(z, tf.tensor2d(onehot, [B, Y]), tf.tensor1d(maskA)))(
      tf.tensor2d(logitsA, [B, Y]),
    ).dataSync()
  );
  for (let b = 0; b < B; b++) {
    const p = softmaxRow(b);
    for (let j = 0; j < Y; j++) {
      const want = maskA[b]! * (p[j]! - onehot[b * Y + j]!) / B;
      assert.ok(Math.abs(g[b * Y + j]! - want) < 1e-6, `(${b}, ${j}): ${g[b * Y + j]} vs ${want}`);
    }
  }
});

Deno.test("maskedLoss and outputProbs keep the sigmoid-bits path by default", () => {
  tf.tidy(() => {
    const z = tf.tensor2d(logitsA, [B, Y]), t = tf.tensor2d(onehot, [B, Y]);
    const m = tf.tensor1d(maskA);
    assert.equal(maskedLoss(z, t, m).dataSync()[0], maskedBce(z, t, m).dataSync()[0]);
    assert.deepEqual(outputProbs(z).dataSync(), tf.sigmoid(z).dataSync());
    const p = outputProbs(z, "classes").dataSync();
    for (let b = 0; b < B; b++) {
      softmaxRow(b).forEach((v, j) => assert.ok(Math.abs(p[b * Y + j]! - v) < 1e-6));
    }
  });
});

/** A random class episode: T steps, scored from step 1 on, one-hot targets. */
function classEpisode(seed: number, T = 5, Bc = 2, X = 6, Yc = 4): Episode {
  const rng = new Rng(seed), ep = emptyEpisode(T, Bc, X, Yc);
  for (let i = 0; i < ep.input.length; i++) ep.input[i] = rng.int(2);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < Bc; b++) {
      ep.target[(t * Bc + b) * Yc + rng.int(Yc)] = 1;
      ep.mask[t * Bc + b] = t === 0 ? 0 : 1;
    }
  }
  return { ...ep, loss: "classes" };
}

Deno.test("costBits of a class episode is −Σ log₂ p(target class) over scored steps / B", () => {
  const ep = classEpisode(1);
  const prob = new Float32Array(ep.target.length).fill(1 / ep.Y);
  const scored = ep.mask.reduce((a, v) => a + v, 0);
  assert.ok(Math.abs(costBits(ep, prob) - scored * Math.log2(ep.Y) / ep.B) < 1e-5);
  const bitsView = costBits({ ...ep, loss: "bits" }, prob);
  assert.notEqual(bitsView, costBits(ep, prob), "the class cost is not the bits cost");
});

const sizes: ModelSizes = {
  input: 6,
  output: 4,
  hidden: 8,
  N: 8,
  W: 4,
  heads: 2,
  K: 2,
  batch: 2,
  maxSteps: 8,
};

Deno.test("every model trains a class episode: softmax probs, its loss, dL/dbo = Σ mask·(p − y)/B", async () => {
  const ep = classEpisode(3);
  const variants: [string, Partial<ModelSizes>][] = [
    ...MODEL_NAMES.map((n): [string, Partial<ModelSizes>] => [n, {}]),
    ["ntm", { denseImpl: "js" }],
    ["dam", { denseImpl: "js" }],
    ["sam_linear", { samBackward: "tape" }],
  ];
  for (const [name, extra] of variants) {
    const label = `${name} ${JSON.stringify(extra)}`;
    const model = await createModel(
      name as (typeof MODEL_NAMES)[number],
      { ...sizes, ...extra },
      new Rng(4),
    );
    const res = model.run(ep, true);
    const { T, B: Bc, Y: Yc } = ep;
    let ce = 0;
    const dbo = new Float64Array(Yc);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < Bc; b++) {
        const o = (t * Bc + b) * Yc;
        let s = 0;
        for (let j = 0; j < Yc; j++) s += res.probs[o + j]!;
        assert.ok(Math.abs(s - 1) < 1e-5, `${label}: probs at (${t}, ${b}) sum to ${s}`);
        const m = ep.mask[t * Bc + b]!;
        for (let j = 0; j < Yc; j++) {
          const y = ep.target[o + j]!;
          if (y > 0) ce -= m * Math.log(res.probs[o + j]!);
          dbo[j] = dbo[j]! + m * (res.probs[o + j]! - y) / Bc;
        }
      }
    }
    ce /= Bc;
    assert.ok(Math.abs(res.loss - ce) < 1e-4 * Math.max(1, ce), `${label}: ${res.loss} vs ${ce}`);
    assert.ok(Math.abs(costBits(ep, res.probs) - ce / Math.LN2) < 1e-3, `${label}: bits`);
    const g = res.grads![PARAM_NAMES.indexOf("bo")]!.dataSync();
    for (let j = 0; j < Yc; j++) {
      assert.ok(Math.abs(g[j]! - dbo[j]!) < 1e-5, `${label}: dbo[${j}] ${g[j]} vs ${dbo[j]}`);
    }
    tf.dispose(res.grads!);
    model.dispose();
  }
});

Deno.test("initParams keeps nothing but its six variables: a disposed controller leaves no tensor", () => {
  const before = tf.memory().numTensors;
  const p = initParams({ input: 4, output: 3, hidden: 5, read: 2, iface: 7 }, new Rng(1));
  assert.equal(tf.memory().numTensors, before + PARAM_NAMES.length);
  disposeParams(p);
  assert.equal(tf.memory().numTensors, before);
});
