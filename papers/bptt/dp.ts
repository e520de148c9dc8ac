/**
 * Dynamic programs of Gruslys et al. 2016 for BPTT-HSM, BPTT-ISM and BPTT-MSM, as cost tables
 * with the argmin kept for policy recovery.
 *
 * Paper form (`exact = false`), with `C(0, m) = 0`, `C(t, 1) = t(t+1)/2`:
 * - HSM move "store `h_y`":  `Q_hid(t,m,y) = y + C(t−y, m−1) + C(y, m)`,  1 ≤ y < t
 * - ISM move "store `I_y`":  `Q_int(t,m,y) = y + C(t−y, m−α) + C(y−1, m)`, 1 ≤ y ≤ t, m−α ≥ 1
 * - no-store move:           `t + C(t−1, m)` (run to t, `B_t` on the fresh `I_t`, recurse)
 * - BPTT-MSM takes the min over both kinds of move.
 *
 * Exact form (`exact = true`): the paper form keeps each subproblem's start state until the
 * subproblem ends. When the first move stores `I_1` the start `h_0` is already dead, and freeing
 * it saves one slot. Two tables make this exact: `A(t,k)` = start is an owned hidden slot counted
 * in `k`; `B(t,k)` = start lives inside a parent's stored `I` and `k` units are free:
 * - `A`: none `t + A(t−1,k)`; hidden `y + A(t−y,k−1) + A(y,k)`;
 *        internal y=1 (drop `h_start` first) `1 + B(t−1,k−α)`;
 *        internal y≥2 `y + B(t−y,k−1−α) + A(y−1,k)`
 * - `B`: none `t + B(t−1,k)`; hidden `y + A(t−y,k) + B(y,k)`; internal `y + B(t−y,k−α) + B(y−1,k)`
 * The paper form is the same recursion with `B(t,f) := C(t,f+1)` and no y=1 special case.
 *
 * Lower bound and closed form (ISM and MSM; `_closed.ts`). With `f` free units besides the start
 * state, `G(n, f) = 2n − min(n, ⌊f/α⌋ + 1)`. It bounds every table from below: paper form
 * `C(n, k) ≥ G(n, k − 1)`, exact form `A(n, k) ≥ G(n, k)` and `B(n, k) ≥ G(n, k)`.
 * - Paper form: put `G` in place of a move's sub-costs and the move still costs ≥ `G` (a case
 *   analysis over None, Hidden and Internal), so induction on `n` carries the bound.
 * - Exact form: checked on every cell of full tables (`dp_test.ts`: t ≤ 40, α ≤ 10; offline up
 *   to t = 300 with the earlier branch-and-bound solver), not proven.
 *
 * The move "store `I_1`" turns a column `k − α` that equals `G` in every row into a column `k`
 * that does. This covers `1 + C(n−1, k−α)`, the exact form's drop-start move, and `B`'s internal
 * y = 1. So once α consecutive columns sit at `G` (columns of `B` in the exact form; one column
 * of the ISM residue class), every higher column is `G` as well and is not stored. At
 * t = 10,000 and α = 5 this happens near k ≈ 700. Above that, without `sweep`, the constructor
 * does not fill a table at all when `_closed.ts`'s chain policy reaches `G` at `(t, m)`.
 *
 * Complexity: columns `k = 1..K`, where K = min(m, the closure column), each with O(t) rows.
 * - Each cell first tries the cheap candidates: the previous row's splits and `I_1`. If one
 *   reaches the lower bound `max(floor, C(n−1) + 1, G)`, it is exact and the search is skipped.
 *   The exact form, for α ≥ 2, fills `B[k−1]` after `A[k]` and adds `A(n, k)` to that bound.
 * - Otherwise HSM and ISM walk the optimal split monotonically with `t` (their split cost is
 *   unimodal in y).
 * - MSM, whose split cost has several local minima, runs an exact branch and bound instead. It
 *   uses the previous row's bounds (see `_split.ts`).
 *
 * The tests compare the result with a full O(t²m) scan and with an exhaustive schedule search.
 *
 * @module
 */

import type { Strategy } from "./policy.ts";
import {
  Column,
  localMin,
  sharedLog2,
  splitBound,
  splitMin,
  splitWalk,
  splitY,
  type Values,
} from "./_split.ts";
import { chainBound, chainCost, chainSplit, closedForm } from "./_closed.ts";
import { hsmCost } from "./hsm.ts";
import { runD, runLength } from "./_runs.ts";

export { chainCost, closedForm };

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

