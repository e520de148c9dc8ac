/**
 * One column of the BPTT cost tables (`dp.ts`), filled row by row by relaxing every move of the
 * recurrence: the no-store move, the exact form's drop-start move and the two split families
 * (store `h_y`, store `I_y`). The paper form's `C` and the exact form's `A` and `B` share this
 * step; they differ only in the columns their moves read ({@link ColumnMoves}).
 *
 * A row is relaxed in three stages:
 * 1. the cheap candidates: no store, drop-start, store `I_1`, and each family's split at its
 *    hint (the previous row's split), which often reach the row's lower bound at once;
 * 2. (MSM) a family whose previous-row bound cannot beat the best candidate is skipped;
 * 3. each remaining family's split search (`_split.ts`).
 * MSM then certifies the following rows in one run of equal increments (`_runs.ts`).
 *
 * @module
 */

import { type Column, localMin, splitBound, splitMin, splitWalk, splitY } from "./_split.ts";
import { type Family, runD, runLength } from "./_runs.ts";

/** Kind of the first move of a subproblem. */
export const enum MoveKind {
  /** Run to the end, `B_t` on the fresh internal state, recurse on `t − 1`. */
  None = 0,
  /** Store `h_y`. */
  Hidden = 1,
  /** Store `I_y`. */
  Internal = 2,
  /** Exact form only: drop the start slot, then store `I_1`. */
  InternalDropStart = 3,
}

/** The moves of one column `k` and the columns they read (see `dp.ts`'s recurrences). */
export interface ColumnMoves {
  /** Store `h_y`, y = 1..n−1: right part `hidden(n − y)`; null when the budget allows none. */
  hidden: Column | null;
  /** Store `I_y`, y = internalLo..n: right part `internal(n − y)`; null when none. */
  internal: Column | null;
  /** Lowest internal split: 2 in the exact form's A (its y = 1 is {@link dropStart}), else 1. */
  internalLo: number;
  /** Exact form's A: drop the start, then store `I_1`, cost `1 + dropStart(n − 1)`; or null. */
  dropStart: Column | null;
  /** `c` of the lower bound `G(n) = 2n − min(n, c)`; 0 without internal moves (no bound). */
  closedC: number;
  /** The row's floor is `2n − 1` (HSM's table) instead of `n`. */
  hsmFloor: boolean;
  /** Another column that bounds this one from below row by row (exact B: A[k + 1]), or null. */
  lower: Column | null;
  /** Cap of the solve (`CostTable`'s upper bound): rows above it get placeholders. */
  ub: number;
  /** MSM: exact branch-and-bound split search, previous-row skips and runs of equal increments. */
  msm: boolean;
}

/** What a filled column says about the columns above it. */
export interface ColumnSummary {
  /** Every row sits at its floor (no larger budget can do better). */
  saturated: boolean;
  /** Every row equals the closed form `G` (see `_closed.ts`). */
  closed: boolean;
}

/** A split family with its hint: the split the last search of this column found. */
interface HintedFamily extends Family {
  kind: MoveKind.Hidden | MoveKind.Internal;
  hint: number;
}

function family(
  kind: MoveKind.Hidden | MoveKind.Internal,
  g: Column | null,
  lo: number,
): HintedFamily | null {
  if (g === null) return null;
  const hidden = kind === MoveKind.Hidden;
  return { kind, g, fShift: hidden ? 0 : 1, lo, hiOff: hidden ? 1 : 0, z: 0, hint: lo };
}

/**
 * Fill rows 1..t of `col` (row 0 is 0) with the minimum over `moves`, and `code[n]` with the
 * argmin as `y · 4 + kind`. Rows above the cap get placeholders (see `CostTable`).
 */
