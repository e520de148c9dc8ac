import assert from "node:assert/strict";

const assertEquals = (a: unknown, b: unknown) => assert.deepStrictEqual(a, b);
const assertAlmostEquals = (a: number, b: number, eps: number) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b}`);
const assertThrows = (f: () => unknown, e: typeof RangeError) => assert.throws(f, e);
import { insideInterval, medianInterval, ratioInterval } from "./interval.ts";

Deno.test("seven rounds at 95% give the min-max interval with coverage 1 - 2/128", () => {
  const r = medianInterval([5, 1, 4, 2, 7, 3, 6]);
  assertEquals([r.median, r.lo, r.hi, r.rounds], [4, 1, 7, 7]);
  assertAlmostEquals(r.level, 1 - 2 / 128, 1e-12);
});

Deno.test("more rounds narrow the interval to the widest order statistics that keep the level", () => {
  // n = 20: P(Bin(20, .5) <= 5) = 0.0207, <= 6 = 0.0577, so k = 6 (coverage 0.9586).
  const v = Array.from({ length: 20 }, (_, i) => i + 1);
  const r = medianInterval(v);
  assertEquals([r.lo, r.hi, r.median], [6, 15, 10.5]);
  assertAlmostEquals(r.level, 1 - 2 * 0.020694732666015625, 1e-12);
});

Deno.test("too few rounds for the level keep the full range and report the lower coverage", () => {
  const r = medianInterval([3, 1, 2]);
  assertEquals([r.lo, r.hi, r.median], [1, 3, 2]);
  assertAlmostEquals(r.level, 0.75, 1e-12);
  assertEquals(medianInterval([2]).level, 0);
});

Deno.test("ratios are taken round by round, and insideInterval tests the closed interval", () => {
  const r = ratioInterval([2, 4, 6], [1, 2, 2]);
  assertEquals([r.lo, r.median, r.hi], [2, 2, 3]);
  assertEquals(insideInterval(r, 3), true);
  assertEquals(insideInterval(r, 3.01), false);
});

Deno.test("empty, mismatched or non-finite input is refused", () => {
  assertThrows(() => medianInterval([]), RangeError);
  assertThrows(() => medianInterval([1, NaN]), RangeError);
  assertThrows(() => medianInterval([1], 1), RangeError);
  assertThrows(() => ratioInterval([1, 2], [1]), RangeError);
});
