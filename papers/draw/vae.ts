/**
 * The MLP variational autoencoder of the ELBO table's baselines, trained either as a VAE
 * (Kingma & Welling 2014: the single-sample ELBO) or as an IWAE (Burda et al. 2015: the
 * k-sample importance-weighted bound). One stochastic layer, as in Burda et al.'s one-layer
 * models: x (784) → tanh(`hidden`) → tanh(`hidden`) → μ, log σ of z (`latent`); z → tanh → tanh →
 * Bernoulli logits of x; prior N(0, I).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { bernoulliNll, gaussianKl } from "./distributions.ts";
import { countParams, kSampleBound, type LatentModel } from "./latent_model.ts";
import { gaussianLogPdf, standardNormalLogPdf } from "./log_density.ts";

/** Sizes and objective of a {@link Vae}. */
export interface VaeConfig {
  /** Pixels per image (784 for 28×28). */
  pixels: number;
  /** Units of each of the two deterministic layers, encoder and decoder (Burda et al.: 200). */
  hidden: number;
  /** Latent units (Burda et al.: 50). */
  latent: number;
  /** Importance samples of the training bound: 1 = VAE, k > 1 = IWAE. */
  k: number;
  /** Positive seed of the weight initialisation. */
  seed: number;
}

/** Clamp for log σ of q, so exp stays finite early in training. */
const LOG_SIG_MIN = -7, LOG_SIG_MAX = 4;

/** Models made so far in this thread (for unique variable names). */
let instances = 0;

/** A one-stochastic-layer MLP VAE / IWAE of binary images. */
export class Vae implements LatentModel {
  readonly cfg: VaeConfig;
  readonly vars: Record<string, tf.Variable>;

  constructor(cfg: VaeConfig) {
    this.cfg = cfg;
    const rng = new Rng(cfg.seed * 1000 + 7);
    const scope = `vae${++instances}`;
    const vars: Record<string, tf.Variable> = {};
    const dense = (name: string, nIn: number, nOut: number, gain = 1) => {
      const lim = gain * Math.sqrt(6 / (nIn + nOut)); // Glorot uniform
      const w = Float32Array.from({ length: nIn * nOut }, () => (2 * rng.next() - 1) * lim);
      vars[`${name}W`] = tf.variable(tf.tensor2d(w, [nIn, nOut]), true, `${scope}/${name}W`);
      vars[`${name}B`] = tf.variable(tf.zeros([nOut]), true, `${scope}/${name}B`);
    };
    const { pixels: d, hidden: h, latent: z } = cfg;
    dense("enc1", d, h);
    dense("enc2", h, h);
    dense("q", h, 2 * z, 0.1);
    dense("dec1", z, h);
    dense("dec2", h, h);
    dense("out", h, d);
    this.vars = vars;
  }

  #layer(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.#v(`${name}W`)), this.#v(`${name}B`)) as tf.Tensor2D;
  }

  #v(name: string): tf.Tensor {
    const v = this.vars[name];
    if (!v) throw new Error(`Vae: no variable ${name}`);
    return v;
  }

  /** μ and clamped log σ of q(z | x), `[B, latent]` each. */
  #posterior(x: tf.Tensor4D): { flat: tf.Tensor2D; mu: tf.Tensor2D; logSig: tf.Tensor2D } {
    const flat = tf.reshape(x, [x.shape[0], this.cfg.pixels]) as tf.Tensor2D;
    const h = tf.tanh(this.#layer(tf.tanh(this.#layer(flat, "enc1")), "enc2")) as tf.Tensor2D;
    const [mu, ls] = tf.split(this.#layer(h, "q"), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { flat, mu, logSig: tf.clipByValue(ls, LOG_SIG_MIN, LOG_SIG_MAX) };
  }

  /** −log p(x | z) per image `[B]`. */
  #recon(flat: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor1D {
    const h = tf.tanh(this.#layer(tf.tanh(this.#layer(z, "dec1")), "dec2")) as tf.Tensor2D;
    return tf.sum(bernoulliNll(flat, this.#layer(h, "out")), 1) as tf.Tensor1D;
  }

  #sample(mu: tf.Tensor2D, logSig: tf.Tensor2D, seed: number): tf.Tensor2D {
    const eps = tf.randomNormal(mu.shape, 0, 1, "float32", seed);
    return tf.add(mu, tf.mul(tf.exp(logSig), eps)) as tf.Tensor2D;
  }

  elbo(x: tf.Tensor4D, seed: number): { recon: tf.Tensor1D; kl: tf.Tensor1D[] } {
    const { flat, mu, logSig } = this.#posterior(x);
    const z = this.#sample(mu, logSig, seed);
    const kl = tf.sum(gaussianKl(mu, logSig, tf.zerosLike(mu), tf.zerosLike(logSig)), 1);
    return { recon: this.#recon(flat, z), kl: [kl as tf.Tensor1D] };
  }

  logWeight(x: tf.Tensor4D, seed: number): tf.Tensor1D {
    const { flat, mu, logSig } = this.#posterior(x);
    const z = this.#sample(mu, logSig, seed);
    const logPz = tf.sum(standardNormalLogPdf(z), 1);
    const logQz = tf.sum(gaussianLogPdf(z, mu, logSig), 1);
    return tf.sub(tf.sub(logPz, logQz), this.#recon(flat, z)) as tf.Tensor1D;
  }

  /**
   * The training loss: the mean negative ELBO (k = 1, closed-form KL) or the mean negative
   * k-sample IWAE bound, −log (1/k) Σ_j w_j with z_j ~ q independent.
   */
  loss(x: tf.Tensor4D, seed: number): tf.Scalar {
    if (this.cfg.k === 1) {
      const { recon, kl } = this.elbo(x, seed);
      return tf.mean(tf.addN([recon, ...kl])) as tf.Scalar;
    }
    return tf.neg(tf.mean(kSampleBound(this, x, this.cfg.k, seed))) as tf.Scalar;
  }

  paramCount(): number {
    return countParams(this.vars);
  }

  dispose(): void {
    for (const v of Object.values(this.vars)) v.dispose();
  }
}