export function fillColumn(col: Column, code: Int32Array, moves: ColumnMoves): ColumnSummary {
  const t = code.length - 1;
  const v = col.v;
  const { ub, closedC: c, hsmFloor, msm } = moves;
  const drop = moves.dropStart === null ? null : moves.dropStart.v;
  const lower = moves.lower === null ? null : moves.lower.v;
  const hid = family(MoveKind.Hidden, moves.hidden, 1);
  const int = family(MoveKind.Internal, moves.internal, moves.internalLo);
  const run: RunContext = { col, code, t, hid, int, dropStart: moves.dropStart, ub };
  let saturated = true;
  let closed = c > 0;
  for (let n = 1; n <= t; n++) {
    // 1. The cheap candidates. Lower bound: the floor, C(n−1) + 1 (dropping step n from a
    // policy saves ≥ 1 op), G and the column below; a candidate that reaches it is exact.
    let best = n + v[n - 1]!;
    let bestCode = n * 4 + MoveKind.None;
    if (drop !== null && 1 + drop[n - 1]! < best) {
      best = 1 + drop[n - 1]!;
      bestCode = 4 + MoveKind.InternalDropStart;
    }
    let lb = Math.max(hsmFloor ? 2 * n - 1 : n, v[n - 1]! + 1);
    if (c > 0) lb = Math.max(lb, 2 * n - Math.min(n, c));
    if (lower !== null) lb = Math.max(lb, lower[n]!);
    const h = hid !== null && n >= 2 ? hid : null;
    const i = int !== null && n >= int.lo ? int : null;
    if (i !== null && i.lo === 1 && best > lb && 1 + i.g.v[n - 1]! < best) {
      best = 1 + i.g.v[n - 1]!; // store I_1
      bestCode = 4 + MoveKind.Internal;
    }
    if (h !== null && best > lb) {
      const q = probe(h, n, v, msm);
      if (q < best) [best, bestCode] = [q, probeY * 4 + MoveKind.Hidden];
    }
    if (i !== null && best > lb) {
      const q = probe(i, n, v, msm);
      if (q < best) [best, bestCode] = [q, probeY * 4 + MoveKind.Internal];
    }
    if (best > lb) {
      // 2. MSM: skip a family whose previous-row bound, split at the hint, cannot beat `best`.
      const hSkip = h !== null && msm && cannotBeat(h, n, col, best);
      const iSkip = i !== null && msm && cannotBeat(i, n, col, best);
      // 3. The searches.
      if (h !== null && !hSkip) {
        const q = search(h, n, col, msm, best);
        if (q < best) [best, bestCode] = [q, splitY * 4 + MoveKind.Hidden];
      }
      if (i !== null && best > lb && !iSkip) {
        const q = search(i, n, col, msm, best);
        if (q < best) [best, bestCode] = [q, splitY * 4 + MoveKind.Internal];
      }
    }
    if (best > ub) {
      capRest(col, n, t, ub);
      saturated = closed = false;
      break;
    }
    col.set(n, best);
    code[n] = bestCode;
    if (best !== (hsmFloor ? 2 * n - 1 : n)) saturated = false;
    if (c === 0 || best !== 2 * n - Math.min(n, c)) closed = false;
    if (msm && n < t && (bestCode & 3) !== MoveKind.None) {
      const l = extendRun(run, n, bestCode);
      // (`saturated` only matters without internal moves, i.e. never for MSM.)
      for (let r = n + 1; r <= n + l && closed; r++) closed = v[r] === 2 * r - Math.min(r, c);
      n += l;
    }
  }
  return { saturated, closed };
}

/** The split of the last {@link probe}. */
let probeY = 0;

/**
 * The family's cost at its hint and (MSM) one split to the right, the other split a convex
 * merge would take; the hint follows the family's own local minimum. Returns the lower of the
 * two (the hint's on a tie) and puts its split in {@link probeY}.
 */
function probe(fam: HintedFamily, n: number, v: Column["v"], msm: boolean): number {
  const g = fam.g.v;
  const s = fam.fShift;
  const hi = n - fam.hiOff;
  const y = Math.min(Math.max(fam.hint, fam.lo), hi);
  const q = y + g[n - y]! + v[y - s]!;
  probeY = y;
  if (!msm || y + 1 > hi) return q;
  const q1 = y + 1 + g[n - y - 1]! + v[y + 1 - s]!;
  if (q1 <= q) fam.hint = y + 1;
  if (q1 >= q) return q;
  probeY = y + 1;
  return q1;
}

