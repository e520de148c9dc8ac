/**
 * Split a minibatch along the batch axis into shards for data-parallel replicas. A shard keeps
 * its sequences' steps up to the last scored one (later steps carry no loss and no gradient), so
 * the sum of the shard gradients weighted by their share of the batch is the minibatch gradient.
 * @module
 */
import type { Episode } from "../../datasets/synthetic/mod.ts";

/** `n` shards of `ep` (sizes differ by at most one), each trimmed after its last scored step. */
export function splitEpisode(ep: Episode, n: number): Episode[] {
  if (!Number.isInteger(n) || n < 1 || n > ep.B) {
    throw new RangeError(`cannot split a batch of ${ep.B} into ${n} shards`);
  }
  const { T, B, X, Y } = ep;
  const shards: Episode[] = [];
  let b0 = 0;
  for (let s = 0; s < n; s++) {
    const Bs = Math.floor(B / n) + (s < B % n ? 1 : 0);
    let Ts = 0;
    for (let t = 0; t < T; t++) {
      for (let b = b0; b < b0 + Bs; b++) if (ep.mask[t * B + b] !== 0) Ts = t + 1;
    }
    Ts = Math.max(Ts, 1);
    const input = new Float32Array(Ts * Bs * X), target = new Float32Array(Ts * Bs * Y);
    const mask = new Float32Array(Ts * Bs);
    for (let t = 0; t < Ts; t++) {
      input.set(ep.input.subarray((t * B + b0) * X, (t * B + b0 + Bs) * X), t * Bs * X);
      target.set(ep.target.subarray((t * B + b0) * Y, (t * B + b0 + Bs) * Y), t * Bs * Y);
      mask.set(ep.mask.subarray(t * B + b0, t * B + b0 + Bs), t * Bs);
    }
    shards.push({ input, target, mask, T: Ts, B: Bs, X, Y, ...(ep.loss ? { loss: ep.loss } : {}) });
    b0 += Bs;
  }
  return shards;
}
