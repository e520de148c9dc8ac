/**
 * `deno task bench sam`: training speed of the Figure 2 models at the paper's Figure 2 sizes
 * (LSTM 100, N 128, word 32, 4 heads, K 4; copy lengths 1–20), in episodes (sequences) per
 * second and kernels per minibatch, in interleaved rounds in one process of three paths:
 * - `old`: the first version — one thread, batch 8, SAM's per-step recompute backward, NTM and DAM
 *   with the whole memory on the autodiff tape (dense.ts) (`train`);
 * - `tape`: one thread, batch 8, the memory access as one JS node per step — SAM's taped backward,
 *   dense_js.ts for NTM and DAM (not the LSTM, which has no memory);
 * - `pool8`: `trainParallel` — replica workers, one shard each of the same batch-8 minibatch (the
 *   gradient of `train`'s, so the learning curves are unchanged), taped backward;
 * - `new`: `trainParallel` with a synchronous minibatch of 64 (8 × 8, the sequences the paper's
 *   8 asynchronous workers consume per round), taped backward / dense_js.ts;
 * with the ratio new/old per round (median, min, max). Before the rounds, one batch-8 minibatch
 * of the old path is broken down: forward+backward, of which the top-K search, and the optimiser
 * step (clip + RMSProp), in wall time; kernels and their time under `tf.profile` (only registered
 * backend kernels are counted; the rest of the wall time is JS: TF.js dispatch and tape
 * bookkeeping, the sparse write, the fused read and the visible-word bookkeeping).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { median } from "../../tasks/core/stats.ts";
import { setupBackend } from "../../tasks/engine/mod.ts";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import { splitEpisode } from "./episode_shards.ts";
import { experiment as figure2, taskOf } from "./experiments/figure2_learning.ts";
import type { ModelName, SequenceModel } from "./model.ts";
import { createModel, type ModelSizes } from "./models.ts";
import type { SamModel } from "./sam.ts";
import { applyClippedGrads } from "./train.ts";
import { pooledGrads } from "./train_parallel.ts";
import { TrainPool } from "./train_pool.ts";

/** Options of one bench run. */
export interface SamTrainBenchOptions {
  models?: ModelName[];
  /** New path: workers and synchronous minibatch (default 2 and 64). */
  workers?: number;
  batch?: number;
  /** Interleaved rounds (default 5; quick 2). */
  rounds?: number;
  quick?: boolean;
}

const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

/**
 * CPU seconds used so far by this process, all threads (workers included): utime + stime from
 * /proc/self/stat (Linux; clock ticks of 1/100 s), or NaN elsewhere. Less sensitive than wall
 * time to other jobs on the machine; it measures work, not the parallel speed-up.
 */
