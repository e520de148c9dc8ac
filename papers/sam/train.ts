/**
 * Training loop of Figure 2: RMSProp on minibatches of a synthetic task, gradient clipping by
 * global norm, the per-sequence cost in bits of every training minibatch recorded.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { costBits, type Episode } from "../../datasets/synthetic/mod.ts";
import { PARAM_NAMES } from "./controller.ts";
import type { SequenceModel } from "./model.ts";

/** Optimiser settings (paper Supp. C: RMSProp, lr 1e-5 tuned for DAM, 8 async workers). */
export interface TrainOptions {
  episodes: number;
  learningRate: number;
  /** RMSProp decay. */
  decay: number;
  /** Clip the global gradient norm to this value (0 = no clipping). */
  clipNorm: number;
  /** Called after each episode with (episode index, cost in bits). */
  onEpisode?: (i: number, bits: number) => void;
  /** Checked after each minibatch with the costs so far: true ends training there. */
  stop?: (costs: readonly number[]) => boolean;
}

/** Scale gradients so their global L2 norm is at most `clip`; returns new tensors. */
export function clipByGlobalNorm(grads: tf.Tensor[], clip: number): tf.Tensor[] {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))).dataSync()[0]!;
    const s = clip > 0 && norm > clip ? clip / norm : 1;
    return grads.map((g) => tf.mul(g, s));
  });
}

/**
 * One optimiser step: clip `grads` (in PARAM_NAMES order, as `SequenceModel.run` returns them) to
 * global norm `clip` (0: no clipping) and apply them to `model`'s parameters. Disposes `grads`.
 */
export function applyClippedGrads(
  opt: tf.Optimizer,
  model: SequenceModel,
  grads: tf.Tensor[],
  clip: number,
): void {
  const clipped = clipByGlobalNorm(grads, clip);
  tf.dispose(grads);
  const named: Record<string, tf.Tensor> = {};
  PARAM_NAMES.forEach((n, k) => (named[model.params[n].name] = clipped[k]!));
  opt.applyGradients(named);
  tf.dispose(clipped);
}

/** Train `model` on `episodes` minibatches from `next`; returns the cost in bits per episode. */
export function train(
  model: SequenceModel,
  next: (i: number) => Episode,
  o: TrainOptions,
): number[] {
  const opt = tf.train.rmsprop(o.learningRate, o.decay, 0, 1e-8);
  const costs: number[] = [];
  for (let i = 0; i < o.episodes; i++) {
    const ep = next(i);
    const res = model.run(ep, true);
    const bits = costBits(ep, res.probs);
    applyClippedGrads(opt, model, res.grads!, o.clipNorm);
    costs.push(bits);
    o.onEpisode?.(i, bits);
    if (o.stop?.(costs)) break;
  }
  opt.dispose();
  return costs;
}
