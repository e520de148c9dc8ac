import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import {
  assertClose,
  cpuReference,
  normals,
  readAll,
  testBackends,
  useBackend,
} from "./_test_util.ts";

/** Runs `fn` on every backend and compares with the unpatched cpu reference. */
async function equivalent(
  t: Deno.TestContext,
  what: string,
  fn: () => tf.Tensor[],
  tol = { rtol: 1e-5, atol: 1e-6 },
): Promise<void> {
  const ref = await cpuReference(fn);
  for (const b of await testBackends()) {
    await t.step(`${b}: ${what}`, async () => {
      await useBackend(b);
      const got = await readAll(tf.tidy(fn));
      got.forEach((g, i) => assertClose(g, ref[i]!, `${what} output ${i}`, tol));
    });
  }
}

Deno.test("matMul with every transpose flag and batch equals the unpatched cpu backend's", async (t) => {
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
    await equivalent(t, `transposeA=${ta} transposeB=${tb}`, () => {
      const a = tf.tensor3d(normals(2 * 5 * 3, 1), ta ? [2, 3, 5] : [2, 5, 3]);
      const b = tf.tensor3d(normals(2 * 3 * 4, 2), tb ? [2, 4, 3] : [2, 3, 4]);
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.square(tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D, ta, tb)))
      )([a, b]);
      const fused = tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, activation: "relu" });
      return [tf.matMul(a, b, ta, tb), da!, db!, fused];
    });
  }
});

Deno.test("matMul rewrites (transpose-then-multiply and swapped product) agree on skewed and broadcast shapes", async (t) => {
  // [M, K, N] with M << N makes the swapped product the cheaper rewrite for transposeB.
  const cases: [number[], number[], boolean, boolean][] = [
    [[2, 8], [16, 8], false, true], // swapped: (B · Aᵀ)ᵀ
    [[8, 2], [8, 16], true, false], // explicit transpose of A
    [[3, 2, 8], [3, 16, 8], false, true], // batched, swapped
    [[3, 2, 8], [16, 8], false, true], // broadcast batch: explicit
  ];
  for (const [sa, sb, ta, tb] of cases) {
    await equivalent(t, `a ${sa} b ${sb} tA=${ta} tB=${tb}`, () => {
      const a = tf.tensor(normals(tf.util.sizeFromShape(sa), 11), sa);
      const b = tf.tensor(normals(tf.util.sizeFromShape(sb), 12), sb);
      return [tf.matMul(a, b, ta, tb)];
    });
  }
});

Deno.test("gather gradient (axis 0 and 1, 1-D and 2-D indices) equals the unpatched cpu backend's", async (t) => {
  const cases: [number, number[], number[]][] = [
    [0, [4], [1, 1, 3, 0]],
    [0, [2, 2], [4, 0, 4, 4]],
    [
      1,
      [3],
      [2, 0, 2],
    ],
  ];
  for (const [axis, idxShape, idx] of cases) {
    await equivalent(t, `axis ${axis} indices ${idxShape}`, () => {
      const table = tf.tensor2d(normals(5 * 3, 3), [5, 3]);
      const ids = tf.tensor(idx, idxShape, "int32");
      const g = tf.grad((x: tf.Tensor) => {
        const y = tf.gather(x, ids, axis);
        return tf.sum(tf.mul(y, tf.tensor(normals(y.size, 4), y.shape)));
      });
      return [g(table)];
    });
  }
});

Deno.test("unsortedSegmentSum equals the unpatched cpu backend's", async (t) => {
  await equivalent(t, "[6,3] into 4 segments", () => {
    const x = tf.tensor2d(normals(18, 5), [6, 3]);
    return [tf.unsortedSegmentSum(x, tf.tensor1d([3, 0, 3, 1, 0, 3], "int32"), 4)];
  });
});

Deno.test("oneHot with float32 on/off values is correct on every backend", async (t) => {
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const oh = tf.oneHot(tf.tensor1d([0, 2, 1], "int32"), 3, 0.9, 0.05, "float32");
      assert.equal(oh.dtype, "float32");
      const want = [0.9, 0.05, 0.05, 0.05, 0.05, 0.9, 0.05, 0.9, 0.05];
      assertClose(await oh.data(), want, "oneHot");
      const ohInt = tf.oneHot(tf.tensor1d([1], "int32"), 2);
      assert.deepEqual(Array.from(await ohInt.data()), [0, 1]);
      tf.dispose([oh, ohInt]);
    });
  }
});

Deno.test("clone and same-dtype cast keep their values after the source is disposed on every backend", async (t) => {
  for (const b of await testBackends()) {
    await t.step(b, async () => {
      await useBackend(b);
      const x = tf.tensor1d([1, 2, 3]);
      const c = tf.clone(x), k = tf.cast(x, "float32");
      const before = tf.memory().numTensors;
      x.dispose();
      assert.equal(tf.memory().numTensors, before - 1);
      const [cv, kv] = await readAll([c, k]);
      assert.deepEqual(Array.from(cv!), [1, 2, 3]);
      assert.deepEqual(Array.from(kv!), [1, 2, 3]);
    });
  }
});
