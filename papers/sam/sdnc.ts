/**
 * The Sparse DNC's memory access (Rae et al. 2016 Supp. D) with the memory outside the autodiff
 * tape, as SAM's (`sam.ts`): SAM's sparse write and LRU allocation, the sparse links of
 * `sparse_links.ts` (N ≈ L, P ≈ Lᵀ, K_L entries per row, no gradient through them), and per head a
 * read over K content words (top-K cosine, exact scan), K forward words and K backward words
 * (the K largest of f = L w_{t−1} and b = Lᵀ w_{t−1}) mixed by a 3-way mode softmax.
 *
 * {@link SdncAccess.step} is one `tf.customGrad` node per step. Its forward pass writes the memory
 * in place (journalled), updates the links (journalled), selects the read words and evaluates the
 * step on its ≤ V visible words in JS (`sdnc_step_grad.ts`). Its gradient, reached by the tape's
 * reverse sweep (latest step first), is that step's hand-written VJP with the sparse map dL/dM_t
 * as the cotangent of the visible words; it turns the map into dL/dM_{t−1} and rolls the step's
 * memory and link changes back. So after the backward pass (or {@link SdncAccess.endSequence}
 * after a forward pass) the memory and links are bit for bit where they started. Kept per step:
 * O(V·W + R·K²) numbers, independent of N; the link update is O(V·K_L log K_L).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { LruRing } from "./lru_ring.ts";
import { type LinkJournal, SparseLinks, type SparseWeights } from "./sparse_links.ts";
import { SparseMemory } from "./sparse_memory.ts";
import { sdncIfaceSize } from "./sdnc_step.ts";
import { sdncStepBackward, sdncStepForward, type SdncStepIndex } from "./sdnc_step_grad.ts";

export { sdncIfaceSize } from "./sdnc_step.ts";

/** Sizes and options of the access. */
export interface SdncSpec {
  /** Memory words N (≥ K). */
  N: number;
  /** Word size W. */
  W: number;
  /** Read heads R. */
  R: number;
  /** Words per head and read part (content, forward, backward) K. */
  K: number;
  /** Link entries per row and precedence non-zeros K_L (paper 8). */
  KL: number;
  /** Access threshold δ of the LRU (paper 0.005). */
  delta: number;
}

/**
 * What a step selected: the LRU word, the read words per slot, and the link coefficients (the
 * piecewise-constant parts the gradient treats as constants).
 */
export interface StepSelection {
  /** The step's write weights per batch element (word → weight), as given to the links. */
  writeWeights: SparseWeights[];
  lru: Int32Array;
  slotRows: Int32Array;
  fwd: Float32Array;
  bwd: Float32Array;
}

interface StepRecord {
  iv: Float32Array;
  wPrev: Float32Array;
  V: number;
  rows: Int32Array;
  mPrev: Float32Array;
  index: SdncStepIndex;
  writeRows: Int32Array[];
  journal: Float32Array[];
  linkJournals: LinkJournal[];
  rolled: boolean;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** The K largest entries (value > 0; ties: the lower word), as rows padded with −1. */
function topRows(w: SparseWeights, K: number): Int32Array {
  const kept = [...w].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const out = new Int32Array(K).fill(-1);
  for (let k = 0; k < Math.min(K, kept.length); k++) out[k] = kept[k]![0];
  return out;
}

/** The Sparse DNC memory access for a batch of B sequences. */
export class SdncAccess {
  readonly spec: SdncSpec;
  readonly B: number;
  readonly mem: SparseMemory;
  readonly rings: LruRing[];
  readonly links: SparseLinks[];
  /**
   * One step: raw interface [B, I] and the previous read weights [B, R, 3K] (the previous step's
   * output, or {@link initialReadWeights}) → packed [B, R·W + R·3K]: read vectors, then read
   * weights (see {@link unpack}). Differentiable in both inputs.
   */
  readonly step: (iface: tf.Tensor2D, wPrev: tf.Tensor3D) => tf.Tensor2D;
  /** Selections of the current sequence's steps, in order. */
  trace: StepSelection[] = [];
  /**
   * When set, step t reuses `replay[t]`'s selections instead of making its own (so that finite
   * differences see the same piecewise-constant function the gradient differentiates).
   */
  replay: StepSelection[] | null = null;
  #recs: StepRecord[] = [];
  #dMem: Map<number, Float32Array>[];
  #prevRows: Int32Array;

