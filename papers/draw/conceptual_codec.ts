/**
 * The lossy "conceptual" codec of conv DRAW (Gregor et al. 2016) with bits on disk: a file holds
 * the latents of the first k iterations of a set of 8-bit images, quantised and entropy-coded
 * with the learned prior p(z_t | z_<t) on one rANS stack (`ans.ts`); the decoder rebuilds the
 * same priors from the same quantised latents, completes iterations k+1..T from the prior (its
 * mean, or a sample with the seed in the header) and renders the mean of p(x | r_T) as 8 bits.
 *
 * **Quantisation** (the stated precision): each latent unit is quantised in its prior's standard
 * coordinate u = (z − μp)/σp to the grid u = iΔ (`step` Δ, in units of σp, a multiple of 1/256);
 * the encoder sends the bin of the posterior mean μq (computed with the decoder fed the quantised
 * latents of the earlier iterations, so encoder and decoder see the same state), the decoder uses
 * the bin centre z = μp + σp·iΔ. Bin i covers u ∈ [(i − ½)Δ, (i + ½)Δ], i ∈ [−M, M],
 * M = ⌈6/Δ⌉, the end bins take the tails. Its prior mass Φ((i + ½)Δ) − Φ((i − ½)Δ) is coded with
 * 16-bit frequencies `C(i) = ⌊F(i)·(2^16 − (2M + 1))⌋ + i + M` (every bin ≥ 1). In these
 * coordinates the masses do not depend on μp, σp, so float differences between encoder and
 * decoder can move a latent slightly but never break the bitstream.
 *
 * A file may send only some latent channels of each iteration (the `sent` mask, one flag per
 * iteration and channel); an unsent unit is not coded and takes its prior mean (bin 0).
 *
 * **File** (little-endian): a header of {@link headerBytes} bytes — magic `CDRW`, version u8,
 * variant u8 (0 prior mean, 1 prior sample), T u8, k u8, H u8, W u8, latent h, w, channels u8,
 * Δ·256 u16, images u32, sample seed u32 (23 bytes), then the sent mask, bit `t·C + c`,
 * ⌈T·C/8⌉ bytes — then the payload: empty when k = 0, else the ANS head
 * (6 bytes) and the tail's 16-bit words, bottom first. The stack starts at the smallest state
 * 2^31 with an empty tail, so a decoder that pops every symbol must end there: anything else is
 * a corrupt or truncated file. Symbols are popped image by image, iteration by iteration, unit
 * by unit (so pushed in reverse).
 *
 * Images are run through the model in chunks of {@link CHUNK} (the prior-sample noise of chunk
 * c uses seed `seed + c`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { depthToSpace, lstmGates, spaceToDepth } from "../../tasks/engine/mod.ts";
import { Ans } from "./ans.ts";
import { normalCdf } from "./bits_back_codecs.ts";
import type { ConvDraw, PriorVariant } from "./conv_draw.ts";
import { conv2dSame } from "./conv_ops.ts";

/** Format version written and read. */
export const FORMAT_VERSION = 1;
/** Bytes of the header's fixed part. */
export const HEADER_BYTES = 23;

/** Bytes of a whole header (fixed part and sent mask) for T iterations of C channels. */
export function headerBytes(iterations: number, channels: number): number {
  return HEADER_BYTES + Math.ceil((iterations * channels) / 8);
}
/** Frequency precision (bits) of the coded bins. */
export const FREQ_BITS = 16;
/** Images per model batch. */
export const CHUNK = 100;
const MAGIC = [0x43, 0x44, 0x52, 0x57]; // "CDRW"
const L = 2 ** 31;
/** Clamp of log σ, as in `conv_draw.ts`. */
const LOG_SIG_MIN = -7, LOG_SIG_MAX = 4;

/** Everything the header states. */
export interface ConceptualHeader {
  version: number;
  variant: PriorVariant;
  iterations: number;
  k: number;
  height: number;
  width: number;
  latent: [number, number, number];
  /** Quantisation step Δ in units of the prior's σ. */
  step: number;
  images: number;
  seed: number;
  /** Per iteration t and channel c, at `t·C + c`: 1 when that channel's latents are sent. */
  sent: Uint8Array;
}

/** A mask that sends every channel of every iteration. */
export function sendAll(model: ConvDraw): Uint8Array {
  return new Uint8Array(model.cfg.iterations * model.cfg.zChannels).fill(1);
}

/** One line naming what is wrong with a file. */
export class ConceptualFileError extends Error {
  constructor(what: string) {
    super(`conceptual codec file: ${what}`);
    this.name = "ConceptualFileError";
  }
}

