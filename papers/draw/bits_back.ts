/**
 * Lossless compression of binary images with conv DRAW by bits-back coding on an ANS stack
 * (Frey & Hinton 1997; Townsend, Bird & Barber 2019, BB-ANS), one stack for a whole sequence of
 * images.
 *
 * Encoding one image x (iterations t = 1..T, latent units j of z_t):
 * ```
 * for t = 1..T: run the encoder to q_t(z_t | x, z_<t) and the prior p_t(z_t | z_<t);
 *               POP each unit's bucket of z_t with the discretised q_t (this takes bits back);
 *               advance the decoder with the bucket values of z_t
 * PUSH x with p(x | r_T), pixels last to first
 * for t = T..1: PUSH each unit's bucket of z_t with p_t (uniform: buckets are equal-mass under p_t)
 * ```
 * Decoding undoes it in reverse: pop z_1 under p_1, advance, …, pop z_T; pop x with p(x | r_T);
 * rerun the encoder on x with the decoded z to recover every q_t, and push z_T … z_1 back with
 * q_t (returning the bits the encoder popped). Images are decoded last to first. The prior p_t
 * depends on z_<t only, which is why the latents are pushed in reverse order.
 *
 * Encoder and decoder run the same float32 steps (batch 1, same op sequence, same backend), so
 * they derive identical distributions; {@link BitsBackStepper} is that shared step.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { depthToSpace, lstmGates, spaceToDepth } from "../../tasks/engine/mod.ts";
import { Ans, type AnsMessage } from "./ans.ts";
import {
  bernoulliFreq,
  BucketPosterior,
  buckets,
  type CodecPrecision,
  popPixel,
  pushPixel,
} from "./bits_back_codecs.ts";
import type { ConvDraw } from "./conv_draw.ts";
import { conv2dSame } from "./conv_ops.ts";

/** Clamp of log σ (the same as conv_draw.ts; `bits_back_test.ts` checks the KLs agree). */
const LOG_SIG_MIN = -7, LOG_SIG_MAX = 4;

/** Gaussian parameters of one iteration's latent map, flattened `[h·w·Cz]`. */
export interface Gauss {
  mu: Float32Array;
  logSig: Float32Array;
}

/**
 * conv DRAW run one iteration at a time on one image, with the latents chosen by the caller
 * (the model's own step, re-expressed on its variables so a coder can stop between iterations).
 */
export class BitsBackStepper {
  readonly #m: ConvDraw;
  #xf: tf.Tensor4D | null;
  #enc: { h: tf.Tensor4D; c: tf.Tensor4D };
  #dec: { h: tf.Tensor4D; c: tf.Tensor4D };
  #r: tf.Tensor4D;

  /** @param x folded image `[h·w·cx]` ({0,1}), or null (decoding from the prior) */
  constructor(model: ConvDraw, xFolded: Float32Array | null) {
    if (model.cfg.likelihood !== "bernoulli") {
      throw new Error("bits-back coding here is for binary images (a Bernoulli conv DRAW)");
    }
    this.#m = model;
    const { lh, lw, cx } = model;
    this.#xf = xFolded ? tf.tensor4d(xFolded, [1, lh, lw, cx]) : null;
    const zero = tf.zeros([1, lh, lw, model.cfg.hidden]) as tf.Tensor4D;
    this.#enc = { h: zero, c: tf.clone(zero) };
    this.#dec = { h: tf.clone(zero), c: tf.clone(zero) };
    this.#r = tf.clone(model.vars.canvas0) as tf.Tensor4D;
  }

