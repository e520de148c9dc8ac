/**
 * {@link ConvDraw} as a {@link LatentModel}: its loss and ELBO terms as they are, and the log
 * importance weight of one posterior sample, log p(x | r_T) + Σ_t [log p_t(z_t) − log q_t(z_t)],
 * read from the model's trace (the learned prior p_t and posterior q_t of every iteration).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { ConvDraw, type ConvDrawConfig } from "./conv_draw.ts";
import type { LatentModel } from "./latent_model.ts";
import { gaussianLogPdf } from "./log_density.ts";

/** A conv DRAW that also gives log importance weights. */
export class ConvDrawLatent implements LatentModel {
  readonly model: ConvDraw;
  readonly vars: Record<string, tf.Variable>;

  constructor(cfg: ConvDrawConfig) {
    this.model = new ConvDraw(cfg);
    this.vars = this.model.vars;
  }

  loss(x: tf.Tensor4D, seed: number): tf.Scalar {
    return this.model.loss(x, seed);
  }

  elbo(x: tf.Tensor4D, seed: number): { recon: tf.Tensor1D; kl: tf.Tensor1D[] } {
    const { recon, kl } = this.model.elbo(x, seed);
    return { recon, kl };
  }

  logWeight(x: tf.Tensor4D, seed: number): tf.Tensor1D {
    const { recon, trace } = this.model.elbo(x, seed, true);
    if (!trace) throw new Error("ConvDraw.elbo returned no trace");
    const logRatio = trace.map(({ z, muQ, logSigQ, muP, logSigP }) =>
      tf.sum(tf.sub(gaussianLogPdf(z, muP, logSigP), gaussianLogPdf(z, muQ, logSigQ)), [1, 2, 3])
    );
    return tf.sub(tf.addN(logRatio), recon) as tf.Tensor1D;
  }

  paramCount(): number {
    return this.model.paramCount();
  }

  dispose(): void {
    this.model.dispose();
  }
}