/** The cumulative frequencies of the bins at step Δ (length 2M + 2, last = 2^16). */
export function binTable(step: number): { m: number; cum: Int32Array } {
  if (!(step >= 1 / 256 && step <= 8) || Math.round(step * 256) !== step * 256) {
    throw new RangeError(`quantisation step ${step} must be a multiple of 1/256 in [1/256, 8]`);
  }
  const m = Math.ceil(6 / step), n = 2 * m + 1, total = 2 ** FREQ_BITS;
  const cum = new Int32Array(n + 1);
  for (let i = 1; i < n; i++) {
    cum[i] = Math.floor(normalCdf((i - m - 0.5) * step) * (total - n)) + i;
  }
  cum[n] = total;
  return { m, cum };
}

/** The bin index of a standard coordinate u. */
function binOf(u: number, step: number, m: number): number {
  return Math.max(-m, Math.min(m, Math.round(u / step)));
}

interface State {
  enc: { h: tf.Tensor4D; c: tf.Tensor4D };
  dec: { h: tf.Tensor4D; c: tf.Tensor4D };
  r: tf.Tensor4D;
}

/** conv DRAW's step (`conv_draw.ts`), on a batch, with the latents chosen by the caller. */
class Stepper {
  readonly #m: ConvDraw;
  readonly #xf: tf.Tensor4D | null;
  #s: State;

