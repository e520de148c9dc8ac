/**
 * `deno task bench sam`: training speed of the Figure 2 models at the Figure 2 default sizes
 * (LSTM 100, N 128, word 32, 4 heads, K 4; copy lengths 1–20), in sequences (episodes) per second
 * and kernels per minibatch, for the old path (one thread, batch 8, `train`) and the new one
 * (`trainParallel`: replica workers, one shard of a larger synchronous minibatch each), in
 * interleaved rounds (old, new, old, new, …) in one process, with the ratio per round. Before the
 * rounds, one batch-8 minibatch per model is broken down: forward+backward, of which the top-K
 * search, and the optimiser step (clip + RMSProp), in wall time; kernels and their time under
 * `tf.profile` (only registered backend kernels are counted; the rest of the wall time is JS:
 * TF.js dispatch, the sparse write, the fused read and the visible-word bookkeeping).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { median } from "../../tasks/core/stats.ts";
import { setupBackend } from "../../tasks/engine/mod.ts";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import { PARAM_NAMES } from "./controller.ts";
import { experiment as figure2, taskOf } from "./experiments/figure2_learning.ts";
import type { ModelName, SequenceModel } from "./model.ts";
import { createModel, MODEL_NAMES, type ModelSizes } from "./models.ts";
import type { SamModel } from "./sam.ts";
import { clipByGlobalNorm } from "./train.ts";
import { splitEpisode } from "./episode_shards.ts";
import { pooledGrads } from "./train_parallel.ts";
import { TrainPool } from "./train_pool.ts";

/** Options of one bench run. */
export interface SamTrainBenchOptions {
  models?: ModelName[];
  /** New path: workers and synchronous minibatch (default 2 and 64 = 8 workers × 8). */
  workers?: number;
  batch?: number;
  /** Interleaved rounds (default 5; quick 2). */
  rounds?: number;
  quick?: boolean;
}

const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

/** Optimiser step as `train` does it. */
function applyStep(opt: tf.Optimizer, model: SequenceModel, grads: tf.Tensor[], clip: number) {
  const clipped = clipByGlobalNorm(grads, clip);
  tf.dispose(grads);
  const named: Record<string, tf.Tensor> = {};
  PARAM_NAMES.forEach((n, k) => (named[model.params[n].name] = clipped[k]!));
  opt.applyGradients(named);
  tf.dispose(clipped);
}

/** Registered backend kernels (count, ms) of `f` under tf.profile. */
async function kernelsOf(f: () => void): Promise<{ count: number; ms: number }> {
  const backend = tf.getBackend();
  const info = await tf.profile(f);
  let count = 0, ms = 0;
  for (const k of info.kernels) {
    if (!tf.getKernel(k.name, backend)) continue;
    count++;
    ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
  }
  return { count, ms };
}

/** Run the bench; returns the measured object (the caller writes it). */
export async function runSamTrainBench(o: SamTrainBenchOptions = {}): Promise<
  Record<string, unknown>
