/**
 * Split search for the BPTT dynamic programs: `min_{lo ≤ y ≤ hi} y + f(y − s) + g(n − y)` over
 * cost columns `f`, `g` (cost by sequence length at a fixed budget).
 *
 * - {@link splitWalk}: O(1) amortised, exact when the sum is unimodal in `y` and its argmin does
 *   not decrease with `n` (true for the HSM and ISM tables; the tests compare with a full scan).
 * - {@link splitMin}: exact for any columns (MSM's split cost has several local minima), by
 *   branch and bound with range-minimum queries on the columns' increments.
 *
 * @module
 */

/** Storage of one cost column, indexed by sequence length 0..t. */
export type Values = Int32Array | Float64Array;

/** Floor of log2 for 1..2^31, as a lookup (built once per size). */
function log2Table(n: number): Uint8Array {
  const lg = new Uint8Array(n + 2);
  for (let i = 2; i < lg.length; i++) lg[i] = lg[i >> 1]! + 1;
  return lg;
}

/** Block size (log2) of {@link Column}'s range-minimum structure. */
const SHIFT = 6;
const BLOCK = 1 << SHIFT;

/**
 * A cost column `v[0..t]` filled in order of `n`, with an optional online range-minimum
 * structure over its increments `v[i] − v[i−1]`: within blocks of 64 rows, running prefix minima
 * (O(1) per append) and suffix minima (written when a block completes); across blocks, a sparse
 * table of block minima (O(log(t/64)) per completed block). {@link minInc} answers in O(1) with a
 * lower bound on the range minimum, exact when the range spans two or more blocks. One flat
 * buffer holds it all; {@link dropRmq} hands it back for reuse.
 */
export class Column {
  readonly v: Values;
  #sp: Int32Array | null;
  #lg: Uint8Array | null;
  #stride: number;
  #blocks: number;
  #levels: number;

