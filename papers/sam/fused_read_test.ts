import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { fusedContentRead } from "./fused_read.ts";
import { contentRead } from "./similarity.ts";

await tf.setBackend("cpu");
await tf.ready();

Deno.test("fusedContentRead() matches the op-composed content read and its gradients", () => {
  const B = 2, Hh = 3, K = 4, W = 5, rng = new Rng(21);
  const rnd = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  const q = tf.tensor3d(rnd(B * Hh * W), [B, Hh, W]);
  const beta = tf.tensor2d(rnd(B * Hh).map((v) => 1 + Math.abs(v)), [B, Hh]);
  const words = tf.tensor4d(rnd(B * Hh * K * W), [B, Hh, K, W]);
  const dy = tf.tensor3d(rnd(B * Hh * (K + W)), [B, Hh, K + W]);
  const ref = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
    const o = contentRead(a, b, c);
    return tf.concat([o.w, o.r], 2);
  };
  const close = (x: tf.Tensor, y: tf.Tensor, what: string) => {
    const a = x.dataSync(), b = y.dataSync();
    for (let i = 0; i < a.length; i++) {
      assert.ok(
        Math.abs(a[i]! - b[i]!) < 1e-4 * Math.max(1, Math.abs(b[i]!)),
        `${what}[${i}]: ${a[i]} vs ${b[i]}`,
      );
    }
  };
  close(fusedContentRead(q, beta, words), ref(q, beta, words), "value");
  const g1 = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => fusedContentRead(a, b, c))([
    q,
    beta,
    words,
  ], dy);
  const g2 = tf.grads(ref)([q, beta, words], dy);
  ["dq", "dbeta", "dwords"].forEach((n, i) => close(g1[i]!, g2[i]!, n));
});
