/**
 * Convolutional DRAW (Gregor et al. 2016, "Towards Conceptual Compression"), one layer.
 *
 * Per iteration t = 1..T (the notes' §1.1; equation numbers of the paper are not recoverable):
 * ```
 * ε_t   = x − μ(r_{t−1})                           error image, μ = mean of p(x | r)
 * h^e_t = ConvLSTM_enc([x, ε_t, h^d_{t−1}], h^e_{t−1})
 * q_t   = N(μ_q, σ_q) = conv(h^e_t)                 posterior q(z_t | x, z_<t)
 * p_t   = N(μ_p, σ_p) = conv(h^d_{t−1})             LEARNED prior p(z_t | z_<t)
 * z_t  ~ q_t                                        (generation: z_t ~ p_t, or its mean)
 * h^d_t = ConvLSTM_dec([z_t, r_{t−1}], h^d_{t−1})
 * r_t   = r_{t−1} + W ∗ h^d_t                       additive canvas
 * −ELBO = −log p(x | r_T) + Σ_t KL(q_t ‖ p_t)       nats per image
 * ```
 * Porting note: all sizes are ours (the paper's are unknown here). The image is first folded by
 * space-to-depth (factor `s2d`, e.g. 28×28×1 → 7×7×16), so the LSTMs, the latent maps z_t
 * `[H/s2d, W/s2d, zChannels]` and the canvas live at that resolution; the canvas write is a 1×1
 * conv followed by depth-to-space (a sub-pixel, i.e. strided transposed, convolution). Initial
 * LSTM states are zero; the initial canvas r_0 is learned.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { depthToSpace, installEngine, lstmGates, spaceToDepth } from "../../tasks/engine/mod.ts";
import { conv2dSame } from "./conv_ops.ts";
import { bernoulliNll, discretizedLogisticNll, gaussianKl } from "./distributions.ts";

/** Sizes of a conv DRAW model (all ours; see the module doc). */
export interface ConvDrawConfig {
  /** Image height and width (28 for MNIST/Omniglot/Fashion-MNIST). */
  height: number;
  width: number;
  /** Space-to-depth factor before the LSTMs (2 → 14×14, 4 → 7×7 for 28×28). */
  s2d: number;
  /** Conv-LSTM feature maps. */
  hidden: number;
  /** Latent channels per iteration (z_t is `[H/s2d, W/s2d, zChannels]`). */
  zChannels: number;
  /** Number of DRAW iterations T. */
  iterations: number;
  /** Odd kernel size of the LSTM, posterior and prior convolutions. */
  kernel: number;
  /** `bernoulli` for binary images, `logistic` (discretized, 256 levels) for 8-bit images. */
  likelihood: "bernoulli" | "logistic";
  /** Seed of the weight initialisation (positive). */
  seed: number;
}

/** Per-iteration tensors kept when `trace` is requested (all `[B, h, w, Cz]`). */
export interface StepTrace {
  z: tf.Tensor4D;
  muQ: tf.Tensor4D;
  logSigQ: tf.Tensor4D;
  muP: tf.Tensor4D;
  logSigP: tf.Tensor4D;
}

/** Result of {@link ConvDraw.elbo}. */
export interface ElboTerms {
  /** `[B]` reconstruction term −log p(x | r_T), nats. */
  recon: tf.Tensor1D;
  /** T tensors `[B]`: KL(q_t ‖ p_t) summed over every latent unit, nats. */
  kl: tf.Tensor1D[];
  /** Present when `trace` was set. */
  trace?: StepTrace[];
}

/** How latents are chosen in {@link ConvDraw.decode}. */
export type PriorVariant = "mean" | "sample";

interface LstmState {
  h: tf.Tensor4D;
  c: tf.Tensor4D;
}

/** Clamp for log σ, so exp stays finite early in training. */
const LOG_SIG_MIN = -7, LOG_SIG_MAX = 4;

