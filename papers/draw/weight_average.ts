/**
 * An exponential moving average of a model's flat weights, kept during training and loaded into
 * the model when it ends (`trained.ts`, the `ema` field of the default profile).
 * @module
 */

/** a ← d·a + (1 − d)·w in place (a copy of w when a is null, the first step); returns a. */
export function movingAverage(a: Float32Array | null, w: Float32Array, d: number): Float32Array {
  if (!a) return w.slice();
  if (a.length !== w.length) {
    throw new Error(`weight average: ${a.length} averaged weights, ${w.length} new ones`);
  }
  for (let i = 0; i < w.length; i++) a[i] = d * a[i]! + (1 - d) * w[i]!;
  return a;
}
