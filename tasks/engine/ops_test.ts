import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { assertClose, normals, readAll, testBackends, useBackend } from "./_test_util.ts";
import { softmax, topKSoftmax } from "./ops.ts";

Deno.test("softmax() along a middle axis equals tf.softmax on the transposed tensor", async (t) => {
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const x = tf.tensor3d(normals(2 * 5 * 3, 1), [2, 5, 3]);
      const [got, want] = await readAll([
        softmax(x, 1),
        tf.transpose(tf.softmax(tf.transpose(x, [0, 2, 1])), [0, 2, 1]),
      ]);
      assertClose(got!, want!, "softmax axis 1");
      x.dispose();
    });
  }
});

Deno.test("topKSoftmax() weights sum to 1 over the k largest logits and get gradients", async (t) => {
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const logits = tf.tensor2d([0.1, 3, -2, 2.5, 1, /* */ 5, 4, 3, 2, 1], [2, 5]);
      const { weights, indices } = topKSoftmax(logits, 2);
      const [w, idx] = await readAll([weights, indices]);
      assert.deepEqual(Array.from(idx!), [1, 3, 0, 1]);
      assertClose([w![0]! + w![1]!, w![2]! + w![3]!], [1, 1], "row sums");
      const g = tf.grad((l: tf.Tensor) =>
        tf.sum(tf.mul(topKSoftmax(l, 2).weights, tf.tensor2d([[1, 0], [0, 1]])))
      );
      const [dl] = await readAll([g(logits)]);
      // Only the selected logits get gradient; unselected entries stay exactly 0.
      for (const k of [0, 2, 4, 7, 8, 9]) assert.equal(dl![k], 0);
      assert.ok(Math.abs(dl![1]!) > 0 && Math.abs(dl![5]!) > 0);
      logits.dispose();
    });
  }
});
