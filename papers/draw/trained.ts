/**
 * Trained conv DRAW models shared by the experiments: train once per full configuration and
 * cache the weights (plus the loss curve and training time) under a key hashed from the model
 * config, the training config, the data set and {@link TRAINING_CODE_VERSION}. The ELBO,
 * conceptual-compression and rate–distortion experiments then reuse the same model.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ProgressReporter } from "../../tasks/core/experiment.ts";
import { ConvDraw, type ConvDrawConfig } from "./conv_draw.ts";
import { type DrawDataset, loadDrawData } from "./data.ts";
import { stableHash } from "../../tasks/core/json.ts";
import { readCachedModel, type TrainedRecord, writeCachedModel } from "./model_cache.ts";
import { ReplicaPool } from "./replica_pool.ts";
import { assignFlat, flatWeights, train, type TrainConfig } from "./train.ts";
import { movingAverage } from "./weight_average.ts";

/** Bump when the model or training code changes in a way that changes trained weights. */
export const TRAINING_CODE_VERSION = 2;

/** A model ready to evaluate, with its training record. */
export interface TrainedModel {
  model: ConvDraw;
  record: Omit<TrainedRecord, "weights">;
  /** True when the weights came from the cache (training ran in an earlier process). */
  fromCache: boolean;
  /** The replica workers (null with one replica), for a parallel {@link evaluate}. */
  pool: ReplicaPool | null;
  /** Free the model and stop the workers. */
  dispose(): void;
}

/**
 * Experiment config fields that define a model and its training. All sizes are ours; the paper's
 * are unknown. Model: 28×28 folded `s2d`× (4 → 7×7×16); conv-LSTMs with `hidden` maps; z_t is
 * 7×7×`zChannels`. Training: Adam, linear lr decay `lr` → `lrFinal`, global-norm clip.
 */
export type ModelFields = {
  s2d: number;
  hidden: number;
  zChannels: number;
  iterations: number;
  kernel: number;
  batch: number;
  steps: number;
  lr: number;
  lrFinal: number;
  clip: number;
  /**
   * Data-parallel replicas on a CPU backend (this thread + `replicas − 1` Web Workers, one core
   * each); GPU backends always train with 1. Part of the cache key: shards draw their own noise.
   */
  replicas: number;
  /**
   * Decay of the moving average of the weights (`weight_average.ts`) kept after every step and
   * loaded into the model when training ends; 0: the last step's weights.
   */
  ema: number;
  /** Use the weight cache (false: always train). */
  useCache: boolean;
};

/**
 * Get a trained model for a data set: from the cache when an identical configuration was
 * trained before, else train it now (and cache it).
 */
export async function trainedModel(
  dataset: DrawDataset,
  f: ModelFields,
  seed: number,
  progress?: ProgressReporter,
): Promise<TrainedModel> {
  const data = await loadDrawData(dataset);
  const modelConfig: ConvDrawConfig = {
    height: data.train.h,
    width: data.train.w,
    s2d: f.s2d,
    hidden: f.hidden,
    zChannels: f.zChannels,
    iterations: f.iterations,
    kernel: f.kernel,
    likelihood: dataset === "fashion_mnist" ? "logistic" : "bernoulli",
    seed,
  };
  const trainConfig: TrainConfig = {
    steps: f.steps,
    batch: f.batch,
    lr: f.lr,
    lrFinal: f.lrFinal,
    clip: f.clip,
    seed: seed + 1,
    // Workers only help CPU backends (a GPU backend runs one replica); see ModelFields.replicas.
    replicas: ["wasm", "cpu"].includes(tf.getBackend()) ? f.replicas : 1,
  };
  const key = `${dataset}-${await stableHash({
    modelConfig,
    trainConfig,
    dataset,
    v: TRAINING_CODE_VERSION,
    ...(f.ema > 0 ? { ema: f.ema } : {}), // absent when 0: earlier cache keys stay valid
  })}`;
  const model = new ConvDraw(modelConfig);
  const replicas = trainConfig.replicas ?? 1;
  let pool: ReplicaPool | null = null;
  const dispose = () => {
    pool?.close();
    model.dispose();
  };
  try {
    pool = replicas > 1
      ? await ReplicaPool.start(replicas - 1, modelConfig, tf.getBackend())
      : null;
    if (f.useCache) {
      const hit = await readCachedModel(key);
      if (hit) {
        model.setWeights(hit.weights);
        const { weights: _w, ...record } = hit;
        progress?.log(`${dataset}: loaded trained weights from cache (${key})`);
        return { model, record, fromCache: true, pool, dispose };
      }
    }
    const t0 = performance.now();
    const average: { w: Float32Array | null } = { w: null };
    const curve = await train(
      model,
      data.train,
      data.trainBinarization === "dynamic",
      trainConfig,
      {
        onStep: (step, loss) => {
          if (f.ema > 0) average.w = movingAverage(average.w, flatWeights(model), f.ema);
          progress?.update(step, f.steps, `loss ${loss.toFixed(1)} nats`);
        },
        pool,
      },
    );
    if (average.w) assignFlat(model, average.w);
    const record = {
      key,
      modelConfig,
      trainConfig,
      dataset,
      curve,
      trainSeconds: (performance.now() - t0) / 1000,
    };
    if (f.useCache) await writeCachedModel({ ...record, weights: await model.getWeights() });
    return { model, record, fromCache: false, pool, dispose };
  } catch (e) {
    dispose(); // live workers would keep the process from exiting
    throw e;
  }
}

/**
 * {@link trainedModel}, then `use` it; the model and its workers are freed however `use` ends
 * (live workers would keep the process from exiting).
 */
export async function withTrainedModel<T>(
  dataset: DrawDataset,
  f: ModelFields,
  seed: number,
  progress: ProgressReporter | undefined,
  use: (tm: TrainedModel) => Promise<T>,
): Promise<T> {
  const tm = await trainedModel(dataset, f, seed, progress);
  try {
    return await use(tm);
  } finally {
    tm.dispose();
  }
}
