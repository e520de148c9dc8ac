/**
 * A median with a distribution-free confidence interval, and how such an interval sits against
 * a target. Used by benchmarks for the ratio of two timings measured in interleaved rounds: one
 * ratio per round, then the median of the rounds and its interval.
 * @module
 */

/** The median of `n` values with a confidence interval from their order statistics. */
export interface MedianInterval {
  median: number;
  low: number;
  high: number;
  /** Coverage of `[low, high]` for the true median (≥ the level asked for, unless `n` is small). */
  confidence: number;
  n: number;
}

/**
 * The median of `values` and the narrowest order-statistic interval `[x₍ⱼ₎, x₍ₙ₊₁₋ⱼ₎]` that
 * covers the true median with probability at least `level`. For independent draws from any
 * continuous distribution, the count of values below the median is Binomial(n, ½), so the
 * coverage is `1 − 2·P(B ≤ j − 1)`. When even `[min, max]` covers less than `level` (n ≤ 5 at
 * 95 %) it returns `[min, max]` with its own, lower, coverage.
 */
export function medianInterval(values: readonly number[], level = 0.95): MedianInterval {
  const n = values.length;
  if (n === 0) throw new RangeError("medianInterval() needs at least one value");
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  if (values.some((v) => Number.isNaN(v))) throw new RangeError("medianInterval(): a value is NaN");
  const s = [...values].sort((a, b) => a - b);
  const m = n >> 1;
  const median = n % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  // cdf[i] = P(B ≤ i) for B ~ Binomial(n, 1/2), summed in log space (no underflow for large n).
  let logP = -n * Math.LN2;
  let below = 0; // P(B ≤ j − 1)
  let j = 1;
  let coverage = 1 - 2 * Math.exp(logP);
  for (let k = 1; 2 * k < n; k++) {
    below += Math.exp(logP);
    logP += Math.log((n - k + 1) / k);
    const next = 1 - 2 * (below + Math.exp(logP));
    if (next < level) break;
    j = k + 1;
    coverage = next;
  }
  return { median, low: s[j - 1]!, high: s[n - j]!, confidence: Math.max(0, coverage), n };
}

/** Where an interval lies against a target value. */
export type TargetVerdict = "meets" | "below" | "straddles";

/**
 * `"meets"` when the whole interval is at or above `target`, `"below"` when it is wholly
 * below, `"straddles"` when the target lies inside it (the measurement cannot tell).
 */
export function targetVerdict(iv: { low: number; high: number }, target: number): TargetVerdict {
  if (iv.low >= target) return "meets";
  if (iv.high < target) return "below";
  return "straddles";
}
