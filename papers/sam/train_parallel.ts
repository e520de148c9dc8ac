/**
 * The training loop of `train.ts` with each minibatch's gradient computed by replica workers
 * (`TrainPool`): the batch is split into one shard per worker, the shard gradients are combined
 * weighted by their share of the batch (each is the gradient of its shard's mean loss, so the
 * combination is the minibatch gradient), then clipped and applied by RMSProp here.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import { splitEpisode } from "./episode_shards.ts";
import { flatWeights, unflattenGrads } from "./flat_params.ts";
import type { SequenceModel } from "./model.ts";
import { applyClippedGrads, type TrainOptions } from "./train.ts";
import type { TrainPool } from "./train_pool.ts";

/** Minibatch gradient from the pool: Σ_s (B_s / B) g_s, and the minibatch cost in bits. */
export async function pooledGrads(
  model: SequenceModel,
  pool: TrainPool,
  ep: Episode,
): Promise<{ bits: number; grads: tf.Tensor[] }> {
  const res = await pool.grads(flatWeights(model.params), splitEpisode(ep, pool.size));
  const sum = new Float32Array(res[0]!.grads.length);
  let bits = 0;
  for (const r of res) {
    const w = r.B / ep.B;
    for (let i = 0; i < sum.length; i++) sum[i]! += w * r.grads[i]!;
    bits += w * r.bits;
  }
  return { bits, grads: unflattenGrads(model.params, sum) };
}

/**
 * Train `model`'s parameters on `episodes` minibatches from `next`, gradients from `pool`;
 * returns the cost in bits per minibatch (mean over its sequences).
 */
export async function trainParallel(
  model: SequenceModel,
  pool: TrainPool,
  next: (i: number) => Episode,
  o: TrainOptions,
): Promise<number[]> {
  const opt = tf.train.rmsprop(o.learningRate, o.decay, 0, 1e-8);
  const costs: number[] = [];
  try {
    for (let i = 0; i < o.episodes; i++) {
      const { bits, grads } = await pooledGrads(model, pool, next(i));
      applyClippedGrads(opt, model, grads, o.clipNorm);
      costs.push(bits);
      o.onEpisode?.(i, bits);
      if (o.stop?.(costs)) break;
    }
  } finally {
    opt.dispose();
  }
  return costs;
}