/** MSM: the previous row's bounds show that no split of `fam` beats `best` (`_split.ts`). */
function cannotBeat(fam: HintedFamily, n: number, col: Column, best: number): boolean {
  const b = splitBound(fam.lo, n - fam.hiOff, n, fam.hint + 1, col, fam.fShift, fam.g);
  return col.v[n - 1]! + b >= best;
}

/**
 * The family's best split from its hint (`_split.ts`; MSM prunes against `best`), which
 * becomes the new hint. Returns its cost; the split is in `splitY`.
 */
function search(fam: HintedFamily, n: number, col: Column, msm: boolean, best: number): number {
  const hi = n - fam.hiOff;
  const q = msm
    ? splitMin(fam.lo, hi, n, fam.hint, col, fam.fShift, fam.g, best)
    : splitWalk(fam.lo, hi, n, fam.hint, col, fam.fShift, fam.g);
  fam.hint = splitY;
  return q;
}

/** What {@link extendRun} needs of the column being filled. */
interface RunContext {
  col: Column;
  code: Int32Array;
  t: number;
  hid: HintedFamily | null;
  int: HintedFamily | null;
  dropStart: Column | null;
  ub: number;
}

/**
 * MSM: certify rows after `n` in one run of equal increments (`_runs.ts`), with row `n`'s
 * move `bestCode` as the witness: the same split with its right part one row longer (the
 * drop-start move is split 1 of the B column k − α). The cap and the drop-start move (outside
 * both families) end the run early. Writes the rows and returns how many.
 */
function extendRun(ctx: RunContext, n: number, bestCode: number): number {
  const { col, hid, int } = ctx;
  const best = col.v[n]!;
  const kind = bestCode & 3;
  const y = bestCode >> 2;
  const hidden = kind === MoveKind.Hidden;
  if (hid !== null) hid.z = (hidden ? y : hid.hint) + 1;
  if (int !== null) int.z = (hidden ? int.hint : y) + 1;
  const w = hidden ? hid!.g : kind === MoveKind.Internal ? int!.g : ctx.dropStart!;
  const L = runLength(n, ctx.t - n, y, w, col, hid, int);
  const D = runD;
  const drop = ctx.dropStart === null ? null : ctx.dropStart.v;
  let l = 0;
  for (let val = best + D; l < L && val <= ctx.ub; l++, val += D) {
    if (drop !== null && 1 + drop[n + l]! < val) break;
  }
  if (l > 0) {
    col.setRun(n, l, D);
    ctx.code.fill(bestCode, n + 1, n + l + 1);
  }
  // The run kept the witness's split; move the other family's hint along with it.
  const end = n + l;
  if (L > 0 && kind !== MoveKind.Hidden && hid !== null) {
    hid.hint = localMin(1, end - 1, end, hid.hint, col, 0, hid.g);
  }
  if (L > 0 && kind !== MoveKind.Internal && int !== null) {
    int.hint = localMin(int.lo, end, end, int.hint, col, 1, int.g);
  }
  return l;
}

/**
 * Fill rows `n..t` of `col` with placeholders above the cap `ub`: `ub + i·d` for the `i`-th,
 * where `d ≥ 1` is the column's last increment. Any values above `ub` would be exact (see
 * `CostTable`); growing ones keep the split search's increment bounds useful.
 */
function capRest(col: Column, n: number, t: number, ub: number): void {
  const v = col.v;
  const d = n >= 2 ? Math.max(1, v[n - 1]! - v[n - 2]!) : 1;
  const limit = v instanceof Float64Array ? Infinity : 2 ** 31 - 1;
  for (let i = 1; n <= t; n++, i++) col.set(n, Math.min(ub + i * d, limit));
}
