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

type Pad = "same" | "valid" | number;
interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number | [number, number];
  pad: Pad;
}
// Odd/even kernels, stride 1/2/mixed, same/valid/explicit padding.
const CASES: Case[] = [
  { x: [2, 7, 6, 3], f: [3, 3, 3, 4], stride: 1, pad: "same" },
  { x: [2, 7, 6, 3], f: [3, 2, 3, 4], stride: 1, pad: "valid" },
  { x: [1, 8, 8, 2], f: [4, 4, 2, 3], stride: 2, pad: "same" },
  { x: [2, 7, 6, 3], f: [3, 3, 3, 2], stride: 2, pad: "valid" },
  { x: [1, 9, 7, 2], f: [5, 3, 2, 2], stride: [2, 1], pad: "same" },
  { x: [1, 6, 6, 2], f: [2, 2, 2, 3], stride: 1, pad: 1 },
];

function convLoss(c: Case, x: tf.Tensor4D, w: tf.Tensor4D, r: tf.Tensor): tf.Scalar {
  // Σ conv(x, w) ⊙ r + ½ Σ conv(x, w)²: quadratic, so central differences are exact.
  const y = tf.conv2d(x, w, c.stride, c.pad);
  return tf.add(tf.sum(tf.mul(y, r)), tf.mul(0.5, tf.sum(tf.square(y))));
}

function convGrads(c: Case, seed: number): tf.Tensor[] {
  const x = tf.tensor4d(normals(tf.util.sizeFromShape(c.x), seed), c.x);
  const w = tf.tensor4d(normals(tf.util.sizeFromShape(c.f), seed + 1), c.f);
  const yShape = tf.conv2d(x, w, c.stride, c.pad).shape;
  const r = tf.tensor(normals(tf.util.sizeFromShape(yShape), seed + 2), yShape);
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    convLoss(c, a as tf.Tensor4D, b as tf.Tensor4D, r)
  );
  return g([x, w]);
}

function caseName(c: Case): string {
  return `x${c.x.join("x")} f${c.f.join("x")} s${c.stride} ${c.pad}`;
}

Deno.test("conv2d gradients (dx, dW) equal the unpatched cpu backend's on every backend", async (t) => {
  for (const [i, c] of CASES.entries()) {
    const ref = await cpuReference(() => convGrads(c, 10 * i + 1));
    for (const b of await testBackends()) {
      await t.step(`${b}: ${caseName(c)}`, async () => {
        await useBackend(b);
        const [dx, dw] = await readAll(tf.tidy(() => convGrads(c, 10 * i + 1)));
        assertClose(dx!, ref[0]!, "dx", { rtol: 2e-5 });
        assertClose(dw!, ref[1]!, "dW", { rtol: 2e-5 });
      });
    }
  }
});

Deno.test("conv2dTranspose equals the unpatched cpu backend's on every backend", async (t) => {
  for (const [i, c] of CASES.entries()) {
    const run = () => {
      const y = tf.conv2d(
        tf.zeros(c.x) as tf.Tensor4D,
        tf.zeros(c.f) as tf.Tensor4D,
        c.stride,
        c.pad,
      );
      const dy = tf.tensor4d(normals(y.size, 7 * i + 3), y.shape);
      const w = tf.tensor4d(normals(tf.util.sizeFromShape(c.f), 7 * i + 4), c.f);
      return [tf.conv2dTranspose(dy, w, c.x, c.stride, c.pad as "same")];
    };
    const ref = await cpuReference(run);
    for (const b of await testBackends()) {
      await t.step(`${b}: ${caseName(c)}`, async () => {
        await useBackend(b);
        const [got] = await readAll(tf.tidy(run));
        assertClose(got!, ref[0]!, "conv2dTranspose", { rtol: 2e-5 });
      });
    }
  }
});

Deno.test("conv2d filter gradient matches central finite differences on wasm and cpu", async () => {
  const c = CASES[3]!; // stride 2, valid
  for (const b of ["wasm", "cpu"]) {
    await useBackend(b);
    const x = tf.tensor4d(normals(tf.util.sizeFromShape(c.x), 5), c.x);
    const w0 = normals(tf.util.sizeFromShape(c.f), 6);
    const yShape = tf.conv2d(x, tf.zeros(c.f) as tf.Tensor4D, c.stride, c.pad).shape;
    const r = tf.tensor(normals(tf.util.sizeFromShape(yShape), 7), yShape);
    const loss = (w: Float32Array) =>
      tf.tidy(() => convLoss(c, x, tf.tensor4d(w, c.f), r).dataSync()[0]!);
    const [, dw] = await readAll(
      tf.grads((a: tf.Tensor, b: tf.Tensor) => convLoss(c, a as tf.Tensor4D, b as tf.Tensor4D, r))(
        [x, tf.tensor4d(w0, c.f)],
      ),
    );
    const h = 1e-2;
    for (const k of [0, 5, 17, w0.length - 1]) {
      const wp = w0.slice(), wm = w0.slice();
      wp[k]! += h;
      wm[k]! -= h;
      const fd = (loss(wp) - loss(wm)) / (2 * h);
      assert.ok(
        Math.abs(fd - dw![k]!) <= 1e-2 * Math.max(1, Math.abs(fd)),
        `${b} dW[${k}]: fd ${fd} vs ${dw![k]}`,
      );
    }
    tf.dispose([x, r]);
  }
});
