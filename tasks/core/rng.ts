/**
 * Seeded pseudo-random numbers for data generation (never `Math.random()`).
 *
 * PCG32 (O'Neill 2014, XSH-RR output, 64-bit state) with BigInt-free 32-bit arithmetic
 * split into hi/lo halves, so streams are identical on every JS engine.
 *
 * @example
 * ```ts
 * import { Rng } from "./rng.ts";
 * const rng = new Rng(1);
 * const u = rng.next(); // in [0, 1)
 * ```
 * @module
 */

const MULT_HI = 0x5851f42d;
const MULT_LO = 0x4c957f2d;
const INC_HI = 0x14057b7e;
const INC_LO = 0xf767814f;

/** A seeded PCG32 generator. Seeds must be positive integers. */
export class Rng {
  #hi = 0;
  #lo = 0;
  #spare: number | null = null;

  /** @param seed positive integer; 0, negatives and non-integers throw a RangeError. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed) || seed <= 0) {
      throw new RangeError(`Rng seed must be a positive integer, got ${seed}`);
    }
    this.#step();
    this.#lo = (this.#lo + (seed >>> 0)) >>> 0;
    this.#hi = (this.#hi + Math.floor(seed / 0x100000000)) >>> 0;
    this.#step();
  }

  /** Advance state: state = state * MULT + INC (mod 2^64). */
  #step(): void {
    const lo = this.#lo, hi = this.#hi;
    // 64-bit multiply low part using 16-bit limbs for exactness.
    const a0 = lo & 0xffff, a1 = lo >>> 16, b0 = MULT_LO & 0xffff, b1 = MULT_LO >>> 16;
    const p00 = a0 * b0;
    const p01 = a0 * b1;
    const p10 = a1 * b0;
    const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const newLo = ((mid & 0xffff) << 16 | (p00 & 0xffff)) >>> 0;
    const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
    const newHi = (carry + Math.imul(lo, MULT_HI) + Math.imul(hi, MULT_LO)) >>> 0;
    const sumLo = newLo + INC_LO;
    this.#lo = sumLo >>> 0;
    this.#hi = (newHi + INC_HI + (sumLo > 0xffffffff ? 1 : 0)) >>> 0;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const hi = this.#hi, lo = this.#lo;
    this.#step();
    // xorshifted = ((state >> 18) ^ state) >> 27, truncated to 32 bits.
    const xHi = (hi ^ (hi >>> 18)) >>> 0;
    const xLo = (lo ^ ((lo >>> 18) | (hi << 14))) >>> 0;
    const xorshifted = ((xLo >>> 27) | (xHi << 5)) >>> 0;
    const rot = hi >>> 27;
    return ((xorshifted >>> rot) | (xorshifted << ((32 - rot) & 31))) >>> 0;
  }

  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextUint32() / 0x100000000;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int(n) needs n ≥ 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** 1 with probability p, else 0. */
  bernoulli(p: number): number {
    return this.next() < p ? 1 : 0;
  }

  /** Standard normal sample (Box–Muller, caching the second value). */
  normal(): number {
    if (this.#spare !== null) {
      const s = this.#spare;
      this.#spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffle an array in place (Fisher–Yates) and return it. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }

  /** A derived positive seed for a child stream (e.g. one per TF.js initializer). */
  childSeed(): number {
    return (this.nextUint32() % 2147483646) + 1;
  }
}
