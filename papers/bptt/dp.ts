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
 * One relaxation step fills every column of every table (`_relax.ts`); this file chooses the
 * columns each move reads, the order of the fill and when it stops. The tests compare the
 * result with a full O(t²m) scan and with an exhaustive schedule search.
 *
 * @module
 */

import type { Strategy } from "./policy.ts";
import { Column, sharedLog2 } from "./_split.ts";
import { type ColumnSummary, fillColumn, MoveKind } from "./_relax.ts";
import { chainBound, chainCost, chainSplit, closedForm } from "./_closed.ts";
import { hsmCost } from "./hsm.ts";

export { chainCost, closedForm, MoveKind };

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

  /** Fills the columns the solve needs; returns the last one stored (`kMax`). */
  #fill(): number {
    const { t, m } = this;
    const { alpha, exact } = this.options;
    const s = this.#fillSettings();
    // Column 0 of A is never used (k ≥ 1); keep a placeholder so indices line up.
    this.#a.push(s.newColumn());
    this.#aCode.push(new Int32Array(t + 1));
    if (exact) this.#fillB0(s);
    // Paper-form ISM only ever reads columns k, k − α, k − 2α, ...: fill just m's residue class.
    const stride = s.kind === "ism" && !exact && !this.options.sweep ? alpha : 1;
    const k0 = stride > 1 ? ((m - 1) % alpha) + 1 : 1;
    // Closure: this many consecutive columns (of B in the exact form) at G close the table.
    const closeRun = stride > 1 ? 1 : alpha;
    // Exact form, α ≥ 2: fill B[k − 1] after A[k] (A[k] reads B only up to k − α ≤ k − 2).
    const lag = exact && alpha >= 2;
    let run = 0;
    for (let k = k0;; k += stride) {
      const a = this.#fillA(k, s);
      const last = k + stride > m || (a.saturated && !s.int);
      if (lag) {
        // B[k − 1] after A[k], which bounds it from below: B(n, k−1) ≥ A(n, k) (a B policy runs
        // unchanged with the start in an owned slot).
        if (k >= 2) {
          run = this.#fillB(k - 1, s, this.#a[k]!) ? run + 1 : 0;
          if (run >= closeRun) {
            this.closedAbove = true;
            return k - 1;
          }
        }
        s.release(k);
        if (last) {
          this.#fillB(k, s, null);
          return k;
        }
        continue;
      }
      const closed = exact ? this.#fillB(k, s, null) : a.closed;
      s.release(k);
      run = closed ? run + 1 : 0;
      if (run >= closeRun) {
        this.closedAbove = true;
        return k;
      }
      if (last) return k;
    }
  }

  /** What every column of this solve shares: its moves and the column storage. */
  #fillSettings(): FillSettings {
    const { t } = this;
    const { strategy, alpha, exact } = this.options;
    // Paper-form MSM with α = 1 is ISM: storing I_y costs what storing h_y does and beats it.
    const kind = strategy === "msm" && alpha === 1 && !exact ? "ism" : strategy;
    const big = (t * (t + 1)) / 2 >= 2 ** 31;
    const msm = kind === "msm";
    const lg = msm ? sharedLog2(t) : null;
    const pool: Int32Array[] = []; // sparse tables of released columns
    return {
      kind,
      hid: kind !== "ism",
      int: kind !== "hsm",
      msm,
      newColumn: () => new Column(t, big, msm, lg, pool.pop() ?? null),
      release: (k: number) => {
        // Columns below k − α − 1 are never searched again.
        const old = k - alpha - 2;
        if (old < 0) return;
        const a = this.#a[old]?.dropRmq();
        if (a) pool.push(a);
        const b = this.#b[old]?.dropRmq();
        if (b) pool.push(b);
      },
    };
  }

  /**
   * Column k of A (the paper's `C`). Store `h_y` reads A[k − 1]; store `I_y` reads the paper's
   * C(·, k − α) = A[k − α], or the exact form's B[k − 1 − α] (the start stays owned), whose
   * y = 1 is the drop-start move on B[k − α] instead.
   */
  #fillA(k: number, s: FillSettings): ColumnSummary {
    const { alpha, exact } = this.options;
    const col = s.newColumn();
    const code = new Int32Array(this.t + 1);
    const internal = !s.int
      ? null
      : exact
      ? (k - 1 - alpha >= 0 ? this.#b[k - 1 - alpha]! : null)
      : (k - alpha >= 1 ? this.#a[k - alpha]! : null);
    const summary = fillColumn(col, code, {
      hidden: s.hid && k >= 2 ? this.#a[k - 1]! : null,
      internal,
      internalLo: exact ? 2 : 1,
      dropStart: s.int && exact && k - alpha >= 0 ? this.#b[k - alpha]! : null,
      // Free units besides the start slot, the argument of G: k (exact), k − 1 (paper).
      closedC: s.int ? Math.floor((exact ? k : k - 1) / alpha) + 1 : 0,
      hsmFloor: s.kind === "hsm",
      lower: null,
      ub: this.#ub,
      msm: s.msm,
    });
    this.#a[k] = col;
    this.#aCode[k] = code;
    return summary;
  }

  /**
   * Exact form: column k of B (needs A[k] and B[k − α]); `lower` = A[k + 1] if filled (a lower
   * bound). Returns whether the column equals G.
   */
  #fillB(k: number, s: FillSettings, lower: Column | null): boolean {
    const { alpha } = this.options;
    const col = s.newColumn();
    const code = new Int32Array(this.t + 1);
    const { closed } = fillColumn(col, code, {
      hidden: s.hid ? this.#a[k]! : null,
      internal: s.int && k - alpha >= 0 ? this.#b[k - alpha]! : null,
      internalLo: 1,
      dropStart: null,
      closedC: s.int ? Math.floor(k / alpha) + 1 : 0,
      hsmFloor: false,
      lower,
      ub: this.#ub,
      msm: s.msm,
    });
    this.#b.push(col);
    this.#bCode.push(code);
    return closed;
  }

  /** Exact form: B(n, 0) has no free unit, so only "rerun from the start". */
  #fillB0(s: FillSettings): void {
    const b0 = s.newColumn();
    const c0 = new Int32Array(this.t + 1);
    for (let n = 1; n <= this.t; n++) {
      b0.set(n, n + b0.v[n - 1]!);
      c0[n] = n * 4 + MoveKind.None;
    }
    this.#b.push(b0);
    this.#bCode.push(c0);
  }
}

/** What every column of one solve shares (see `CostTable`'s fill). */
interface FillSettings {
  /** The strategy whose moves the columns take (paper-form MSM with α = 1 is ISM). */
  kind: Strategy;
  /** The "store `h_y`" and "store `I_y`" moves exist. */
  hid: boolean;
  int: boolean;
  msm: boolean;
  newColumn(): Column;
  /** Hand the range-minimum buffers of columns that are never searched again to `newColumn`. */
  release(k: number): void;
}
