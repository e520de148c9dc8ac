/**
 * Full-scan reference of the BPTT dynamic programs, for the tests.
 *
 * @module
 */

import type { Strategy } from "./policy.ts";

/**
 * Test oracle: the plain O(t²m) recurrences of `dp.ts`, written independently of it (a full scan
 * over every split, no bounds, no closed form).
 *
 * @param T longest sequence
 * @param M largest budget
 * @returns `A[k][n]` and (exact form) `B[k][n]` for 0 ≤ k ≤ M, 0 ≤ n ≤ T (paper `C(n, k)`;
 *   `A[0]` is `Infinity`)
 */
export function fullScanTables(
  T: number,
  M: number,
  alpha: number,
  strat: Strategy,
  exact: boolean,
): { A: number[][]; B: number[][] } {
  const INF = Number.POSITIVE_INFINITY;
  const A: number[][] = [];
  const B: number[][] = [];
  for (let k = 0; k <= M; k++) {
    A.push(new Array(T + 1).fill(INF));
    B.push(new Array(T + 1).fill(INF));
    A[k]![0] = 0;
    B[k]![0] = 0;
  }
  const hid = strat !== "ism";
  const int = strat !== "hsm";
  for (let k = 0; k <= M; k++) {
    for (let n = 1; n <= T; n++) {
      if (k >= 1) {
        let best = n + A[k]![n - 1]!;
        if (hid && k >= 2) {
          for (let y = 1; y < n; y++) best = Math.min(best, y + A[k - 1]![n - y]! + A[k]![y]!);
        }
        if (int && !exact && k - alpha >= 1) {
          for (let y = 1; y <= n; y++) {
            best = Math.min(best, y + A[k - alpha]![n - y]! + A[k]![y - 1]!);
          }
        }
        if (int && exact) {
          if (k - alpha >= 0) best = Math.min(best, 1 + B[k - alpha]![n - 1]!);
          if (k - 1 - alpha >= 0) {
            for (let y = 2; y <= n; y++) {
              best = Math.min(best, y + B[k - 1 - alpha]![n - y]! + A[k]![y - 1]!);
            }
          }
        }
        A[k]![n] = best;
      }
      if (exact) {
        let best = n + B[k]![n - 1]!;
        if (hid && k >= 1) {
          for (let y = 1; y < n; y++) best = Math.min(best, y + A[k]![n - y]! + B[k]![y]!);
        }
        if (int && k >= alpha) {
          for (let y = 1; y <= n; y++) {
            best = Math.min(best, y + B[k - alpha]![n - y]! + B[k]![y - 1]!);
          }
        }
        B[k]![n] = best;
      }
    }
  }
  return { A, B };
}

/** Table `A` of {@link fullScanTables} (paper `C(n, k)` in the paper form). */
export function fullScan(
  T: number,
  M: number,
  alpha: number,
  strat: Strategy,
  exact: boolean,
): number[][] {
  return fullScanTables(T, M, alpha, strat, exact).A;
}
