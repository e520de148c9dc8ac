/**
 * Priority sort (Graves et al. 2014; Rae et al. 2016 §4.2): read `inputs` random bit vectors,
 * each with a scalar priority uniform in [−1, 1]; after a delimiter, output the `outputs`
 * vectors of highest priority, in descending priority order.
 *
 * ```
 * input   (x1,p1) (x2,p2) ... (xn,pn)  D  0 ... 0
 * target                                  x(1) ... x(m)   (sorted by priority, scored)
 * ```
 * Channels: `bits` data, 1 priority, 1 delimiter.
 * @module
 */
import type { Rng } from "../../tasks/core/rng.ts";
import { emptyEpisode, type Episode } from "./episode.ts";

/** Options. Paper: 20 inputs, top 16 out; NTM paper: 8-bit vectors, priorities U(−1, 1). */
export interface PrioritySortOptions {
  batch: number;
  bits: number;
  inputs: number;
  outputs: number;
}

/** Input width X = bits + 2 and target width Y = bits. */
export function prioritySortSizes(o: Pick<PrioritySortOptions, "bits">): { X: number; Y: number } {
  return { X: o.bits + 2, Y: o.bits };
}

/** Sample one minibatch (T = inputs + 1 + outputs). */
export function prioritySortEpisode(rng: Rng, o: PrioritySortOptions): Episode {
  if (o.outputs > o.inputs) throw new RangeError("priority sort: outputs must be ≤ inputs");
  const B = o.batch, { X, Y } = prioritySortSizes(o);
  const T = o.inputs + 1 + o.outputs;
  const ep = emptyEpisode(T, B, X, Y);
  for (let b = 0; b < B; b++) {
    const vecs: number[][] = [];
    const pri: number[] = [];
    for (let k = 0; k < o.inputs; k++) {
      const v = Array.from({ length: o.bits }, () => rng.bernoulli(0.5));
      const p = rng.next() * 2 - 1;
      vecs.push(v);
      pri.push(p);
      for (let j = 0; j < o.bits; j++) ep.input[(k * B + b) * X + j] = v[j]!;
      ep.input[(k * B + b) * X + o.bits] = p;
    }
    ep.input[(o.inputs * B + b) * X + o.bits + 1] = 1;
    const order = pri.map((p, k) => [p, k] as const).sort((a, c) => c[0] - a[0]);
    for (let m = 0; m < o.outputs; m++) {
      const t = o.inputs + 1 + m;
      ep.mask[t * B + b] = 1;
      const v = vecs[order[m]![1]]!;
      for (let j = 0; j < o.bits; j++) ep.target[(t * B + b) * Y + j] = v[j]!;
    }
  }
  return ep;
}
