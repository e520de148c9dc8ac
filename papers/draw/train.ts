/**
 * Training and evaluation loops for {@link ConvDraw}: Adam with a linear learning-rate decay,
 * global-norm gradient clipping, seeded minibatches (and dynamic binarization), optionally
 * data-parallel over Web Workers (`replica_pool.ts`), and a test-set negative ELBO with
 * per-iteration KL.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ImageSet } from "../../datasets/binarized_mnist/mod.ts";
import { Rng } from "../../tasks/core/rng.ts";
import type { ConvDraw } from "./conv_draw.ts";
import { ReplicaPool, type Shard } from "./replica_pool.ts";

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
  /**
   * Replicas computing gradients in parallel, this thread included (default 1: no workers).
   * Each extra replica is a Web Worker with its own TF.js backend, so on a CPU backend `n`
   * replicas use `n` cores. The batch is split between them; the noise differs per shard, so
   * trained weights depend on `replicas`.
   */
  replicas?: number;
}

/** Loss curve point (mean over the minibatch, nats/image). */
export interface CurvePoint {
  step: number;
  loss: number;
}

/** Copy images `idx` into one flat array; optionally Bernoulli-binarize with `rng`. */
export function batchPixels(data: ImageSet, idx: number[], rng?: Rng): Float32Array {
  const d = data.h * data.w;
  const buf = new Float32Array(idx.length * d);
  idx.forEach((i, k) => {
    const src = data.x.subarray(i * d, (i + 1) * d);
    if (rng) {
      src.forEach((v, p) => {
        buf[k * d + p] = rng.next() < v ? 1 : 0;
      });
    } else buf.set(src, k * d);
  });
  return buf;
}

/** Copy images `idx` into a `[B, H, W, 1]` tensor; optionally Bernoulli-binarize with `rng`. */
export function batchTensor(data: ImageSet, idx: number[], rng?: Rng): tf.Tensor4D {
  return tf.tensor4d(batchPixels(data, idx, rng), [idx.length, data.h, data.w, 1]);
}

/**
 * Mean loss of a batch and its gradients with respect to every model variable, as one flat
 * array in the order of `model.vars` (what a gradient worker sends back).
 */
export function lossAndFlatGrads(
  model: ConvDraw,
  x: tf.Tensor4D,
  seed: number,
): { loss: number; grads: Float32Array } {
  // tf.tidy walks every element of a returned typed array, so read the values after it
  const [value, flat] = tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => model.loss(x, seed));
    return [
      value,
      tf.concat(Object.values(model.vars).map((v) => tf.reshape(tensorOf(grads, v), [-1]))),
    ];
  });
  const out = { loss: value.dataSync()[0]!, grads: readAndDispose(flat) }; // a scalar
  value.dispose();
  return out;
}

/** The tensor a map keyed by variable name holds for `v` (a clear error if none). */
function tensorOf(byName: tf.NamedTensorMap, v: tf.Variable): tf.Tensor {
  const t = byName[v.name];
  if (!t) throw new Error(`no tensor for variable ${v.name}`);
  return t;
}

/** A tensor's values as a fresh array, then the tensor is freed. */
function readAndDispose(t: tf.Tensor): Float32Array {
  const v = (t.dataSync() as Float32Array).slice();
  t.dispose();
  return v;
}

/** Global-norm clip of gradient tensors, then one optimizer step. Call inside `tf.tidy`. */
function applyClipped(opt: tf.Optimizer, grads: Record<string, tf.Tensor>, clip: number): void {
  const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
  const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-6)));
  const clipped: Record<string, tf.Tensor> = {};
  for (const [k, g] of Object.entries(grads)) clipped[k] = tf.mul(g, scale);
  opt.applyGradients(clipped);
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
    applyClipped(opt, grads, clip);
    return value.dataSync()[0]!; // a scalar
  });
}

/**
 * One Adam step on a batch split across replicas: shard 0 runs here, shard w > 0 in gradient
 * worker w − 1 with noise seed `seed + w`, and the update uses the size-weighted mean of the
 * shards' gradients (= the gradient of the whole batch's mean loss). With no workers this is
 * {@link trainStep}. Returns the batch's mean loss.
 */