> {
  await setupBackend("wasm");
  const cfg = figure2.profiles.default;
  const workers = o.workers ?? 2, newBatch = o.batch ?? 64, oldBatch = cfg.batch;
  const rounds = o.rounds ?? (o.quick ? 2 : 5);
  const oldSteps = o.quick ? 2 : 4, newSteps = o.quick ? 1 : 2;
  const task = (B: number) => taskOf({ ...cfg, batch: B }, "copy");
  const lr = cfg.learningRate;
  const loadBefore = Deno.loadavg();
  const breakdown: Record<string, unknown>[] = [], rows: Record<string, unknown>[] = [];
  for (const name of o.models ?? MODEL_NAMES) {
    const sizes = (B: number): ModelSizes => ({
      input: task(B).sizes.X,
      output: task(B).sizes.Y,
      hidden: cfg.hidden,
      N: cfg.N,
      W: cfg.W,
      heads: cfg.heads,
      K: cfg.K,
      batch: B,
      maxSteps: task(B).maxSteps,
    });
    const oldModel = await createModel(name, sizes(oldBatch), new Rng(1));
    const newModel = await createModel(name, sizes(newBatch), new Rng(1));
    const shardB = Math.ceil(newBatch / workers);
    const pool = await TrainPool.start(workers, name, sizes(shardB), 1, tf.getBackend());
    const oldOpt = tf.train.rmsprop(lr, cfg.decay, 0, 1e-8);
    const newOpt = tf.train.rmsprop(lr, cfg.decay, 0, 1e-8);
    try {
      const oldStep = (ep: Episode) => {
        const t0 = performance.now();
        const res = oldModel.run(ep, true);
        const t1 = performance.now();
        applyStep(oldOpt, oldModel, res.grads!, cfg.clipNorm);
        return { run: t1 - t0, opt: performance.now() - t1 };
      };
      const newStep = async (ep: Episode) => {
        const { grads } = await pooledGrads(newModel, pool, ep);
        applyStep(newOpt, newModel, grads, cfg.clipNorm);
      };
      const rng = new Rng(11);
      // Warm-up (kernel compilation, hnswlib load), then the batch-8 breakdown.
      oldStep(task(oldBatch).next(rng)), await newStep(task(newBatch).next(rng));
      const bd = { run: 0, opt: 0, search: 0, T: 0 };
      const n = o.quick ? 1 : 3;
      for (let i = 0; i < n; i++) {
        const ep = task(oldBatch).next(rng);
        const t = oldStep(ep);
        bd.run += t.run / n, bd.opt += t.opt / n, bd.T += ep.T / n;
        bd.search += ((oldModel as SamModel).searchMs ?? 0) / n;
      }
      const epK = task(oldBatch).next(rng);
      const kOld = await kernelsOf(() => void oldStep(epK));
      const kOpt = await kernelsOf(() => {
        const res = oldModel.run(epK, true);
        tf.dispose(res.grads!);
      });
      breakdown.push({
        model: name,
        batch: oldBatch,
        steps: round(bd.T, 1),
        msPerMinibatch: round(bd.run + bd.opt, 1),
        msForwardBackward: round(bd.run, 1),
        msSearch: round(bd.search, 1),
        msOptimizer: round(bd.opt, 1),
        kernelsPerMinibatch: kOld.count,
        kernelsOptimizer: kOld.count - kOpt.count,
        kernelsPerStep: round(kOpt.count / epK.T, 1),
        msKernelsProfiled: round(kOld.ms, 1),
        kernelEpisodeSteps: epK.T,
      });
      // Kernels per minibatch of the new path: one worker's shard plus the trainer's update.
      const epN = task(newBatch).next(rng);
      const shardModel = await createModel(name, sizes(shardB), new Rng(1));
      const s0 = splitEpisode(epN, workers)[0]!;
      const kShard = await kernelsOf(() => {
        const res = shardModel.run(s0, true);
        tf.dispose(res.grads!);
      });
      shardModel.dispose();
      const oldSps: number[] = [], newSps: number[] = [], ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const er = new Rng(100 + r);
        const oldEps = Array.from({ length: oldSteps }, () => task(oldBatch).next(er));
        const newEps = Array.from({ length: newSteps }, () => task(newBatch).next(er));
        let t0 = performance.now();
        for (const ep of oldEps) oldStep(ep);
        const a = (oldSteps * oldBatch) / ((performance.now() - t0) / 1000);
        t0 = performance.now();
        for (const ep of newEps) await newStep(ep);
        const b = (newSteps * newBatch) / ((performance.now() - t0) / 1000);
        oldSps.push(a), newSps.push(b), ratios.push(b / a);
      }
      rows.push({
        model: name,
        old: {
          batch: oldBatch,
          workers: 1,
          episodesPerSecond: round(median(oldSps), 2),
          episodesPerSecondMin: round(Math.min(...oldSps), 2),
          episodesPerSecondMax: round(Math.max(...oldSps), 2),
          kernelsPerMinibatch: kOld.count,
        },
        new: {
          batch: newBatch,
          workers,
          episodesPerSecond: round(median(newSps), 2),
          episodesPerSecondMin: round(Math.min(...newSps), 2),
          episodesPerSecondMax: round(Math.max(...newSps), 2),
          kernelsPerMinibatchPerWorker: kShard.count,
          kernelsTrainer: kOld.count - kOpt.count,
        },
        ratioMedian: round(median(ratios), 2),
        ratioMin: round(Math.min(...ratios), 2),
        ratioMax: round(Math.max(...ratios), 2),
        rounds,
      });
    } finally {
      pool.close();
      oldOpt.dispose(), newOpt.dispose();
      oldModel.dispose(), newModel.dispose();
    }
  }
  return {
    sizes: {
      task: "copy",
      copyLengths: [1, cfg.copyMaxLength],
      hidden: cfg.hidden,
      N: cfg.N,
      W: cfg.W,
      heads: cfg.heads,
      K: cfg.K,
    },
    backend: tf.getBackend(),
    loadAverageBefore: loadBefore.map((v) => round(v, 2)),
    loadAverageAfter: Deno.loadavg().map((v) => round(v, 2)),
    breakdown,
    rows,
  };
}
