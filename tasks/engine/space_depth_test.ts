import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { assertClose, normals, readAll, testBackends, useBackend } from "./_test_util.ts";
import { depthToSpace, spaceToDepth } from "./space_depth.ts";

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

Deno.test("depthToSpace() inverts spaceToDepth() and equals tf.depthToSpace on every backend", async (t) => {
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const x = tf.tensor4d(normals(2 * 8 * 4 * 3, 4), [2, 8, 4, 3]);
      const d = tf.tensor4d(normals(2 * 3 * 2 * 12, 5), [2, 3, 2, 12]);
      const [back, xs, ours, theirs] = await readAll([
        depthToSpace(spaceToDepth(x, 2), 2),
        x.clone(),
        depthToSpace(d, 2),
        tf.depthToSpace(d, 2),
      ]);
      assert.deepEqual(Array.from(back!), Array.from(xs!));
      assert.deepEqual(Array.from(ours!), Array.from(theirs!));
      tf.dispose([x, d]);
    });
  }
});

Deno.test("spaceToDepth() and depthToSpace() with block size 1 return their input; bad sizes throw", async () => {
  await useBackend("cpu");
  const x = tf.zeros([1, 4, 6, 2]) as tf.Tensor4D;
  assert.equal(spaceToDepth(x, 1), x);
  assert.equal(depthToSpace(x, 1), x);
  assert.throws(() => spaceToDepth(x, 4), /not divisible by 4/);
  assert.throws(() => spaceToDepth(x, 0), /not an integer ≥ 1/);
  assert.throws(() => depthToSpace(x, 1.5), /not an integer ≥ 1/);
  x.dispose();
});
