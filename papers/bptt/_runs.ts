/**
 * Runs of equal increments in the MSM tables: certify many rows of a cost column at once.
 *
 * Inside a column the increments `C(n) − C(n−1)` stay constant over long stretches (at t = 10,000
 * a column has tens to hundreds of runs). Let row `n` be solved by split `y` of a move family with
 * right column `g`. If `g`'s increments equal `D` over `n+1−y .. n+L−y`, the same split costs
 * `C(n'−1) + D` at each row `n' ≤ n + L`: an upper bound. The previous-row bounds of `_split.ts`
 * give the matching lower bound for every split of every family at once, by range-minimum
 * queries: splits `y' < z` satisfy `Q_{n'}(y') ≥ C(n'−1) + Δg(n'−y')`, splits `y' ≥ z` satisfy
 * `Q_{n'}(y') ≥ C(n'−1) + 1 + Δf(y'−s)`. Rows of the run itself have `Δf = D`, so only rows
 * `≤ n` of `f` and the window of `g` the run sweeps need checking. By induction on `n'`, every row
 * of the run then equals `C(n'−1) + D` exactly, and `y` stays an optimal split.
 *
 * @module
 */

import type { Column } from "./_split.ts";

/**
 * Family `min_{lo ≤ y ≤ n'−hiOff} y + f(y − s) + g(n' − y)` (`f` is the column being filled,
 * `g` the right part's column), with `z`, a guess of where its bound should switch from `g` to
 * `f` (the family's last split plus one).
 */
export interface Family {
  g: Column;
  fShift: number;
  lo: number;
  hiOff: number;
  z: number;
}

/**
 * Check row `n + 1` of a run of increment `D` for one family (see the module doc). Splits from
 * `z` on are bounded through `f`, splits below `z` through `g`; any `z` in `(lo, hi(n+1)]` is
 * valid. The guess `fam.z` is tried first, else the smallest `z` whose `f` part holds (the `f`
 * condition only gets easier and the `g` window only longer as `z` grows), by bisection on
 * suffix minima. Both columns need their range-minimum structure; `f` must hold rows `1..n`.
 *
 * @returns the index of `g` whose increment each later row `n + 1 + l` adds to the window is
 *   `result + l` (it must be ≥ D), or −1 when the bound cannot be shown at row `n + 1`
 */
export function familyStart(n: number, D: number, f: Column, fam: Family): number {
  const { g, fShift: s, lo, hiOff } = fam;
  const hi1 = n + 1 - hiOff;
  if (hi1 <= lo) return -1;
  const j1 = n + 1 - lo;
  // Splits ≥ z: rows z − s .. n of f (later rows are the run's, with Δf = D ≥ D − 1).
  // Splits < z at row n + 1: g over n + 2 − z .. n + 1 − lo; each later row adds one index.
  const z0 = fam.z <= lo ? lo + 1 : fam.z > hi1 ? hi1 : fam.z;
  if (
    (z0 - s > n || 1 + f.minInc(z0 - s, n) >= D) && g.minInc(n + 2 - z0, j1) >= D
  ) return j1;
  if (hi1 - s <= n && 1 + f.minInc(hi1 - s, n) < D) return -1;
  let a = lo + 1; // the smallest z whose f condition holds lies in [a, b]
  let b = hi1;
  while (a < b) {
    const mid = (a + b) >> 1;
    if (mid - s > n || 1 + f.minInc(mid - s, n) >= D) b = mid;
    else a = mid + 1;
  }
  return g.minInc(n + 2 - a, j1) >= D ? j1 : -1;
}

/** The increment `D` of the last {@link runLength} call (a module variable: no allocation). */
export let runD = 0;

/**
 * Length of the run after row `n`, solved at row `n` by split `y` of a family with right column
 * `w` (the witness): the largest `L ≤ limit` such that for rows `n' = n+1..n+L` the witness's
 * increment `Δw(n' − y)` equals `D = Δw(n + 1 − y)` and every family's bound is ≥ `D`. The
 * none move needs `n + 1 ≥ D`. The caller writes `C(n') = C(n) + (n' − n)·D` with the same move.
 */
export function runLength(
  n: number,
  limit: number,
  y: number,
  w: Column,
  f: Column,
  a: Family | null,
  b: Family | null,
): number {
  const wv = w.v;
  const jw = n + 1 - y;
  const D = wv[jw]! - wv[jw - 1]!;
  runD = D;
  if (limit < 1 || n + 1 < D) return 0;
  const ja = a === null ? -1 : familyStart(n, D, f, a);
  if (a !== null && ja < 0) return 0;
  const jb = b === null ? -1 : familyStart(n, D, f, b);
  if (b !== null && jb < 0) return 0;
  const av = a === null ? null : a.g.v;
  const bv = b === null ? null : b.g.v;
  let l = 1;
  for (; l < limit; l++) {
    if (wv[jw + l]! - wv[jw + l - 1]! !== D) break;
    if (av !== null && av[ja + l]! - av[ja + l - 1]! < D) break;
    if (bv !== null && bv[jb + l]! - bv[jb + l - 1]! < D) break;
  }
  return l;
}
