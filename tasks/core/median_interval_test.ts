import assert from "node:assert/strict";
import { Rng } from "./rng.ts";
import { medianInterval, targetVerdict } from "./median_interval.ts";

Deno.test("medianInterval() of 7 rounds is [min, max] at 1 − 2/2⁷ coverage, from unsorted input", () => {
  const iv = medianInterval([0.52, 0.47, 0.61, 0.44, 0.50, 0.58, 0.49]);
  assert.deepEqual(iv, { median: 0.5, low: 0.44, high: 0.61, confidence: 1 - 2 / 128, n: 7 });
});

Deno.test("medianInterval() of 15 values takes the 4th and 12th order statistics (96.5 %)", () => {
  const values = Array.from({ length: 15 }, (_, i) => 15 - i); // 15..1
  const iv = medianInterval(values);
  assert.equal(iv.median, 8);
  assert.equal(iv.low, 4);
  assert.equal(iv.high, 12);
  // 1 − 2·P(B ≤ 3), B ~ Binomial(15, 1/2): (1 + 15 + 105 + 455) / 2¹⁵.
  assert.ok(Math.abs(iv.confidence - (1 - 2 * 576 / 32768)) < 1e-12, String(iv.confidence));
  // A lower level gives a narrower interval.
  const narrow = medianInterval(values, 0.8);
  assert.ok(narrow.low > iv.low && narrow.high < iv.high);
  assert.ok(narrow.confidence >= 0.8 && narrow.confidence < iv.confidence);
});

Deno.test("medianInterval() says when too few values reach the level, and rejects bad input", () => {
  const five = medianInterval([3, 1, 2, 5, 4]);
  assert.deepEqual([five.low, five.median, five.high], [1, 3, 5]);
  assert.equal(five.confidence, 1 - 2 / 32); // below 95 %: five values cannot reach it
  assert.equal(medianInterval([2]).confidence, 0);
  assert.equal(medianInterval([1, 3]).median, 2);
  assert.throws(() => medianInterval([]), RangeError);
  assert.throws(() => medianInterval([1, NaN, 2]), RangeError);
  assert.throws(() => medianInterval([1, 2], 1), RangeError);
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
      stated = iv.confidence;
      if (iv.low <= Math.LN2 && Math.LN2 <= iv.high) covered++;
    }
    const rate = covered / trials;
    // 3000 trials: standard error ≈ 0.004; allow 4 of them.
    assert.ok(Math.abs(rate - stated) < 0.016, `n=${n}: covered ${rate}, stated ${stated}`);
  }
});

Deno.test("targetVerdict() tells meets, below and straddles apart, boundaries included", () => {
  assert.equal(targetVerdict({ low: 0.5, high: 0.7 }, 0.45), "meets");
  assert.equal(targetVerdict({ low: 0.45, high: 0.7 }, 0.45), "meets");
  assert.equal(targetVerdict({ low: 0.2, high: 0.3 }, 0.45), "below");
  assert.equal(targetVerdict({ low: 0.4, high: 0.5 }, 0.45), "straddles");
  assert.equal(targetVerdict({ low: 0.4, high: 0.45 }, 0.45), "straddles");
});