  #lstm(input: tf.Tensor4D, s: { h: tf.Tensor4D; c: tf.Tensor4D }, w: tf.Variable, b: tf.Variable) {
    const gates = conv2dSame(tf.concat([input, s.h], 3), w as tf.Tensor4D, b as tf.Tensor1D);
    const { h, c } = lstmGates(gates, s.c);
    return { h: h as tf.Tensor4D, c: c as tf.Tensor4D };
  }

  #gauss(h: tf.Tensor4D, w: tf.Variable, b: tf.Variable): Gauss {
    const [mu, ls] = tf.tidy(() => {
      const p = conv2dSame(h, w as tf.Tensor4D, b as tf.Tensor1D);
      const [m, l] = tf.split(p, 2, 3);
      return [m!, tf.clipByValue(l!, LOG_SIG_MIN, LOG_SIG_MAX)];
    });
    const out = { mu: mu!.dataSync() as Float32Array, logSig: ls!.dataSync() as Float32Array };
    mu!.dispose();
    ls!.dispose();
    return out;
  }

  /** The prior p_t(z_t | z_<t) of the next iteration. */
  prior(): Gauss {
    return this.#gauss(this.#dec.h, this.#m.vars.wP, this.#m.vars.bP);
  }

  /** Run the encoder LSTM one iteration and return q_t(z_t | x, z_<t). Needs the image. */
  posterior(): Gauss {
    const xf = this.#xf;
    if (!xf) throw new Error("BitsBackStepper.posterior() needs the image");
    const v = this.#m.vars;
    const next = tf.tidy(() => {
      const err = tf.sub(xf, tf.sigmoid(this.#r)) as tf.Tensor4D;
      return this.#lstm(tf.concat([xf, err, this.#dec.h], 3), this.#enc, v.wEnc, v.bEnc);
    });
    this.#enc.h.dispose();
    this.#enc.c.dispose();
    this.#enc = next;
    return this.#gauss(next.h, v.wQ, v.bQ);
  }

  /** Advance the decoder and canvas with z_t (flattened `[h·w·Cz]`). */
  advance(z: Float32Array): void {
    const { lh, lw } = this.#m;
    const v = this.#m.vars;
    const [dec, r] = tf.tidy(() => {
      const zt = tf.tensor4d(z, [1, lh, lw, this.#m.cfg.zChannels]);
      const d = this.#lstm(tf.concat([zt, this.#r], 3), this.#dec, v.wDec, v.bDec);
      return [d, tf.add(this.#r, conv2dSame(d.h, v.wWrite as tf.Tensor4D)) as tf.Tensor4D];
      // tf.tidy's return type does not carry a tuple of tensors through; this is what the closure returns
    }) as unknown as [{ h: tf.Tensor4D; c: tf.Tensor4D }, tf.Tensor4D];
    this.#dec.h.dispose();
    this.#dec.c.dispose();
    this.#r.dispose();
    this.#dec = dec;
    this.#r = r;
  }

  /** Pixel logits of p(x | r_t), folded `[h·w·cx]`. */
  logits(): Float32Array {
    return this.#r.dataSync() as Float32Array;
  }

  /** Free the tensors. */
  dispose(): void {
    for (const t of [this.#enc.h, this.#enc.c, this.#dec.h, this.#dec.c, this.#r, this.#xf]) {
      t?.dispose();
    }
  }
}

/** Fold an image `[H·W]` into the model's space-to-depth layout `[h·w·cx]` (and back). */
function fold(model: ConvDraw, x: Float32Array): Float32Array {
  return tf.tidy(() =>
    spaceToDepth(tf.tensor4d(x, [1, model.cfg.height, model.cfg.width, 1]), model.cfg.s2d)
      .dataSync() as Float32Array
  );
}

function unfold(model: ConvDraw, xf: Float32Array): Float32Array {
  return tf.tidy(() =>
    depthToSpace(tf.tensor4d(xf, [1, model.lh, model.lw, model.cx]), model.cfg.s2d)
      .dataSync() as Float32Array
  );
}

/** Bucket values z = μp + σp·c_i of one iteration. */
function bucketValues(p: Gauss, idx: Int32Array, latentBits: number): Float32Array {
  const c = buckets(latentBits).centres;
  return Float32Array.from(idx, (i, j) => p.mu[j]! + Math.exp(p.logSig[j]!) * c[i]!);
}

function posteriors(q: Gauss, p: Gauss, prec: CodecPrecision): BucketPosterior[] {
  const b = buckets(prec.latentBits);
  return Array.from(
    q.mu,
    (mq, j) =>
      new BucketPosterior(
        mq,
        Math.exp(q.logSig[j]!),
        p.mu[j]!,
        Math.exp(p.logSig[j]!),
        b,
        prec.posteriorBits,
      ),
  );
}

/** Encode one binary image `[H·W]` ({0,1}) onto the stack. */
export function encodeImage(ans: Ans, model: ConvDraw, x: Float32Array, prec: CodecPrecision) {
  const xf = fold(model, x);
  const st = new BitsBackStepper(model, xf);
  try {
    const idx: Int32Array[] = [];
    for (let t = 0; t < model.cfg.iterations; t++) {
      const q = st.posterior();
      const p = st.prior();
      const post = posteriors(q, p, prec);
      const it = Int32Array.from(post, (d) => d.pop(ans));
      idx.push(it);
      st.advance(bucketValues(p, it, prec.latentBits));
    }
    const logits = st.logits();
    for (let j = xf.length - 1; j >= 0; j--) {
      pushPixel(ans, xf[j]!, bernoulliFreq(logits[j]!, prec.pixelBits), prec.pixelBits);
    }
    for (let t = idx.length - 1; t >= 0; t--) {
      const it = idx[t]!;
      for (let j = it.length - 1; j >= 0; j--) ans.pushUniform(it[j]!, prec.latentBits);
    }
  } finally {
    st.dispose();
  }
}

/** Decode one binary image `[H·W]` from the stack (the inverse of {@link encodeImage}). */
export function decodeImage(ans: Ans, model: ConvDraw, prec: CodecPrecision): Float32Array {
  const T = model.cfg.iterations;
  const idx: Int32Array[] = [], zs: Float32Array[] = [];
  const gen = new BitsBackStepper(model, null);
  let xf: Float32Array;
  try {
    for (let t = 0; t < T; t++) {
      const p = gen.prior();
      const it = Int32Array.from(p.mu, () => ans.popUniform(prec.latentBits));
      idx.push(it);
      const z = bucketValues(p, it, prec.latentBits);
      zs.push(z);
      gen.advance(z);
    }
    const logits = gen.logits();
    xf = Float32Array.from(
      logits,
      (l) => popPixel(ans, bernoulliFreq(l, prec.pixelBits), prec.pixelBits),
    );
  } finally {
    gen.dispose();
  }
  const rec = new BitsBackStepper(model, xf);
  try {
    const post: BucketPosterior[][] = [];
    for (let t = 0; t < T; t++) {
      const q = rec.posterior();
      post.push(posteriors(q, rec.prior(), prec));
      rec.advance(zs[t]!);
    }
    for (let t = T - 1; t >= 0; t--) {
      const it = idx[t]!, d = post[t]!;
      for (let j = it.length - 1; j >= 0; j--) d[j]!.push(ans, it[j]!);
    }
  } finally {
    rec.dispose();
  }
  return unfold(model, xf);
}

/** What {@link compressImages} produced. */
export interface Compressed {
  message: AnsMessage;
  /** 16-bit words the first pops drew because the stack was empty (part of the message). */
  initialWords: number;
  /** Initial bits in the message: the random head plus the drawn words. */
  initialBits: number;
}

/**
 * Compress binary images `[n·H·W]` ({0,1}) in order onto one fresh stack.
 * @param seed seed of the initial bits (the decoder checks it gets them back)
 */
export function compressImages(
  model: ConvDraw,
  x: Float32Array,
  n: number,
  prec: CodecPrecision,
  seed: number,
): Compressed {
  const d = model.cfg.height * model.cfg.width;
  if (x.length !== n * d) throw new RangeError(`${x.length} pixels for ${n} images of ${d}`);
  const ans = new Ans(undefined, seed);
  for (let i = 0; i < n; i++) encodeImage(ans, model, x.subarray(i * d, (i + 1) * d), prec);
  return {
    message: ans.message(),
    initialWords: ans.initialWordsDrawn,
    initialBits: Ans.HEAD_RANDOM_BITS + 16 * ans.initialWordsDrawn,
  };
}

/**
 * Decompress `n` images (returned in their original order, `[n·H·W]`). Throws when what is left
 * after the last image is not exactly the initial bits of `seed` (a corrupt or mismatched file).
 */
export function decompressImages(
  model: ConvDraw,
  message: AnsMessage,
  n: number,
  prec: CodecPrecision,
  seed: number,
): Float32Array {
  const d = model.cfg.height * model.cfg.width;
  const ans = new Ans(message, seed);
  const out = new Float32Array(n * d);
  for (let i = n - 1; i >= 0; i--) out.set(decodeImage(ans, model, prec), i * d);
  if (!Ans.isInitial(ans.message(), seed)) {
    throw new Error(
      "bits-back decode: the residual message is not the initial bits (corrupt file?)",
    );
  }
  return out;
}