  constructor(spec: SdncSpec, B: number) {
    if (spec.K > spec.N) throw new Error(`SDNC needs K ≤ N, got K = ${spec.K}, N = ${spec.N}`);
    this.spec = spec, this.B = B;
    this.mem = new SparseMemory(B, spec.N, spec.W);
    this.rings = Array.from({ length: B }, () => new LruRing(spec.N));
    this.links = Array.from({ length: B }, () => new SparseLinks(spec.KL));
    this.#dMem = Array.from({ length: B }, () => new Map());
    this.#prevRows = this.#initialRows();
    this.step = tf.customGrad(
      ((iface: tf.Tensor2D, wPrev: tf.Tensor3D) =>
        // TF.js types customGrad's function as variadic over Tensor | GradSaveFunc; this one is (iface, wPrev)
        this.#forward(iface, wPrev)) as unknown as Parameters<typeof tf.customGrad>[0],
    ) as unknown as (iface: tf.Tensor2D, wPrev: tf.Tensor3D) => tf.Tensor2D;
  }

  #sizes(V: number) {
    return { B: this.B, R: this.spec.R, K: this.spec.K, W: this.spec.W, V };
  }

  #initialRows(): Int32Array {
    const RS = this.spec.R * 3 * this.spec.K;
    return new Int32Array(this.B * RS).map((_, j) => (j % RS) % this.spec.N);
  }

  /** Zero read weights [B, R, 3K] for the first step. */
  initialReadWeights(): tf.Tensor3D {
    return tf.zeros([this.B, this.spec.R, 3 * this.spec.K]);
  }

  /** Split a packed step output into r [B, R, W] and w [B, R, 3K]. */
  unpack(packed: tf.Tensor2D): { r: tf.Tensor3D; w: tf.Tensor3D } {
    const { R, W, K } = this.spec, B = this.B;
    return {
      r: tf.reshape(tf.slice(packed, [0, 0], [B, R * W]), [B, R, W]) as tf.Tensor3D,
      w: tf.reshape(tf.slice(packed, [0, R * W], [B, R * 3 * K]), [B, R, 3 * K]) as tf.Tensor3D,
    };
  }

