import assert from "node:assert/strict";
import { Rng } from "../core/rng.ts";
import { relaxedSimdSupported } from "./gemm.ts";
import { GemmThreads } from "./gemm_threads.ts";

/** Plain-JS reference product (float64 accumulation). */
function reference(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + x * b[p * n + j]!;
    }
  }
  return c;
}

Deno.test({
  name: "GemmThreads splits a product across two threads and equals the reference product",
  ignore: !relaxedSimdSupported(),
  fn: async () => {
    const rng = new Rng(4);
    for (const threads of [1, 2, 3]) {
      const pool = await GemmThreads.start(threads);
      try {
        // Row counts below, at and across the split (6-row blocks), odd k and n, and a product
        // large enough to grow the shared memory.
        for (const [m, k, n] of [[1, 3, 5], [7, 13, 17], [61, 67, 129], [300, 257, 130]]) {
          const a = Float32Array.from({ length: m! * k! }, () => rng.normal());
          const b = Float32Array.from({ length: k! * n! }, () => rng.normal());
          const got = pool.matmul(a, b, m!, k!, n!), want = reference(a, b, m!, k!, n!);
          let maxRef = 0, maxDiff = 0;
          for (let i = 0; i < want.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(want[i]!));
            maxDiff = Math.max(maxDiff, Math.abs(got[i]! - want[i]!));
          }
          assert.ok(
            maxDiff <= 2e-6 * maxRef,
            `${threads} threads, ${m}×${k}·${k}×${n}: ${maxDiff}`,
          );
        }
      } finally {
        pool.close();
      }
    }
  },
});

Deno.test("GemmThreads refuses a bad thread count and mismatched operands with one line", async () => {
  await assert.rejects(() => GemmThreads.start(0), /threads must be a positive integer/);
  if (!relaxedSimdSupported()) return;
  const pool = await GemmThreads.start(1);
  try {
    assert.throws(
      () => pool.matmul(new Float32Array(5), new Float32Array(6), 2, 3, 2),
      /want 6, 6/,
    );
  } finally {
    pool.close();
  }
});
