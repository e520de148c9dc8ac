/**
 * The quantised distributions bits-back coding with conv DRAW needs, on an {@link Ans} stack:
 *
 * - **Latents** (BB-ANS §3.2 bucketing): each latent unit's real line is cut into `2^latentBits`
 *   buckets of equal mass under that unit's prior N(μp, σp²); the bucket's value is the prior's
 *   quantile at the bucket's centre, μp + σp·Φ⁻¹((i + ½)/2^latentBits). Under the prior every
 *   bucket has probability exactly 2^−latentBits (a uniform push). The posterior N(μq, σq²) gives
 *   bucket i the mass Φ((e_{i+1} − m)/s) − Φ((e_i − m)/s) in the prior's standard coordinates
 *   (m = (μq − μp)/σp, s = σq/σp, e_i = Φ⁻¹(i/2^latentBits)), quantised to `2^postBits` as
 *   `C(i) = ⌊F(i)·(2^postBits − 2^latentBits)⌋ + i`, so every bucket has frequency ≥ 1.
 * - **Pixels**: Bernoulli(σ(logit)) with `f₁ = clamp(round(σ·2^pixelBits), 1, 2^pixelBits − 1)`.
 *
 * All quantisation is done in float64 from the model's float32 outputs, so encoder and decoder
 * derive identical integer frequencies.
 *
 * @module
 */
import type { Ans } from "./ans.ts";

/** Precisions (bits) of the quantised distributions. */
export interface CodecPrecision {
  /** Buckets per latent unit: 2^latentBits (equal mass under the prior). */
  latentBits: number;
  /** Frequency precision of the discretised posterior. */
  posteriorBits: number;
  /** Frequency precision of a pixel's Bernoulli. */
  pixelBits: number;
}

/** Our defaults: 4,096 buckets, posterior and pixel frequencies out of 2^24 and 2^16. */
export const DEFAULT_PRECISION: CodecPrecision = {
  latentBits: 12,
  posteriorBits: 24,
  pixelBits: 16,
};

/** Standard normal CDF Φ via {@link erfc}. */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** erfc(x) (Numerical Recipes' Chebyshev fit, fractional error < 1.2e-7 everywhere). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(
    -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
                  t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
                                  t * (-0.82215223 + t * 0.17087277)))))))),
  );
  return x >= 0 ? r : 2 - r;
}

/** Standard normal quantile Φ⁻¹(p) (Wichura's AS241, PPND16, relative error ≈ 1e-16). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return q *
      (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r +
                        45921.953931549871457) * r + 13731.693765509461125) * r +
                1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608) /
      (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r +
                        21213.794301586595867) * r + 5394.1960214247511077) * r +
                687.1870074920579083) * r + 42.313330701600911252) * r + 1);
  }
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let v: number;
  if (r <= 5) {
    r -= 1.6;
    v = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r +
                          0.24178072517745061177) * r + 1.27045825245236838258) * r +
                  3.64784832476320460504) * r + 5.7694972214606914055) * r +
          4.6303378461565452959) * r + 1.42343711074968357734) /
      (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r +
                            0.0151986665636164571966) * r + 0.14810397642748007459) * r +
                    0.68976733498510000455) * r + 1.6763848301838038494) * r +
            2.05319162663775882187) * r + 1);
  } else {
    r -= 5;
    v = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r +
                          0.0012426609473880784386) * r + 0.026532189526576123093) * r +
                  0.29656057182850489123) * r + 1.7848265399172913358) * r +
          5.4637849111641143699) * r + 6.6579046435011037772) /
      (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r +
                            1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
                    0.0148753612908506148525) * r + 0.13692988092273580531) * r +
            0.59983220655588793769) * r + 1);
  }
  return q < 0 ? -v : v;
}

/** Bucket edges and centres in the prior's standard coordinates, per `latentBits`. */
export interface Buckets {
  bits: number;
  /** `2^bits + 1` edges, −∞ … +∞, strictly increasing. */
  edges: Float64Array;
  /** `2^bits` centres Φ⁻¹((i + ½)/2^bits). */
  centres: Float64Array;
}