function cpuSeconds(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
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

interface PathStats {
  batch: number;
  workers: number;
  /** Median CPU milliseconds (all threads) per episode. */
  cpuMsPerEpisode: number | null;
  episodesPerSecond: number;
  episodesPerSecondMin: number;
  episodesPerSecondMax: number;
  kernelsPerMinibatch: number;
}

function stats(
  batch: number,
  workers: number,
  eps: number[],
  cpu: number[],
  kernels: number,
): PathStats {
  const c = median(cpu);
  return {
    batch,
    workers,
    cpuMsPerEpisode: Number.isFinite(c) ? round(c, 2) : null,
    episodesPerSecond: round(median(eps), 2),
    episodesPerSecondMin: round(Math.min(...eps), 2),
    episodesPerSecondMax: round(Math.max(...eps), 2),
    kernelsPerMinibatch: kernels,
  };
}

/** Run the bench; returns the measured object (the caller writes it). */
export async function runSamTrainBench(
  o: SamTrainBenchOptions = {},
): Promise<Record<string, unknown>> {
  await setupBackend("wasm");
  const cfg = figure2.profiles.paper; // the paper's sizes (copy 1–20, batch 8), whatever the default trains
  const workers = o.workers ?? 2, newBatch = o.batch ?? 64, oldBatch = cfg.batch;
  const rounds = o.rounds ?? (o.quick ? 2 : 5);
  const oldSteps = o.quick ? 2 : 4, newSteps = o.quick ? 1 : 2;
  const task = (B: number) => taskOf({ ...cfg, batch: B }, "copy");
  const loadBefore = Deno.loadavg();
  const t0Bench = performance.now();
  const breakdown: Record<string, unknown>[] = [], rows: Record<string, unknown>[] = [];
  // The Figure 2 models (not the DNC/SDNC of Figure 7 and bAbI).
  for (const name of o.models ?? (cfg.models as ModelName[])) {
    const sizes = (B: number, impl: "old" | "new" = "new"): ModelSizes => ({
      input: task(B).sizes.X,
      output: task(B).sizes.Y,
      hidden: cfg.hidden,
      N: cfg.N,
      W: cfg.W,
      heads: cfg.heads,
      K: cfg.K,
      batch: B,
      maxSteps: task(B).maxSteps,
      samBackward: impl === "old" ? "recompute" : "tape",
      denseImpl: impl === "old" ? "autodiff" : "js",
    });
    const shardB = Math.ceil(newBatch / workers);
    const models = {
      old: await createModel(name, sizes(oldBatch, "old"), new Rng(1)),
      tape: name !== "lstm" ? await createModel(name, sizes(oldBatch), new Rng(1)) : null,
      new: await createModel(name, sizes(newBatch), new Rng(1)),
      shard: await createModel(name, sizes(shardB), new Rng(1)),
    };
    const pool = await TrainPool.start(workers, name, sizes(shardB), 1, tf.getBackend());
    const opt = () => tf.train.rmsprop(cfg.learningRate, cfg.decay, 0, 1e-8);
    const opts = { old: opt(), tape: opt(), pool8: opt(), new: opt() };
    try {
      const localStep = (m: SequenceModel, op: tf.Optimizer, ep: Episode) => {
        const t0 = performance.now();
        const res = m.run(ep, true);
        const t1 = performance.now();
        applyClippedGrads(op, m, res.grads!, cfg.clipNorm);
        return { run: t1 - t0, opt: performance.now() - t1 };
      };
      const newStep = async (ep: Episode) => {
        const { grads } = await pooledGrads(models.new, pool, ep);
        applyClippedGrads(opts.new, models.new, grads, cfg.clipNorm);
      };
      const pool8Step = async (ep: Episode) => {
        const { grads } = await pooledGrads(models.new, pool, ep);
        applyClippedGrads(opts.pool8, models.new, grads, cfg.clipNorm);
      };
      const rng = new Rng(11);
      // Warm-up (kernel set-up, hnswlib load), then the batch-8 breakdown of the old path.
      localStep(models.old, opts.old, task(oldBatch).next(rng));
      if (models.tape) localStep(models.tape, opts.tape, task(oldBatch).next(rng));
      await newStep(task(newBatch).next(rng));
      await pool8Step(task(oldBatch).next(rng));
      const bd = { run: 0, opt: 0, search: 0, T: 0 };
      const n = o.quick ? 1 : 3;
      for (let i = 0; i < n; i++) {
        const ep = task(oldBatch).next(rng);
        const t = localStep(models.old, opts.old, ep);
        bd.run += t.run / n, bd.opt += t.opt / n, bd.T += ep.T / n;
        bd.search += ((models.old as SamModel).searchMs ?? 0) / n;
      }
      const epK = task(oldBatch).next(rng);
      const passOnly = (m: SequenceModel, ep: Episode) => () => {
        const res = m.run(ep, true);
        tf.dispose(res.grads!);
      };
      const kOld = await kernelsOf(() => void localStep(models.old, opts.old, epK));
      const kOldPass = await kernelsOf(passOnly(models.old, epK));
      const kTape = models.tape ? await kernelsOf(passOnly(models.tape, epK)) : null;
      const kOpt = kOld.count - kOldPass.count;
      breakdown.push({
        model: name,
        batch: oldBatch,
        steps: round(bd.T, 1),
        msPerMinibatch: round(bd.run + bd.opt, 1),
        msForwardBackward: round(bd.run, 1),
        msSearch: round(bd.search, 1),
        msOptimizer: round(bd.opt, 1),
        kernelsPerMinibatch: kOld.count,
        kernelsOptimizer: kOpt,
        kernelsPerStep: round(kOldPass.count / epK.T, 1),
        tapeKernelsPerStep: kTape ? round(kTape.count / epK.T, 1) : null,
        msKernelsProfiled: round(kOld.ms, 1),
        profiledSteps: epK.T,
      });
      // Kernels per minibatch of the new path: one worker's shard plus the trainer's update.
      const s0 = splitEpisode(task(newBatch).next(rng), workers)[0]!;
      const kShard = await kernelsOf(passOnly(models.shard, s0));
      const s8 = splitEpisode(epK, workers)[0]!;
      const kShard8 = await kernelsOf(passOnly(models.shard, s8));
      const eps = {
        old: [] as number[],
        tape: [] as number[],
        pool8: [] as number[],
        new: [] as number[],
      };
      const cpu = {
        old: [] as number[],
        tape: [] as number[],
        pool8: [] as number[],
        new: [] as number[],
      };
      /** Episodes per second of `f` (which trains `episodes`), and its CPU ms per episode. */
      const timed = async (
        path: keyof typeof eps,
        episodes: number,
        f: () => Promise<void> | void,
      ) => {
        const c0 = cpuSeconds(), t0 = performance.now();
        await f();
        const s = (performance.now() - t0) / 1000;
        eps[path].push(episodes / s);
        cpu[path].push((cpuSeconds() - c0) * 1000 / episodes);
        return episodes / s;
      };
      const ratios: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const er = new Rng(100 + r);
        const oldEps = Array.from({ length: oldSteps }, () => task(oldBatch).next(er));
        const newEps = Array.from({ length: newSteps }, () => task(newBatch).next(er));
        const a = await timed("old", oldSteps * oldBatch, () => {
          for (const ep of oldEps) localStep(models.old, opts.old, ep);
        });
        const tape = models.tape;
        if (tape) {
          await timed("tape", oldSteps * oldBatch, () => {
            for (const ep of oldEps) localStep(tape, opts.tape, ep);
          });
        }
        await timed("pool8", oldSteps * oldBatch, async () => {
          for (const ep of oldEps) await pool8Step(ep);
        });
        const b = await timed("new", newSteps * newBatch, async () => {
          for (const ep of newEps) await newStep(ep);
        });
        ratios.push(b / a);
      }
      rows.push({
        model: name,
        old: stats(oldBatch, 1, eps.old, cpu.old, kOld.count),
        tape: kTape ? stats(oldBatch, 1, eps.tape, cpu.tape, kTape.count + kOpt) : null,
        pool8: {
          ...stats(oldBatch, workers, eps.pool8, cpu.pool8, kShard8.count + kOpt),
          kernelsPerWorker: kShard8.count,
          kernelsTrainer: kOpt,
        },
        new: {
          ...stats(newBatch, workers, eps.new, cpu.new, kShard.count + kOpt),
          kernelsPerWorker: kShard.count,
          kernelsTrainer: kOpt,
        },
        tapeRatioMedian: kTape ? round(median(eps.tape.map((v, i) => v / eps.old[i]!)), 2) : null,
        pool8RatioMedian: round(median(eps.pool8.map((v, i) => v / eps.old[i]!)), 2),
        cpuRatio: round(median(cpu.old) / median(cpu.new), 2),
        ratioMedian: round(median(ratios), 2),
        ratioMin: round(Math.min(...ratios), 2),
        ratioMax: round(Math.max(...ratios), 2),
        rounds,
      });
    } finally {
      pool.close();
      for (const op of Object.values(opts)) op.dispose();
      for (const m of Object.values(models)) m?.dispose();
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
    cores: navigator.hardwareConcurrency,
    loadAverageBefore: loadBefore.map((v) => round(v, 2)),
    loadAverageAfter: Deno.loadavg().map((v) => round(v, 2)),
    seconds: round((performance.now() - t0Bench) / 1000, 1),
    breakdown,
    rows,
  };
}
