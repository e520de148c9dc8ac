/**
 * The Sparse DNC's temporal links (Rae et al. 2016 Supp. D): the DNC's N × N link matrix L kept
 * as two sparse N × K_L matrices, N_t ≈ L_t (row i: the words i was written after) and
 * P_t ≈ L_tᵀ (row j: the words written after j), and a precedence p with ≤ K_L non-zeros.
 *
 * Here N and P hold one shared set of entries (an entry (i, j) is in row i of N and row j of P),
 * so P = Nᵀ exactly; pruning keeps the K_L largest entries of every written row of N and of every
 * row of P that gained an entry (ties: the lower index), so every row of both has ≤ K_L entries.
 * The update is the DNC's, L[i, j] ← (1 − w[i] − w[j]) L[i, j] + w[i] p[j], restricted to the
 * entries it can change (rows and columns of the written words, and the new entries w[i] p[j]):
 * O(|w| K_L) entries and O(|w| K_L log K_L) for the pruning, independent of N. Without pruning
 * (K_L ≥ N) it equals the dense update of `dnc.ts` (tested). The paper's notes write the row
 * update as (1 − w[i]) N[i, j] + w[i] p[j]; keeping the − w[j] term (found through P) is what
 * makes the unpruned links equal the DNC's and clears a rewritten word's stale incoming links.
 *
 * No gradient flows through the links (as in the paper): they are constants of each step. Every
 * change is journalled per step so the backward pass can roll it back exactly (bit for bit).
 * @module
 */

/** Sparse weights over words: word → weight. */
export type SparseWeights = Map<number, number>;

/** One step's undo record: entries as they were before the step, and the old precedence. */
export interface LinkJournal {
  /** [i, j, old value or NaN when the entry did not exist], in the order they were changed. */
  entries: [number, number, number][];
  precedence: [number, number][];
}

/** Sparse forward/backward links and precedence of one memory. */
export class SparseLinks {
  /** Entries kept per row of N and of P, and in p (paper: 8). */
  readonly K: number;
  /** rows.get(i).get(j) = L[i, j] (the rows of N). */
  readonly rows = new Map<number, Map<number, number>>();
  /** cols.get(j).get(i) = L[i, j] (the rows of P = Lᵀ). */
  readonly cols = new Map<number, Map<number, number>>();
  /** Precedence p (≤ K non-zeros). */
  precedence: SparseWeights = new Map();
  #journal: LinkJournal | null = null;

  constructor(K: number) {
    if (!(Number.isInteger(K) && K >= 1)) throw new Error(`K_L must be an integer ≥ 1, got ${K}`);
    this.K = K;
  }

  /** L[i, j] (0 when absent). */
  get(i: number, j: number): number {
    return this.rows.get(i)?.get(j) ?? 0;
  }

  /** Number of stored entries (for memory accounting). */
  entryCount(): number {
    let n = 0;
    for (const r of this.rows.values()) n += r.size;
    return n;
  }

  #set(i: number, j: number, v: number | undefined): void {
    let row = this.rows.get(i), col = this.cols.get(j);
    const old = row?.get(j);
    this.#journal?.entries.push([i, j, old ?? NaN]);
    if (v === undefined) {
      row?.delete(j), col?.delete(i);
      if (row?.size === 0) this.rows.delete(i);
      if (col?.size === 0) this.cols.delete(j);
      return;
    }
    if (!row) this.rows.set(i, row = new Map());
    if (!col) this.cols.set(j, col = new Map());
    row.set(j, v), col.set(i, v);
  }

  /** Keep the K largest entries of a row (`byRow`) or column; ties go to the lower index. */
  #prune(k: number, byRow: boolean): void {
    const line = (byRow ? this.rows : this.cols).get(k);
    if (!line || line.size <= this.K) return;
    const sorted = [...line].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    for (const [other] of sorted.slice(this.K)) {
      if (byRow) this.#set(k, other, undefined);
      else this.#set(other, k, undefined);
    }
  }

  /**
   * Apply one step's write weights w (sparse; Σ w ≤ 1) to the links and the precedence, and
   * return the journal that {@link rollback} undoes.
   */
  update(w: SparseWeights): LinkJournal {
    const journal: LinkJournal = { entries: [], precedence: [...this.precedence] };
    this.#journal = journal;
    const wOf = (x: number) => w.get(x) ?? 0;
    // New values of every entry the update can change, from the old links and old precedence.
    const next = new Map<string, [number, number, number]>();
    const put = (i: number, j: number) => {
      if (i === j) return;
      const key = `${i},${j}`;
      if (next.has(key)) return;
      const wi = wOf(i);
      next.set(key, [
        i,
        j,
        (1 - wi - wOf(j)) * this.get(i, j) + wi * (this.precedence.get(j) ?? 0),
      ]);
    };
    for (const x of w.keys()) {
      for (const j of this.rows.get(x)?.keys() ?? []) put(x, j);
      for (const i of this.cols.get(x)?.keys() ?? []) put(i, x);
      if (wOf(x) !== 0) { for (const j of this.precedence.keys()) put(x, j); }
    }
    for (const [i, j, v] of next.values()) this.#set(i, j, v === 0 ? undefined : v);
    for (const x of w.keys()) this.#prune(x, true);
    for (const j of this.precedence.keys()) this.#prune(j, false);
    // p ← (1 − Σ w) p + w, pruned to the K largest.
    let sum = 0;
    for (const v of w.values()) sum += v;
    const p = new Map<number, number>();
    for (const [j, v] of this.precedence) p.set(j, (1 - sum) * v);
    for (const [j, v] of w) p.set(j, (p.get(j) ?? 0) + v);
    const kept = [...p].filter(([, v]) => v !== 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    this.precedence = new Map(kept.slice(0, this.K));
    this.#journal = null;
    return journal;
  }

  /** Undo one step's {@link update} (the latest not yet undone), restoring every value exactly. */
  rollback(j: LinkJournal): void {
    for (let k = j.entries.length - 1; k >= 0; k--) {
      const [i, jj, old] = j.entries[k]!;
      this.#set(i, jj, Number.isNaN(old) ? undefined : old);
    }
    this.precedence = new Map(j.precedence);
  }

  /** Forward weights f = L w: f[i] = Σ_j L[i, j] w[j], found through P's rows. */
  forward(w: SparseWeights): SparseWeights {
    const f = new Map<number, number>();
    for (const [j, wj] of w) {
      for (const [i, v] of this.cols.get(j) ?? []) f.set(i, (f.get(i) ?? 0) + v * wj);
    }
    return f;
  }

  /** Backward weights b = Lᵀ w: b[j] = Σ_i L[i, j] w[i], found through N's rows. */
  backward(w: SparseWeights): SparseWeights {
    const b = new Map<number, number>();
    for (const [i, wi] of w) {
      for (const [j, v] of this.rows.get(i) ?? []) b.set(j, (b.get(j) ?? 0) + v * wi);
    }
    return b;
  }

  /** Forget every link (O(entries)). */
  clear(): void {
    this.rows.clear(), this.cols.clear(), this.precedence = new Map();
  }
}