export async function dataParallelStep(
  model: ConvDraw,
  opt: tf.Optimizer,
  pixels: Float32Array,
  shape: [number, number, number, number],
  seed: number,
  clip: number,
  pool: ReplicaPool | null,
): Promise<number> {
  const [B, H, W] = shape;
  if (!pool) {
    const x = tf.tensor4d(pixels, shape);
    const loss = trainStep(model, opt, x, seed, clip);
    x.dispose();
    return loss;
  }
  const d = H * W;
  let offset = 0;
  const shards = shardSizes(B, pool.size + 1).map((n, w): Shard => {
    const pixelsOfShard = pixels.subarray(offset * d, (offset + n) * d);
    offset += n;
    return { pixels: pixelsOfShard, shape: [n, H, W, 1], seed: seed + w };
  });
  const [mine, ...theirs] = shards;
  if (!mine) throw new Error(`no shards for a batch of ${B}`);
  const remote = pool.grads(
    flatWeights(model),
    theirs.map((s) => ({ ...s, pixels: s.pixels.slice() })), // copies, to post to the workers
  );
  const x0 = tf.tensor4d(mine.pixels, mine.shape);
  let local: { loss: number; grads: Float32Array };
  try {
    local = lossAndFlatGrads(model, x0, seed);
  } catch (e) {
    await remote.catch(() => {}); // settle the workers' answers before giving up
    throw e;
  } finally {
    x0.dispose();
  }
  const results = [local, ...await remote];
  if (results.length !== shards.length) {
    throw new Error(`${results.length} gradient results for ${shards.length} shards`);
  }
  const sum = new Float32Array(local.grads.length);
  let loss = 0;
  results.forEach((s, w) => {
    if (s.grads.length !== sum.length) {
      throw new Error(`replica ${w} sent ${s.grads.length} gradients, expected ${sum.length}`);
    }
    const f = shards[w]!.shape[0] / B; // one result per shard (checked above)
    loss += f * s.loss;
    for (let i = 0; i < sum.length; i++) sum[i]! += f * s.grads[i]!;
  });
  tf.tidy(() => applyClipped(opt, unflatten(model, sum), clip));
  return loss;
}

/** Split a batch of `B` into `n` shard sizes as equal as possible (larger ones first). */
export function shardSizes(B: number, n: number): number[] {
  if (n > B) throw new Error(`cannot split a batch of ${B} over ${n} replicas`);
  return Array.from({ length: n }, (_, w) => Math.floor(B / n) + (w < B % n ? 1 : 0));
}

/** Every model variable, flattened and concatenated in the order of `model.vars`. */
export function flatWeights(model: ConvDraw): Float32Array {
  return readAndDispose(
    tf.tidy(() => tf.concat(Object.values(model.vars).map((v) => tf.reshape(v, [-1])))),
  );
}

/**
 * Tensors shaped like `model.vars` from a flat array in that order, keyed by variable name (as
 * `tf.variableGrads` returns and `Optimizer.applyGradients` takes). Call inside `tf.tidy`.
 */
export function unflatten(model: ConvDraw, flat: Float32Array): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  let o = 0;
  for (const v of Object.values(model.vars)) {
    out[v.name] = tf.tensor(flat.subarray(o, o + v.size), v.shape);
    o += v.size;
  }
  if (o !== flat.length) throw new Error(`flat array has ${flat.length} values, model ${o}`);
  return out;
}

/** Set every model variable from a flat array in the order of `model.vars`. */
export function assignFlat(model: ConvDraw, flat: Float32Array): void {
  tf.tidy(() => {
    const w = unflatten(model, flat);
    for (const v of Object.values(model.vars)) v.assign(tensorOf(w, v));
  });
}

/** Options of {@link train} beyond the training config. */
export interface TrainOptions {
  /** Called after each step (progress, logging). */
  onStep?: (step: number, loss: number) => void;
  /** Loss-curve resolution: one point per this many steps (mean over them). */
  curveEvery?: number;
  /**
   * Workers to use when `cfg.replicas > 1` (its size must be `replicas − 1`); by default the
   * trainer starts its own and stops them at the end.
   */
  pool?: ReplicaPool | null;
}

/**
 * Train a model in place: Adam with a linear learning-rate decay, global-norm clipping, seeded
 * minibatches (and dynamic binarization), optionally data-parallel over `replicas` threads.
 * @returns the loss curve (every `curveEvery` steps, averaged over those steps)
 */