  /**
   * @param t longest length
   * @param big use Float64 values (costs ≥ 2^31)
   * @param rmq keep the range-minimum structure of increments (for {@link splitMin})
   * @param lg shared log2 table of size ≥ t + 2 (when `rmq`)
   * @param buffer a buffer from {@link dropRmq} of a column of the same `t`
   */
  constructor(
    t: number,
    big: boolean,
    rmq: boolean,
    lg: Uint8Array | null = null,
    buffer: Int32Array | null = null,
  ) {
    this.v = big ? new Float64Array(t + 1) : new Int32Array(t + 1);
    this.#lg = rmq ? (lg ?? log2Table(t)) : null;
    // Layout: increments, in-block prefix minima, in-block suffix minima (each t + 2), then the
    // block sparse table, level j at offset 3·stride + j·blocks.
    this.#stride = t + 2;
    this.#blocks = (t >> SHIFT) + 1;
    this.#levels = rmq ? this.#lg![this.#blocks]! + 1 : 0;
    this.#sp = rmq
      ? (buffer ?? new Int32Array(3 * this.#stride + this.#levels * this.#blocks))
      : null;
  }

  /** Set `v[n]` (n ascending from 1; v[0] = 0). */
  set(n: number, value: number): void {
    const v = this.v;
    v[n] = value;
    const sp = this.#sp;
    if (sp === null) return;
    const stride = this.#stride;
    const d = value - v[n - 1]!;
    sp[n] = d;
    const pre = stride + n;
    if ((n & (BLOCK - 1)) === 0 || n === 1) sp[pre] = d;
    else {
      const p = sp[pre - 1]!;
      sp[pre] = d < p ? d : p;
    }
    if ((n & (BLOCK - 1)) === BLOCK - 1) this.#complete(n);
  }

  /** Set rows `n + 1 .. n + L` to `v[n] + i·D` (a run of equal increments), as {@link set}. */
  setRun(n: number, L: number, D: number): void {
    const v = this.v;
    let value = v[n]!;
    for (let r = n + 1; r <= n + L; r++) v[r] = value += D;
    const sp = this.#sp;
    if (sp === null) return;
    const stride = this.#stride;
    // Block by block: increments are all D, so a block's prefix minima are constant after the
    // run's first row in it.
    for (let a = n + 1; a <= n + L;) {
      const end = Math.min(n + L, a | (BLOCK - 1));
      sp.fill(D, a, end + 1);
      let m = D;
      if ((a & (BLOCK - 1)) !== 0 && a !== 1) {
        const p = sp[stride + a - 1]!;
        if (p < m) m = p;
      }
      sp.fill(m, stride + a, stride + end + 1);
      if ((end & (BLOCK - 1)) === BLOCK - 1) this.#complete(end);
      a = end + 1;
    }
  }

  /** Row `n` ends a block: suffix minima inside it, then the sparse table over block minima. */
  #complete(n: number): void {
    const sp = this.#sp!;
    const stride = this.#stride;
    const d = sp[n]!;
    const first = n === BLOCK - 1 ? 1 : n - BLOCK + 1;
    const suf = 2 * stride;
    let m = d;
    sp[suf + n] = d;
    for (let i = n - 1; i >= first; i--) {
      const x = sp[i]!;
      if (x < m) m = x;
      sp[suf + i] = m;
    }
    const blocks = this.#blocks;
    const b = n >> SHIFT;
    let off = 3 * stride;
    sp[off + b] = m;
    for (let j = 1, w = 2; j < this.#levels && w <= b + 1; j++, w <<= 1) {
      const s = b - w + 1;
      const x = sp[off + s]!;
      const y = sp[off + s + (w >> 1)]!;
      off += blocks;
      sp[off + s] = x < y ? x : y;
    }
  }

  /**
   * A lower bound on the minimum of `v[i] − v[i−1]` over `l ≤ i ≤ r` (1 ≤ l ≤ r, both already
   * set): exact when `l` and `r` lie in different blocks, else the minimum from the start of
   * `r`'s block to `r`.
   */
  minInc(l: number, r: number): number {
    const sp = this.#sp!;
    const stride = this.#stride;
    const bl = l >> SHIFT;
    const br = r >> SHIFT;
    const p = sp[stride + r]!;
    if (bl === br) return p;
    const s = sp[2 * stride + l]!;
    let m = s < p ? s : p;
    if (br - bl >= 2) {
      const j = this.#lg![br - bl - 1]!;
      const off = 3 * stride + j * this.#blocks;
      const x = sp[off + bl + 1]!;
      const y = sp[off + br - (1 << j)]!;
      if (x < m) m = x;
      if (y < m) m = y;
    }
    return m;
  }

  /** Stop searching this column; returns its buffer for reuse (or null). */
  dropRmq(): Int32Array | null {
    const sp = this.#sp;
    this.#sp = null;
    return sp;
  }
}

/** Shared log2 table for columns of length t. */
export function sharedLog2(t: number): Uint8Array {
  return log2Table(t);
}

/**
 * The split of the last {@link splitWalk} / {@link splitMin} call (returned through a module
 * variable so that the per-cell search allocates nothing).
 */
export let splitY = 0;

/**
 * Walk from `hint` (clamped into `[lo ≤ hi]`) toward a local minimum of
 * `y + f(y − s) + g(n − y)`: right while the next split is no worse, then, when `left`, left
 * while the previous one is better; at most `steps` moves each way. Returns the cost where the
 * walk stops and puts that split in {@link splitY}.
 */
function walk(
  lo: number,
  hi: number,
  n: number,
  hint: number,
  fv: Values,
  fShift: number,
  gv: Values,
  steps: number,
  left: boolean,
): number {
  let at = hint < lo ? lo : hint > hi ? hi : hint;
  let best = at + fv[at - fShift]! + gv[n - at]!;
  for (let s = 0; s < steps && at < hi; s++) {
    const v = at + 1 + fv[at + 1 - fShift]! + gv[n - at - 1]!;
    if (v > best) break;
    best = v;
    at++;
  }
  for (let s = 0; left && s < steps && at > lo; s++) {
    const v = at - 1 + fv[at - 1 - fShift]! + gv[n - at + 1]!;
    if (v >= best) break;
    best = v;
    at--;
  }
  splitY = at;
  return best;
}

/**
 * Walk the split from `hint` while the next split is no worse (unimodal case).
 *
 * @returns the cost (`Infinity` when `lo > hi`); the split is in {@link splitY}
 */
export function splitWalk(
  lo: number,
  hi: number,
  n: number,
  hint: number,
  f: Column,
  fShift: number,
  g: Column,
  _cutoff = Infinity,
): number {
  if (lo > hi) {
    splitY = 0;
    return Infinity;
  }
  const fv = f.v;
  const gv = g.v;
  let y = hint < lo ? lo : hint > hi ? hi : hint;
  let best = y + fv[y - fShift]! + gv[n - y]!;
  for (; y < hi; y++) {
    const v = y + 1 + fv[y + 1 - fShift]! + gv[n - y - 1]!;
    if (v > best) break;
    best = v;
  }
  splitY = y;
  return best;
}

/**
 * The local minimum of `y + f(y − s) + g(n − y)` on `[lo, hi]` reached by walking from `hint`
 * (right while not worse, then left while better): a hint for a later search, not a minimum.
 * The split is also left in {@link splitY}.
 */
export function localMin(
  lo: number,
  hi: number,
  n: number,
  hint: number,
  f: Column,
  fShift: number,
  g: Column,
): number {
  if (lo > hi) return lo;
  walk(lo, hi, n, hint, f.v, fShift, g.v, hi - lo, true);
  return splitY;
}

/**
 * A lower bound on `min_{lo ≤ y ≤ hi} y + f(y − s) + g(n − y)` minus `f(n − 1)`, from the
 * previous row's bounds of {@link splitMin} without evaluating any split: splits below `z` use
 * `Q_n(y) ≥ f(n−1) + Δg(n − y)`, splits from `z` on use `Q_n(y) ≥ f(n−1) + 1 + Δf(y − s)`. `z`
 * is clamped into `(lo, hi]`; `f(n − 1)` must be the optimum of row `n − 1` over every move.
 * Both columns need their range-minimum structure.
 *
 * @returns the bound, or `-Infinity` when `hi ≤ lo` (a single split: evaluate it instead)
 */
export function splitBound(
  lo: number,
  hi: number,
  n: number,
  z: number,
  f: Column,
  fShift: number,
  g: Column,
): number {
  if (hi <= lo) return -Infinity;
  const zz = z <= lo ? lo + 1 : z > hi ? hi : z;
  const a = g.minInc(n - zz + 1, n - lo);
  const b = 1 + f.minInc(zz - fShift, hi - fShift);
  return a < b ? a : b;
}

/** Leaves of the branch and bound at most this wide are scanned directly. */
const LEAF = 32;
/** Longest local walk from the hint before the branch and bound takes over. */
const WALK = 48;
/** Interval stack of {@link splitMin} (depth ≤ 2·log2(t) intervals). */
const stack = new Int32Array(512);

/**
 * Exact split minimum by branch and bound. First it walks from `hint` to a local minimum `y0`
 * (at most {@link WALK} steps) and takes it as the incumbent; the intervals left and right of
 * `y0` are then searched. On `[a, b]` the sum is bounded below from the minimum and maximum
 * increments of `f` and `g` over the ranges the interval touches (range min/max queries): by
 * `a + f(a−s) + g(n−b) + (b−a)·min(1 + min Δf, min Δg)`, and by linear extrapolation from
 * either end point. Intervals whose bound is not below the incumbent (or `cutoff`, the cost of
 * another move, if lower) are pruned. Next to a local minimum of a near-convex sum the
 * extrapolation bound usually prunes each side at once, so most calls visit two nodes.
 *
 * @returns the cost (`Infinity` when `lo > hi`); the split is in {@link splitY}
 */
export function splitMin(
  lo: number,
  hi: number,
  n: number,
  hint: number,
  f: Column,
  fShift: number,
  g: Column,
  cutoff = Infinity,
): number {
  if (lo > hi) {
    splitY = 0;
    return Infinity;
  }
  const fv = f.v;
  const gv = g.v;
  let best = walk(lo, hi, n, hint, fv, fShift, gv, WALK, true);
  let at = splitY;
  // Prune against the better of this family's incumbent and the caller's (another move's) cost:
  // if nothing here beats `cutoff`, the returned cost may not be this family's minimum, but it
  // is ≥ cutoff, so the caller's overall minimum is still exact.
  let bound = Math.min(best, cutoff);
  const prev = fv[n - 1]!;
  let sp = 0;
  if (at < hi) {
    stack[sp++] = at + 1;
    stack[sp++] = hi;
  }
  if (at > lo) {
    stack[sp++] = lo;
    stack[sp++] = at - 1;
  }
  while (sp > 0) {
    const b = stack[--sp]!;
    const a = stack[--sp]!;
    // Shift bounds from row n − 1 (f is the column being filled, so f(n − 1) = C(n − 1) is
    // the optimum over every move there): the same split y, or y − 1, is a move at n − 1, so
    // Q_n(y) ≥ C(n−1) + Δg(n − y) (y ≤ hi − 1) and Q_n(y) ≥ C(n−1) + 1 + Δf(y − s) (y − 1 ≥ lo).
    if (b < hi && prev + g.minInc(n - b, n - a) >= bound) continue;
    if (a > lo && prev + 1 + f.minInc(a - fShift, b - fShift) >= bound) continue;
    if (b - a < LEAF) {
      for (let y = a; y <= b; y++) {
        const v = y + fv[y - fShift]! + gv[n - y]!;
        if (v < bound) {
          best = bound = v;
          at = y;
        }
      }
      continue;
    }
    const mid = (a + b) >> 1;
    stack[sp++] = mid + 1;
    stack[sp++] = b;
    stack[sp++] = a;
    stack[sp++] = mid; // left half is popped first
  }
  splitY = at;
  return best;
}
