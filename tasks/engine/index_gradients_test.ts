import * as tf from "@tensorflow/tfjs";
import { assertClose, normals, readAll, testBackends, useBackend } from "./_test_util.ts";

// Each loss is Σ op(...) ⊙ r, so the expected gradient is written out in plain JS.

Deno.test("topk gradient scatters the value gradient to the selected positions on every backend", async (t) => {
  const x = [3, -1, 7, 0.5, 2, /* row 2 */ -4, 9, 1, 8, 0];
  const r = [0.3, -2, 1.5, /* row 2 */ 4, -0.7, 0.1];
  // Row 1 top-3: 7 (2), 3 (0), 2 (4); row 2: 9 (1), 8 (3), 1 (2).
  const want = [-2, 0, 0.3, 0, 1.5, 0, 4, 0.1, -0.7, 0];
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const g = tf.grad((v: tf.Tensor) =>
        tf.sum(tf.mul(tf.topk(v, 3).values, tf.tensor2d(r, [2, 3])))
      );
      const [dx] = await readAll([g(tf.tensor2d(x, [2, 5]))]);
      assertClose(dx!, want, "dx");
    });
  }
});

Deno.test("gatherND gradient accumulates duplicate indices on every backend", async (t) => {
  const idx = [[1, 0], [2, 1], [1, 0]];
  const r = normals(3, 1);
  const want = new Float32Array(6);
  idx.forEach(([i, j], k) => (want[i! * 2 + j!]! += r[k]!));
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const ids = tf.tensor2d(idx, [3, 2], "int32");
      const g = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gatherND(p, ids), tf.tensor1d(r))));
      const [dp] = await readAll([g(tf.tensor2d(normals(6, 2), [3, 2])), ids]);
      assertClose(dp!, want, "dparams");
    });
  }
});

Deno.test("scatterND and tensorScatterUpdate gradients read the upstream gradient at the indices", async (t) => {
  const rows = [2, 0];
  const r = normals(4 * 3, 3);
  const wantUpd = rows.flatMap((i) => Array.from(r.slice(i * 3, i * 3 + 3)));
  const wantTensor = Array.from(r).map((v, k) => (rows.includes(Math.floor(k / 3)) ? 0 : v));
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const ids = tf.tensor2d(rows.map((i) => [i]), [2, 1], "int32");
      const rr = tf.tensor2d(r, [4, 3]);
      const upd = tf.tensor2d(normals(6, 4), [2, 3]);
      const base = tf.tensor2d(normals(12, 5), [4, 3]);
      const gs = tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.scatterND(ids, u, [4, 3]), rr)));
      const gt = tf.grads((a: tf.Tensor, u: tf.Tensor) =>
        tf.sum(tf.mul(tf.tensorScatterUpdate(a, ids, u), rr))
      );
      const [dBase, dUpd2] = gt([base, upd]);
      const [dUpd, dT, dU] = await readAll([gs(upd), dBase!, dUpd2!]);
      assertClose(dUpd!, wantUpd, "scatterND dupdates");
      assertClose(dT!, wantTensor, "tensorScatterUpdate dtensor");
      assertClose(dU!, wantUpd, "tensorScatterUpdate dupdates");
      tf.dispose([ids, rr, upd, base]);
    });
  }
});

Deno.test("tensorScatterUpdate leaves its input tensor unchanged on every backend", async (t) => {
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
      const ids = tf.tensor2d([[0]], [1, 1], "int32");
      const u = tf.tensor2d([[9, 8]], [1, 2]);
      const [y, a2] = await readAll([tf.tensorScatterUpdate(a, ids, u), a]);
      assertClose(y!, [9, 8, 3, 4], "result");
      assertClose(a2!, [1, 2, 3, 4], "input after the update");
      tf.dispose([ids, u]);
    });
  }
});