  #forward(iface: tf.Tensor2D, wPrevT: tf.Tensor3D) {
    const { R, K, W, delta } = this.spec, B = this.B, S = 3 * K, RS = R * S;
    const I = sdncIfaceSize(this.spec);
    if (iface.shape[0] !== B || iface.shape[1] !== I) {
      throw new Error(`SDNC step: interface is [${iface.shape}], expected [${B}, ${I}]`);
    }
    const iv = (iface.dataSync() as Float32Array).slice();
    const wPrev = (wPrevT.dataSync() as Float32Array).slice();
    const prevRows = this.#prevRows;
    const frozen = this.replay?.[this.#recs.length];
    const writeRows: Int32Array[] = [], journal: Float32Array[] = [], linkJournals = [];
    const writeWeights: SparseWeights[] = [];
    const lru = new Int32Array(B), slotRows = new Int32Array(B * RS);
    const fwdRows: Int32Array[] = [], bwdRows: Int32Array[] = [];
    const row = new Float32Array(W);
    for (let b = 0; b < B; b++) {
      // SAM's write, in place and journalled: w^W = α (γ w̄ + (1 − γ) 1_lru), LRU word zeroed.
      const o = b * I, aOff = o + R * W + R;
      const alpha = sigmoid(iv[aOff + W]!), gamma = sigmoid(iv[aOff + W + 1]!);
      lru[b] = frozen ? frozen.lru[b]! : this.rings[b]!.lru();
      const wW: SparseWeights = new Map();
      for (let j = 0; j < RS; j++) {
        const i = prevRows[b * RS + j]!;
        if (i >= 0) wW.set(i, (wW.get(i) ?? 0) + alpha * gamma * wPrev[b * RS + j]! / R);
      }
      wW.set(lru[b]!, (wW.get(lru[b]!) ?? 0) + alpha * (1 - gamma));
      const rows = Int32Array.from(wW.keys()), old = new Float32Array(rows.length * W);
      rows.forEach((i, k) => {
        this.mem.readRow(b, i, old, k * W);
        const keep = i === lru[b] ? 0 : 1, wi = wW.get(i)!;
        for (let j = 0; j < W; j++) row[j] = old[k * W + j]! * keep + wi * iv[aOff + j]!;
        this.mem.setRow(b, i, row, 0);
        this.mem.markWritten(b, i);
        if (wi > delta) this.rings[b]!.access(i);
      });
      writeRows.push(rows), journal.push(old);
      linkJournals.push(this.links[b]!.update(wW));
      writeWeights.push(wW);
      // Read words: K content (exact top-K cosine), K forward, K backward per head.
      const cIdx = new Int32Array(R * K), cSim = new Float32Array(R * K);
      this.mem.topKLinear(b, iv, o, R, K, cIdx, cSim, 0);
      const fR = new Int32Array(R * K), bR = new Int32Array(R * K);
      for (let h = 0; h < R; h++) {
        const ph: SparseWeights = new Map();
        for (let s = 0; s < S; s++) {
          const i = prevRows[b * RS + h * S + s]!, v = wPrev[b * RS + h * S + s]!;
          if (i >= 0 && v !== 0) ph.set(i, (ph.get(i) ?? 0) + v);
        }
        fR.set(topRows(this.links[b]!.forward(ph), K), h * K);
        bR.set(topRows(this.links[b]!.backward(ph), K), h * K);
        for (let k = 0; k < K; k++) {
          const base = b * RS + h * S;
          slotRows[base + k] = cIdx[h * K + k]!;
          slotRows[base + K + k] = fR[h * K + k]!;
          slotRows[base + 2 * K + k] = bR[h * K + k]!;
        }
      }
      fwdRows.push(fR), bwdRows.push(bR);
    }
    if (frozen) slotRows.set(frozen.slotRows);
    // The visible words: written ∪ read, padded to the largest V over the batch.
    const vis = Array.from({ length: B }, (_, b) => {
      const set = new Set<number>(writeRows[b]);
      for (let j = 0; j < RS; j++) if (slotRows[b * RS + j]! >= 0) set.add(slotRows[b * RS + j]!);
      return [...set];
    });
    const V = Math.max(...vis.map((v) => v.length));
    const rows = new Int32Array(B * V).fill(-1), mPrev = new Float32Array(B * V * W);
    const prevV = new Int32Array(B * RS).fill(-1), slotV = new Int32Array(B * RS).fill(-1);
    const lruV = new Int32Array(B);
    const fwd = new Float32Array(B * R * K * S), bwd = new Float32Array(B * R * K * S);
    for (let b = 0; b < B; b++) {
      const at = new Map<number, number>();
      vis[b]!.forEach((i, v) => {
        at.set(i, v);
        rows[b * V + v] = i;
      });
      const wr = writeRows[b]!;
      for (const [i, v] of at) {
        const k = wr.indexOf(i);
        if (k >= 0) mPrev.set(journal[b]!.subarray(k * W, (k + 1) * W), (b * V + v) * W);
        else this.mem.readRow(b, i, mPrev, (b * V + v) * W);
      }
      lruV[b] = at.get(lru[b]!)!;
      for (let j = 0; j < RS; j++) {
        const p = prevRows[b * RS + j]!, s = slotRows[b * RS + j]!;
        if (p >= 0) prevV[b * RS + j] = at.get(p)!;
        if (s >= 0) slotV[b * RS + j] = at.get(s)!;
      }
      const L = this.links[b]!;
      for (let h = 0; h < R; h++) {
        for (let k = 0; k < K; k++) {
          const f = fwdRows[b]![h * K + k]!, bk = bwdRows[b]![h * K + k]!;
          for (let s = 0; s < S; s++) {
            const p = prevRows[b * RS + h * S + s]!;
            if (p < 0) continue;
            const o = ((b * R + h) * K + k) * S + s;
            if (f >= 0) fwd[o] = L.get(f, p);
            if (bk >= 0) bwd[o] = L.get(p, bk);
          }
        }
      }
    }
    if (frozen) fwd.set(frozen.fwd), bwd.set(frozen.bwd);
    this.trace.push({ writeWeights, lru, slotRows, fwd, bwd });
    const rec: StepRecord = {
      iv,
      wPrev,
      V,
      rows,
      mPrev,
      index: { prevV, slotV, lruV, fwd, bwd },
      writeRows,
      journal,
      linkJournals,
      rolled: false,
    };
    const { packed, mNew } = sdncStepForward(iv, wPrev, mPrev, rec.index, this.#sizes(V));
    const O = R * W + RS;
    // The memory holds the step's float32 values of the written words; reads above δ refresh
    // the LRU.
    for (let b = 0; b < B; b++) {
      for (let v = 0; v < V; v++) {
        const i = rows[b * V + v]!;
        if (i >= 0 && writeRows[b]!.includes(i)) {
          this.mem.setRow(b, i, mNew, (b * V + v) * W);
        }
      }
      const read = new Map<number, number>();
      for (let j = 0; j < RS; j++) {
        const i = slotRows[b * RS + j]!;
        if (i >= 0) read.set(i, (read.get(i) ?? 0) + packed[b * O + R * W + j]!);
      }
      for (const [i, v] of read) if (v > delta) this.rings[b]!.access(i);
    }
    this.#recs.push(rec);
    this.#prevRows = slotRows;
    const gradFunc = (dy: tf.Tensor) => this.#gradient(rec, dy);
    return { value: tf.tensor2d(packed, [B, O]), gradFunc };
  }

  #gradient(rec: StepRecord, dy: tf.Tensor): tf.Tensor[] {
    const { R, K, W } = this.spec, B = this.B, S = 3 * K, V = rec.V, I = sdncIfaceSize(this.spec);
    // Later steps the sweep did not reach (their outputs were unused) are undone first.
    for (let t = this.#recs.length - 1; this.#recs[t] !== rec; t--) {
      if (!this.#recs[t]!.rolled) this.#rollback(this.#recs[t]!);
    }
    const dMnew = new Float32Array(B * V * W);
    for (let b = 0; b < B; b++) {
      for (let v = 0; v < V; v++) {
        const g = this.#dMem[b]!.get(rec.rows[b * V + v]!);
        if (g) dMnew.set(g, (b * V + v) * W);
      }
    }
    const g = sdncStepBackward(
      rec.iv,
      rec.wPrev,
      rec.mPrev,
      rec.index,
      this.#sizes(V),
      dy.dataSync() as Float32Array,
      dMnew,
    );
    for (let b = 0; b < B; b++) {
      for (let v = 0; v < V; v++) {
        const i = rec.rows[b * V + v]!;
        if (i >= 0) this.#dMem[b]!.set(i, g.dmPrev.slice((b * V + v) * W, (b * V + v + 1) * W));
      }
    }
    this.#rollback(rec);
    return [tf.tensor2d(g.diface, [B, I]), tf.tensor3d(g.dwPrev, [B, R, S])];
  }

  #rollback(rec: StepRecord): void {
    const W = this.spec.W;
    for (let b = this.B - 1; b >= 0; b--) {
      this.links[b]!.rollback(rec.linkJournals[b]!);
      const rows = rec.writeRows[b]!, old = rec.journal[b]!;
      for (let k = rows.length - 1; k >= 0; k--) this.mem.setRow(b, rows[k]!, old, k * W);
    }
    rec.rolled = true;
  }

