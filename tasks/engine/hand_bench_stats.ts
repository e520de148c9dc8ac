/**
 * The summaries the engine's two-core by-hand benchmarks (`gemm_threads_bench.ts`,
 * `gemm_threads_kernel_bench.ts`) print: a median over rounds with its distribution-free 95 %
 * interval (`tasks/core/interval.ts`), rounded to 3 decimals, and its Markdown cell.
 *
 * @module
 */
import { medianInterval } from "../core/interval.ts";

/** A median over rounds and its 95 % interval. */
export interface RoundedInterval {
  median: number;
  lo: number;
  hi: number;
}

/** `x` rounded to 3 decimals. */
export function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The median of `values` with its 95 % order-statistic interval, each rounded to 3 decimals. */
export function roundedInterval(values: number[]): RoundedInterval {
  const i = medianInterval(values);
  return { median: r3(i.median), lo: r3(i.lo), hi: r3(i.hi) };
}

/**
 * "median [lo, hi]" of a {@link RoundedInterval} read from a result row (typed `unknown` there),
 * or "" for null (a row without a peer).
 */
export function intervalCell(x: unknown): string {
  const v = x as RoundedInterval | null;
  return v ? `${v.median} [${v.lo}, ${v.hi}]` : "";
}
