/**
 * Associative recall (Graves et al. 2014; Rae et al. 2016 §4.2): a list of items, each
 * `itemSteps` random bit vectors, then a query item; answer with the item that followed it.
 *
 * ```
 * input   d i1 i1 i1  d i2 i2 i2 ... d in in in  q ik ik ik  q  0  0  0
 * target                                                        ik+1 (3 steps, scored)
 * ```
 * Channels: `bits` data channels, one item delimiter (d), one query delimiter (q).
 * @module
 */
import type { Rng } from "../../tasks/core/rng.ts";
import { emptyEpisode, type Episode } from "./episode.ts";

/** Options. Paper: 3–6 items; NTM paper: items of 3 six-bit vectors. */
export interface AssociativeRecallOptions {
  batch: number;
  bits: number;
  itemSteps: number;
  minItems: number;
  maxItems: number;
}

/** Input width X = bits + 2 and target width Y = bits. */
export function associativeRecallSizes(o: Pick<AssociativeRecallOptions, "bits">): {
  X: number;
  Y: number;
} {
  return { X: o.bits + 2, Y: o.bits };
}

/** Sample one minibatch; each sequence draws its own item count and query. */
export function associativeRecallEpisode(rng: Rng, o: AssociativeRecallOptions): Episode {
  const B = o.batch, S = o.itemSteps, { X, Y } = associativeRecallSizes(o);
  const counts = Array.from(
    { length: B },
    () => o.minItems + rng.int(o.maxItems - o.minItems + 1),
  );
  const len = (n: number) => n * (S + 1) + 2 * (S + 1) + S;
  const T = len(Math.max(...counts));
  const ep = emptyEpisode(T, B, X, Y);
  for (let b = 0; b < B; b++) {
    const n = counts[b]!;
    const items: number[][] = [];
    for (let k = 0; k < n; k++) {
      items.push(Array.from({ length: S * o.bits }, () => rng.bernoulli(0.5)));
    }
    const put = (t: number, ch: number, v: number) => (ep.input[(t * B + b) * X + ch] = v);
    let t = 0;
    for (let k = 0; k < n; k++) {
      put(t++, o.bits, 1);
      for (let s = 0; s < S; s++, t++) {
        for (let j = 0; j < o.bits; j++) put(t, j, items[k]![s * o.bits + j]!);
      }
    }
    const q = rng.int(n - 1);
    put(t++, o.bits + 1, 1);
    for (let s = 0; s < S; s++, t++) {
      for (let j = 0; j < o.bits; j++) put(t, j, items[q]![s * o.bits + j]!);
    }
    put(t++, o.bits + 1, 1);
    for (let s = 0; s < S; s++, t++) {
      ep.mask[t * B + b] = 1;
      for (let j = 0; j < o.bits; j++) {
        ep.target[(t * B + b) * Y + j] = items[q + 1]![s * o.bits + j]!;
      }
    }
  }
  return ep;
}
