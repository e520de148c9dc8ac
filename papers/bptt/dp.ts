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
 * Complexity: columns `k = 1..K` (K = min(m, the first k where every row sits at its floor)),
 * each filled in O(t) amortised by walking the optimal split monotonically with `t` (the split
 * cost is unimodal in y and its argmin is non-decreasing in t; the tests check the result against
 * a full O(t²m) scan and an exhaustive schedule search). Total O(t·K) time and memory.
 *
 * @module
 */

import type { Strategy } from "./policy.ts";
import { Column, sharedLog2, splitMin, splitWalk } from "./_split.ts";

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
  /** Last computed column; columns above it equal it (every row at its floor). */
  readonly kMax: number;
  #a: Column[] = [];
  #aCode: Int32Array[] = [];
  #b: Column[] = [];
  #bCode: Int32Array[] = [];

  constructor(t: number, m: number, options: DpOptions) {
    this.t = t;
    this.m = m;
    this.options = { exact: false, sweep: false, ...options };
    this.kMax = this.#fill();
  }

  /** `A(n, k)` (paper `C(n, k)`), k ≥ 1. */
  costA(n: number, k: number): number {
    const col = this.#a[Math.min(k, this.kMax)];
    if (!col) throw new RangeError(`column k = ${k} was not filled (use { sweep: true })`);
    return col.v[n]!;
  }

  /** `B(n, k)`, k ≥ 0 (paper form: `C(n, k + 1)`). */
  costB(n: number, k: number): number {
    if (this.options.exact) return this.#b[Math.min(k, this.kMax)]!.v[n]!;
    return this.costA(n, k + 1);
  }

  /** First move of subproblem `(n, k)` of table A or B: kind and split `y`. */
  move(table: "A" | "B", n: number, k: number): { kind: MoveKind; y: number } {
    let code: number;
    if (table === "A") code = this.#aCode[Math.min(k, this.kMax)]![n]!;
    else if (this.options.exact) code = this.#bCode[Math.min(k, this.kMax)]![n]!;
    else code = this.#aCode[Math.min(k + 1, this.kMax)]![n]!;
    return { kind: (code & 3) as MoveKind, y: code >> 2 };
  }

  #fill(): number {
    const { t, m } = this;
    const { strategy, alpha, exact } = this.options;
    // Paper-form MSM with α = 1 is ISM: storing I_y costs what storing h_y does and beats it.
    const kind = strategy === "msm" && alpha === 1 && !exact ? "ism" : strategy;
    const big = (t * (t + 1)) / 2 >= 2 ** 31;
    const rmq = kind === "msm";
    const lg = rmq ? sharedLog2(t) : null;
    const newColumn = () => new Column(t, big, rmq, lg);
    const hid = kind !== "ism";
    const int = kind !== "hsm";
    const split = kind === "msm" ? splitMin : splitWalk;
    const floor = (n: number) => (kind === "hsm" ? Math.max(0, 2 * n - 1) : n);
    const release = (k: number) => {
      // Columns below k − α − 1 are never searched again.
      const old = k - alpha - 2;
      if (old >= 0) {
        this.#a[old]?.dropRmq();
        this.#b[old]?.dropRmq();
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
      const dropRight = int && exact && k - alpha >= 0 ? this.#b[k - alpha]!.v : null;
      const yLo = exact ? 2 : 1; // exact y=1 is the separate "drop start" move
      let yh = 1;
      let yi = yLo;
      let saturated = true;
      for (let n = 1; n <= t; n++) {
        let best = n + v[n - 1]!;
        let bestCode = n * 4 + MoveKind.None;
        if (dropRight) {
          const q = 1 + dropRight[n - 1]!;
          if (q < best) {
            best = q;
            bestCode = 4 + MoveKind.InternalDropStart;
          }
        }
        // Lower bound: the floor, and C(n−1) + 1 (dropping step n from a policy saves ≥ 1 op).
        // When a cheap candidate (the previous row's splits) reaches it, skip the searches.
        const lb = Math.max(floor(n), v[n - 1]! + 1);
        if (hidPrev && n >= 2) {
          const y = Math.min(yh, n - 1);
          const q = y + hidPrev.v[n - y]! + v[y]!;
          if (q < best) {
            best = q;
            bestCode = y * 4 + MoveKind.Hidden;
          }
        }
        if (intRight && n >= yLo) {
          const y = Math.min(Math.max(yi, yLo), n);
          const q = y + intRight.v[n - y]! + v[y - 1]!;
          if (q < best) {
            best = q;
            bestCode = y * 4 + MoveKind.Internal;
          }
        }
        if (hidPrev && n >= 2 && best > lb) {
          const [q, y] = split(1, n - 1, n, yh, col, 0, hidPrev, best);
          yh = y;
          if (q < best) {
            best = q;
            bestCode = y * 4 + MoveKind.Hidden;
          }
        }
        if (intRight && n >= yLo && best > lb) {
          const [q, y] = split(yLo, n, n, yi, col, 1, intRight, best);
          yi = y;
          if (q < best) {
            best = q;
            bestCode = y * 4 + MoveKind.Internal;
          }
        }
        col.set(n, best);
        code[n] = bestCode;
        if (best !== floor(n)) saturated = false;
      }
      this.#a[k] = col;
      this.#aCode[k] = code;
      if (exact) this.#fillB(k, newColumn, split, hid, int);
      release(k);
      if (k + stride > m || saturated) return k;
    }
  }

  /** Exact form: column k of B (needs A[k] and B[k−α]). */
  #fillB(
    k: number,
    newColumn: () => Column,
    split: typeof splitMin,
    hid: boolean,
    int: boolean,
  ): void {
    const { t } = this;
    const { alpha } = this.options;
    const col = newColumn();
    const v = col.v;
    const code = new Int32Array(t + 1);
    const aRight = hid ? this.#a[k]! : null;
    const bRight = int && k - alpha >= 0 ? this.#b[k - alpha]! : null;
    let yh = 1;
    let yi = 1;
    for (let n = 1; n <= t; n++) {
      let best = n + v[n - 1]!;
      let bestCode = n * 4 + MoveKind.None;
      if (aRight && n >= 2) {
        const [q, y] = split(1, n - 1, n, yh, col, 0, aRight, best);
        yh = y;
        if (q < best) {
          best = q;
          bestCode = y * 4 + MoveKind.Hidden;
        }
      }
      if (bRight) {
        const [q, y] = split(1, n, n, yi, col, 1, bRight, best);
        yi = y;
        if (q < best) {
          best = q;
          bestCode = y * 4 + MoveKind.Internal;
        }
      }
      col.set(n, best);
      code[n] = bestCode;
    }
    this.#b.push(col);
    this.#bCode.push(code);
  }
}
