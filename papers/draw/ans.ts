/**
 * A range asymmetric numeral systems (rANS) coder with a stack discipline (last pushed, first
 * popped), the entropy coder of bits-back coding (Townsend, Bird & Barber 2019, BB-ANS). Written
 * here: no maintained npm package offers an ANS coder with push/pop of arbitrary integer
 * frequencies.
 *
 * The message is a state `x ∈ [2^31, 2^47)` (the "head") over a stack of 16-bit words (the
 * "tail"). Every product and quotient stays below 2^53, so plain JS numbers are exact. A symbol is
 * given as `(start, freq)` out of `2^prec` with `1 ≤ freq`, `start + freq ≤ 2^prec`,
 * `prec ≤ {@link MAX_PRECISION}`:
 * ```
 * push: renormalise (emit low 16 bits while x ≥ 2^(47−prec)·freq), then
 *       x ← ⌊x / freq⌋·2^prec + (x mod freq) + start
 * pop:  cf = x mod 2^prec (find the symbol with start ≤ cf < start + freq), then
 *       x ← freq·⌊x / 2^prec⌋ + cf − start, and read words while x < 2^31
 * ```
 * A pop from an empty tail draws words from a seeded generator (the "initial bits" of bits-back
 * coding) and counts them; decoding returns exactly those words to the tail, so a decoder can
 * check that it consumed the whole message.
 *
 * @module
 */
import { Rng } from "../../tasks/core/rng.ts";

/** Lower end of the head interval. */
const L = 2 ** 31;
/** Radix of a tail word. */
const WORD = 2 ** 16;
/** Largest supported precision (bits) of a symbol's frequencies. */
export const MAX_PRECISION = 24;

/** A serialised message: the head and the tail words (bottom first). */
export interface AnsMessage {
  head: number;
  tail: Uint16Array;
}

/** A rANS stack. */
export class Ans {
  #x: number;
  #tail: number[];
  #rng: Rng;
  /** Words drawn from the generator because a pop found the tail empty. */
  initialWordsDrawn = 0;

  /**
   * @param message a message to decode, or none to start a fresh one (head drawn at random)
   * @param seed seed of the initial-bits generator (head of a fresh message, empty-tail pops)
   */
  constructor(message?: AnsMessage, seed = 1) {
    this.#rng = new Rng(seed);
    if (message) {
      if (!Number.isInteger(message.head) || message.head < L || message.head >= L * WORD) {
        throw new RangeError(`ANS head ${message.head} outside [2^31, 2^47)`);
      }
      this.#x = message.head;
      this.#tail = Array.from(message.tail);
    } else {
      this.#x = L + this.#word() * WORD + this.#word() % (L / WORD);
      this.#tail = [];
    }
  }

  /** Bits in a fresh message before anything is pushed (the random head): 31. */
  static readonly HEAD_RANDOM_BITS = 31;

  /**
   * True when `m` is exactly what a fresh stack of `seed` holds after its first pops drew
   * `m.tail.length` words: what a decoder is left with after undoing every push.
   */
  static isInitial(m: AnsMessage, seed: number): boolean {
    const fresh = new Ans(undefined, seed);
    if (fresh.#x !== m.head) return false;
    const k = m.tail.length;
    const drawn = Array.from({ length: k }, () => fresh.#word());
    return drawn.every((w, i) => m.tail[k - 1 - i] === w);
  }

  #word(): number {
    return this.#rng.int(WORD);
  }

  /** Push a symbol with `start`, `freq` out of `2^prec`. */
  push(start: number, freq: number, prec: number): void {
    check(start, freq, prec);
    const xMax = 2 ** (47 - prec) * freq;
    let x = this.#x;
    while (x >= xMax) {
      this.#tail.push(x % WORD);
      x = Math.floor(x / WORD);
    }
    let q = Math.floor(x / freq);
    let r = x - q * freq;
    if (r < 0) (q--, r += freq); // guard the float quotient (exact for x < 2^47, kept for safety)
    else if (r >= freq) (q++, r -= freq);
    this.#x = q * 2 ** prec + r + start;
  }

  /** The cumulative frequency the next pop at precision `prec` decodes (`0 ≤ cf < 2^prec`). */
  peek(prec: number): number {
    if (!Number.isInteger(prec) || prec < 1 || prec > MAX_PRECISION) {
      throw new RangeError(`ANS precision ${prec} outside 1..${MAX_PRECISION}`);
    }
    return this.#x % 2 ** prec;
  }

  /** Pop the symbol `(start, freq)` that contains {@link peek}`(prec)`. */
  pop(start: number, freq: number, prec: number): void {
    check(start, freq, prec);
    const M = 2 ** prec;
    const cf = this.#x % M;
    if (cf < start || cf >= start + freq) {
      throw new RangeError(`ANS pop: cf ${cf} not in symbol [${start}, ${start + freq})`);
    }
    let x = freq * Math.floor(this.#x / M) + cf - start;
    while (x < L) {
      let w = this.#tail.pop();
      if (w === undefined) {
        w = this.#word();
        this.initialWordsDrawn++;
      }
      x = x * WORD + w;
    }
    this.#x = x;
  }

  /** Push `value ∈ [0, 2^bits)` with a uniform distribution. */
  pushUniform(value: number, bits: number): void {
    this.push(value, 1, bits);
  }

  /** Pop a uniform value of `bits` bits. */
  popUniform(bits: number): number {
    const v = this.peek(bits);
    this.pop(v, 1, bits);
    return v;
  }

  /** The message as it stands (a copy). */
  message(): AnsMessage {
    return { head: this.#x, tail: Uint16Array.from(this.#tail) };
  }

  /** Bits of the message: 47 for the head plus 16 per tail word. */
  bits(): number {
    return 47 + 16 * this.#tail.length;
  }
}

function check(start: number, freq: number, prec: number): void {
  if (!Number.isInteger(prec) || prec < 1 || prec > MAX_PRECISION) {
    throw new RangeError(`ANS precision ${prec} outside 1..${MAX_PRECISION}`);
  }
  if (
    !Number.isInteger(start) || !Number.isInteger(freq) || freq < 1 || start < 0 ||
    start + freq > 2 ** prec
  ) {
    throw new RangeError(`ANS symbol start ${start} freq ${freq} invalid at precision ${prec}`);
  }
}

/** Serialise a message: head as 6 bytes, tail length as 4 bytes, tail words, little-endian. */
export function messageBytes(m: AnsMessage): Uint8Array {
  const out = new Uint8Array(10 + 2 * m.tail.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, m.head % 2 ** 32, true);
  dv.setUint16(4, Math.floor(m.head / 2 ** 32), true);
  dv.setUint32(6, m.tail.length, true);
  m.tail.forEach((w, i) => dv.setUint16(10 + 2 * i, w, true));
  return out;
}

/** Parse {@link messageBytes}; throws on a truncated or malformed buffer. */
export function parseMessage(b: Uint8Array): AnsMessage {
  if (b.length < 10) throw new RangeError(`ANS message of ${b.length} bytes, need at least 10`);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const head = dv.getUint32(0, true) + dv.getUint16(4, true) * 2 ** 32;
  const n = dv.getUint32(6, true);
  if (b.length !== 10 + 2 * n) {
    throw new RangeError(`ANS message: ${b.length} bytes, header says ${10 + 2 * n}`);
  }
  const tail = new Uint16Array(n);
  for (let i = 0; i < n; i++) tail[i] = dv.getUint16(10 + 2 * i, true);
  if (head < L) throw new RangeError(`ANS head ${head} below 2^31`);
  return { head, tail };
}
