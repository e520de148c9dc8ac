/**
 * A median with a distribution-free confidence interval, for quantities measured in repeated
 * rounds (e.g. the per-round time ratio of two methods run ABAB… in one process).
 *
 * The interval is the order-statistic interval of the median: for sorted values `x(1) ≤ … ≤ x(n)`,
 * `[x(k), x(n+1−k)]` covers the population median with probability
 * `1 − 2·P(Binomial(n, ½) ≤ k − 1)`, whatever the distribution (values independent across rounds).
 * The widest `k` whose coverage is at least the requested level is used; `level` in the result is
 * the coverage actually achieved (e.g. 7 rounds at 0.95 give `[min, max]` at 0.984). With too few
 * rounds for the requested level, the result is `[min, max]` with its lower coverage, never a
 * narrower interval than the data support.
 *
 * @module
 */

/** A measured quantity: median over rounds with an interval and its coverage. */
export type IntervalMetric = {
  median: number;
  lo: number;
  hi: number;
  /** Number of rounds the interval is computed from. */
  rounds: number;
  /** Achieved coverage of `[lo, hi]` for the median (0 for a single round). */
  level: number;
};

/** `P(Binomial(n, ½) ≤ j)`. */
function binomHalfCdf(n: number, j: number): number {
  let term = 0.5 ** n; // C(n, 0) / 2^n
  let sum = 0;
  for (let i = 0; i <= j; i++) {
    sum += term;
    term *= (n - i) / (i + 1);
  }
  return sum;
}

/**
 * Median and order-statistic confidence interval of `values`.
 *
 * @param values one value per round (finite numbers)
 * @param level requested coverage in (0, 1), default 0.95
 * @returns `{ median, lo, hi, rounds, level }`, `level` = achieved coverage
 * @throws {RangeError} on an empty list, a non-finite value or a level outside (0, 1)
 */
export function medianInterval(values: readonly number[], level = 0.95): IntervalMetric {
  const n = values.length;
  if (n === 0) throw new RangeError("medianInterval() needs at least one value");
  if (!values.every(Number.isFinite)) throw new RangeError("medianInterval(): non-finite value");
  if (!(level > 0 && level < 1)) throw new RangeError(`medianInterval(): level ${level}`);
  const s = [...values].sort((a, b) => a - b);
  const m = n >> 1;
  const median = n % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  const coverage = (k: number) => 1 - 2 * binomHalfCdf(n, k - 1);
  let k = 1;
  while (k + 1 <= (n + 1) / 2 && coverage(k + 1) >= level) k++;
  return { median, lo: s[k - 1]!, hi: s[n - k]!, rounds: n, level: Math.max(0, coverage(k)) };
}

/** Per-round ratios `num[i] / den[i]` (same rounds), as an {@link IntervalMetric}. */
export function ratioInterval(
  num: readonly number[],
  den: readonly number[],
  level = 0.95,
): IntervalMetric {
  if (num.length !== den.length) {
    throw new RangeError(`ratioInterval(): ${num.length} vs ${den.length} rounds`);
  }
  return medianInterval(num.map((v, i) => v / den[i]!), level);
}

/** True when `value` lies inside `[lo, hi]` of an interval metric. */
export function insideInterval(i: IntervalMetric, value: number): boolean {
  return value >= i.lo && value <= i.hi;
}

/** Where an interval lies against a target value. */
export type TargetVerdict = "meets" | "below" | "straddles";

/**
 * `"meets"` when the whole interval is at or above `target`, `"below"` when it is wholly
 * below, `"straddles"` when the target lies inside it (the measurement cannot tell).
 */
export function targetVerdict(i: { lo: number; hi: number }, target: number): TargetVerdict {
  if (i.lo >= target) return "meets";
  if (i.hi < target) return "below";
  return "straddles";
}
