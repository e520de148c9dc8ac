import assert from "node:assert/strict";
import { Rng } from "../../tasks/core/rng.ts";
import { AnnIndex, DEFAULT_ANN } from "./ann_index.ts";
import { loadHnsw } from "./_hnsw.ts";
import { SparseMemory } from "./sparse_memory.ts";

Deno.test("AnnIndex finds the exact top-K words, filling with never-written words", async () => {
  const lib = await loadHnsw();
  const N = 5000, W = 16, K = 4, rng = new Rng(8);
  for (const eager of [true, false]) {
    const mem = new SparseMemory(1, N, W);
    const ann = new AnnIndex(lib, mem, 0, 400, { ...DEFAULT_ANN, eager, flushEvery: 16 });
    const row = new Float32Array(W);
    // 300 written words; a third of them are re-written additively (in-place updates).
    for (let n = 0; n < 300; n++) {
      const i = rng.int(N);
      for (let j = 0; j < W; j++) row[j] = rng.normal();
      mem.setRow(0, i, row, 0);
      mem.markWritten(0, i);
      ann.written(i);
      if (n % 3 === 0) {
        const k = rng.int(N);
        if (mem.written[0]![k]) {
          mem.readRow(0, k, row, 0);
          for (let j = 0; j < W; j++) row[j] = row[j]! + rng.normal();
          mem.setRow(0, k, row, 0);
          ann.written(k);
        }
      }
    }
    let hits = 0, total = 0;
    const idx = new Int32Array(K), sims = new Float32Array(K);
    const eIdx = new Int32Array(K), eSims = new Float32Array(K);
    for (let n = 0; n < 100; n++) {
      const q = Float32Array.from({ length: W }, () => rng.normal());
      ann.search(q, 0, K, idx, sims, 0);
      mem.topKLinear(0, q, 0, 1, K, eIdx, eSims, 0);
      assert.equal(new Set(idx).size, K);
      for (let k = 0; k < K; k++) if (sims[k]! >= eSims[K - 1]! - 1e-6) hits++;
      total += K;
    }
    assert.ok(hits / total > 0.9, `recall@K ${hits / total} (eager ${eager})`);
    // A query pointing away from every word gets never-written (zero) words, like the scan.
    const far = new Float32Array(W).fill(0);
    far[0] = 1;
    for (let b = 0; b < N; b++) {
      if (mem.written[0]![b]) {
        mem.setRow(0, b, new Float32Array(W).fill(1).map((_, j) => (j === 0 ? -1 : 0)), 0);
      }
    }
    for (let b = 0; b < N; b++) if (mem.written[0]![b]) ann.written(b);
    ann.flush();
    ann.search(far, 0, K, idx, sims, 0);
    mem.topKLinear(0, far, 0, 1, K, eIdx, eSims, 0);
    assert.deepEqual([...idx], [...eIdx]);
    assert.deepEqual([...sims], [0, 0, 0, 0]);
    ann.dispose();
  }
});

Deno.test("AnnIndex answers with clean words when the graph's nearest entries are dirty", async () => {
  const lib = await loadHnsw();
  const N = 64, W = 8, K = 4, rng = new Rng(3);
  const mem = new SparseMemory(1, N, W);
  const ann = new AnnIndex(lib, mem, 0, N, { ...DEFAULT_ANN, eager: false, flushEvery: 1000 });
  const row = new Float32Array(W);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < W; j++) row[j] = rng.normal();
    mem.setRow(0, i, row, 0);
    mem.markWritten(0, i);
    ann.written(i);
  }
  const q = Float32Array.from({ length: W }, () => rng.normal());
  const eIdx = new Int32Array(16), eSims = new Float32Array(16);
  mem.topKLinear(0, q, 0, 1, 16, eIdx, eSims, 0);
  // Re-write the six words nearest to q so that they point away from it: the graph still holds
  // their old (nearest) entries, which must not crowd the clean words out of the answer.
  for (const i of eIdx.slice(0, 6)) {
    mem.readRow(0, i, row, 0);
    for (let j = 0; j < W; j++) row[j] = -row[j]! - q[j]!;
    mem.setRow(0, i, row, 0);
    ann.written(i);
  }
  const idx = new Int32Array(K), sims = new Float32Array(K);
  ann.search(q, 0, K, idx, sims, 0);
  const exact = new Int32Array(K);
  mem.topKLinear(0, q, 0, 1, K, exact, new Float32Array(K), 0);
  assert.deepEqual([...idx], [...exact]);
  // Flushing re-links them in the graph; the answer stays exact.
  ann.flush();
  ann.search(q, 0, K, idx, sims, 0);
  assert.deepEqual([...idx], [...exact]);
  ann.dispose();
});