/** The trainable variables of a model, by role. */
export type ConvDrawVars = Record<
  "wEnc" | "bEnc" | "wDec" | "bDec" | "wQ" | "bQ" | "wP" | "bP" | "wWrite" | "canvas0",
  tf.Variable
>;

/** Models made so far in this thread (for unique variable names). */
let instances = 0;

/** A one-layer convolutional DRAW with a learned prior. */
export class ConvDraw {
  readonly cfg: ConvDrawConfig;
  /** Trainable variables by role (`wEnc`, …); each variable's own name is `convDrawN/role`. */
  readonly vars: ConvDrawVars;
  /** Pixel channels after space-to-depth (`s2d²`). */
  readonly cx: number;
  /** Canvas channels: `cx` (Bernoulli logits) or `2·cx` (logistic location logits, log scales). */
  readonly cr: number;
  readonly lh: number;
  readonly lw: number;

  constructor(cfg: ConvDrawConfig) {
    installEngine(tf.getBackend()); // conv backprop kernels and fused LSTM gates (idempotent)
    this.cfg = cfg;
    const { hidden: h, zChannels: cz, kernel: k, s2d } = cfg;
    this.cx = s2d * s2d;
    this.cr = cfg.likelihood === "bernoulli" ? this.cx : 2 * this.cx;
    this.lh = cfg.height / s2d;
    this.lw = cfg.width / s2d;
    let seed = cfg.seed * 1000;
    // unique variable names, so several models (and their optimizers) can live in one process
    const scope = `convDraw${++instances}`;
    const named = (name: string) => `${scope}/${name}`;
    const glorot = (name: string, shape: number[], fanIn: number, fanOut: number, gain = 1) => {
      const lim = gain * Math.sqrt(6 / (fanIn + fanOut));
      return tf.variable(
        tf.randomUniform(shape, -lim, lim, "float32", ++seed),
        true,
        named(name),
      );
    };
    const lstmBias = (name: string) => {
      const b = new Float32Array(4 * h);
      b.fill(1, h, 2 * h); // forget-gate bias 1
      return tf.variable(tf.tensor1d(b), true, named(name));
    };
    const encIn = 2 * this.cx + h + h; // [x, ε, h^d_{t−1}] + h^e_{t−1}
    const decIn = cz + this.cr + h; // [z_t, r_{t−1}] + h^d_{t−1}
    this.vars = {
      wEnc: glorot("wEnc", [k, k, encIn, 4 * h], k * k * encIn, k * k * 4 * h),
      bEnc: lstmBias("bEnc"),
      wDec: glorot("wDec", [k, k, decIn, 4 * h], k * k * decIn, k * k * 4 * h),
      bDec: lstmBias("bDec"),
      wQ: glorot("wQ", [k, k, h, 2 * cz], k * k * h, k * k * 2 * cz, 0.1),
      bQ: tf.variable(tf.zeros([2 * cz]), true, named("bQ")),
      wP: glorot("wP", [k, k, h, 2 * cz], k * k * h, k * k * 2 * cz, 0.1),
      bP: tf.variable(tf.zeros([2 * cz]), true, named("bP")),
      wWrite: glorot("wWrite", [1, 1, h, this.cr], h, this.cr),
      canvas0: tf.variable(tf.zeros([1, this.lh, this.lw, this.cr]), true, named("canvas0")),
    };
  }

  /** Number of scalar parameters. */
  paramCount(): number {
    return Object.values(this.vars).reduce((s, v) => s + v.size, 0);
  }

  /** Latent units per iteration (`h · w · Cz`). */
  latentUnits(): number {
    return this.lh * this.lw * this.cfg.zChannels;
  }