  /**
   * End a sequence: undo the steps no gradient reached (all of them after a forward-only pass),
   * latest first, and reset the LRU rings, so the next sequence starts from the same memory.
   */
  endSequence(): void {
    for (let t = this.#recs.length - 1; t >= 0; t--) {
      if (!this.#recs[t]!.rolled) this.#rollback(this.#recs[t]!);
    }
    this.#recs = [], this.trace = [];
    for (const m of this.#dMem) m.clear();
    for (const r of this.rings) r.reset();
    this.mem.resetFlags();
    this.#prevRows = this.#initialRows();
  }

  /**
   * End a sequence keeping its changes: the memory and links stay as the steps left them (for a
   * memory that persists across sequences); the journals are dropped and the LRU rings reset.
   */
  commitSequence(): void {
    this.#recs = [], this.trace = [];
    for (const m of this.#dMem) m.clear();
    for (const r of this.rings) r.reset();
    this.#prevRows = this.#initialRows();
  }

  /** Bytes kept for the backward pass by the steps of the current sequence (host arrays). */
  recordBytes(): number {
    let n = 0;
    for (const r of this.#recs) {
      const x = r.index;
      for (const a of [r.iv, r.wPrev, r.rows, r.mPrev, x.prevV, x.slotV, x.lruV, x.fwd, x.bwd]) {
        n += a.byteLength;
      }
      for (const a of [...r.writeRows, ...r.journal]) n += a.byteLength;
      for (const j of r.linkJournals) n += 24 * j.entries.length + 16 * j.precedence.length;
    }
    return n;
  }
}
