/**
 * Training and evaluation loops for {@link ConvDraw}: Adam with a linear learning-rate decay,
 * global-norm gradient clipping, seeded minibatches (and dynamic binarization), a test-set
 * negative ELBO with per-iteration KL, and a weight cache keyed by the full configuration.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ImageSet } from "../../datasets/_files.ts";
import { Rng } from "../../tasks/harness/rng.ts";
import { ConvDraw, type ConvDrawConfig } from "./conv_draw.ts";

/** Optimisation settings (ours: the paper's are unknown). */
export interface TrainConfig {
  steps: number;
  batch: number;
  /** Adam learning rate at step 0, decayed linearly to `lrFinal`. */
  lr: number;
  lrFinal: number;
  /** Global gradient-norm clip. */
  clip: number;
  /** Positive seed of batches, binarization and noise. */
  seed: number;
}

/** Loss curve point (mean over the minibatch, nats/image). */
export interface CurvePoint {
  step: number;
  loss: number;
}

/** Copy images `idx` into a `[B, H, W, 1]` tensor; optionally Bernoulli-binarize with `rng`. */
export function batchTensor(data: ImageSet, idx: number[], rng?: Rng): tf.Tensor4D {
  const d = data.h * data.w;
  const buf = new Float32Array(idx.length * d);
  idx.forEach((i, k) => {
    const src = data.x.subarray(i * d, (i + 1) * d);
    if (rng) { for (let p = 0; p < d; p++) buf[k * d + p] = rng.next() < src[p] ? 1 : 0; }
    else buf.set(src, k * d);
  });
  return tf.tensor4d(buf, [idx.length, data.h, data.w, 1]);
}

/** One Adam step on a batch; returns the loss. No tensors are left behind but the optimizer's. */
export function trainStep(
  model: ConvDraw,
  opt: tf.Optimizer,
  x: tf.Tensor4D,
  seed: number,
  clip: number,
): number {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.loss(x, seed));
    const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-6)));
    const clipped: Record<string, tf.Tensor> = {};
    for (const [k, g] of Object.entries(grads)) clipped[k] = tf.mul(g, scale);
    opt.applyGradients(clipped);
    return value.dataSync()[0];
  });
}

/**
 * Train a model in place.
 * @param onStep called after each step (progress, logging)
 * @returns the loss curve (every `curveEvery` steps, averaged over those steps)
 */
export function train(
  model: ConvDraw,
  data: ImageSet,
  binarize: boolean,
  cfg: TrainConfig,
  onStep: (step: number, loss: number) => void = () => {},
  curveEvery = 25,
): CurvePoint[] {
  const rng = new Rng(cfg.seed);
  const lr = tf.scalar(cfg.lr);
  const opt = tf.train.adam(cfg.lr);
  const curve: CurvePoint[] = [];
  let order: number[] = [], pos = 0, acc = 0, accN = 0;
  for (let step = 1; step <= cfg.steps; step++) {
    if (pos + cfg.batch > order.length) {
      order = rng.shuffle(Array.from({ length: data.n }, (_, i) => i));
      pos = 0;
    }
    const idx = order.slice(pos, pos + cfg.batch);
    pos += cfg.batch;
    // linear decay lr → lrFinal (Adam's learningRate field is read every step)
    (opt as unknown as { learningRate: number }).learningRate = cfg.lr +
      (cfg.lrFinal - cfg.lr) * (step - 1) / Math.max(1, cfg.steps - 1);
    const x = batchTensor(data, idx, binarize ? rng : undefined);
    const loss = trainStep(model, opt, x, rng.int(2 ** 30) + 1, cfg.clip);
    x.dispose();
    if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${step} (loss ${loss})`);
    acc += loss;
    accN++;
    if (step % curveEvery === 0 || step === cfg.steps) {
      curve.push({ step, loss: acc / accN });
      acc = accN = 0;
    }
    onStep(step, loss);
  }
  opt.dispose();
  lr.dispose();
  return curve;
}

/** Test-set negative ELBO and its parts, means over images, nats. */
export interface EvalResult {
  images: number;
  nelbo: number;
  recon: number;
  /** KL_t per iteration (nats/image). */
  klPerIter: number[];
  klTotal: number;
}

/** Evaluate the single-sample negative ELBO on the first `limit` images of a set. */
export async function evaluate(
  model: ConvDraw,
  data: ImageSet,
  limit: number,
  seed: number,
  batch = 250,
): Promise<EvalResult> {
  const n = Math.min(limit, data.n);
  let recon = 0;
  const kl = new Array(model.cfg.iterations).fill(0);
  for (let s = 0, b = 0; s < n; s += batch, b++) {
    const idx = Array.from({ length: Math.min(batch, n - s) }, (_, i) => s + i);
    const sums = tf.tidy(() => {
      const x = batchTensor(data, idx);
      const t = model.elbo(x, seed + b);
      return tf.stack([tf.sum(t.recon), ...t.kl.map((k) => tf.sum(k))]);
    });
    const v = await sums.data();
    sums.dispose();
    recon += v[0];
    for (let t = 0; t < kl.length; t++) kl[t] += v[t + 1];
  }
  const klPerIter = kl.map((k) => k / n);
  const klTotal = klPerIter.reduce((a, b) => a + b, 0);
  return { images: n, recon: recon / n, klPerIter, klTotal, nelbo: recon / n + klTotal };
}

/** Stable short hash (FNV-1a, hex) of a JSON value, for cache keys. */
export function configHash(value: unknown): string {
  const s = JSON.stringify(value);
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
}

/** Where trained weights are cached (`$PAPERS_REPRO_CACHE/../draw_models` or ~/.cache/...). */
export function modelCacheDir(): string {
  const env = (k: string) => {
    try {
      return Deno.env.get(k) || undefined;
    } catch {
      return undefined;
    }
  };
  return env("PAPERS_REPRO_MODEL_CACHE") ??
    `${env("HOME") ?? "/tmp"}/.cache/papers-repro/draw_models`;
}

/** A trained model as cached: weights plus what training produced. */
export interface TrainedRecord {
  key: string;
  modelConfig: ConvDrawConfig;
  trainConfig: TrainConfig;
  dataset: string;
  curve: CurvePoint[];
  trainSeconds: number;
  weights: Record<string, { shape: number[]; data: number[] }>;
}

/** Read a cached trained model, or null. */
export async function readCachedModel(key: string): Promise<TrainedRecord | null> {
  try {
    return JSON.parse(await Deno.readTextFile(`${modelCacheDir()}/${key}.json`));
  } catch {
    return null;
  }
}

/** Write a trained model to the cache (atomic rename). */
export async function writeCachedModel(rec: TrainedRecord): Promise<void> {
  const dir = modelCacheDir();
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/${rec.key}.json`;
  await Deno.writeTextFile(`${path}.tmp`, JSON.stringify(rec));
  await Deno.rename(`${path}.tmp`, path);
}
