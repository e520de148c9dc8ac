import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { copyEpisode } from "../../datasets/synthetic/copy.ts";
import { DenseModel } from "./dense.ts";

await tf.setBackend("cpu");
await tf.ready();

Deno.test("DenseModel (lstm, ntm, dam) runs an episode with finite loss, gradients and no leaks", () => {
  const ep = copyEpisode(new Rng(1), { batch: 2, bits: 4, minLength: 2, maxLength: 3 });
  for (const kind of ["lstm", "ntm", "dam"] as const) {
    const m = new DenseModel({
      kind,
      input: 5,
      output: 4,
      hidden: 8,
      N: 6,
      W: 4,
      heads: 2,
      lambda: 0.99,
    }, new Rng(2));
    const before = tf.memory().numTensors;
    const res = m.run(ep, true);
    assert.ok(Number.isFinite(res.loss) && res.loss > 0);
    assert.equal(res.grads!.length, 6);
    for (const g of res.grads!) assert.ok(g.dataSync().every(Number.isFinite));
    assert.ok(res.grads!.some((g) => g.dataSync().some((v) => v !== 0)));
    tf.dispose(res.grads!);
    assert.equal(tf.memory().numTensors, before);
    m.dispose();
  }
});
