/**
 * SAM's approximate nearest-neighbour view of one memory (Rae et al. 2016 §3.5), on hnswlib-wasm.
 *
 * Design (see README "Porting notes"):
 * - The index holds only words written since the last reset, plus one *representative* entry for
 *   the never-written words (all zero, hence all equally similar to any query). When the
 *   representative ranks j-th among the K results, the remaining K − j slots are filled with
 *   distinct never-written words, which is exactly what an exact scan returns. Capacity is
 *   O(steps × written rows per step), independent of N; creating it is O(capacity).
 * - Words are stored L2-normalised in an inner-product space, so distance = 1 − cosine.
 * - Updates: a new word (first write) is inserted at once. Words that are re-written
 *   additively are marked *dirty* instead of being re-linked in the graph (hnswlib's in-place
 *   update is the costly operation); queries score the dirty set exactly from the true memory
 *   and merge it with the graph's answer, and the dirty set is flushed into the graph in one
 *   batch every `flushEvery` dirty words. `eager: true` re-links every written word at once.
 * - A search asks the graph for K + |dirty| neighbours, at most 4K: the dirty words' stale
 *   entries among them are dropped, so they cannot crowd the K nearest clean words out of the
 *   answer (asking for K alone left in-situ recall@K at 0.79–0.94 on validation episodes). (hnswlib's `markDelete` would exclude them
 *   in the graph itself, but hnswlib-wasm 0.8.2's costs O(index size) per call: 68 µs at 1,024
 *   words, 490 µs at 16,384.)
 * - A memory that persists across sequences (`endSequence`): the backward pass rolls every
 *   write back, so words never re-linked during the sequence match the graph again for free.
 * @module
 */
import type { HnswIndex, HnswLib } from "./_hnsw.ts";
import type { SparseMemory } from "./sparse_memory.ts";
import { NORM_EPS, normJs } from "./similarity.ts";

/** Index options. */
export interface AnnOptions {
  /** hnswlib M (graph degree). */
  m: number;
  /** hnswlib efConstruction. */
  efConstruction: number;
  /** hnswlib efSearch. */
  efSearch: number;
  /** Re-link every written word immediately (true) or defer additive updates (false). */
  eager: boolean;
  /** Deferred mode: flush the dirty set into the graph when it reaches this many words. */
  flushEvery: number;
}

/** Defaults: cheap graph settings (SAM notes §4.5: M=16, efC=64 gives recall ≈ 0.93 at W=32). */
export const DEFAULT_ANN: AnnOptions = {
  m: 16,
  efConstruction: 64,
  efSearch: 64,
  eager: false,
  flushEvery: 256,
};

/** sizeof(std::mutex) in hnswlib-wasm 0.8.2 (wasm32 musl pthread_mutex_t: 6 ints). */
const MUTEX_BYTES = 24;
/** hnswlib's MAX_LABEL_OPERATION_LOCKS: mutexes allocated by every index. */
const LABEL_LOCKS = 65536;

/** Bytes of an hnswlib index of `capacity` elements, degree m, W-dimensional float vectors. */
export function annIndexBytes(capacity: number, m: number, W: number): number {
  const level0 = (2 * m + 1) * 4 + W * 4 + 8;
  const perElement = level0 + 4 + 4 + MUTEX_BYTES + 2 + 8 + 2 * m * 4 / Math.log(m);
  // 4 KiB: the index object, its small vectors and the allocator's chunk headers (the measured
  // residual at capacity 10–100 is 3–3.4 KB).
  return LABEL_LOCKS * MUTEX_BYTES + 4096 + capacity * perElement;
}

/** Time spent inside hnswlib, for the update-cost measurement. */
export interface AnnTiming {
  insertMs: number;
  updateMs: number;
  searchMs: number;
  inserts: number;
  updates: number;
}

