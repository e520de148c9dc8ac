/**
 * The LSTM controller shared by every model (Rae et al. 2016 Supp. B, Fig. 6): input
 * [x_t, r_{t−1}], one LSTM layer (100 units in the paper; the engine's cell, see
 * {@link lstmStep}), an interface layer h_t → p_t that parameterises the memory access, and an
 * output layer y_t = Linear([h_t, r_t]).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../../tasks/core/rng.ts";
import { lstmCell, type LstmState } from "../../tasks/engine/mod.ts";

/** Sizes of a controller. R = heads × word (read vector width, 0 for the plain LSTM). */
export interface ControllerSpec {
  /** Input width X. */
  input: number;
  /** Output width Y. */
  output: number;
  /** LSTM units (paper: 100). */
  hidden: number;
  /** Read-vector width R = heads × word size (0 = no memory). */
  read: number;
  /** Interface width I (model-specific; 0 = no memory). */
  iface: number;
}

/** Parameter names in a fixed order (the order of gradient lists). */
export const PARAM_NAMES = ["Wl", "bl", "Wi", "bi", "Wo", "bo"] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/**
 * Trainable parameters:
 * - Wl [X + R + H, 4H], bl [4H] (gate blocks i, f, o, g; forget bias 1)
 * - Wi [H, I], bi [I] (interface)
 * - Wo [H + R, Y], bo [Y] (output logits)
 */
export type Params = Record<ParamName, tf.Variable>;

let instance = 0;

/** Create Glorot-uniform parameters from a seeded stream (TF.js seeds are never 0). */
export function initParams(spec: ControllerSpec, rng: Rng): Params {
  const id = `ctl${instance++}`;
  const glorot = (r: number, c: number) => {
    const lim = Math.sqrt(6 / (r + c));
    return tf.randomUniform([r, c], -lim, lim, "float32", rng.childSeed());
  };
  const H = spec.hidden, inW = spec.input + spec.read + H;
  const bl = new Float32Array(4 * H);
  bl.fill(1, H, 2 * H);
  // the variable shares t's data (TF.js counts a reference), so t itself can go at once
  const make = (name: ParamName, t: tf.Tensor) => {
    const v = tf.variable(t, true, `${id}/${name}`);
    t.dispose();
    return v;
  };
  return {
    Wl: make("Wl", glorot(inW, 4 * H)),
    bl: make("bl", tf.tensor1d(bl)),
    Wi: make("Wi", glorot(H, Math.max(spec.iface, 1))),
    bi: make("bi", tf.zeros([Math.max(spec.iface, 1)])),
    Wo: make("Wo", glorot(H + spec.read, spec.output)),
    bo: make("bo", tf.zeros([spec.output])),
  };
}

/** Parameters as a list in PARAM_NAMES order. */
export function paramList(p: Params): tf.Variable[] {
  return PARAM_NAMES.map((n) => p[n]);
}

/** Dispose all parameters. */
export function disposeParams(p: Params): void {
  for (const n of PARAM_NAMES) p[n].dispose();
}

/**
 * The controller's LSTM step: the engine's `lstmCell` on the input [x, r] with kernel Wl
 * `[X + R + H, 4H]` and bias bl `[4H]` (gate blocks i, f, o, g; the fused gate kernels on
 * wasm/cpu). x [B, X], r [B, R] (null for the plain LSTM), h, c [B, H] → { h, c } [B, H].
 * `Wl`, `bl` are the variables, or plain tensors under tf.grads.
 */
export function lstmStep(
  Wl: tf.Tensor,
  bl: tf.Tensor,
  x: tf.Tensor,
  r: tf.Tensor | null,
  h: tf.Tensor,
  c: tf.Tensor,
): LstmState {
  const input = (r ? [x, r] : [x]) as tf.Tensor2D[];
  const w = { kernel: Wl as tf.Tensor2D, bias: bl as tf.Tensor1D };
  return lstmCell(input, { h: h as tf.Tensor2D, c: c as tf.Tensor2D }, w);
}

/**
 * Masked sigmoid cross-entropy in nats summed over bits and scored steps, divided by B.
 * logits, target [B, Y]; mask [B].
 */
export function maskedBce(logits: tf.Tensor, target: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  // softplus(z) − t·z = −[t log σ(z) + (1 − t) log(1 − σ(z))]
  const l = tf.sub(tf.softplus(logits), tf.mul(target, logits));
  const B = logits.shape[0]!;
  return tf.div(tf.sum(tf.mul(tf.sum(l, 1), mask)), B) as tf.Scalar;
}

/** How the Y outputs are scored: independent sigmoid bits (default) or one softmax over Y classes. */
export type OutputLoss = "bits" | "classes";

/**
 * Masked softmax cross-entropy in nats over the Y classes at scored steps, divided by B.
 * logits, target [B, Y] (one-hot); mask [B].
 */
export function maskedSoftmaxCe(
  logits: tf.Tensor,
  target: tf.Tensor,
  mask: tf.Tensor,
): tf.Scalar {
  const l = tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(logits, 1)), 1));
  const B = logits.shape[0]!;
  return tf.div(tf.sum(tf.mul(l, mask)), B) as tf.Scalar;
}

/** The step loss of an output kind: {@link maskedBce} for bits, {@link maskedSoftmaxCe} for classes. */
export function maskedLoss(
  logits: tf.Tensor,
  target: tf.Tensor,
  mask: tf.Tensor,
  kind: OutputLoss = "bits",
): tf.Scalar {
  return kind === "classes"
    ? maskedSoftmaxCe(logits, target, mask)
    : maskedBce(logits, target, mask);
}

/** Output probabilities [B, Y]: sigmoid per bit, or softmax over the classes. */
export function outputProbs(logits: tf.Tensor, kind: OutputLoss = "bits"): tf.Tensor {
  return kind === "classes" ? tf.softmax(logits, 1) : tf.sigmoid(logits);
}