/** Options of the DP. */
export interface DpOptions {
  strategy: Strategy;
  /** Size of an internal state in hidden-state units (integer ≥ 1). */
  alpha: number;
  /** Use the exact variant that frees a dead start state (default false = paper form). */
  exact?: boolean;
  /**
   * Fill every budget column 1..m so that `costA(n, k)` works for all k ≤ m (default false:
   * paper-form ISM then fills only the columns `m, m − α, ...` that `C(t, m)` needs).
   */
  sweep?: boolean;
}

/**
 * Filled cost tables for sequences up to `t` and budgets up to `m`.
 * `table = "A"` is the paper's `C` (start in an owned hidden slot); `"B"` is a start inside a
 * parent's internal state.
 */
export class CostTable {
  readonly t: number;
  readonly m: number;
  readonly options: Required<DpOptions>;
  /**
   * Last stored column. Above it every column equals the one at `kMax` (HSM: every row at its
   * floor) or, when {@link closedAbove}, the closed form `G` (ISM/MSM).
   */
  readonly kMax: number;
  /** ISM/MSM: the columns above `kMax` are the closed form `G` (see the module doc). */
  closedAbove = false;
  #a: Column[] = [];
  #aCode: Int32Array[] = [];
  #b: Column[] = [];
  #bCode: Int32Array[] = [];

  constructor(t: number, m: number, options: DpOptions) {
    this.t = t;
    this.m = m;
    this.options = { exact: false, sweep: false, ...options };
    const { strategy, alpha, exact, sweep } = this.options;
    // Large budgets: the chain policy reaches the lower bound G, so no table is needed.
    if (!sweep && strategy !== "hsm" && t >= 1) {
      const chain = exact
        ? (t <= 1 ? t : m - alpha < 0 ? Infinity : 1 + chainCost(t - 1, m - alpha, alpha))
        : chainCost(t, m - 1, alpha);
      if (chain === closedForm(t, exact ? m : m - 1, alpha)) {
        this.chain = true;
        this.kMax = 0;
        return;
      }
      // MSM: an upper bound on C(t, m) from feasible policies: the chain with binomial (HSM)
      // right parts, and HSM itself; MSM's recurrence contains HSM's moves, in both forms.
      if (strategy === "msm") {
        const bound = exact
          ? (t <= 1 || m - alpha < 0 ? Infinity : 1 + chainBound(t - 1, m - alpha, alpha))
          : chainBound(t, m - 1, alpha);
        this.#ub = Math.min(bound, hsmCost(t, m));
      }
    }
    this.kMax = this.#fill();
    if (this.#ub < Infinity && this.costA(t, m) > this.#ub) {
      throw new Error(`internal: C(${t}, ${m}) exceeds its upper bound ${this.#ub}`);
    }
  }

  /**
   * Cap of the solve without `sweep` (MSM): every subproblem of an optimal policy for `(t, m)`
   * costs at most `C(t, m) ≤ #ub`, so cells above it are never part of one. A column stops at
   * its first row above the cap (C grows with n) and {@link capRest} fills the rest with
   * placeholders above `#ub`. A move that reads one costs more than `#ub`, so every cell up to
   * the cap is still the minimum over the true moves. The search's previous-row bounds hold for
   * whatever the placeholders are: they compare two rows of the same move, and the column
   * being filled holds true minima up to the current row. Placeholder codes are not set; the
   * policy never reaches them.
   */
  #ub = Infinity;

  /** The cap of {@link CostTable} (`Infinity` with `sweep`, for ISM, or when chained). */
  get upperBound(): number {
    return this.#ub;
  }

  /**
   * The root `(t, m)` is solved by the chain policy of `_closed.ts` at the lower bound `G`; no
   * table was filled, and only the chain's subproblems can be asked for.
   */
  chain = false;

  /** `A(n, k)` (paper `C(n, k)`), k ≥ 1. */
  costA(n: number, k: number): number {
    if (this.chain) return this.#chainCost("A", n, k);
    if (k > this.kMax && this.closedAbove) {
      return closedForm(n, this.options.exact ? k : k - 1, this.options.alpha);
    }
    const col = this.#a[Math.min(k, this.kMax)];
    if (!col) throw new RangeError(`column k = ${k} was not filled (use { sweep: true })`);
    return col.v[n]!;
  }

