import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { copyEpisode } from "../../datasets/synthetic/mod.ts";
import { installEngine } from "../../tasks/engine/mod.ts";
import { DenseModel, type DenseSpec } from "./dense.ts";
import { DenseJsModel } from "./dense_js.ts";

await tf.setBackend("cpu");
await tf.ready();
installEngine("cpu");

for (const kind of ["ntm", "dam"] as const) {
  Deno.test(`the JS memory access of the ${kind} gives dense.ts's loss, outputs and gradients`, () => {
    const spec: DenseSpec = {
      kind,
      input: 5,
      output: 4,
      hidden: 10,
      N: 12,
      W: 6,
      heads: 2,
      lambda: 0.99,
    };
    const ref = new DenseModel(spec, new Rng(3)), js = new DenseJsModel(spec, new Rng(3));
    const ep = copyEpisode(new Rng(5), { batch: 3, bits: 4, minLength: 2, maxLength: 4 });
    const a = ref.run(ep, true), b = js.run(ep, true);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-4 * Math.max(1, a.loss), `${a.loss} vs ${b.loss}`);
    for (let i = 0; i < a.probs.length; i++) {
      assert.ok(Math.abs(a.probs[i]! - b.probs[i]!) < 1e-4, `prob ${i}`);
    }
    for (let k = 0; k < a.grads!.length; k++) {
      const x = a.grads![k]!.dataSync(), y = b.grads![k]!.dataSync();
      let err = 0, scale = 0;
      for (let i = 0; i < x.length; i++) {
        err = Math.max(err, Math.abs(x[i]! - y[i]!));
        scale = Math.max(scale, Math.abs(x[i]!));
      }
      assert.ok(scale > 0, `param ${k} has a zero gradient`);
      assert.ok(err <= 1e-4 * Math.max(1, scale), `param ${k}: err ${err} (scale ${scale})`);
    }
    tf.dispose([...a.grads!, ...b.grads!]);
    ref.dispose(), js.dispose();
  });
}