const bucketCache = new Map<number, Buckets>();

/** The equal-mass buckets of a standard normal (cached per precision). */
export function buckets(bits: number): Buckets {
  const hit = bucketCache.get(bits);
  if (hit) return hit;
  const n = 2 ** bits;
  const edges = Float64Array.from({ length: n + 1 }, (_, i) => normalQuantile(i / n));
  const centres = Float64Array.from({ length: n }, (_, i) => normalQuantile((i + 0.5) / n));
  for (let i = 0; i < n; i++) {
    if (!(edges[i]! < edges[i + 1]!)) throw new Error(`bucket edges not increasing at ${i}`);
  }
  const b = { bits, edges, centres };
  bucketCache.set(bits, b);
  return b;
}

/**
 * The discretised posterior of one latent unit in prior coordinates: `cdf(i)` is the quantised
 * cumulative frequency C(i) (C(0) = 0, C(2^latentBits) = 2^postBits, C(i+1) > C(i)).
 */
export class BucketPosterior {
  readonly #m: number;
  readonly #s: number;
  readonly #b: Buckets;
  readonly #scale: number;
  readonly #n: number;
  readonly #postBits: number;

  /** @param muQ, sigQ, muP, sigP the unit's posterior and prior (σ > 0) */
  constructor(muQ: number, sigQ: number, muP: number, sigP: number, b: Buckets, postBits: number) {
    this.#m = (muQ - muP) / sigP;
    this.#s = sigQ / sigP;
    this.#b = b;
    this.#n = 2 ** b.bits;
    this.#postBits = postBits;
    this.#scale = 2 ** postBits - this.#n;
    if (this.#scale < this.#n) {
      throw new RangeError(`posterior precision ${postBits} too low for ${b.bits} latent bits`);
    }
  }

  /** Quantised cumulative frequency of bucket i (0 ≤ i ≤ 2^latentBits). */
  cdf(i: number): number {
    if (i <= 0) return 0;
    if (i >= this.#n) return 2 ** this.#postBits;
    const f = normalCdf((this.#b.edges[i]! - this.#m) / this.#s);
    return Math.floor(f * this.#scale) + i;
  }

  /** The bucket whose frequency range holds `cf` (binary search). */
  find(cf: number): number {
    let lo = 0, hi = this.#n; // cdf(lo) ≤ cf < cdf(hi)
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf(mid) <= cf) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Pop a bucket index from the stack (sampling it from the posterior). */
  pop(ans: Ans): number {
    const i = this.find(ans.peek(this.#postBits));
    const start = this.cdf(i);
    ans.pop(start, this.cdf(i + 1) - start, this.#postBits);
    return i;
  }

  /** Push bucket index i. */
  push(ans: Ans, i: number): void {
    const start = this.cdf(i);
    ans.push(start, this.cdf(i + 1) - start, this.#postBits);
  }
}

/** Quantised P(pixel = 1) out of 2^bits from a logit, clamped to [1, 2^bits − 1]. */
export function bernoulliFreq(logit: number, bits: number): number {
  const M = 2 ** bits;
  const p = 1 / (1 + Math.exp(-logit));
  return Math.min(M - 1, Math.max(1, Math.round(p * M)));
}

/** Push a binary pixel with P(1) = f1 / 2^bits (symbol 0 is [0, M − f1), symbol 1 the rest). */
export function pushPixel(ans: Ans, bit: number, f1: number, bits: number): void {
  const M = 2 ** bits;
  if (bit) ans.push(M - f1, f1, bits);
  else ans.push(0, M - f1, bits);
}

/** Pop a binary pixel with P(1) = f1 / 2^bits. */
export function popPixel(ans: Ans, f1: number, bits: number): number {
  const M = 2 ** bits;
  const bit = ans.peek(bits) >= M - f1 ? 1 : 0;
  if (bit) ans.pop(M - f1, f1, bits);
  else ans.pop(0, M - f1, bits);
  return bit;
}
