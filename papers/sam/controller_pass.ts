/**
 * The parts of one pass over an episode that every model shares around its memory access: the
 * step's input tensor, the output layer with its kept probabilities and masked loss, and the run
 * of the whole-sequence loss `f` under `tf.valueAndGrads` (or forward only) that collects the
 * loss, the probabilities [T, B, Y] and the gradients in PARAM_NAMES order.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import { maskedLoss, outputProbs, paramList, type Params } from "./controller.ts";

/** The six parameter tensors in PARAM_NAMES order, as `f` receives them (Wl, bl, Wi, bi, Wo, bo). */
export type ParamTensors = [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];

/** The input x_t `[B, X]` of step t. */
export function inputAt(ep: Episode, t: number): tf.Tensor2D {
  const B = ep.B, X = ep.X;
  return tf.tensor2d(ep.input.subarray(t * B * X, (t + 1) * B * X), [B, X]);
}

/**
 * The output layer y_t = Linear([h_t, r_t]) (r null: the plain LSTM's y_t = Linear(h_t)) at step
 * t: keeps its probabilities in `probsT` and returns `loss` plus the step's masked loss.
 */
export function outputStep(
  ep: Episode,
  t: number,
  h: tf.Tensor,
  r: tf.Tensor | null,
  Wo: tf.Tensor,
  bo: tf.Tensor,
  probsT: tf.Tensor[],
  loss: tf.Tensor,
): tf.Tensor {
  const B = ep.B, Y = ep.Y;
  const logits = tf.fused.matMul({
    a: (r ? tf.concat([h, r], 1) : h) as tf.Tensor2D,
    b: Wo as tf.Tensor2D,
    bias: bo,
  });
  probsT.push(tf.keep(outputProbs(logits, ep.loss)));
  const tgt = tf.tensor2d(ep.target.subarray(t * B * Y, (t + 1) * B * Y), [B, Y]);
  const msk = tf.tensor1d(ep.mask.subarray(t * B, (t + 1) * B));
  return tf.add(loss, maskedLoss(logits, tgt, msk, ep.loss));
}

/**
 * Run `f` over the parameters with gradients (`backward`) or forward only and collect the loss;
 * `probsT` (the kept per-step probabilities [B, Y]) are copied into one array of `size` floats
 * and disposed, whatever happens; if reading the loss or the probabilities fails, the gradients
 * are disposed before the error propagates.
 */
export function runTape(
  f: (...ps: tf.Tensor[]) => tf.Scalar,
  params: Params,
  backward: boolean,
  probsT: tf.Tensor[],
  size: number,
): { loss: number; probs: Float32Array; grads: tf.Tensor[] | null } {
  const plist = paramList(params);
  let grads: tf.Tensor[] | null = null;
  try {
    let loss: number;
    if (backward) {
      const res = tf.tidy(() => {
        const { value, grads } = tf.valueAndGrads(f)(plist);
        return [value, ...grads];
      });
      grads = res.slice(1);
      try {
        loss = res[0]!.dataSync()[0]!;
      } finally {
        res[0]!.dispose();
      }
    } else {
      const v = tf.tidy(() => f(...plist));
      try {
        loss = v.dataSync()[0]!;
      } finally {
        v.dispose();
      }
    }
    const probs = new Float32Array(size);
    let at = 0;
    for (const p of probsT) {
      const d = p.dataSync() as Float32Array;
      probs.set(d, at), at += d.length;
    }
    return { loss, probs, grads };
  } catch (e) {
    // The caller gets no gradients on a failure, so none may outlive it.
    if (grads) tf.dispose(grads);
    throw e;
  } finally {
    tf.dispose(probsT);
  }
}