  constructor(model: ConvDraw, batch: number, x: tf.Tensor4D | null) {
    this.#m = model;
    this.#xf = x ? spaceToDepth(x, model.cfg.s2d) : null;
    const z = () => tf.zeros([batch, model.lh, model.lw, model.cfg.hidden]) as tf.Tensor4D;
    this.#s = {
      enc: { h: z(), c: z() },
      dec: { h: z(), c: z() },
      r: tf.tile(model.vars.canvas0, [batch, 1, 1, 1]) as tf.Tensor4D,
    };
  }

  #lstm(input: tf.Tensor4D, s: State["dec"], w: tf.Variable, b: tf.Variable) {
    const gates = conv2dSame(tf.concat([input, s.h], 3), w as tf.Tensor4D, b as tf.Tensor1D);
    const { h, c } = lstmGates(gates, s.c);
    return { h: h as tf.Tensor4D, c: c as tf.Tensor4D };
  }

  #gauss(h: tf.Tensor4D, w: tf.Variable, b: tf.Variable): [tf.Tensor4D, tf.Tensor4D] {
    const p = conv2dSame(h, w as tf.Tensor4D, b as tf.Tensor1D);
    const [mu, ls] = tf.split(p, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
    return [mu, tf.clipByValue(ls, LOG_SIG_MIN, LOG_SIG_MAX)];
  }

  #mean(r: tf.Tensor4D): tf.Tensor4D {
    const m = this.#m;
    return tf.sigmoid(m.cr === m.cx ? r : tf.slice(r, [0, 0, 0, 0], [-1, -1, -1, m.cx]));
  }

  #replace(next: Partial<State>): void {
    for (const key of Object.keys(next) as (keyof State)[]) {
      const old = this.#s[key];
      if (old instanceof tf.Tensor) old.dispose();
      else (old.h.dispose(), old.c.dispose());
    }
    this.#s = { ...this.#s, ...next };
  }

  /** Prior (μp, σp) of the next iteration, flat `[B·h·w·Cz]`. */
  prior(): { mu: Float32Array; sig: Float32Array } {
    const v = this.#m.vars;
    const [mu, sig] = tf.tidy(() => {
      const [m, ls] = this.#gauss(this.#s.dec.h, v.wP, v.bP);
      return [m, tf.exp(ls)];
    });
    const out = { mu: mu!.dataSync() as Float32Array, sig: sig!.dataSync() as Float32Array };
    tf.dispose([mu!, sig!]);
    return out;
  }

  /** Run the encoder LSTM one iteration; the posterior mean μq, flat. Needs the images. */
  posteriorMean(): Float32Array {
    const xf = this.#xf, v = this.#m.vars;
    if (!xf) throw new Error("conceptual codec: the posterior needs the images");
    const enc = tf.tidy(() => {
      const err = tf.sub(xf, this.#mean(this.#s.r)) as tf.Tensor4D;
      return this.#lstm(tf.concat([xf, err, this.#s.dec.h], 3), this.#s.enc, v.wEnc, v.bEnc);
    });
    this.#replace({ enc });
    const mu = tf.tidy(() => this.#gauss(enc.h, v.wQ, v.bQ)[0]);
    const out = mu.dataSync() as Float32Array;
    mu.dispose();
    return out;
  }

  /** Advance decoder and canvas with z_t (flat), or with the prior mean / a prior sample. */
  advance(z: Float32Array | { variant: PriorVariant; seed: number }): void {
    const m = this.#m, v = m.vars, B = this.#s.r.shape[0];
    const shape: [number, number, number, number] = [B, m.lh, m.lw, m.cfg.zChannels];
    const next = tf.tidy(() => {
      let zt: tf.Tensor4D;
      if (z instanceof Float32Array) zt = tf.tensor4d(z, shape);
      else {
        const [mu, ls] = this.#gauss(this.#s.dec.h, v.wP, v.bP);
        zt = z.variant === "mean"
          ? mu
          : tf.add(mu, tf.mul(tf.exp(ls), tf.randomNormal(shape, 0, 1, "float32", z.seed)));
      }
      const dec = this.#lstm(tf.concat([zt, this.#s.r], 3), this.#s.dec, v.wDec, v.bDec);
      const r = tf.add(this.#s.r, conv2dSame(dec.h, v.wWrite as tf.Tensor4D)) as tf.Tensor4D;
      return { dec, r };
    });
    this.#replace(next);
  }

  /** The mean image of p(x | r) as 8-bit pixels `[B·H·W]`. */
  render(): Uint8Array {
    const img = tf.tidy(() => depthToSpace(this.#mean(this.#s.r), this.#m.cfg.s2d));
    const v = img.dataSync();
    img.dispose();
    return Uint8Array.from(v, (p) => Math.max(0, Math.min(255, Math.round(p * 255))));
  }

  dispose(): void {
    const s = this.#s;
    tf.dispose([s.enc.h, s.enc.c, s.dec.h, s.dec.c, s.r, ...(this.#xf ? [this.#xf] : [])]);
  }
}

function chunks(n: number): [number, number][] {
  return Array.from(
    { length: Math.ceil(n / CHUNK) },
    (_, c) => [c * CHUNK, Math.min(n, (c + 1) * CHUNK)],
  );
}

/**
 * The quantised bins of all T iterations (the first k of them are what a file of k stores; the
 * bins do not depend on k). Returns `[n · T · U]` indices, image-major.
 * @param images pixels k/255, `[n·H·W]`
 */
export function quantiseLatents(
  model: ConvDraw,
  images: Float32Array,
  n: number,
  step: number,
  sent: Uint8Array = sendAll(model),
) {
  const { height: H, width: W, iterations: T, zChannels: C } = model.cfg;
  const U = model.latentUnits(), { m } = binTable(step);
  if (images.length !== n * H * W) throw new RangeError(`${images.length} pixels for ${n} images`);
  const idx = new Int16Array(n * T * U);
  for (const [a, b] of chunks(n)) {
    const x = tf.tensor4d(images.subarray(a * H * W, b * H * W), [b - a, H, W, 1]);
    const st = new Stepper(model, b - a, x);
    try {
      for (let t = 0; t < T; t++) {
        const muQ = st.posteriorMean();
        const p = st.prior();
        const z = new Float32Array(muQ.length);
        for (let j = 0; j < muQ.length; j++) {
          const i = sent[t * C + (j % C)] ? binOf((muQ[j]! - p.mu[j]!) / p.sig[j]!, step, m) : 0;
          const img = a + Math.floor(j / U);
          idx[(img * T + t) * U + (j % U)] = i;
          z[j] = p.mu[j]! + p.sig[j]! * i * step;
        }
        st.advance(z);
      }
    } finally {
      st.dispose();
      x.dispose();
    }
  }
  return idx;
}

/**
 * Render images from the bins of their first k iterations (`[n·k·U]`, image-major), completing
 * the rest from the prior: the in-memory reconstruction, and what {@link decodeFile} returns.
 */
export function renderFromBins(
  model: ConvDraw,
  bins: Int16Array,
  h: Pick<ConceptualHeader, "k" | "images" | "step" | "variant" | "seed">,
): Uint8Array {
  const { iterations: T, height: H, width: W } = model.cfg;
  const U = model.latentUnits(), { k, images: n, step } = h;
  const out = new Uint8Array(n * H * W);
  chunks(n).forEach(([a, b], c) => {
    const st = new Stepper(model, b - a, null);
    try {
      for (let t = 0; t < T; t++) {
        if (t >= k) {
          st.advance({ variant: h.variant, seed: (h.seed + c) * 97 + t + 1 });
          continue;
        }
        const p = st.prior();
        const z = new Float32Array(p.mu.length);
        for (let j = 0; j < z.length; j++) {
          const i = bins[((a + Math.floor(j / U)) * k + t) * U + (j % U)]!;
          z[j] = p.mu[j]! + p.sig[j]! * i * step;
        }
        st.advance(z);
      }
      out.set(st.render(), a * H * W);
    } finally {
      st.dispose();
    }
  });
  return out;
}

/** The first k iterations' bins of `[n·T·U]` indices, as `[n·k·U]`. */
export function firstIterations(idx: Int16Array, n: number, T: number, U: number, k: number) {
  const out = new Int16Array(n * k * U);
  for (let i = 0; i < n; i++) out.set(idx.subarray(i * T * U, (i * T + k) * U), i * k * U);
  return out;
}

/** Per unit of the first k iterations (`[k·U]`): whether it is coded (its channel is sent). */
function codedMask(model: ConvDraw, sent: Uint8Array, k: number): boolean[] {
  const U = model.latentUnits(), C = model.cfg.zChannels;
  return Array.from({ length: k * U }, (_, j) => sent[Math.floor(j / U) * C + (j % U) % C] === 1);
}

/** Write a file: header, then the bins `[n·k·U]` pushed on a stack starting at 2^31. */
export function encodeFile(
  model: ConvDraw,
  bins: Int16Array,
  h: Omit<ConceptualHeader, "version" | "iterations" | "height" | "width" | "latent">,
): Uint8Array {
  const U = model.latentUnits();
  if (bins.length !== h.images * h.k * U) throw new RangeError(`${bins.length} bins, not n·k·U`);
  const { m, cum } = binTable(h.step);
  const coded = codedMask(model, h.sent, h.k);
  if (h.sent.length !== model.cfg.iterations * model.cfg.zChannels) {
    throw new RangeError(`sent mask of ${h.sent.length}, not T·C`);
  }
  let payload = new Uint8Array(0);
  if (coded.some((c) => c) && h.images > 0) {
    const ans = new Ans({ head: L, tail: new Uint16Array(0) });
    for (let j = bins.length - 1; j >= 0; j--) {
      if (!coded[j % coded.length]) {
        if (bins[j] !== 0) throw new RangeError(`bin ${j} of an unsent channel is not 0`);
        continue;
      }
      const s = bins[j]! + m;
      ans.push(cum[s]!, cum[s + 1]! - cum[s]!, FREQ_BITS);
    }
    const msg = ans.message();
    payload = new Uint8Array(6 + 2 * msg.tail.length);
    const dv = new DataView(payload.buffer);
    dv.setUint32(0, msg.head % 2 ** 32, true);
    dv.setUint16(4, Math.floor(msg.head / 2 ** 32), true);
    msg.tail.forEach((w, i) => dv.setUint16(6 + 2 * i, w, true));
  }
  const hb = headerBytes(model.cfg.iterations, model.cfg.zChannels);
  const file = new Uint8Array(hb + payload.length);
  const dv = new DataView(file.buffer);
  file.set(MAGIC, 0);
  const cfg = model.cfg;
  const bytes = [
    FORMAT_VERSION,
    h.variant === "mean" ? 0 : 1,
    cfg.iterations,
    h.k,
    cfg.height,
    cfg.width,
    model.lh,
    model.lw,
    cfg.zChannels,
  ];
  if (bytes.some((b) => b > 255)) throw new RangeError("a header field exceeds one byte");
  file.set(bytes, 4);
  dv.setUint16(13, Math.round(h.step * 256), true);
  dv.setUint32(15, h.images, true);
  dv.setUint32(19, h.seed, true);
  h.sent.forEach((f, i) => {
    if (f) file[HEADER_BYTES + (i >> 3)] = file[HEADER_BYTES + (i >> 3)]! | (1 << (i & 7));
  });
  file.set(payload, hb);
  return file;
}

/** Read and check a header against the model. Throws {@link ConceptualFileError}. */
export function readHeader(model: ConvDraw, file: Uint8Array): ConceptualHeader {
  if (file.length < HEADER_BYTES) {
    throw new ConceptualFileError(
      `${file.length} bytes, shorter than the ${HEADER_BYTES}-byte header`,
    );
  }
  if (MAGIC.some((b, i) => file[i] !== b)) throw new ConceptualFileError("no CDRW magic");
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const [version, variant, T, k, H, W, lh, lw, cz] = Array.from(file.subarray(4, 13));
  if (version !== FORMAT_VERSION) {
    throw new ConceptualFileError(`version ${version}, this reader knows ${FORMAT_VERSION}`);
  }
  if (variant! > 1) {
    throw new ConceptualFileError(`variant ${variant} is neither 0 (mean) nor 1 (sample)`);
  }
  const cfg = model.cfg;
  const want = [cfg.iterations, cfg.height, cfg.width, model.lh, model.lw, cfg.zChannels];
  if ([T, H, W, lh, lw, cz].some((v, i) => v !== want[i])) {
    throw new ConceptualFileError(
      `shape T,H,W,h,w,C = ${[T, H, W, lh, lw, cz]} does not match the model's ${want}`,
    );
  }
  if (k! > T!) throw new ConceptualFileError(`k = ${k} exceeds T = ${T}`);
  const step = dv.getUint16(13, true) / 256;
  if (step === 0 || step > 8) {
    throw new ConceptualFileError(`quantisation step ${step} outside (0, 8]`);
  }
  const hb = headerBytes(T!, cz!);
  if (file.length < hb) {
    throw new ConceptualFileError(`${file.length} bytes, shorter than the ${hb}-byte header`);
  }
  const sent = Uint8Array.from(
    { length: T! * cz! },
    (_, i) => (file[HEADER_BYTES + (i >> 3)]! >> (i & 7)) & 1,
  );
  return {
    version: version!,
    variant: variant === 0 ? "mean" : "sample",
    iterations: T!,
    k: k!,
    height: H!,
    width: W!,
    latent: [lh!, lw!, cz!],
    step,
    images: dv.getUint32(15, true),
    seed: dv.getUint32(19, true),
    sent,
  };
}

/** Decode a file's bins `[n·k·U]` (no model run). Throws {@link ConceptualFileError}. */
export function decodeBins(
  model: ConvDraw,
  file: Uint8Array,
): { header: ConceptualHeader; bins: Int16Array } {
  const header = readHeader(model, file);
  const total = header.images * header.k * model.latentUnits();
  const payload = file.subarray(headerBytes(header.iterations, header.latent[2]));
  const bins = new Int16Array(total);
  const coded = codedMask(model, header.sent, header.k);
  if (!coded.some((c) => c) || header.images === 0) {
    if (payload.length) {
      throw new ConceptualFileError(`${payload.length} payload bytes where none belong`);
    }
    return { header, bins };
  }
  if (payload.length < 6 || payload.length % 2) {
    throw new ConceptualFileError(
      `payload of ${payload.length} bytes is not a 6-byte head plus 16-bit words`,
    );
  }
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const head = dv.getUint32(0, true) + dv.getUint16(4, true) * 2 ** 32;
  const tail = Uint16Array.from(
    { length: (payload.length - 6) / 2 },
    (_, i) => dv.getUint16(6 + 2 * i, true),
  );
  let ans: Ans;
  try {
    ans = new Ans({ head, tail });
  } catch (e) {
    throw new ConceptualFileError((e as Error).message);
  }
  const { m, cum } = binTable(header.step);
  for (let j = 0; j < total; j++) {
    if (!coded[j % coded.length]) continue; // an unsent channel: bin 0, the prior mean
    const cf = ans.peek(FREQ_BITS);
    let lo = 0, hi = cum.length - 2; // the bin s with cum[s] ≤ cf < cum[s + 1]
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cum[mid]! <= cf) lo = mid;
      else hi = mid - 1;
    }
    ans.pop(cum[lo]!, cum[lo + 1]! - cum[lo]!, FREQ_BITS);
    if (ans.initialWordsDrawn) {
      throw new ConceptualFileError(`truncated: the payload ran out at latent ${j} of ${total}`);
    }
    bins[j] = lo - m;
  }
  const end = ans.message();
  if (end.head !== L || end.tail.length) {
    throw new ConceptualFileError("corrupt: the stack does not end at its initial state");
  }
  return { header, bins };
}

/** Decode a file to 8-bit images `[n·H·W]`. Throws {@link ConceptualFileError}. */
export function decodeFile(
  model: ConvDraw,
  file: Uint8Array,
): { header: ConceptualHeader; bins: Int16Array; images: Uint8Array } {
  const { header, bins } = decodeBins(model, file);
  return { header, bins, images: renderFromBins(model, bins, header) };
}

/** Payload bytes of a file (all but its header, fixed part and sent mask). */
export function payloadBytes(model: ConvDraw, file: Uint8Array): number {
  return file.length - headerBytes(model.cfg.iterations, model.cfg.zChannels);
}
