import assert from "node:assert/strict";
import { intervalCell, r3, roundedInterval } from "./hand_bench_stats.ts";

Deno.test("a by-hand bench's interval is the rounded median with its order-statistic bounds", () => {
  assert.equal(r3(1.23456), 1.235);
  const v = roundedInterval([5, 1, 3, 2, 4, 7, 6, 9, 8].map((x) => x + 0.00049));
  assert.equal(v.median, 5);
  assert.ok(v.lo <= v.median && v.median <= v.hi && v.lo >= 1 && v.hi <= 9);
  assert.equal(intervalCell({ median: 5, lo: 2, hi: 8 }), "5 [2, 8]");
  assert.equal(intervalCell(null), "");
});