/** ANN index over one batch element's memory. */
export class AnnIndex {
  readonly opts: AnnOptions;
  #lib: HnswLib;
  #mem: SparseMemory;
  #b: number;
  #cap: number;
  #index: HnswIndex | null = null;
  #inIndex = new Set<number>();
  #dirty = new Set<number>();
  #flushedThisSequence = new Set<number>();
  #repDeleted = false;
  #vec: Float32Array;
  #bestS = new Float64Array(0);
  #bestI = new Int32Array(0);
  #free: number[] = [];
  readonly timing: AnnTiming = { insertMs: 0, updateMs: 0, searchMs: 0, inserts: 0, updates: 0 };

  /** @param capacity max distinct words written between resets (the N-independent bound). */
  constructor(lib: HnswLib, mem: SparseMemory, b: number, capacity: number, opts: AnnOptions) {
    this.#lib = lib, this.#mem = mem, this.#b = b, this.opts = opts;
    this.#cap = Math.min(capacity, mem.N) + 2;
    this.#vec = new Float32Array(mem.W);
    this.reset();
  }

  /**
   * Bytes of the hnswlib index at capacity, from hnswlib's layout on wasm32 (pointers and size_t
   * 4 B, std::mutex 24 B): per element the level-0 block (links, vector, label), its link-list
   * pointer, level, lock and visited-list entry, plus the expected upper-level links (allocated as
   * points are added); per index the fixed vector of MAX_LABEL_OPERATION_LOCKS (65,536) label mutexes (≈ 1.57 MB), which
   * dominates small indexes. `ann_memory_test.ts` checks it against the measured heap growth.
   */
  bytes(): number {
    return annIndexBytes(this.#cap, this.opts.m, this.#mem.W);
  }

  /** Drop every word: a fresh graph holding only the representative of never-written words. */
  reset(): void {
    this.#index?.delete();
    const idx = new this.#lib.HierarchicalNSW("ip", this.#mem.W, "");
    idx.initIndex(this.#cap, this.opts.m, this.opts.efConstruction, 100);
    idx.setEfSearch(this.opts.efSearch);
    idx.addPoint(new Float32Array(this.#mem.W), this.#mem.N, false);
    this.#index = idx;
    this.#inIndex.clear();
    this.#dirty.clear();
    this.#flushedThisSequence.clear();
    this.#repDeleted = false;
  }

  /** Release the wasm-side graph. */
  dispose(): void {
    this.#index?.delete();
    this.#index = null;
  }

  #normalised(i: number): Float32Array {
    const W = this.#mem.W, d = this.#mem.data[this.#b]!, v = this.#vec;
    let s = NORM_EPS;
    for (let j = 0; j < W; j++) s += d[i * W + j]! ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < W; j++) v[j] = d[i * W + j]! * inv;
    return v;
  }

  /** Insert many words at once (hnswlib `addPoints`), e.g. a pre-filled memory. */
  bulkInsert(rows: number[]): void {
    const t0 = performance.now();
    const vecs = rows.map((i) => this.#normalised(i).slice());
    for (let k = 0; k < rows.length; k += 4096) {
      this.#index!.addPoints(vecs.slice(k, k + 4096), rows.slice(k, k + 4096), false);
    }
    for (const i of rows) this.#inIndex.add(i);
    this.timing.insertMs += performance.now() - t0;
    this.timing.inserts += rows.length;
    if (!this.#repDeleted && this.#mem.writtenCount(this.#b) >= this.#mem.N) {
      this.#index!.markDelete(this.#mem.N);
      this.#repDeleted = true;
    }
  }

  /** Tell the index that word i of the memory changed (call after the in-place write). */
  written(i: number): void {
    const idx = this.#index!;
    if (!this.#inIndex.has(i)) {
      const t0 = performance.now();
      idx.addPoint(this.#normalised(i), i, false);
      this.timing.insertMs += performance.now() - t0;
      this.timing.inserts++;
      this.#inIndex.add(i);
      if (!this.#repDeleted && this.#mem.writtenCount(this.#b) >= this.#mem.N) {
        idx.markDelete(this.#mem.N);
        this.#repDeleted = true;
      }
    } else if (this.opts.eager) {
      this.#relink(i);
    } else {
      this.#dirty.add(i);
      if (this.#dirty.size >= this.opts.flushEvery) this.flush();
    }
  }

  #relink(i: number): void {
    const t0 = performance.now();
    this.#index!.addPoint(this.#normalised(i), i, false);
    this.timing.updateMs += performance.now() - t0;
    this.timing.updates++;
  }

  /** Re-link every dirty word in the graph. */
  flush(): void {
    for (const i of this.#dirty) {
      this.#relink(i);
      this.#flushedThisSequence.add(i);
    }
    this.#dirty.clear();
  }

  /**
   * Memory that persists across sequences (deferred mode): after the backward pass has rolled
   * every write back, a word that was never re-linked during the sequence is equal to its graph
   * entry again, so it stops being dirty at no cost; a word re-linked during the sequence now
   * differs from its graph entry and becomes dirty. No re-link is spent on rolled-back writes.
   */
  endSequence(): void {
    if (this.opts.eager) return;
    this.#dirty = this.#flushedThisSequence;
    this.#flushedThisSequence = new Set();
    if (this.#dirty.size >= this.opts.flushEvery) this.flush();
    this.#flushedThisSequence.clear();
  }

  /**
   * Approximate top-K for one query q[qOff..qOff+W): outIdx/outSim [K] at outOff, most similar
   * first. Candidates are the index's K nearest clean words (scored again from the true words)
   * plus the dirty words (scored exactly).
   */
  search(
    q: Float32Array,
    qOff: number,
    K: number,
    outIdx: Int32Array,
    outSim: Float32Array,
    outOff: number,
  ): void {
    const mem = this.#mem, b = this.#b, N = mem.N, W = mem.W;
    const query = q.subarray(qOff, qOff + W);
    if (this.#bestS.length < K) this.#bestS = new Float64Array(K), this.#bestI = new Int32Array(K);
    const t0 = performance.now();
    const count = this.#index!.getCurrentCount() - (this.#repDeleted ? 1 : 0);
    // K + |dirty| neighbours, at most 4K (each one returned costs embind time): the dirty words'
    // stale entries among them are dropped, so they cannot crowd the nearest clean words out.
    const kq = Math.min(K + this.#dirty.size, 4 * K, Math.max(K, this.opts.efSearch), count);
    const res = this.#index!.searchKnn(query, kq, undefined);
    this.timing.searchMs += performance.now() - t0;
    // The K best candidates by (similarity desc, index asc), kept sorted as they are offered: the
    // same K as sorting every candidate, without building the candidate list.
    const bestS = this.#bestS, bestI = this.#bestI;
    let n = 0;
    const offer = (i: number, s: number) => {
      n++;
      let p = Math.min(n, K) - 1;
      if (n > K && (s < bestS[p]! || (s === bestS[p]! && i > bestI[p]!))) return;
      while (p > 0 && (s > bestS[p - 1]! || (s === bestS[p - 1]! && i < bestI[p - 1]!))) {
        bestS[p] = bestS[p - 1]!, bestI[p] = bestI[p - 1]!, p--;
      }
      bestS[p] = s, bestI[p] = i;
    };
    // Cosine from the true word, as SparseMemory.similarity computes it (query norm taken once).
    const data = mem.data[b]!, norms = mem.norms[b]!, qn = normJs(query, 0, W);
    const score = (i: number) => {
      let dot = 0;
      for (let j = 0, o = i * W; j < W; j++, o++) dot += data[o]! * query[j]!;
      return dot / (norms[i]! * qn);
    };
    for (const i of res.neighbors) {
      if (i === N) break;
      if (!this.#dirty.has(i)) offer(i, score(i));
    }
    for (const i of this.#dirty) offer(i, score(i));
    // Never-written words are exact candidates (similarity 0) whether or not the graph search
    // reached their representative (it can miss it among many near-identical words).
    const free = this.#free;
    free.length = 0;
    mem.unwritten(b, K, free);
    for (const i of free) offer(i, 0);
    // Fewer than K candidates: the last one repeats.
    for (let k = 0; k < K; k++) {
      const c = Math.min(k, n - 1);
      outIdx[outOff + k] = bestI[c]!;
      outSim[outOff + k] = bestS[c]!;
    }
  }
}
