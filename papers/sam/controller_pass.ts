/**
 * The parts of one pass over an episode that every model shares around its memory access: the
 * step's input tensor, the output layer — `OutputHead` (every step's logits scored at the end in
 * one tape node, the masked loss and its gradient in JS) or `outputStep` (each step's loss as TF.js
 * ops, dense.ts's first version) — and the run of the whole-sequence loss `f` under
 * `tf.valueAndGrads` (or forward only) that collects the loss, the probabilities [T, B, Y] and the
 * gradients in PARAM_NAMES order.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import { maskedLoss, outputProbs, paramList, type Params } from "./controller.ts";

/** Where a pass's probabilities [T, B, Y] come from once `f` has run, and what it frees. */
export interface StepOutputs {
  /** The probabilities of every step, [T, B, Y] flattened. */
  probs(): Float32Array;
  /** Frees whatever tensors it kept (idempotent). */
  dispose(): void;
}

/** {@link outputStep}'s kept per-step probabilities [B, Y], copied into one array on request. */
export class KeptProbs implements StepOutputs {
  readonly tensors: tf.Tensor[] = [];
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
  }

  probs(): Float32Array {
    const out = new Float32Array(this.#size);
    let at = 0;
    for (const p of this.tensors) {
      const d = p.dataSync() as Float32Array;
      out.set(d, at), at += d.length;
    }
    return out;
  }

  dispose(): void {
    tf.dispose(this.tensors);
    this.tensors.length = 0;
  }
}

/** softplus(z) = log(1 + e^z), stable for large |z|. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * The output layer y_t = Linear([h_t, r_t]) of every step, scored at the end of the sequence in
 * one tape node: the masked loss of `maskedLoss` (sigmoid bits: Σ softplus(z) − t·z; classes:
 * −Σ t·log softmax(z); summed over scored steps, divided by B), computed in JS from the steps'
 * logits, with its gradient dL/dz_t = (p_t − t_t)·mask_t / B (classes: p·Σt − t) and the
 * probabilities p (sigmoid / softmax) filled in while the loss is computed. This replaces ≈ 30
 * kernels per step (the loss, its gradient and the tape's saved copies) with one node per
 * sequence. `controller_pass_test.ts` checks loss, probabilities and gradients against
 * `maskedLoss` under autodiff.
 */
export class OutputHead implements StepOutputs {
  readonly #ep: Episode;
  #logits: tf.Tensor[] = [];
  readonly #probs: Float32Array;

  constructor(ep: Episode) {
    this.#ep = ep;
    this.#probs = new Float32Array(ep.T * ep.B * ep.Y);
  }

  /** Step t's logits from h_t and the reads r_t (null: the plain LSTM's Linear(h_t)). */
  step(h: tf.Tensor, r: tf.Tensor | null, Wo: tf.Tensor, bo: tf.Tensor): void {
    this.#logits.push(tf.fused.matMul({
      a: (r ? tf.concat([h, r], 1) : h) as tf.Tensor2D,
      b: Wo as tf.Tensor2D,
      bias: bo,
    }));
  }

  /** The sequence's loss over the steps given so far (call once, after the last step). */
  loss(): tf.Scalar {
    const ep = this.#ep, B = ep.B, Y = ep.Y, T = this.#logits.length, probs = this.#probs;
    const classes = ep.loss === "classes";
    const node = tf.customGrad(
      ((...args: tf.Tensor[]) => {
        let L = 0;
        for (let t = 0; t < T; t++) {
          const z = args[t]!.dataSync() as Float32Array;
          for (let b = 0; b < B; b++) {
            const m = ep.mask[t * B + b]!, o = (t * B + b) * Y, zo = b * Y;
            let l = 0;
            if (classes) {
              let zmax = -Infinity;
              for (let y = 0; y < Y; y++) zmax = Math.max(zmax, z[zo + y]!);
              let se = 0;
              for (let y = 0; y < Y; y++) se += Math.exp(z[zo + y]! - zmax);
              const lse = zmax + Math.log(se);
              for (let y = 0; y < Y; y++) {
                probs[o + y] = Math.exp(z[zo + y]! - lse);
                l -= ep.target[o + y]! * (z[zo + y]! - lse);
              }
            } else {
              for (let y = 0; y < Y; y++) {
                const zy = z[zo + y]!;
                probs[o + y] = 1 / (1 + Math.exp(-zy));
                l += softplus(zy) - ep.target[o + y]! * zy;
              }
            }
            if (m !== 0) L += m * l;
          }
        }
        const gradFunc = (dy: tf.Tensor) => {
          const g = (dy.dataSync() as Float32Array)[0]! / B;
          return Array.from({ length: T }, (_, t) => {
            const dz = new Float32Array(B * Y);
            for (let b = 0; b < B; b++) {
              const m = ep.mask[t * B + b]!, o = (t * B + b) * Y;
              if (m === 0) continue;
              let ts = 1;
              if (classes) {
                ts = 0;
                for (let y = 0; y < Y; y++) ts += ep.target[o + y]!;
              }
              for (let y = 0; y < Y; y++) {
                dz[b * Y + y] = g * m * (probs[o + y]! * ts - ep.target[o + y]!);
              }
            }
            return tf.tensor2d(dz, [B, Y]);
          });
        };
        return { value: tf.scalar(L / B), gradFunc };
        // TF.js types customGrad's function as variadic over Tensor | GradSaveFunc (the last
        // argument is its save function, unused here) and its result as a generic function
      }) as unknown as Parameters<typeof tf.customGrad>[0],
    ) as unknown as (
      ...zs: tf.Tensor[]
    ) => tf.Scalar;
    return node(...this.#logits);
  }

  probs(): Float32Array {
    return this.#probs;
  }

  dispose(): void {
    this.#logits = []; // the logits belong to the pass's tidy scope
  }
}

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
 * Run `f` over the parameters with gradients (`backward`) or forward only and collect the loss and
 * `outputs`' probabilities; `outputs` is disposed whatever happens, and if reading the loss or the
 * probabilities fails, the gradients are disposed before the error propagates.
 */
export function runTape(
  f: (...ps: tf.Tensor[]) => tf.Scalar,
  params: Params,
  backward: boolean,
  outputs: StepOutputs,
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
    return { loss, probs: outputs.probs(), grads };
  } catch (e) {
    // The caller gets no gradients on a failure, so none may outlive it.
    if (grads) tf.dispose(grads);
    throw e;
  } finally {
    outputs.dispose();
  }
}
