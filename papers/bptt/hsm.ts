/**
 * BPTT-HSM (store hidden states only) in closed form.
 *
 * The HSM recurrence of Gruslys et al. 2016,
 * `C(t, m) = min_{1≤y<t} y + C(t−y, m−1) + C(y, m)`, `C(t, 1) = t(t+1)/2`, is Griewank's
 * binomial checkpointing (Revolve, TOMS Alg. 799) plus one re-run forward per backward step:
 *
 *   `C(t, m) = t + r·t − binom(m + r, m + 1)`, `r` = smallest integer with `binom(m + r, m) ≥ t`.
 *
 * (m counts the slot of `h_0`; see `policy.ts`.) The tests check it against the table DP.
 * Because `C(·, m)` is convex in `t` (piecewise linear, slopes `r + 1` growing with `t`), the
 * split cost `Q(y)` is convex in `y`, so the optimal split is found by bisection on `Q(y+1) − Q(y)`.
 *
 * @module
 */

/**
 * `r` = the smallest `r ≥ 0` with `binom(m + r, m) ≥ t`, and `binom(m + r, r)` itself.
 *
 * @param t sequence length ≥ 1
 * @param m slots ≥ 2 (m = 1 has r = t − 1; use {@link hsmCost})
 */
function repetitions(t: number, m: number): { r: number; b: number } {
  let r = 0;
  let b = 1; // binom(m + r, r)
  while (b < t) {
    b = (b * (m + r + 1)) / (r + 1); // exact: binomials are integers below 2^53 here
    r++;
  }
  return { r, b };
}

/**
 * Optimal BPTT-HSM cost (forward ops incl. the first pass) for `t` steps with `m` slots.
 *
 * @param t sequence length ≥ 0
 * @param m memory slots ≥ 1, counting the slot of `h_0`
 * @returns `C_HSM(t, m)`
 */
export function hsmCost(t: number, m: number): number {
  if (t <= 0) return 0;
  if (m <= 1) return (t * (t + 1)) / 2;
  if (m >= t) return 2 * t - 1;
  const { r, b } = repetitions(t, m);
  const binomNext = (b * r) / (m + 1); // binom(m + r, m + 1) = binom(m + r, r) · r / (m + 1)
  return t + r * t - binomNext;
}

/**
 * Cost of the first HSM move "store `h_y`" on a subproblem of `t` steps with `m` slots:
 * `Q(y) = y + C(t−y, m−1) + C(y, m)`.
 */
export function hsmSplitCost(t: number, m: number, y: number): number {
  return y + hsmCost(t - y, m - 1) + hsmCost(y, m);
}

/**
 * The optimal first split `y` of BPTT-HSM (1 ≤ y < t), or `t` meaning "no store: run to `t`,
 * do `B_t`, recurse on `t − 1`" (the only move at m = 1, and equal to `y = t − 1` otherwise).
 *
 * @param t sequence length ≥ 1
 * @param m slots ≥ 1
 * @returns split point `y ∈ [1, t]`
 */
export function hsmSplit(t: number, m: number): number {
  if (t <= 1 || m <= 1) return t;
  // Q is convex in y: find the smallest y with Q(y+1) − Q(y) ≥ 0 by bisection.
  let lo = 1;
  let hi = t - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (hsmSplitCost(t, m, mid + 1) - hsmSplitCost(t, m, mid) >= 0) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
