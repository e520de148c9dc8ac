import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { linkReads, updateLinks } from "./dnc.ts";
import { SparseLinks, type SparseWeights } from "./sparse_links.ts";

await tf.setBackend("cpu");
await tf.ready();

/** Random sparse write weights over N words: 1–3 words, Σ ≤ 1. */
function randomWrite(rng: Rng, N: number): SparseWeights {
  const w = new Map<number, number>();
  const n = 1 + Math.floor(rng.next() * 3);
  let left = 0.2 + 0.8 * rng.next();
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rng.next() * N), v = k === n - 1 ? left : left * rng.next();
    w.set(i, (w.get(i) ?? 0) + v);
    left -= v;
  }
  return w;
}

function dense(w: SparseWeights, N: number): Float32Array {
  const out = new Float32Array(N);
  for (const [i, v] of w) out[i] = v;
  return out;
}

/** A snapshot of every entry and the precedence, for exact comparisons. */
function snapshot(l: SparseLinks): string {
  const rows = [...l.rows].map(([i, r]) => [i, [...r].sort((a, b) => a[0] - b[0])] as const)
    .sort((a, b) => a[0] - b[0]);
  const cols = [...l.cols].map(([j, c]) => [j, [...c].sort((a, b) => a[0] - b[0])] as const)
    .sort((a, b) => a[0] - b[0]);
  return JSON.stringify([rows, cols, [...l.precedence].sort((a, b) => a[0] - b[0])]);
}

Deno.test("without pruning (K_L ≥ N) the sparse links and precedence equal the dense DNC's after every step", () => {
  const N = 6, rng = new Rng(3);
  const links = new SparseLinks(N);
  let L = tf.zeros([1, N, N]) as tf.Tensor3D, p = tf.zeros([1, N]) as tf.Tensor2D;
  for (let t = 0; t < 12; t++) {
    const w = randomWrite(rng, N);
    links.update(w);
    const next = updateLinks(L, p, tf.tensor2d(dense(w, N), [1, N]));
    tf.dispose([L, p]);
    L = next.L, p = next.p;
    const Ld = L.dataSync(), pd = p.dataSync();
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        assert.ok(Math.abs(links.get(i, j) - Ld[i * N + j]!) < 1e-6, `L[${i},${j}] at step ${t}`);
      }
      assert.ok(Math.abs((links.precedence.get(i) ?? 0) - pd[i]!) < 1e-6, `p[${i}] at ${t}`);
    }
  }
  assert.ok(links.entryCount() > N, "the links are not trivially empty");
  tf.dispose([L, p]);
});

Deno.test("forward and backward link reads equal L w and Lᵀ w of the dense links", () => {
  const N = 7, rng = new Rng(5);
  const links = new SparseLinks(N);
  let L = tf.zeros([1, N, N]) as tf.Tensor3D, p = tf.zeros([1, N]) as tf.Tensor2D;
  for (let t = 0; t < 9; t++) {
    const w = randomWrite(rng, N);
    links.update(w);
    const next = updateLinks(L, p, tf.tensor2d(dense(w, N), [1, N]));
    tf.dispose([L, p]);
    L = next.L, p = next.p;
  }
  const wr = randomWrite(rng, N);
  const { forward, backward } = linkReads(L, tf.tensor3d(dense(wr, N), [1, 1, N]));
  const f = links.forward(wr), b = links.backward(wr);
  const fd = forward.dataSync(), bd = backward.dataSync();
  for (let i = 0; i < N; i++) {
    assert.ok(Math.abs((f.get(i) ?? 0) - fd[i]!) < 1e-6, `f[${i}]`);
    assert.ok(Math.abs((b.get(i) ?? 0) - bd[i]!) < 1e-6, `b[${i}]`);
  }
  assert.ok([...f.values()].some((v) => v > 0) && [...b.values()].some((v) => v > 0));
  tf.dispose([L, p, forward, backward]);
});

Deno.test("with pruning every row of N and of P keeps ≤ K_L entries, P = Nᵀ, and p has ≤ K_L non-zeros", () => {
  const N = 64, K = 3, rng = new Rng(7);
  const links = new SparseLinks(K);
  for (let t = 0; t < 200; t++) {
    const w = randomWrite(rng, N);
    const j = links.update(w);
    assert.ok(
      j.entries.length <= w.size * (5 * K),
      `step ${t} touched ${j.entries.length} entries`,
    );
    for (const r of links.rows.values()) assert.ok(r.size <= K);
    for (const c of links.cols.values()) assert.ok(c.size <= K);
    assert.ok(links.precedence.size <= K);
  }
  for (const [i, r] of links.rows) {
    for (const [j, v] of r) assert.equal(links.cols.get(j)!.get(i), v);
  }
  for (const [j, c] of links.cols) {
    for (const [i, v] of c) assert.equal(links.rows.get(i)!.get(j), v);
  }
  assert.ok(links.entryCount() > N / 2);
});

Deno.test("rolling the journals back in reverse restores the links and precedence bit for bit", () => {
  const N = 40, rng = new Rng(11);
  const links = new SparseLinks(4);
  for (let t = 0; t < 30; t++) links.update(randomWrite(rng, N)); // a non-empty start
  const before = snapshot(links);
  const journals = Array.from({ length: 25 }, () => links.update(randomWrite(rng, N)));
  assert.notEqual(snapshot(links), before);
  for (let t = journals.length - 1; t >= 0; t--) links.rollback(journals[t]!);
  assert.equal(snapshot(links), before);
});
