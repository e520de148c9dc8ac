import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { installEngine } from "../../tasks/engine/mod.ts";
import { disposeParams, initParams } from "./controller.ts";
import { runTape } from "./controller_pass.ts";

await tf.setBackend("cpu");
await tf.ready();
installEngine("cpu");

const spec = { input: 3, output: 2, hidden: 4, read: 0, iface: 2 };
/** A loss over every parameter, so each one gets a gradient. */
const lossOf = (...ps: tf.Tensor[]) => tf.addN(ps.map((p) => tf.sum(tf.square(p)))) as tf.Scalar;

Deno.test("runTape returns the loss, the kept probabilities and one gradient per parameter", () => {
  const params = initParams(spec, new Rng(1));
  const before = tf.memory().numTensors;
  const probsT = [tf.keep(tf.tensor2d([[0.25, 0.5]])), tf.keep(tf.tensor2d([[0.75, 1]]))];
  const res = runTape(lossOf, params, true, probsT, 4);
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
  const gone = tf.tensor2d([[1, 2]]);
  gone.dispose(); // reading it throws after the gradients exist
  assert.throws(() => runTape(lossOf, params, true, [gone], 2), /disposed/);
  assert.equal(tf.memory().numTensors, before, "no gradient outlives the failed pass");
  disposeParams(params);
});