  #lstm(input: tf.Tensor4D, s: LstmState, w: tf.Variable, b: tf.Variable): LstmState {
    // gate blocks i, f, o, g; the gate math is one fused kernel each way on wasm and cpu
    const gates = conv2dSame(tf.concat([input, s.h], 3), w as tf.Tensor4D, b as tf.Tensor1D);
    const { h, c } = lstmGates(gates, s.c);
    return { h: h as tf.Tensor4D, c: c as tf.Tensor4D };
  }

  #gauss(hState: tf.Tensor4D, w: tf.Variable, b: tf.Variable): [tf.Tensor4D, tf.Tensor4D] {
    const p = conv2dSame(hState, w as tf.Tensor4D, b as tf.Tensor1D);
    const [mu, ls] = tf.split(p, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
    return [mu, tf.clipByValue(ls, LOG_SIG_MIN, LOG_SIG_MAX)];
  }

  /** Mean of p(x | r) in the folded layout `[B, h, w, cx]`. */
  #meanFolded(r: tf.Tensor4D): tf.Tensor4D {
    const loc = this.cr === this.cx ? r : tf.slice(r, [0, 0, 0, 0], [-1, -1, -1, this.cx]);
    return tf.sigmoid(loc);
  }

  #zeroState(B: number): LstmState {
    const z = tf.zeros([B, this.lh, this.lw, this.cfg.hidden]) as tf.Tensor4D;
    return { h: z, c: z };
  }

  /**
   * The negative-ELBO terms of a batch, one posterior sample z_t ~ q_t per iteration.
   * Call inside `tf.tidy` (or `tf.variableGrads`).
   * @param x images `[B, H, W, 1]`: {0,1} for Bernoulli, k/255 for logistic
   * @param seed positive seed of the reparameterisation noise
   * @param trace keep z_t and the Gaussian parameters of every step
   */
  elbo(x: tf.Tensor4D, seed: number, trace = false): ElboTerms {
    const B = x.shape[0];
    const xf = spaceToDepth(x, this.cfg.s2d); // [B, h, w, cx]
    let enc = this.#zeroState(B), dec = this.#zeroState(B);
    let r = tf.tile(this.vars.canvas0, [B, 1, 1, 1]) as tf.Tensor4D;
    const kl: tf.Tensor1D[] = [];
    const steps: StepTrace[] = [];
    for (let t = 0; t < this.cfg.iterations; t++) {
      const err = tf.sub(xf, this.#meanFolded(r)) as tf.Tensor4D;
      enc = this.#lstm(tf.concat([xf, err, dec.h], 3), enc, this.vars.wEnc, this.vars.bEnc);
      const [muQ, logSigQ] = this.#gauss(enc.h, this.vars.wQ, this.vars.bQ);
      const [muP, logSigP] = this.#gauss(dec.h, this.vars.wP, this.vars.bP);
      const eps = tf.randomNormal(muQ.shape, 0, 1, "float32", seed * 97 + t + 1);
      const z = tf.add(muQ, tf.mul(tf.exp(logSigQ), eps)) as tf.Tensor4D;
      kl.push(tf.sum(gaussianKl(muQ, logSigQ, muP, logSigP), [1, 2, 3]) as tf.Tensor1D);
      if (trace) steps.push({ z, muQ, logSigQ, muP, logSigP });
      dec = this.#lstm(tf.concat([z, r], 3), dec, this.vars.wDec, this.vars.bDec);
      r = tf.add(r, conv2dSame(dec.h, this.vars.wWrite as tf.Tensor4D)) as tf.Tensor4D;
    }
    return { recon: this.#nll(xf, r), kl, ...(trace ? { trace: steps } : {}) };
  }

  /** −log p(x | r) per image `[B]`, in the folded layout. */
  #nll(xf: tf.Tensor4D, r: tf.Tensor4D): tf.Tensor1D {
    if (this.cfg.likelihood === "bernoulli") {
      return tf.sum(bernoulliNll(xf, r), [1, 2, 3]) as tf.Tensor1D;
    }
    const [loc, logS] = tf.split(r, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
    return tf.sum(discretizedLogisticNll(xf, tf.sigmoid(loc), logS), [1, 2, 3]) as tf.Tensor1D;
  }

  /**
   * Mean negative ELBO of a batch (the training loss), nats per image. Call inside a tidy.
   * @param x `[B, H, W, 1]`
   */
  loss(x: tf.Tensor4D, seed: number): tf.Scalar {
    const { recon, kl } = this.elbo(x, seed);
    return tf.mean(tf.addN([recon, ...kl])) as tf.Scalar;
  }

  /**
   * Lossy ("conceptual") decoding: iterations t ≤ k use a posterior sample of x (the transmitted
   * latents), iterations t > k take z_t from the learned prior, its mean or a sample.
   * k = 0 is generation from the prior. Call inside `tf.tidy`.
   * @param x `[B, H, W, 1]`, or null when k = 0 (then `batch` gives B)
   * @param k number of transmitted iterations, 0..T
   * @returns the mean image of p(x | r_T) `[B, H, W, 1]`, values in [0, 1]
   */
  decode(
    x: tf.Tensor4D | null,
    k: number,
    variant: PriorVariant,
    seed: number,
    batch = x?.shape[0] ?? 1,
  ): tf.Tensor4D {
    if (k > 0 && !x) throw new Error("decode(): k > 0 needs the image x");
    const B = x ? x.shape[0] : batch;
    const xf = x ? spaceToDepth(x, this.cfg.s2d) : null;
    let enc = this.#zeroState(B), dec = this.#zeroState(B);
    let r = tf.tile(this.vars.canvas0, [B, 1, 1, 1]) as tf.Tensor4D;
    for (let t = 0; t < this.cfg.iterations; t++) {
      let z: tf.Tensor4D;
      const eps = () =>
        tf.randomNormal(
          [B, this.lh, this.lw, this.cfg.zChannels],
          0,
          1,
          "float32",
          seed * 97 + t + 1,
        );
      if (t < k) {
        const err = tf.sub(xf!, this.#meanFolded(r)) as tf.Tensor4D;
        enc = this.#lstm(tf.concat([xf!, err, dec.h], 3), enc, this.vars.wEnc, this.vars.bEnc);
        const [muQ, logSigQ] = this.#gauss(enc.h, this.vars.wQ, this.vars.bQ);
        z = tf.add(muQ, tf.mul(tf.exp(logSigQ), eps())) as tf.Tensor4D;
      } else {
        const [muP, logSigP] = this.#gauss(dec.h, this.vars.wP, this.vars.bP);
        z = variant === "mean" ? muP : tf.add(muP, tf.mul(tf.exp(logSigP), eps())) as tf.Tensor4D;
      }
      dec = this.#lstm(tf.concat([z, r], 3), dec, this.vars.wDec, this.vars.bDec);
      r = tf.add(r, conv2dSame(dec.h, this.vars.wWrite as tf.Tensor4D)) as tf.Tensor4D;
    }
    return depthToSpace(this.#meanFolded(r), this.cfg.s2d);
  }

  /** Copy of all weights as plain arrays (for caching). */
  async getWeights(): Promise<Record<string, { shape: number[]; data: number[] }>> {
    const out: Record<string, { shape: number[]; data: number[] }> = {};
    for (const [name, v] of Object.entries(this.vars)) {
      out[name] = { shape: v.shape, data: Array.from(await v.data()) };
    }
    return out;
  }

  /** Load weights produced by {@link getWeights} (shapes must match). */
  setWeights(w: Record<string, { shape: number[]; data: number[] | Float32Array }>): void {
    for (const [name, v] of Object.entries(this.vars)) {
      const src = w[name];
      if (!src || src.shape.join() !== v.shape.join()) {
        throw new Error(`weight ${name}: shape mismatch`);
      }
      tf.tidy(() => v.assign(tf.tensor(src.data, v.shape)));
    }
  }

  /** Free all variables. */
  dispose(): void {
    for (const v of Object.values(this.vars)) v.dispose();
  }
}
