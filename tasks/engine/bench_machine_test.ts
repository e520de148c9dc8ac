import assert from "node:assert/strict";
import { clockProbe } from "./bench_machine.ts";

Deno.test("clockProbe() runs 64 dependent adds of the counter per iteration (wasm module is well formed)", () => {
  const adds = clockProbe();
  // x += n, 64 times per iteration, for n = N..1: x = 64 · N(N + 1)/2, wrapped to i32.
  for (const n of [1, 2, 1000, 100_000]) {
    assert.equal(adds(n), (64 * (n * (n + 1) / 2)) | 0, `n = ${n}`);
  }
});
