import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { emptyEpisode, type Episode } from "../../datasets/synthetic/mod.ts";
import { installEngine } from "../../tasks/engine/mod.ts";
import { disposeParams, initParams, maskedLoss, outputProbs } from "./controller.ts";
import { KeptProbs, OutputHead, runTape } from "./controller_pass.ts";

await tf.setBackend("cpu");
await tf.ready();
installEngine("cpu");

const spec = { input: 3, output: 2, hidden: 4, read: 0, iface: 2 };
/** A loss over every parameter, so each one gets a gradient. */
const lossOf = (...ps: tf.Tensor[]) => tf.addN(ps.map((p) => tf.sum(tf.square(p)))) as tf.Scalar;

Deno.test("runTape returns the loss, the kept probabilities and one gradient per parameter", () => {
  const params = initParams(spec, new Rng(1));
  const before = tf.memory().numTensors;
  const kept = new KeptProbs(4);
  kept.tensors.push(tf.keep(tf.tensor2d([[0.25, 0.5]])), tf.keep(tf.tensor2d([[0.75, 1]])));
  const res = runTape(lossOf, params, true, kept);
  assert.ok(res.loss > 0);
  assert.deepEqual([...res.probs], [0.25, 0.5, 0.75, 1]);
  assert.equal(res.grads!.length, 6);
  tf.dispose(res.grads!);
  assert.equal(tf.memory().numTensors, before, "probabilities and intermediates disposed");
  disposeParams(params);
});

Deno.test("runTape disposes the gradients when reading the probabilities fails", () => {
  const params = initParams(spec, new Rng(1));
  const before = tf.memory().numTensors;
  const kept = new KeptProbs(2);
  const gone = tf.tensor2d([[1, 2]]);
  gone.dispose(); // reading it throws after the gradients exist
  kept.tensors.push(gone);
  assert.throws(() => runTape(lossOf, params, true, kept), /disposed/);
  assert.equal(tf.memory().numTensors, before, "no gradient outlives the failed pass");
  disposeParams(params);
});

/** An episode of T steps, batch B, Y outputs with a partial mask; one-hot targets for classes. */
function episode(kind: "bits" | "classes", T: number, B: number, Y: number): Episode {
  const rng = new Rng(kind === "bits" ? 3 : 4);
  const target = new Float32Array(T * B * Y), mask = new Float32Array(T * B);
  for (let i = 0; i < T * B; i++) {
    mask[i] = i % 3 === 0 ? 0 : 1;
    if (kind === "classes") target[i * Y + (i % Y)] = 1;
    else for (let y = 0; y < Y; y++) target[i * Y + y] = rng.bernoulli(0.5);
  }
  return { ...emptyEpisode(T, B, 1, Y), target, mask, loss: kind };
}

for (const kind of ["bits", "classes"] as const) {
  Deno.test(`OutputHead's ${kind} loss, probabilities and logit gradients equal maskedLoss under autodiff`, () => {
    const T = 4, B = 3, Y = 5, ep = episode(kind, T, B, Y);
    const rng = new Rng(9);
    const zs = Array.from(
      { length: T },
      () => tf.tensor2d(Float32Array.from({ length: B * Y }, () => 3 * rng.normal()), [B, Y]),
    );
    // Reference: each step's maskedLoss summed, its autodiff gradients, outputProbs.
    const ref = tf.valueAndGrads((...z: tf.Tensor[]) =>
      tf.addN(z.map((zt, t) =>
        maskedLoss(
          zt,
          tf.tensor2d(ep.target.subarray(t * B * Y, (t + 1) * B * Y), [B, Y]),
          tf.tensor1d(ep.mask.subarray(t * B, (t + 1) * B)),
          kind,
        )
      )) as tf.Scalar
    )(zs);
    const refProbs = zs.map((z) => outputProbs(z, kind).dataSync());
    // The head, fed the same logits through an identity "output layer".
    const head = new OutputHead(ep);
    const eye = tf.eye(Y), zero = tf.zeros([Y]);
    const got = tf.valueAndGrads((...z: tf.Tensor[]) => {
      for (const zt of z) head.step(zt, null, eye, zero);
      return head.loss();
    })(zs);
    const scale = Math.max(1, Math.abs(ref.value.dataSync()[0]!));
    assert.ok(
      Math.abs(got.value.dataSync()[0]! - ref.value.dataSync()[0]!) <= 1e-5 * scale,
      `loss ${got.value.dataSync()[0]} vs ${ref.value.dataSync()[0]}`,
    );
    const probs = head.probs();
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < B * Y; i++) {
        assert.ok(Math.abs(probs[t * B * Y + i]! - refProbs[t]![i]!) <= 1e-6, `p[${t}, ${i}]`);
      }
      const g = got.grads[t]!.dataSync(), r = ref.grads[t]!.dataSync();
      let nonzero = false;
      for (let i = 0; i < B * Y; i++) {
        assert.ok(Math.abs(g[i]! - r[i]!) <= 1e-6, `dz[${t}, ${i}]: ${g[i]} vs ${r[i]}`);
        nonzero ||= r[i] !== 0;
      }
      assert.ok(nonzero, `step ${t} has a zero gradient`);
    }
    head.dispose();
    tf.dispose([...zs, ref.value, ...ref.grads, got.value, ...got.grads, eye, zero]);
  });
}
