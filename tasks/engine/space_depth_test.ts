import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { assertClose, normals, readAll, testBackends, useBackend } from "./_test_util.ts";
import { spaceToDepth } from "./space_depth.ts";

Deno.test("spaceToDepth() inverts tf.depthToSpace on every backend", async (t) => {
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const x = tf.tensor4d(normals(2 * 3 * 2 * 8, 1), [2, 3, 2, 8]);
      const [back, xs] = await readAll([spaceToDepth(tf.depthToSpace(x, 2), 2), x]);
      assert.deepEqual(Array.from(back!), Array.from(xs!));
    });
  }
});

Deno.test("spaceToDepth() matches TensorFlow's element layout", async () => {
  await useBackend("cpu");
  // x[n, h·b + i, w·b + j, c] must land at y[n, h, w, (i·b + j)·C + c].
  const [n, h, w, b, c] = [1, 2, 3, 2, 2];
  const vals = Float32Array.from({ length: n * h * b * w * b * c }, (_, k) => k);
  const x = tf.tensor4d(vals, [n, h * b, w * b, c]);
  const y = spaceToDepth(x, b).dataSync();
  for (let hh = 0; hh < h; hh++) {
    for (let ww = 0; ww < w; ww++) {
      for (let i = 0; i < b; i++) {
        for (let j = 0; j < b; j++) {
          for (let cc = 0; cc < c; cc++) {
            const src = ((hh * b + i) * w * b + ww * b + j) * c + cc;
            const dst = ((hh * w + ww) * b * b + i * b + j) * c + cc;
            assert.equal(y[dst], vals[src]);
          }
        }
      }
    }
  }
  tf.dispose(x);
});

Deno.test("depthToSpace gradient is spaceToDepth of the upstream gradient on every backend", async (t) => {
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const x = tf.tensor4d(normals(1 * 2 * 2 * 12, 2), [1, 2, 2, 12]);
      const r = tf.tensor4d(normals(1 * 4 * 4 * 3, 3), [1, 4, 4, 3]);
      // loss = Σ depthToSpace(x) ⊙ r  =>  dx = spaceToDepth(r).
      const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.depthToSpace(v as tf.Tensor4D, 2), r)));
      const [dx, want] = await readAll([g(x), spaceToDepth(r, 2)]);
      assertClose(dx!, want!, "dx");
      tf.dispose([x, r]);
    });
  }
});