export async function train(
  model: ConvDraw,
  data: ImageSet,
  binarize: boolean,
  cfg: TrainConfig,
  { onStep = () => {}, curveEvery = 25, pool: given = null }: TrainOptions = {},
): Promise<CurvePoint[]> {
  const replicas = cfg.replicas ?? 1;
  if (given && given.size !== replicas - 1) {
    throw new Error(
      `replicas = ${replicas} needs ${replicas - 1} workers, the pool has ${given.size}`,
    );
  }
  const pool = given ??
    (replicas > 1 ? await ReplicaPool.start(replicas - 1, model.cfg, tf.getBackend()) : null);
  const rng = new Rng(cfg.seed);
  const opt = tf.train.adam(cfg.lr);
  const curve: CurvePoint[] = [];
  let order: number[] = [], pos = 0, acc = 0, accN = 0;
  try {
    for (let step = 1; step <= cfg.steps; step++) {
      if (pos + cfg.batch > order.length) {
        order = rng.shuffle(Array.from({ length: data.n }, (_, i) => i));
        pos = 0;
      }
      const idx = order.slice(pos, pos + cfg.batch);
      pos += cfg.batch;
      // linear decay lr → lrFinal (Adam's learningRate field is read every step; TF.js declares
      // it protected, and tf.train.adam has no setter)
      (opt as unknown as { learningRate: number }).learningRate = cfg.lr +
        (cfg.lrFinal - cfg.lr) * (step - 1) / Math.max(1, cfg.steps - 1);
      const pixels = batchPixels(data, idx, binarize ? rng : undefined);
      const shape: [number, number, number, number] = [idx.length, data.h, data.w, 1];
      const seed = rng.int(2 ** 30) + 1;
      const loss = await dataParallelStep(model, opt, pixels, shape, seed, cfg.clip, pool);
      if (!Number.isFinite(loss)) {
        throw new Error(`training diverged at step ${step} (loss ${loss})`);
      }
      acc += loss;
      accN++;
      if (step % curveEvery === 0 || step === cfg.steps) {
        curve.push({ step, loss: acc / accN });
        acc = accN = 0;
      }
      onStep(step, loss);
    }
  } finally {
    if (!given) pool?.close();
    opt.dispose();
  }
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

/**
 * `[Σ recon, Σ KL_1, …, Σ KL_T]` over a batch (nats), one posterior sample drawn with `seed`.
 */
export function elboSums(model: ConvDraw, x: tf.Tensor4D, seed: number): Float32Array {
  return readAndDispose(tf.tidy(() => {
    const t = model.elbo(x, seed);
    return tf.stack([tf.sum(t.recon), ...t.kl.map((k) => tf.sum(k))]);
  }));
}

/**
 * Evaluate the single-sample negative ELBO on the first `limit` images of a set, in batches of
 * `batch` with noise seed `seed + b` for batch b. With a pool, batches are spread round-robin over
 * this thread and the workers; each batch keeps its seed, so the result does not depend on the
 * number of replicas.
 */
export async function evaluate(
  model: ConvDraw,
  data: ImageSet,
  limit: number,
  seed: number,
  batch = 250,
  pool: ReplicaPool | null = null,
): Promise<EvalResult> {
  const n = Math.min(limit, data.n);
  const d = data.h * data.w;
  const batches = Array.from({ length: Math.ceil(n / batch) }, (_, b) => ({
    pixels: data.x.subarray(b * batch * d, Math.min(n, (b + 1) * batch) * d),
    shape: [Math.min(batch, n - b * batch), data.h, data.w, 1] as [number, number, number, number],
    seed: seed + b,
  }));
  const weights = pool ? flatWeights(model) : null;
  const sums: Float32Array[] = [];
  for (let b = 0; b < batches.length; b += 1 + (pool?.size ?? 0)) {
    const remote = pool
      ? pool.elboSums(
        weights!,
        batches.slice(b + 1, b + 1 + pool.size).map((s) => ({ ...s, pixels: s.pixels.slice() })),
      )
      : Promise.resolve([]);
    const here = batches[b]!; // b < batches.length
    const x = tf.tensor4d(here.pixels, here.shape);
    try {
      sums.push(elboSums(model, x, here.seed));
    } catch (e) {
      await remote.catch(() => {});
      throw e;
    } finally {
      x.dispose();
    }
    sums.push(...await remote);
  }
  const T = model.cfg.iterations;
  const bad = sums.find((v) => v.length !== T + 1);
  if (bad) throw new Error(`ELBO sums of ${bad.length} terms, expected ${T + 1} (recon + T KLs)`);
  const recon = sums.reduce((s, v) => s + v[0]!, 0);
  const klPerIter = Array.from(
    { length: T },
    (_, t) => sums.reduce((s, v) => s + v[t + 1]!, 0) / n,
  );
  const klTotal = klPerIter.reduce((a, b) => a + b, 0);
  return { images: n, recon: recon / n, klPerIter, klTotal, nelbo: recon / n + klTotal };
}
