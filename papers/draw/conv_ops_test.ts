import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { installEngine } from "../../tasks/engine/mod.ts";
import { conv2dSame, depthToSpace, spaceToDepth } from "./conv_ops.ts";

await tf.setBackend("cpu");
await tf.ready();
installEngine("cpu");

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

Deno.test("conv2dSame() value and gradients equal tf.conv2d's on the engine-patched cpu backend", () => {
  for (const k of [1, 3, 5]) {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 6, 5, 3], 0, 1, "float32", 11) as tf.Tensor4D;
      const w = tf.randomNormal([k, k, 3, 4], 0, 1, "float32", 12) as tf.Tensor4D;
      const up = tf.randomNormal([2, 6, 5, 4], 0, 1, "float32", 13);
      const ours = tf.grads((a, b) =>
        tf.sum(tf.mul(conv2dSame(a as tf.Tensor4D, b as tf.Tensor4D), up))
      );
      const ref = tf.grads((a, b) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same"), up))
      );
      const [gx, gw] = ours([x, w]);
      const [rx, rw] = ref([x, w]);
      assert.ok(maxAbsDiff(conv2dSame(x, w), tf.conv2d(x, w, 1, "same")) < 1e-4);
      assert.ok(maxAbsDiff(gx, rx) < 1e-3, `dx k=${k}`);
      assert.ok(maxAbsDiff(gw, rw) < 1e-3, `dw k=${k}`);
    });
  }
});

Deno.test("depthToSpace() matches tf.depthToSpace and inverts spaceToDepth()", () => {
  tf.tidy(() => {
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 5) as tf.Tensor4D;
    const d = tf.randomNormal([2, 3, 3, 12], 0, 1, "float32", 6) as tf.Tensor4D;
    assert.ok(maxAbsDiff(depthToSpace(d, 2), tf.depthToSpace(d, 2)) === 0);
    assert.ok(maxAbsDiff(depthToSpace(spaceToDepth(x, 2), 2), x) === 0);
  });
});
