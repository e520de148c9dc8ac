import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { SparseMemory } from "./sparse_memory.ts";
import { contentRead, cosineDense } from "./similarity.ts";

await tf.setBackend("cpu");
await tf.ready();

function filled(B: number, N: number, W: number, seed: number): SparseMemory {
  const mem = new SparseMemory(B, N, W), rng = new Rng(seed);
  const row = new Float32Array(W);
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < W; j++) row[j] = rng.normal();
      mem.setRow(b, i, row, 0);
    }
  }
  return mem;
}

Deno.test("sparse read with K = N equals a dense content read", () => {
  const B = 2, N = 12, W = 5, Hh = 3, K = N;
  const mem = filled(B, N, W, 1), rng = new Rng(2);
  const q = Float32Array.from({ length: B * Hh * W }, () => rng.normal());
  const beta = Float32Array.from({ length: B * Hh }, () => 1 + 3 * rng.next());
  const idx = new Int32Array(B * Hh * K), sims = new Float32Array(B * Hh * K);
  for (let b = 0; b < B; b++) mem.topKLinear(b, q, b * Hh * W, Hh, K, idx, sims, b * Hh * K);
  const words = new Float32Array(B * Hh * K * W);
  for (let j = 0; j < B * Hh * K; j++) mem.readRow(Math.floor(j / (Hh * K)), idx[j]!, words, j * W);
  const sparse = contentRead(
    tf.tensor3d(q, [B, Hh, W]),
    tf.tensor2d(beta, [B, Hh]),
    tf.tensor4d(words, [B, Hh, K, W]),
  ).r.dataSync();
  const memT = tf.tensor3d(Float32Array.from(mem.data.flatMap((d) => [...d])), [B, N, W]);
  const wd = tf.softmax(
    tf.mul(
      tf.expandDims(tf.tensor2d(beta, [B, Hh]), -1),
      cosineDense(tf.tensor3d(q, [B, Hh, W]), memT),
    ),
  );
  const dense = tf.matMul(wd, memT).dataSync();
  for (let i = 0; i < dense.length; i++) assert.ok(Math.abs(dense[i]! - sparse[i]!) < 1e-5);
});

Deno.test("topKLinear() returns exactly K distinct words per head, the K most similar", () => {
  const B = 1, N = 200, W = 8, Hh = 4, K = 4;
  const mem = filled(B, N, W, 3), rng = new Rng(4);
  const q = Float32Array.from({ length: Hh * W }, () => rng.normal());
  const idx = new Int32Array(Hh * K), sims = new Float32Array(Hh * K);
  mem.topKLinear(0, q, 0, Hh, K, idx, sims, 0);
  for (let h = 0; h < Hh; h++) {
    const mine = [...idx.subarray(h * K, (h + 1) * K)];
    assert.equal(new Set(mine).size, K);
    const all = Array.from({ length: N }, (_, i) => ({ i, s: mem.similarity(0, q, h * W, i) }));
    all.sort((a, c) => c.s - a.s);
    assert.deepEqual(mine, all.slice(0, K).map((e) => e.i));
    // A dense weighting built from the K indices has exactly K non-zeros.
    const w = new Float32Array(N);
    for (const i of mine) w[i] = 1 / K;
    assert.equal(w.filter((v) => v !== 0).length, K);
  }
});