  /** `B(n, k)`, k ≥ 0 (paper form: `C(n, k + 1)`). */
  costB(n: number, k: number): number {
    if (!this.options.exact) return this.costA(n, k + 1);
    if (this.chain) return this.#chainCost("B", n, k);
    if (k > this.kMax && this.closedAbove) return closedForm(n, k, this.options.alpha);
    return this.#b[Math.min(k, this.kMax)]!.v[n]!;
  }

  /** First move of subproblem `(n, k)` of table A or B: kind and split `y`. */
  move(table: "A" | "B", n: number, k: number): { kind: MoveKind; y: number } {
    const { exact } = this.options;
    const kk = table === "B" && !exact ? k + 1 : k;
    if (this.chain) {
      // Paper C(n, k) and exact B(n, k) follow the chain; exact A drops its start, then chains.
      if (exact && table === "A") {
        return n <= 1 ? { kind: MoveKind.None, y: n } : { kind: MoveKind.InternalDropStart, y: 1 };
      }
      const y = chainSplit(n, exact ? k : kk - 1, this.options.alpha);
      return y === 0 ? { kind: MoveKind.None, y: n } : { kind: MoveKind.Internal, y };
    }
    if (kk > this.kMax && this.closedAbove) {
      // Closed form: "store I_1" reaches G (see the module doc).
      if (n <= 1) return { kind: MoveKind.None, y: n };
      const kind = exact && table === "A" ? MoveKind.InternalDropStart : MoveKind.Internal;
      return { kind, y: 1 };
    }
    let code: number;
    if (table === "A" || !exact) code = this.#aCode[Math.min(kk, this.kMax)]![n]!;
    else code = this.#bCode[Math.min(k, this.kMax)]![n]!;
    return { kind: (code & 3) as MoveKind, y: code >> 2 };
  }

