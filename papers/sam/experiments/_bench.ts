/**
 * Shared pieces of the Figure 1 benchmarks: random bit sequences of a fixed length, the
 * benchmark model sizes, the guard that keeps dense models inside the 4 GiB wasm heap, and
 * interleaved timing rounds (ABCD ABCD …) of several models in one process.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import process from "node:process";
import type { Rng } from "../../../tasks/core/rng.ts";
import { median } from "../../../tasks/core/stats.ts";
import { emptyEpisode, type Episode } from "../../../datasets/synthetic/mod.ts";
import type { ModelName, SequenceModel } from "../model.ts";
import { createModel, type ModelSizes } from "../models.ts";

/** An episode of T steps with random 8-bit inputs/targets, every step scored. */
export function randomEpisode(rng: Rng, T: number, B: number): Episode {
  const ep = emptyEpisode(T, B, 9, 8);
  for (let i = 0; i < ep.input.length; i++) ep.input[i] = rng.bernoulli(0.5);
  for (let i = 0; i < ep.target.length; i++) ep.target[i] = rng.bernoulli(0.5);
  ep.mask.fill(1);
  return ep;
}

/**
 * TF.js bytes the dense tape needs per step and batch element, in units of one N × W float32
 * memory: measured here with tf.profile at N = 1024, B = 1, T = 10 (NTM 36.2, DAM 25.5),
 * rounded up.
 */
export const DENSE_COPIES_PER_STEP: Record<string, number> = { ntm: 40, dam: 28 };

/** Estimated peak TF.js bytes of a dense model's forward+backward pass (0 for sparse models). */
export function denseBytesEstimate(
  model: ModelName,
  N: number,
  W: number,
  B: number,
  T: number,
): number {
  const c = DENSE_COPIES_PER_STEP[model];
  return c ? c * N * W * 4 * B * T : 0;
}

/** Median of a non-empty list. */
export const medianOf: (xs: number[]) => number = median;

/** Sizes of the Figure 1 benchmark models (besides N and the sequence length). */
export interface BenchSizes {
  hidden: number;
  W: number;
  heads: number;
  K: number;
  batch: number;
  denseMaxBytes: number;
}

/** Why a dense model is not run at N (its tape would not fit the wasm heap), or null. */
export function denseNotRun(
  model: ModelName,
  N: number,
  sizes: BenchSizes,
  T: number,
): string | null {
  const est = denseBytesEstimate(model, N, sizes.W, sizes.batch, T);
  if (est <= sizes.denseMaxBytes) return null;
  return `estimated tape ${(est / 2 ** 30).toFixed(1)} GiB > ${
    (sizes.denseMaxBytes / 2 ** 30).toFixed(1)
  } GiB (wasm heap 4 GiB)`;
}

/**
 * The benchmark model: 9 input bits, 8 output bits, the given sizes, memory N, T steps; `extra`
 * sets the other model options (ANN update mode, persistent memory).
 */
export function benchModel(
  model: ModelName,
  N: number,
  sizes: BenchSizes,
  T: number,
  rng: Rng,
  extra: Partial<ModelSizes> = {},
): ReturnType<typeof createModel> {
  return createModel(model, {
    input: 9,
    output: 8,
    hidden: sizes.hidden,
    N,
    W: sizes.W,
    heads: sizes.heads,
    K: sizes.K,
    batch: sizes.batch,
    maxSteps: T,
    ...extra,
  }, rng);
}

/**
 * Extrapolate a dense model's cost to N: the straight line y = a + b·N through the two largest
 * measured points (dense cost is linear in N; the intercept is the controller's share).
 */
export function extrapolateLinear(points: { N: number; y: number }[], N: number): number | null {
  const pts = [...points].sort((a, b) => a.N - b.N).slice(-2);
  if (pts.length < 2) return null;
  const [p, q] = pts as [{ N: number; y: number }, { N: number; y: number }];
  const b = (q.y - p.y) / (q.N - p.N);
  return q.y + b * (N - q.N);
}

/** One contender of {@link interleavedRounds}: a model and the episode it is timed on. */
export interface Contender {
  name: string;
  model: SequenceModel;
  episode: Episode;
}

/** Per-round times of one contender, per step of its episode (warm-up rounds dropped). */
export type RoundTimes = { name: string; steps: number; wallMs: number[]; cpuMs: number[] };

/**
 * Time one forward+backward pass of each contender in turn, `warmup + rounds` times (ABCD
 * ABCD …, the same order every round), and return each one's wall and CPU (user + system) ms
 * per step of the timed rounds. Interleaving puts every contender under the same load drift,
 * so per-round ratios are paired measurements. `onRound(r)` is called after each round.
 */
export function interleavedRounds(
  contenders: readonly Contender[],
  rounds: number,
  warmup: number,
  onRound: (round: number) => void = () => {},
): RoundTimes[] {
  const out: RoundTimes[] = contenders.map((c) => ({
    name: c.name,
    steps: c.episode.T,
    wallMs: [],
    cpuMs: [],
  }));
  for (let r = 0; r < warmup + rounds; r++) {
    contenders.forEach((c, i) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      tf.dispose(c.model.run(c.episode, true).grads ?? []);
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      if (r < warmup) return;
      const o = out[i]!;
      o.wallMs.push(wall / o.steps);
      o.cpuMs.push((cpu.user + cpu.system) / 1000 / o.steps);
    });
    onRound(r);
  }
  return out;
}
