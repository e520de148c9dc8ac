/**
 * Shared pieces of the Figure 1 benchmarks: random bit sequences of a fixed length, the
 * benchmark model sizes, and the guard that keeps dense models inside the 4 GiB wasm heap.
 * @module
 */
import type { Rng } from "../../../tasks/harness/rng.ts";
import { emptyEpisode, type Episode } from "../../../datasets/synthetic/episode.ts";
import type { ModelName } from "../model.ts";

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
export function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
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
