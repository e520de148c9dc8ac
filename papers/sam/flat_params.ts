/**
 * Controller parameters and gradients as one flat Float32Array in PARAM_NAMES order, the form
 * in which the trainer and its replica workers exchange them.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { PARAM_NAMES, type Params } from "./controller.ts";

/** The parameters' values, concatenated in PARAM_NAMES order. */
export function flatWeights(p: Params): Float32Array {
  const parts = PARAM_NAMES.map((n) => p[n].dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of parts) out.set(a, o), o += a.length;
  return out;
}

/** Assign a flat array (PARAM_NAMES order) to the parameters. */
export function setFlatWeights(p: Params, flat: Float32Array): void {
  let o = 0;
  for (const n of PARAM_NAMES) {
    const v = p[n], size = v.size;
    if (o + size > flat.length) throw new RangeError(`flat weights too short at ${n}`);
    tf.tidy(() => v.assign(tf.tensor(flat.subarray(o, o + size), v.shape)));
    o += size;
  }
  if (o !== flat.length) throw new RangeError(`flat weights: ${flat.length} values, ${o} expected`);
}

/** Gradients (PARAM_NAMES order) read into one flat array. */
export function flatGrads(grads: tf.Tensor[]): Float32Array {
  const parts = grads.map((g) => g.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((s, a) => s + a.length, 0));
  let o = 0;
  for (const a of parts) out.set(a, o), o += a.length;
  return out;
}

/** Tensors shaped like the parameters from a flat array (PARAM_NAMES order); caller disposes. */
export function unflattenGrads(p: Params, flat: Float32Array): tf.Tensor[] {
  let o = 0;
  return PARAM_NAMES.map((n) => {
    const v = p[n];
    const t = tf.tensor(flat.subarray(o, o + v.size), v.shape);
    o += v.size;
    return t;
  });
}
