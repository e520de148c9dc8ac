/**
 * DRAW without attention (Gregor et al. 2015, "DRAW: A Recurrent Neural Network For Image
 * Generation", §2–3.1), the recurrent VAE that conv DRAW's tables compare against. Per
 * iteration t = 1..T, with the whole image read and written (no attention window):
 * ```
 * x̂_t   = x − σ(c_{t−1})                          error image
 * h^e_t = LSTM_enc([x, x̂_t, h^d_{t−1}], h^e_{t−1})
 * q_t   = N(μ_t, σ_t) = linear(h^e_t)             posterior of z_t (`latent` units)
 * z_t  ~ q_t;  prior N(0, I) (fixed, unlike conv DRAW's learned prior)
 * h^d_t = LSTM_dec(z_t, h^d_{t−1})
 * c_t   = c_{t−1} + linear(h^d_t)                 additive canvas (784 logits)
 * −ELBO = −log p(x | σ(c_T)) + Σ_t KL(q_t ‖ N(0, I))
 * ```
 * Sizes are config (the paper's MNIST model without attention: 256 LSTM units, 100 latents,
 * T = 64). The LSTMs are the engine's cell (`lstmCell`, fused gates).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { installEngine, lstmCell, lstmParams, lstmZeroState } from "../../tasks/engine/mod.ts";
import { bernoulliNll, gaussianKl } from "./distributions.ts";
import { countParams, type LatentModel } from "./latent_model.ts";
import { gaussianLogPdf, standardNormalLogPdf } from "./log_density.ts";

/** Sizes of a {@link DrawRnn}. */
export interface DrawRnnConfig {
  /** Pixels per image (784 for 28×28). */
  pixels: number;
  /** LSTM units of the encoder and of the decoder. */
  hidden: number;
  /** Latent units per iteration. */
  latent: number;
  /** Iterations T. */
  iterations: number;
  /** Positive seed of the weight initialisation. */
  seed: number;
}

/** Clamp for log σ of q, so exp stays finite early in training. */
const LOG_SIG_MIN = -7, LOG_SIG_MAX = 4;

/** Models made so far in this thread (for unique variable names). */
let instances = 0;

/** One iteration's posterior sample and its Gaussian. */
interface Draw {
  z: tf.Tensor2D;
  mu: tf.Tensor2D;
  logSig: tf.Tensor2D;
}

/** DRAW with full-image read and write (no attention). */
export class DrawRnn implements LatentModel {
  readonly cfg: DrawRnnConfig;
  readonly vars: Record<string, tf.Variable>;

  constructor(cfg: DrawRnnConfig) {
    installEngine(tf.getBackend()); // fused LSTM gates (idempotent)
    this.cfg = cfg;
    const rng = new Rng(cfg.seed * 1000 + 11);
    const scope = `drawRnn${++instances}`;
    const { pixels: d, hidden: h, latent: z } = cfg;
    const enc = lstmParams(2 * d + h, h, rng, { name: `${scope}/enc` });
    const dec = lstmParams(z, h, rng, { name: `${scope}/dec` });
    const dense = (name: string, nIn: number, nOut: number, gain: number) => {
      const lim = gain * Math.sqrt(6 / (nIn + nOut));
      const w = Float32Array.from({ length: nIn * nOut }, () => (2 * rng.next() - 1) * lim);
      return tf.variable(tf.tensor2d(w, [nIn, nOut]), true, `${scope}/${name}`);
    };
    this.vars = {
      encKernel: enc.kernel,
      encBias: enc.bias,
      decKernel: dec.kernel,
      decBias: dec.bias,
      qW: dense("qW", h, 2 * z, 0.1),
      qB: tf.variable(tf.zeros([2 * z]), true, `${scope}/qB`),
      writeW: dense("writeW", h, d, 1),
      canvas0: tf.variable(tf.zeros([d]), true, `${scope}/canvas0`),
    };
  }

  #v(name: string): tf.Tensor {
    const v = this.vars[name];
    if (!v) throw new Error(`DrawRnn: no variable ${name}`);
    return v;
  }

  /** Run the T iterations on posterior samples; returns the final canvas and every draw. */
  #run(x: tf.Tensor4D, seed: number): { flat: tf.Tensor2D; canvas: tf.Tensor2D; draws: Draw[] } {
    const B = x.shape[0];
    const { pixels: d, hidden: h, iterations: T } = this.cfg;
    const flat = tf.reshape(x, [B, d]) as tf.Tensor2D;
    const encW = {
      kernel: this.#v("encKernel") as tf.Tensor2D,
      bias: this.#v("encBias") as tf.Tensor1D,
    };
    const decW = {
      kernel: this.#v("decKernel") as tf.Tensor2D,
      bias: this.#v("decBias") as tf.Tensor1D,
    };
    let enc = lstmZeroState(B, h), dec = lstmZeroState(B, h);
    let canvas = tf.tile(tf.reshape(this.#v("canvas0"), [1, d]), [B, 1]) as tf.Tensor2D;
    const draws: Draw[] = [];
    for (let t = 0; t < T; t++) {
      const err = tf.sub(flat, tf.sigmoid(canvas)) as tf.Tensor2D;
      enc = lstmCell([flat, err, dec.h], enc, encW);
      const q = tf.add(tf.matMul(enc.h, this.#v("qW")), this.#v("qB"));
      const [mu, ls] = tf.split(q, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      const logSig = tf.clipByValue(ls, LOG_SIG_MIN, LOG_SIG_MAX);
      const eps = tf.randomNormal(mu.shape, 0, 1, "float32", seed * 97 + t + 1);
      const z = tf.add(mu, tf.mul(tf.exp(logSig), eps)) as tf.Tensor2D;
      draws.push({ z, mu, logSig });
      dec = lstmCell(z, dec, decW);
      canvas = tf.add(canvas, tf.matMul(dec.h, this.#v("writeW"))) as tf.Tensor2D;
    }
    return { flat, canvas, draws };
  }

  elbo(x: tf.Tensor4D, seed: number): { recon: tf.Tensor1D; kl: tf.Tensor1D[] } {
    const { flat, canvas, draws } = this.#run(x, seed);
    const kl = draws.map(({ mu, logSig }) =>
      tf.sum(gaussianKl(mu, logSig, tf.zerosLike(mu), tf.zerosLike(logSig)), 1) as tf.Tensor1D
    );
    return { recon: tf.sum(bernoulliNll(flat, canvas), 1) as tf.Tensor1D, kl };
  }

  logWeight(x: tf.Tensor4D, seed: number): tf.Tensor1D {
    const { flat, canvas, draws } = this.#run(x, seed);
    const logRatio = draws.map(({ z, mu, logSig }) =>
      tf.sum(tf.sub(standardNormalLogPdf(z), gaussianLogPdf(z, mu, logSig)), 1)
    );
    const recon = tf.sum(bernoulliNll(flat, canvas), 1);
    return tf.sub(tf.addN(logRatio), recon) as tf.Tensor1D;
  }

  loss(x: tf.Tensor4D, seed: number): tf.Scalar {
    const { recon, kl } = this.elbo(x, seed);
    return tf.mean(tf.addN([recon, ...kl])) as tf.Scalar;
  }

  paramCount(): number {
    return countParams(this.vars);
  }

  dispose(): void {
    for (const v of Object.values(this.vars)) v.dispose();
  }
}
