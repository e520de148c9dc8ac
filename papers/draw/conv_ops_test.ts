import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { installEngine, withOriginalKernels } from "../../tasks/engine/mod.ts";
import { conv2dSame } from "./conv_ops.ts";

await tf.setBackend("cpu");
await tf.ready();
installEngine("cpu");

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

Deno.test("conv2dSame() with a bias: value and gradients equal TF.js's own cpu kernels", () => {
  for (const k of [1, 3, 5]) {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 6, 5, 3], 0, 1, "float32", 11) as tf.Tensor4D;
      const w = tf.randomNormal([k, k, 3, 4], 0, 1, "float32", 12) as tf.Tensor4D;
      const b = tf.randomNormal([4], 0, 1, "float32", 14) as tf.Tensor1D;
      const up = tf.randomNormal([2, 6, 5, 4], 0, 1, "float32", 13);
      const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, up));
      // ours: the fused conv whose backward kernels the engine replaced
      const [gx, gw, gb] = tf.grads((a, f, c) =>
        loss(conv2dSame(a as tf.Tensor4D, f as tf.Tensor4D, c as tf.Tensor1D))
      )([x, w, b]);
      // reference: plain conv + bias on the unpatched cpu kernels
      const [rx, rw, rb] = withOriginalKernels(() =>
        tf.grads((a, f, c) =>
          loss(tf.add(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, "same"), c))
        )(
          [x, w, b],
        )
      );
      assert.ok(gx && gw && gb && rx && rw && rb, "one gradient per input");
      const y = conv2dSame(x, w, b);
      assert.ok(
        maxAbsDiff(y, withOriginalKernels(() => tf.add(tf.conv2d(x, w, 1, "same"), b))) < 1e-4,
      );
      assert.ok(maxAbsDiff(gx, rx) < 1e-3, `dx k=${k}`);
      assert.ok(maxAbsDiff(gw, rw) < 1e-3, `dw k=${k}`);
      assert.ok(maxAbsDiff(gb, rb) < 1e-3, `db k=${k}`);
    });
  }
});