  /** Cost of a subproblem of the chain policy; throws unless the chain reaches G there. */
  #chainCost(table: "A" | "B", n: number, k: number): number {
    const { alpha, exact } = this.options;
    const f = exact ? k : k - 1;
    let c: number;
    if (exact && table === "A") {
      c = n <= 1 ? n : k - alpha < 0 ? Infinity : 1 + chainCost(n - 1, k - alpha, alpha);
    } else c = chainCost(n, f, alpha);
    if (c !== closedForm(n, f, alpha)) {
      throw new RangeError(`(${n}, ${k}) is not solved by the chain policy`);
    }
    return c;
  }

  #fill(): number {
    const { t, m } = this;
    const { strategy, alpha, exact } = this.options;
    const ub = this.#ub;
    // Paper-form MSM with α = 1 is ISM: storing I_y costs what storing h_y does and beats it.
    const kind = strategy === "msm" && alpha === 1 && !exact ? "ism" : strategy;
    const big = (t * (t + 1)) / 2 >= 2 ** 31;
    const rmq = kind === "msm";
    const lg = rmq ? sharedLog2(t) : null;
    const pool: Int32Array[] = []; // sparse tables of released columns
    const newColumn = () => new Column(t, big, rmq, lg, pool.pop() ?? null);
    const hid = kind !== "ism";
    const int = kind !== "hsm";
    const split = kind === "msm" ? splitMin : splitWalk;
    const floor = (n: number) => (kind === "hsm" ? Math.max(0, 2 * n - 1) : n);
    // Free units of column k besides the start slot: the argument of G.
    const free = exact ? 0 : -1;
    const release = (k: number) => {
      // Columns below k − α − 1 are never searched again.
      const old = k - alpha - 2;
      if (old >= 0) {
        const a = this.#a[old]?.dropRmq();
        if (a) pool.push(a);
        const b = this.#b[old]?.dropRmq();
        if (b) pool.push(b);
      }
    };
    // Column 0 of A is never used (k ≥ 1); keep a placeholder so indices line up.
    this.#a.push(newColumn());
    this.#aCode.push(new Int32Array(t + 1));
    if (exact) {
      // B(n, 0): no free unit, only "rerun from the start".
      const b0 = newColumn();
      const c0 = new Int32Array(t + 1);
      for (let n = 1; n <= t; n++) {
        b0.set(n, n + b0.v[n - 1]!);
        c0[n] = n * 4;
      }
      this.#b.push(b0);
      this.#bCode.push(c0);
    }
    // Paper-form ISM only ever reads columns k, k − α, k − 2α, ...: fill just m's residue class.
    const stride = kind === "ism" && !exact && !this.options.sweep ? alpha : 1;
    const k0 = stride > 1 ? ((m - 1) % alpha) + 1 : 1;
    // Closure: this many consecutive columns (of B in the exact form) at G close the table.
    const closeRun = stride > 1 ? 1 : alpha;
    // Exact form, α ≥ 2: fill B[k − 1] after A[k] (A[k] reads B only up to k − α ≤ k − 2).
    const lag = exact && alpha >= 2;
    let run = 0;
    for (let k = k0;; k += stride) {
      const col = newColumn();
      const v = col.v;
      const code = new Int32Array(t + 1);
      const hidPrev = hid && k >= 2 ? this.#a[k - 1]! : null;
      // Right part of an internal move, as a B column: paper C(·, k−α) = B(·, k−α−1).
      const intRight = !int
        ? null
        : exact
        ? (k - 1 - alpha >= 0 ? this.#b[k - 1 - alpha]! : null)
        : (k - alpha >= 1 ? this.#a[k - alpha]! : null);
      const dropCol = int && exact && k - alpha >= 0 ? this.#b[k - alpha]! : null;
      const dropRight = dropCol === null ? null : dropCol.v;
      const yLo = exact ? 2 : 1; // exact y=1 is the separate "drop start" move
      const g1 = int ? Math.floor((k + free) / alpha) + 1 : 0; // G(n) = 2n − min(n, g1)
      let yh = 1;
      let yi = yLo;
      let saturated = true;
      let closed = int;
      for (let n = 1; n <= t; n++) {
        let best = n + v[n - 1]!;
        let bestCode = n * 4 + MoveKind.None;
        let hidSkip = false;
        let intSkip = false;
        if (dropRight) {
          const q = 1 + dropRight[n - 1]!;
          if (q < best) {
            best = q;
            bestCode = 4 + MoveKind.InternalDropStart;
          }
        }
        // Lower bound: the floor, C(n−1) + 1 (dropping step n from a policy saves ≥ 1 op) and
        // G. When a cheap candidate reaches it, the cell is exact without a search.
        const gn = int ? 2 * n - Math.min(n, g1) : 0;
        const lb = Math.max(floor(n), v[n - 1]! + 1, gn);
        if (intRight && !exact && best > lb) {
          const q = 1 + intRight.v[n - 1]!; // store I_1
          if (q < best) {
            best = q;
            bestCode = 4 + MoveKind.Internal;
          }
        }
        if (hidPrev && n >= 2 && best > lb) {
          const y = Math.min(yh, n - 1);
          const q = y + hidPrev.v[n - y]! + v[y]!;
          if (q < best) {
            best = q;
            bestCode = y * 4 + MoveKind.Hidden;
          }
          if (rmq && y + 1 <= n - 1) {
            // The left part grows by one: the other split a convex merge would take.
            const q1 = y + 1 + hidPrev.v[n - y - 1]! + v[y + 1]!;
            if (q1 <= q) yh = y + 1; // track the family's own local minimum
            if (q1 < best) {
              best = q1;
              bestCode = (y + 1) * 4 + MoveKind.Hidden;
            }
          }
        }
        if (intRight && n >= yLo && best > lb) {
          const y = Math.min(Math.max(yi, yLo), n);
          const q = y + intRight.v[n - y]! + v[y - 1]!;
          if (q < best) {
            best = q;
            bestCode = y * 4 + MoveKind.Internal;
          }
          if (rmq && y + 1 <= n) {
            const q1 = y + 1 + intRight.v[n - y - 1]! + v[y]!;
            if (q1 <= q) yi = y + 1; // track the family's own local minimum
            if (q1 < best) {
              best = q1;
              bestCode = (y + 1) * 4 + MoveKind.Internal;
            }
          }
        }
        // MSM: skip a family's search when the previous row's bounds, split at the hint,
        // already show that it cannot beat the best candidate.
        if (
          rmq && hidPrev && n >= 2 && best > lb &&
          v[n - 1]! + splitBound(1, n - 1, n, yh + 1, col, 0, hidPrev) >= best
        ) hidSkip = true;
        if (
          rmq && intRight && n >= yLo && best > lb &&
          v[n - 1]! + splitBound(yLo, n, n, yi + 1, col, 1, intRight) >= best
        ) intSkip = true;
        if (hidPrev && n >= 2 && best > lb && !hidSkip) {
          const q = split(1, n - 1, n, yh, col, 0, hidPrev, best);
          yh = splitY;
          if (q < best) {
            best = q;
            bestCode = yh * 4 + MoveKind.Hidden;
          }
        }
        if (intRight && n >= yLo && best > lb && !intSkip) {
          const q = split(yLo, n, n, yi, col, 1, intRight, best);
          yi = splitY;
          if (q < best) {
            best = q;
            bestCode = yi * 4 + MoveKind.Internal;
          }
        }
        if (best > ub) {
          capRest(col, n, t, ub, big);
          saturated = closed = false;
          break;
        }
        col.set(n, best);
        code[n] = bestCode;
        if (best !== floor(n)) saturated = false;
        if (best !== gn) closed = false;
        // MSM: certify the following rows in one run of equal increments (`_runs.ts`).
        const kindN = bestCode & 3;
        if (rmq && n < t && kindN !== MoveKind.None) {
          // The witness: the same split with its right part one row longer (the drop-start
          // move is split 1 of the B column k − α).
          const y = bestCode >> 2;
          const hidden = kindN === MoveKind.Hidden;
          const L = runLength(
            n,
            t - n,
            y,
            hidden ? hidPrev! : kindN === MoveKind.Internal ? intRight! : dropCol!,
            col,
            hidPrev && { g: hidPrev, fShift: 0, lo: 1, hiOff: 1, z: (hidden ? y : yh) + 1 },
            intRight && { g: intRight, fShift: 1, lo: yLo, hiOff: 0, z: (hidden ? yi : y) + 1 },
          );
          const D = runD;
          // The cap and the exact form's drop-start move (outside both families) end it early.
          let l = 0;
          for (let val = best + D; l < L && val <= ub; l++, val += D) {
            if (dropRight && 1 + dropRight[n + l]! < val) break;
          }
          if (l > 0) {
            // (`saturated` only matters without internal moves, i.e. never for MSM.)
            col.setRun(n, l, D);
            code.fill(bestCode, n + 1, n + l + 1);
            for (let i = 1; i <= l && closed; i++) {
              closed = best + i * D === 2 * (n + i) - Math.min(n + i, g1);
            }
            n += l;
            best += l * D;
          }
          // The run kept the witness's split; move the other family's hint along with it.
          if (L > 0 && kindN !== MoveKind.Hidden && hidPrev) {
            yh = localMin(1, n - 1, n, yh, col, 0, hidPrev);
          }
          if (L > 0 && kindN !== MoveKind.Internal && intRight) {
            yi = localMin(yLo, n, n, yi, col, 1, intRight);
          }
        }
      }
      this.#a[k] = col;
      this.#aCode[k] = code;
      const last = k + stride > m || (saturated && !int);
      if (lag) {
        // B[k − 1] after A[k], which bounds it from below: B(n, k−1) ≥ A(n, k) (a B policy runs
        // unchanged with the start in an owned slot).
        if (k >= 2) {
          run = this.#fillB(k - 1, newColumn, split, hid, int, v) ? run + 1 : 0;
          if (run >= closeRun) {
            this.closedAbove = true;
            return k - 1;
          }
        }
        release(k);
        if (last) {
          this.#fillB(k, newColumn, split, hid, int, null);
          return k;
        }
        continue;
      }
      if (exact) closed = this.#fillB(k, newColumn, split, hid, int, null);
      release(k);
      run = closed ? run + 1 : 0;
      if (run >= closeRun) {
        this.closedAbove = true;
        return k;
      }
      if (k + stride > m || (saturated && !int)) return k;
    }
  }

  /**
   * Exact form: column k of B (needs A[k] and B[k−α]); `lower` = A[k + 1] if filled (a lower
   * bound). Returns whether the column equals G.
   */
  #fillB(
    k: number,
    newColumn: () => Column,
    split: typeof splitMin,
    hid: boolean,
    int: boolean,
    lower: Values | null,
  ): boolean {
    const { t } = this;
    const { alpha } = this.options;
    const ub = this.#ub;
    const col = newColumn();
    const v = col.v;
    const code = new Int32Array(t + 1);
    const aRight = hid ? this.#a[k]! : null;
    const bRight = int && k - alpha >= 0 ? this.#b[k - alpha]! : null;
    const g1 = Math.floor(k / alpha) + 1;
    const rmq = split === splitMin;
    let closed = int;
    let yh = 1;
    let yi = 1;
    for (let n = 1; n <= t; n++) {
      let best = n + v[n - 1]!;
      let bestCode = n * 4 + MoveKind.None;
      const gn = int ? 2 * n - Math.min(n, g1) : 0;
      const lb = Math.max(n, v[n - 1]! + 1, gn, lower === null ? 0 : lower[n]!);
      if (bRight && best > lb) {
        const q = 1 + bRight.v[n - 1]!; // store I_1
        if (q < best) {
          best = q;
          bestCode = 4 + MoveKind.Internal;
        }
      }
      if (aRight && n >= 2 && best > lb) {
        const y = Math.min(yh, n - 1);
        const q = y + aRight.v[n - y]! + v[y]!;
        if (q < best) {
          best = q;
          bestCode = y * 4 + MoveKind.Hidden;
        }
        if (rmq && y + 1 <= n - 1) {
          const q1 = y + 1 + aRight.v[n - y - 1]! + v[y + 1]!;
          if (q1 <= q) yh = y + 1; // track the family's own local minimum
          if (q1 < best) {
            best = q1;
            bestCode = (y + 1) * 4 + MoveKind.Hidden;
          }
        }
      }
      if (bRight && best > lb) {
        const y = Math.min(yi, n);
        const q = y + bRight.v[n - y]! + v[y - 1]!;
        if (q < best) {
          best = q;
          bestCode = y * 4 + MoveKind.Internal;
        }
        if (rmq && y + 1 <= n) {
          const q1 = y + 1 + bRight.v[n - y - 1]! + v[y]!;
          if (q1 <= q) yi = y + 1; // track the family's own local minimum
          if (q1 < best) {
            best = q1;
            bestCode = (y + 1) * 4 + MoveKind.Internal;
          }
        }
      }
      const hidSkip = rmq && aRight !== null && n >= 2 && best > lb &&
        v[n - 1]! + splitBound(1, n - 1, n, yh + 1, col, 0, aRight) >= best;
      const intSkip = rmq && bRight !== null && best > lb &&
        v[n - 1]! + splitBound(1, n, n, yi + 1, col, 1, bRight) >= best;
      if (aRight && n >= 2 && best > lb && !hidSkip) {
        const q = split(1, n - 1, n, yh, col, 0, aRight, best);
        yh = splitY;
        if (q < best) {
          best = q;
          bestCode = yh * 4 + MoveKind.Hidden;
        }
      }
      if (bRight && best > lb && !intSkip) {
        const q = split(1, n, n, yi, col, 1, bRight, best);
        yi = splitY;
        if (q < best) {
          best = q;
          bestCode = yi * 4 + MoveKind.Internal;
        }
      }
      if (best > ub) {
        capRest(col, n, t, ub, col.v instanceof Float64Array);
        closed = false;
        break;
      }
      col.set(n, best);
      code[n] = bestCode;
      if (best !== gn) closed = false;
      // Runs of equal increments (`_runs.ts`); `lower` is only a bound, not needed here.
      const kindN = bestCode & 3;
      if (rmq && n < t && (kindN === MoveKind.Hidden || kindN === MoveKind.Internal)) {
        const y = bestCode >> 2;
        const hidden = kindN === MoveKind.Hidden;
        const L = runLength(
          n,
          t - n,
          y,
          hidden ? aRight! : bRight!,
          col,
          aRight && { g: aRight, fShift: 0, lo: 1, hiOff: 1, z: (hidden ? y : yh) + 1 },
          bRight && { g: bRight, fShift: 1, lo: 1, hiOff: 0, z: (hidden ? yi : y) + 1 },
        );
        const D = runD;
        let l = 0;
        while (l < L && best + (l + 1) * D <= ub) l++;
        if (l > 0) {
          col.setRun(n, l, D);
          code.fill(bestCode, n + 1, n + l + 1);
          for (let i = 1; i <= l && closed; i++) {
            closed = best + i * D === 2 * (n + i) - Math.min(n + i, g1);
          }
          n += l;
          best += l * D;
        }
        if (L > 0 && !hidden && aRight) yh = localMin(1, n - 1, n, yh, col, 0, aRight);
        if (L > 0 && hidden && bRight) yi = localMin(1, n, n, yi, col, 1, bRight);
      }
    }
    this.#b.push(col);
    this.#bCode.push(code);
    return closed;
  }
}

/**
 * Fill rows `n..t` of `col` with placeholders above the cap `ub`: `ub + i·d` for the `i`-th,
 * where `d ≥ 1` is the column's last increment. Any values above `ub` would be exact (see
 * `CostTable`); growing ones keep the split search's increment bounds useful.
 */
function capRest(col: Column, n: number, t: number, ub: number, big: boolean): void {
  const v = col.v;
  const d = n >= 2 ? Math.max(1, v[n - 1]! - v[n - 2]!) : 1;
  const limit = big ? Infinity : 2 ** 31 - 1;
  for (let i = 1; n <= t; n++, i++) col.set(n, Math.min(ub + i * d, limit));
}
