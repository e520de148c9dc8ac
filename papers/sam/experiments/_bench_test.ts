import assert from "node:assert/strict";
import { denseBytesEstimate, extrapolateLinear, medianOf } from "./_bench.ts";

Deno.test("extrapolateLinear() continues the line through the two largest points", () => {
  const pts = [{ N: 8, y: 100 }, { N: 1024, y: 1000 + 10 * 1024 }, {
    N: 2048,
    y: 1000 + 10 * 2048,
  }];
  assert.equal(extrapolateLinear(pts, 1 << 20), 1000 + 10 * (1 << 20));
  assert.equal(extrapolateLinear(pts.slice(0, 1), 1 << 20), null);
});

Deno.test("denseBytesEstimate() is linear in N, B and T and zero for sparse models", () => {
  assert.equal(
    denseBytesEstimate("ntm", 2048, 32, 8, 2),
    2 * denseBytesEstimate("ntm", 1024, 32, 8, 2),
  );
  assert.equal(denseBytesEstimate("sam_ann", 1 << 20, 32, 8, 100), 0);
  assert.equal(medianOf([3, 1, 2]), 2);
});
