/**
 * Training under the Figure 3 curriculum for a fixed wall-clock budget: each minibatch draws its
 * level from U(1, h) (`Curriculum.sample`), is trained on (RMSProp, global-norm clip, as in
 * `train.ts`), and its cost feeds `Curriculum.observe`, which doubles h when a window of costs
 * is below the threshold.
 *
 * Levels: copy — the sequence length ℓ (T = 2ℓ + 1); associative recall — ℓ + 1 items of 3
 * six-bit vectors (so level 1 is the smallest recall, 2 items; T = 4(ℓ + 1) + 11).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../tasks/core/rng.ts";
import { threadCpuMs } from "../../tasks/core/thread_cpu.ts";
import {
  associativeRecallEpisode,
  associativeRecallSizes,
  copyEpisode,
  copySizes,
  costBits,
  type Episode,
} from "../../datasets/synthetic/mod.ts";
import { Curriculum, type CurriculumOptions, type LevelChange } from "./curriculum.ts";
import type { SequenceModel } from "./model.ts";
import { applyClippedGrads } from "./train.ts";

/** Tasks with a curriculum level. */
export const CURRICULUM_TASKS: readonly string[] = ["copy", "associative_recall"];

const COPY_BITS = 8, RECALL_BITS = 6, RECALL_ITEM_STEPS = 3;

/** Input and target widths of a curriculum task. */
export function curriculumSizes(task: string): { X: number; Y: number } {
  if (task === "copy") return copySizes({ bits: COPY_BITS });
  if (task === "associative_recall") return associativeRecallSizes({ bits: RECALL_BITS });
  throw new RangeError(`no curriculum for task "${task}"`);
}

/** Steps of an episode at `level`. */
export function stepsAt(task: string, level: number): number {
  if (task === "copy") return 2 * level + 1;
  if (task === "associative_recall") return (level + 1) * (RECALL_ITEM_STEPS + 1) + 11;
  throw new RangeError(`no curriculum for task "${task}"`);
}

/** One minibatch of `batch` sequences, all at `level`. */
export function episodeAt(task: string, level: number, batch: number, rng: Rng): Episode {
  if (!Number.isInteger(level) || level < 1) throw new RangeError(`level ${level} must be ≥ 1`);
  if (task === "copy") {
    return copyEpisode(rng, { batch, bits: COPY_BITS, minLength: level, maxLength: level });
  }
  if (task === "associative_recall") {
    const items = level + 1;
    return associativeRecallEpisode(rng, {
      batch,
      bits: RECALL_BITS,
      itemSteps: RECALL_ITEM_STEPS,
      minItems: items,
      maxItems: items,
    });
  }
  throw new RangeError(`no curriculum for task "${task}"`);
}

/** Settings of one curriculum run. */
export interface CurriculumTrainOptions {
  task: string;
  batch: number;
  curriculum: CurriculumOptions;
  /**
   * Training budget (ms) on `clock`; the minibatch running when it ends is finished. "thread-cpu"
   * counts only this thread's CPU time (`threadCpuMs`), so replicas that share cores
   * with other jobs get the same compute; "wall" counts elapsed time (the paper's measure, fair
   * only on an otherwise idle machine).
   */
  budgetMs: number;
  clock: "thread-cpu" | "wall";
  /** Stop anyway after this much wall time (ms; 0: no cap), so a loaded machine cannot stall a run. */
  wallCapMs: number;
  /** Stop earlier after this many minibatches (0: no limit). */
  maxEpisodes: number;
  learningRate: number;
  decay: number;
  clipNorm: number;
  onEpisode?: (i: number, level: number, bits: number, h: number) => void;
}

/** What a curriculum run did. */
export interface CurriculumRun {
  /** Minibatches trained. */
  episodes: number;
  /** Wall ms spent training (model construction excluded). */
  trainMs: number;
  /** This thread's CPU ms spent training (NaN where the runtime cannot tell). */
  cpuMs: number;
  /** True when the wall cap, not the budget, ended the run. */
  wallCapped: boolean;
  /** Every change of h (episode, h), from (0, start). */
  history: LevelChange[];
  /** The final h. */
  maxLevel: number;
  /** Mean cost (bits) of the last window of minibatches. */
  lastWindowBits: number | null;
}

/** Train `model` under a curriculum until the budget is spent; data from `rng`. */
export function trainCurriculum(
  model: SequenceModel,
  rng: Rng,
  o: CurriculumTrainOptions,
): CurriculumRun {
  const cur = new Curriculum(o.curriculum);
  const opt = tf.train.rmsprop(o.learningRate, o.decay, 0, 1e-8);
  const recent: number[] = [];
  const t0 = performance.now(), c0 = threadCpuMs();
  const spent = o.clock === "wall" ? () => performance.now() - t0 : () => threadCpuMs() - c0;
  if (o.clock === "thread-cpu" && Number.isNaN(c0)) {
    throw new Error("curriculum: clock thread-cpu needs process.threadCpuUsage (node:process)");
  }
  let i = 0, wallCapped = false;
  try {
    while (spent() < o.budgetMs && (o.maxEpisodes === 0 || i < o.maxEpisodes)) {
      if (o.wallCapMs > 0 && performance.now() - t0 >= o.wallCapMs) {
        wallCapped = true;
        break;
      }
      const level = cur.sample(rng);
      const ep = episodeAt(o.task, level, o.batch, rng);
      const res = model.run(ep, true);
      const bits = costBits(ep, res.probs);
      applyClippedGrads(opt, model, res.grads!, o.clipNorm);
      cur.observe(bits);
      recent.push(bits);
      if (recent.length > o.curriculum.window) recent.shift();
      o.onEpisode?.(i, level, bits, cur.level);
      i++;
    }
  } finally {
    opt.dispose();
  }
  return {
    episodes: i,
    trainMs: performance.now() - t0,
    cpuMs: threadCpuMs() - c0,
    wallCapped,
    history: [...cur.history],
    maxLevel: cur.level,
    lastWindowBits: recent.length ? recent.reduce((s, v) => s + v, 0) / recent.length : null,
  };
}
