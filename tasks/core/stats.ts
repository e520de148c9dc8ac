/**
 * Small statistics used in summaries: mean ± std over seeds, medians.
 * @module
 */
import type { SeedStat } from "./experiment.ts";

/** Mean, sample standard deviation (n − 1; 0 for one value) and the per-seed values. */
export function seedStat(values: readonly number[]): SeedStat {
  const n = values.length;
  if (n === 0) throw new RangeError("seedStat() needs at least one value");
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n, perSeed: [...values] };
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median() needs at least one value");
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** True when a metric value is a SeedStat. */
export function isSeedStat(v: unknown): v is SeedStat {
  return typeof v === "object" && v !== null && "mean" in v && "std" in v && "perSeed" in v;
}
