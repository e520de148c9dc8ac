/**
 * Copy task (Graves et al. 2014; Rae et al. 2016 §4.2): read a sequence of random bit vectors,
 * then reproduce it after a delimiter.
 *
 * ```
 * input   x1 x2 .. xL  D  0  0 ..  0      (bits channels + 1 delimiter channel)
 * target   .  . ..  .  .  x1 x2 .. xL     (scored only on the last L steps)
 * ```
 * Each sequence in the batch draws its own length L ∈ [minLength, maxLength]; shorter ones are
 * padded at the end with mask 0.
 * @module
 */
import type { Rng } from "../../tasks/core/rng.ts";
import { emptyEpisode, type Episode } from "./episode.ts";

/** Copy task options. Paper: lengths 1–20; NTM paper: 8-bit vectors. */
export interface CopyOptions {
  batch: number;
  bits: number;
  minLength: number;
  maxLength: number;
}

/** Input width X = bits + 1 and target width Y = bits. */
export function copySizes(o: Pick<CopyOptions, "bits">): { X: number; Y: number } {
  return { X: o.bits + 1, Y: o.bits };
}

/** Sample one copy minibatch (T = 2·maxL + 1 of the drawn lengths). */
export function copyEpisode(rng: Rng, o: CopyOptions): Episode {
  const lengths = Array.from(
    { length: o.batch },
    () => o.minLength + rng.int(o.maxLength - o.minLength + 1),
  );
  const T = 2 * Math.max(...lengths) + 1;
  const { X, Y } = copySizes(o);
  const B = o.batch;
  const ep = emptyEpisode(T, B, X, Y);
  for (let b = 0; b < B; b++) {
    const L = lengths[b]!;
    for (let t = 0; t < L; t++) {
      for (let j = 0; j < o.bits; j++) {
        const v = rng.bernoulli(0.5);
        ep.input[(t * B + b) * X + j] = v;
        ep.target[((t + L + 1) * B + b) * Y + j] = v;
      }
      ep.mask[(t + L + 1) * B + b] = 1;
    }
    ep.input[(L * B + b) * X + o.bits] = 1;
  }
  return ep;
}
