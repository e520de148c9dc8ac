/**
 * SAM's memory outside the autodiff tape (Rae et al. 2016 §3.4): B memories of N × W words in
 * Float32Arrays, written in place, with a journal of overwritten rows so the backward pass can
 * roll each step back in O(rows touched), and an exact linear top-K scan ("SAM linear").
 * @module
 */
import { normJs } from "./similarity.ts";

/** B independent N × W memories (one per batch element), initially all zero. */
export class SparseMemory {
  readonly B: number;
  readonly N: number;
  readonly W: number;
  /** data[b][i·W + j] = word i, component j of memory b. */
  readonly data: Float32Array[];
  /** norms[b][i] = sqrt(|word i|² + ε), kept in sync with every write. */
  readonly norms: Float32Array[];
  /** written[b][i] = 1 once word i was written since the last reset. */
  readonly written: Uint8Array[];
  #touched: number[][];
  #firstFree: Int32Array;

  constructor(B: number, N: number, W: number) {
    this.B = B, this.N = N, this.W = W;
    this.data = Array.from({ length: B }, () => new Float32Array(N * W));
    this.norms = Array.from(
      { length: B },
      () => new Float32Array(N).fill(normJs(new Float32Array(W), 0, W)),
    );
    this.written = Array.from({ length: B }, () => new Uint8Array(N));
    this.#touched = Array.from({ length: B }, () => []);
    this.#firstFree = new Int32Array(B);
  }

  /** Bytes held by the memory itself (data + norms + flags): the Θ(N) initialisation. */
  initBytes(): number {
    return this.B * this.N * (this.W * 4 + 4 + 1);
  }

  /** Copy word i of memory b into out[off .. off+W). */
  readRow(b: number, i: number, out: Float32Array, off: number): void {
    out.set(this.data[b]!.subarray(i * this.W, (i + 1) * this.W), off);
  }

  /** Overwrite word i of memory b with src[off .. off+W) and refresh its norm. */
  setRow(b: number, i: number, src: Float32Array, off: number): void {
    const W = this.W, d = this.data[b]!;
    d.set(src.subarray(off, off + W), i * W);
    this.norms[b]![i] = normJs(d, i * W, W);
  }

  /** Mark word i as written (for the ANN's "never written" pool and for reset). */
  markWritten(b: number, i: number): void {
    if (!this.written[b]![i]) {
      this.written[b]![i] = 1;
      this.#touched[b]!.push(i);
    }
  }

  /** The first `count` never-written words of memory b in index order (all equal to zero). */
  unwritten(b: number, count: number, out: number[]): void {
    const w = this.written[b]!;
    let i = this.#firstFree[b]!;
    while (i < this.N && w[i]) i++;
    this.#firstFree[b] = i;
    for (; i < this.N && out.length < count; i++) if (!w[i]) out.push(i);
  }

  /** Number of words written since the last reset. */
  writtenCount(b: number): number {
    return this.#touched[b]!.length;
  }

  /** Forget the written flags (after a full rollback the words are zero again). */
  resetFlags(): void {
    for (let b = 0; b < this.B; b++) {
      for (const i of this.#touched[b]!) this.written[b]![i] = 0;
      this.#touched[b] = [];
    }
    this.#firstFree.fill(0);
  }

  /**
   * Exact top-K by cosine similarity for Hh queries of memory b (one pass over the N words).
   * queries [Hh·W] → outIdx [Hh·K] (most similar first; ties go to the lower index),
   * outSim [Hh·K].
   */
  topKLinear(
    b: number,
    queries: Float32Array,
    qOff: number,
    Hh: number,
    K: number,
    outIdx: Int32Array,
    outSim: Float32Array,
    outOff: number,
  ): void {
    const W = this.W, N = this.N, d = this.data[b]!, norms = this.norms[b]!;
    const kk = Math.min(K, N);
    const best = new Float64Array(Hh * kk).fill(-Infinity);
    const bestI = new Int32Array(Hh * kk).fill(-1);
    const insert = (h: number, s: number, i: number) => {
      const base = h * kk;
      if (s <= best[base + kk - 1]!) return;
      let p = kk - 1;
      while (p > 0 && s > best[base + p - 1]!) {
        best[base + p] = best[base + p - 1]!;
        bestI[base + p] = bestI[base + p - 1]!;
        p--;
      }
      best[base + p] = s;
      bestI[base + p] = i;
    };
    // Queries pre-divided by their norms; scanned four heads at a time so each word is read once.
    for (let h0 = 0; h0 < Hh; h0 += 4) {
      const nh = Math.min(4, Hh - h0);
      const q = new Float32Array(4 * W);
      for (let h = 0; h < nh; h++) {
        const inv = 1 / normJs(queries, qOff + (h0 + h) * W, W);
        for (let j = 0; j < W; j++) q[j * 4 + h] = queries[qOff + (h0 + h) * W + j]! * inv;
      }
      for (let i = 0; i < N; i++) {
        let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        for (let j = 0, o = i * W; j < W; j++, o++) {
          const m = d[o]!, qj = j * 4;
          d0 += m * q[qj]!;
          d1 += m * q[qj + 1]!;
          d2 += m * q[qj + 2]!;
          d3 += m * q[qj + 3]!;
        }
        const inv = 1 / norms[i]!;
        insert(h0, d0 * inv, i);
        if (nh > 1) insert(h0 + 1, d1 * inv, i);
        if (nh > 2) insert(h0 + 2, d2 * inv, i);
        if (nh > 3) insert(h0 + 3, d3 * inv, i);
      }
    }
    for (let h = 0; h < Hh; h++) {
      for (let k = 0; k < K; k++) {
        const src = h * kk + Math.min(k, kk - 1);
        outIdx[outOff + h * K + k] = bestI[src]!;
        outSim[outOff + h * K + k] = best[src]!;
      }
    }
  }

  /** Cosine similarity of one query (q[qOff..qOff+W)) with word i of memory b. */
  similarity(b: number, q: Float32Array, qOff: number, i: number): number {
    const W = this.W, d = this.data[b]!;
    let dot = 0;
    for (let j = 0; j < W; j++) dot += d[i * W + j]! * q[qOff + j]!;
    return dot / (this.norms[b]![i]! * normJs(q, qOff, W));
  }
}
