/**
 * The "least accessed ring" of Rae et al. 2016 App. A.3: a circular doubly linked list over the
 * N slots whose head is the least recently accessed slot. An access moves a slot to the tail;
 * the LRU slot is the head. Every operation is O(1). `reset()` restores the initial order
 * 0, 1, …, N−1 in time proportional to the slots touched since the last reset.
 * @module
 */

/** O(1) least-recently-accessed tracker over N slots. */
export class LruRing {
  readonly size: number;
  #next: Int32Array;
  #prev: Int32Array;
  #head = 0;
  #dirty: Int32Array;
  #dirtyFlag: Uint8Array;
  #nDirty = 0;

  /** @param size number of slots N ≥ 1; initial order 0 … N−1 (slot 0 least recent). */
  constructor(size: number) {
    this.size = size;
    this.#next = new Int32Array(size);
    this.#prev = new Int32Array(size);
    for (let i = 0; i < size; i++) {
      this.#next[i] = (i + 1) % size;
      this.#prev[i] = (i - 1 + size) % size;
    }
    this.#dirty = new Int32Array(Math.min(size, 1024));
    this.#dirtyFlag = new Uint8Array(size);
  }

  /** The least recently accessed slot (ties: never-accessed slots in index order). */
  lru(): number {
    return this.#head;
  }

  #mark(i: number): void {
    if (this.#dirtyFlag[i]) return;
    this.#dirtyFlag[i] = 1;
    if (this.#nDirty === this.#dirty.length) {
      const d = new Int32Array(Math.min(this.size, this.#dirty.length * 2));
      d.set(this.#dirty);
      this.#dirty = d;
    }
    this.#dirty[this.#nDirty++] = i;
  }

  /** Record an access of slot i: it becomes the most recently accessed (the tail). */
  access(i: number): void {
    if (this.size === 1) return;
    if (i === this.#head) {
      // The head moves one step; the ring order is unchanged (i becomes the tail).
      this.#mark(i);
      this.#head = this.#next[i]!;
      return;
    }
    const tail = this.#prev[this.#head]!;
    if (i === tail) return;
    const p = this.#prev[i]!, n = this.#next[i]!;
    this.#mark(i), this.#mark(p), this.#mark(n), this.#mark(tail), this.#mark(this.#head);
    this.#next[p] = n;
    this.#prev[n] = p;
    this.#next[tail] = i;
    this.#prev[i] = tail;
    this.#next[i] = this.#head;
    this.#prev[this.#head] = i;
  }

  /** Slots from least to most recently accessed (O(N); for tests). */
  order(): number[] {
    const out: number[] = [];
    let i = this.#head;
    for (let k = 0; k < this.size; k++, i = this.#next[i]!) out.push(i);
    return out;
  }

  /** Restore the initial order in O(touched slots). */
  reset(): void {
    const N = this.size;
    for (let k = 0; k < this.#nDirty; k++) {
      const i = this.#dirty[k]!;
      this.#next[i] = (i + 1) % N;
      this.#prev[i] = (i - 1 + N) % N;
      this.#dirtyFlag[i] = 0;
    }
    this.#nDirty = 0;
    this.#head = 0;
  }
}
