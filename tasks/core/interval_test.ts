import assert from "node:assert/strict";

const assertEquals = (a: unknown, b: unknown) => assert.deepStrictEqual(a, b);
const assertAlmostEquals = (a: number, b: number, eps: number) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b}`);
const assertThrows = (f: () => unknown, e: typeof RangeError) => assert.throws(f, e);
import { insideInterval, medianInterval, ratioInterval, targetVerdict } from "./interval.ts";
import { Rng } from "./rng.ts";

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

Deno.test("medianInterval() of 15 values takes the 4th and 12th order statistics (96.5 %)", () => {
  const values = Array.from({ length: 15 }, (_, i) => 15 - i); // 15..1
  const iv = medianInterval(values);
  assert.equal(iv.median, 8);
  assert.equal(iv.lo, 4);
  assert.equal(iv.hi, 12);
  // 1 − 2·P(B ≤ 3), B ~ Binomial(15, 1/2): (1 + 15 + 105 + 455) / 2¹⁵.
  assert.ok(Math.abs(iv.level - (1 - 2 * 576 / 32768)) < 1e-12, String(iv.level));
  // A lower level gives a narrower interval.
  const narrow = medianInterval(values, 0.8);
  assert.ok(narrow.lo > iv.lo && narrow.hi < iv.hi);
  assert.ok(narrow.level >= 0.8 && narrow.level < iv.level);
});

Deno.test("medianInterval() covers the true median at about its stated rate (seeded simulation)", () => {
  const rng = new Rng(20261201);
  for (const n of [9, 15, 40]) {
    const trials = 3000;
    let covered = 0;
    let stated = 0;
    for (let i = 0; i < trials; i++) {
      // Skewed draws (exponential, median ln 2), like timing ratios under load.
      const xs = Array.from({ length: n }, () => -Math.log(1 - rng.next()));
      const iv = medianInterval(xs);
      stated = iv.level;
      if (iv.lo <= Math.LN2 && Math.LN2 <= iv.hi) covered++;
    }
    const rate = covered / trials;
    // 3000 trials: standard error ≈ 0.004; allow 4 of them.
    assert.ok(Math.abs(rate - stated) < 0.016, `n=${n}: covered ${rate}, stated ${stated}`);
  }
});

Deno.test("targetVerdict() tells meets, below and straddles apart, boundaries included", () => {
  assert.equal(targetVerdict({ lo: 0.5, hi: 0.7 }, 0.45), "meets");
  assert.equal(targetVerdict({ lo: 0.45, hi: 0.7 }, 0.45), "meets");
  assert.equal(targetVerdict({ lo: 0.2, hi: 0.3 }, 0.45), "below");
  assert.equal(targetVerdict({ lo: 0.4, hi: 0.5 }, 0.45), "straddles");
  assert.equal(targetVerdict({ lo: 0.4, hi: 0.45 }, 0.45), "straddles");
});
