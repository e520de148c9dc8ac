/**
 * What the ELBO table needs of a latent-variable image model, whatever its architecture (the
 * MLP VAE and IWAE, DRAW without attention, conv DRAW): its variables, its training loss, the
 * single-sample ELBO terms and one-sample log importance weights for an importance-sampled
 * log-likelihood. Images are `[B, 28, 28, 1]` with pixels in {0, 1}; every value is in nats.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { logMeanExp } from "./log_density.ts";

/** A trainable latent-variable model of binary images. */
export interface LatentModel {
  /** Every trainable variable, by role. */
  readonly vars: Record<string, tf.Variable>;
  /** The training objective, a mean over the batch (nats/image). Call inside a tidy. */
  loss(x: tf.Tensor4D, seed: number): tf.Scalar;
  /**
   * Single-sample negative ELBO terms per image: `recon` = −log p(x | z) and one KL term per
   * stochastic layer or iteration, each `[B]`. Call inside a tidy.
   */
  elbo(x: tf.Tensor4D, seed: number): { recon: tf.Tensor1D; kl: tf.Tensor1D[] };
  /**
   * log p(x, z) − log q(z | x) per image `[B]` at one posterior sample z ~ q drawn with `seed`
   * (its mean over samples is the ELBO; log-mean-exp over k samples is the k-sample bound).
   * Call inside a tidy.
   */
  logWeight(x: tf.Tensor4D, seed: number): tf.Tensor1D;
  /** Number of scalar parameters. */
  paramCount(): number;
  /** Free every variable. */
  dispose(): void;
}

/** Number of scalar parameters of a variable map. */
export function countParams(vars: Record<string, tf.Variable>): number {
  return Object.values(vars).reduce((s, v) => s + v.size, 0);
}

/**
 * The k-sample importance-weighted bound log (1/k) Σ_j p(x, z_j) / q(z_j | x) per image `[B]`,
 * z_j ~ q independent (Burda et al. 2015): k = 1 is a sampled ELBO, k → ∞ tends to log p(x).
 * The k copies of the batch run as one batch of k·B. Call inside a tidy.
 */
export function kSampleBound(
  model: Pick<LatentModel, "logWeight">,
  x: tf.Tensor4D,
  k: number,
  seed: number,
): tf.Tensor1D {
  const B = x.shape[0];
  const tiled = tf.tile(x, [k, 1, 1, 1]) as tf.Tensor4D; // sample j of image b at j·B + b
  return logMeanExp(tf.reshape(model.logWeight(tiled, seed), [k, B]) as tf.Tensor2D);
}
