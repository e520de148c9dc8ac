/**
 * The closed-form regime of BPTT-ISM/MSM: the lower bound `G` and an explicit policy that
 * reaches it.
 *
 * With `f` units free besides the start state, `G(n, f) = 2n − min(n, c)`, `c = ⌊f/α⌋ + 1`:
 * every step is run twice except the `c` whose internal states fit (the last one in the register).
 * Every table is bounded below by it: paper form `C(n, k) ≥ G(n, k − 1)`, exact form
 * `A(n, k) ≥ G(n, k)` and `B(n, k) ≥ G(n, k)`. In the paper form this is proven: put `G` in
 * place of a move's sub-costs and each move (None, Hidden, Internal) still costs ≥ `G`, so
 * induction on `n` carries the bound. In the exact form it is checked numerically on every cell
 * of full tables (`dp_test.ts`).
 *
 * The chain policy reaches `G` when the budget is large enough: with the start inside a stored
 * `I` (or the paper form's start slot, `f = k − 1`), if `n ≤ c` store every internal state
 * (cost `n`); otherwise run `y = min(c + 1, n − c + 1)` steps, store `I_y`, solve the right part
 * `(n − y, f − α)` the same way and the left part `y − 1 ≤ c` by storing everything. Its cost is
 * `2y − 1 + cost(n − y, f − α)`, and it equals `G(n, f)` exactly when every right part on the
 * chain sits at `G`. When {@link chainCost} equals `G`, the policy is optimal, and no table is
 * needed (at t = 10,000 and α = 5 from m ≈ 700 on).
 *
 * @module
 */

import { hsmCost } from "./hsm.ts";

/** `G(n, f) = 2n − min(n, ⌊f/α⌋ + 1)`: the lower bound and closed form (see the module doc). */
export function closedForm(n: number, f: number, alpha: number): number {
  return 2 * n - Math.min(n, Math.floor(f / alpha) + 1);
}

/**
 * Cost of the chain policy for `n` steps with `f` free units and the start state inside a
 * stored internal state (exact table `B`; paper `C(n, f + 1)`). O(n / c) time.
 *
 * @returns forward ops, or `Infinity` when the chain runs out of memory
 */
export function chainCost(n: number, f: number, alpha: number): number {
  let total = 0;
  for (;;) {
    const c = Math.floor(f / alpha) + 1;
    if (n <= c) return total + n;
    if (f - alpha < 0) return Infinity;
    const y = Math.min(c + 1, n - c + 1);
    total += 2 * y - 1;
    n -= y;
    f -= alpha;
  }
}

/**
 * Split of the chain policy's first move at `(n, f)`: `0` means "no store" (`n ≤ 1`), else the
 * internal-state split `y`.
 */
export function chainSplit(n: number, f: number, alpha: number): number {
  if (n <= 1) return 0;
  const c = Math.floor(f / alpha) + 1;
  return n <= c ? 1 : Math.min(c + 1, n - c + 1);
}

/**
 * An upper bound on the paper form's `C(n, f + 1)` and the exact form's `B(n, f)` that is finite
 * for every budget: the chain policy, except that any right part may switch to the binomial
 * (HSM) policy, whose cost bounds both tables (their recurrences contain HSM's moves).
 * O((n / c) · log) time.
 */
export function chainBound(n: number, f: number, alpha: number): number {
  let total = 0;
  let best = Infinity;
  for (;;) {
    const c = Math.floor(f / alpha) + 1;
    if (n <= c) return Math.min(best, total + n);
    best = Math.min(best, total + hsmCost(n, f + 1));
    if (f - alpha < 0) return best;
    const y = Math.min(c + 1, n - c + 1);
    total += 2 * y - 1;
    n -= y;
    f -= alpha;
  }
}
