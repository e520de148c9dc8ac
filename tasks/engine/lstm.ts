/**
 * The suite's LSTM cell (Hochreiter & Schmidhuber 1997, with forget gate; no peepholes), used by
 * SAM's controller and dense baselines, BPTT's executor and the engine bench:
 *
 *   z = [x, h] · W + b                    W `[I + H, 4H]`, gate blocks in the order i, f, o, g
 *   c' = σ(z_f) ⊙ c + σ(z_i) ⊙ tanh(z_g)
 *   h' = σ(z_o) ⊙ tanh(c')
 *
 * Two ways to differentiate it, with the same forward numbers (both run the fused gate kernels
 * of `lstm_gates.ts` on wasm/cpu):
 *
 * - {@link lstmCell} under TF.js autodiff: the tape keeps z, c and c' (6 H-blocks) and the
 *   backward recomputes the gate activations;
 * - {@link lstmCellForward} + {@link lstmCellVjp}, for a caller that keeps each step's state
 *   itself (memory-efficient BPTT): the record holds h, c, h', c' and the activations (9
 *   H-blocks) and the hand-written backward needs no exponentials. The record's tensors are also
 *   differentiable by autodiff (h', c'), so one forward serves both.
 *
 * Porting note: the gate order (i, f, o, g) differs from PyTorch's (i, f, g, o) so that the three
 * sigmoid gates are one contiguous slice (one sigmoid op instead of three); weights are not meant
 * to be exchanged with PyTorch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/rng.ts";
import { lstmGates, lstmGatesSaved, lstmGatesVjp } from "./lstm_gates.ts";

/** The cell's weights as tensors (variables, or plain tensors under `tf.grads`). */
export interface LstmWeights {
  /** `[inputSize + hiddenSize, 4·hiddenSize]`, gate blocks i, f, o, g. */
  kernel: tf.Tensor2D;
  /** `[4·hiddenSize]`. */
  bias: tf.Tensor1D;
}

/** Trainable parameters of one LSTM cell. */
export interface LstmParams extends LstmWeights {
  /** `[inputSize + hiddenSize, 4·hiddenSize]`, gate blocks i, f, o, g. */
  kernel: tf.Variable<tf.Rank.R2>;
  /** `[4·hiddenSize]` (forget block initialised to `forgetBias`). */
  bias: tf.Variable<tf.Rank.R1>;
}

/** Recurrent state: both `[batch, hiddenSize]`. */
export interface LstmState {
  h: tf.Tensor2D;
  c: tf.Tensor2D;
}

/**
 * Creates LSTM parameters: kernel ~ U(−1/√H, 1/√H) (PyTorch's default), bias 0 except the forget
 * block = `forgetBias` (default 1, Jozefowicz et al. 2015).
 * @param rng seeded generator (tasks/harness/rng.ts)
 */
export function lstmParams(
  inputSize: number,
  hiddenSize: number,
  rng: Rng,
  { forgetBias = 1, name = "lstm" }: { forgetBias?: number; name?: string } = {},
): LstmParams {
  const rows = inputSize + hiddenSize, cols = 4 * hiddenSize;
  const s = 1 / Math.sqrt(hiddenSize);
  const w = Float32Array.from({ length: rows * cols }, () => (2 * rng.next() - 1) * s);
  const b = new Float32Array(cols);
  b.fill(forgetBias, hiddenSize, 2 * hiddenSize);
  return {
    kernel: tf.variable(tf.tensor2d(w, [rows, cols]), true, `${name}/kernel`),
    bias: tf.variable(tf.tensor1d(b), true, `${name}/bias`),
  };
}

/** A zero state `[batch, hiddenSize]`. */
export function lstmZeroState(batch: number, hiddenSize: number): LstmState {
  return { h: tf.zeros([batch, hiddenSize]), c: tf.zeros([batch, hiddenSize]) };
}

/** The cell's input: one `[batch, ·]` tensor, or several that are concatenated (e.g. [x, r]). */
export type LstmInput = tf.Tensor2D | readonly tf.Tensor2D[];

/** `[...inputs, h]` along the feature axis. */
function withHidden(x: LstmInput, h: tf.Tensor2D): tf.Tensor2D {
  return tf.concat(x instanceof tf.Tensor ? [x, h] : [...x, h], 1);
}

/**
 * One LSTM step. Call inside `tf.tidy` / a gradient closure.
 * @param x `[batch, inputSize]` (or parts that concatenate to it)
 * @param state h, c `[batch, hiddenSize]`
 * @param w kernel and bias (e.g. from {@link lstmParams})
 * @returns the next state; `h` is also the cell's output
 */
export function lstmCell(x: LstmInput, state: LstmState, w: LstmWeights): LstmState {
  // [B, I] ++ [B, H] -> [B, I + H] -> [B, 4H]
  const z = tf.fused.matMul({ a: withHidden(x, state.h), b: w.kernel, bias: w.bias });
  const { h, c } = lstmGates(z, state.c); // fused gate math, [B, H] each
  return { h: h as tf.Tensor2D, c: c as tf.Tensor2D };
}

/** One step's record for {@link lstmCellVjp}: 9 `[batch, hiddenSize]` blocks. */
export interface LstmRecord {
  /** The state the step started from. */
  hPrev: tf.Tensor2D;
  cPrev: tf.Tensor2D;
  /** `[batch, 4·hiddenSize]`: σ(z_i), σ(z_f), σ(z_o), σ(2z_g). */
  act: tf.Tensor2D;
  /** σ(2c'). */
  sc: tf.Tensor2D;
  /** The next state (h is the output). */
  h: tf.Tensor2D;
  c: tf.Tensor2D;
}

/**
 * One LSTM step that keeps what {@link lstmCellVjp} needs. Same h and c as {@link lstmCell};
 * they are differentiable by autodiff too; `act` and `sc` are not (a gradient that reaches them is ignored).
 * @param x `[batch, inputSize]` (or parts that concatenate to it)
 * @param state h, c `[batch, hiddenSize]`
 * @param w kernel and bias
 */
export function lstmCellForward(x: LstmInput, state: LstmState, w: LstmWeights): LstmRecord {
  const z = tf.fused.matMul({ a: withHidden(x, state.h), b: w.kernel, bias: w.bias });
  const g = lstmGatesSaved(z, state.c);
  return {
    hPrev: state.h,
    cPrev: state.c,
    act: g.act as tf.Tensor2D,
    sc: g.sc as tf.Tensor2D,
    h: g.h as tf.Tensor2D,
    c: g.c as tf.Tensor2D,
  };
}

/** Gradients of one step, from {@link lstmCellVjp}. */
export interface LstmGrads {
  /** ∂L/∂h and ∂L/∂c of the state the step started from. */
  dh: tf.Tensor2D;
  dc: tf.Tensor2D;
  /** ∂L/∂W `[inputSize + hiddenSize, 4·hiddenSize]` and ∂L/∂b `[4·hiddenSize]` of this step. */
  dKernel: tf.Tensor2D;
  dBias: tf.Tensor1D;
  /** ∂L/∂x `[batch, inputSize]` (the concatenated input), when asked for. */
  dx: tf.Tensor2D | null;
}

/**
 * The hand-written vector-Jacobian product of one step. Call inside `tf.tidy`.
 * @param x the step's input, as given to {@link lstmCellForward}
 * @param rec the step's record
 * @param w the weights the step ran with
 * @param dh ∂L/∂h' (total: from the output and from the next step)
 * @param dc ∂L/∂c' (from the next step)
 * @param options `inputGrad`: also return ∂L/∂x (one more slice)
 */
export function lstmCellVjp(
  x: LstmInput,
  rec: LstmRecord,
  w: LstmWeights,
  dh: tf.Tensor2D,
  dc: tf.Tensor2D,
  { inputGrad = false }: { inputGrad?: boolean } = {},
): LstmGrads {
  const g = lstmGatesVjp(rec.act, rec.sc, rec.cPrev, dh, dc);
  const dz = g.dz as tf.Tensor2D; // [B, 4H]
  const xh = withHidden(x, rec.hPrev); // [B, I + H]
  const dxh: tf.Tensor2D = tf.matMul(dz, w.kernel, false, true); // [B, I + H]
  const inputs = xh.shape[1] - rec.hPrev.shape[1];
  return {
    dh: tf.slice2d(dxh, [0, inputs], [-1, -1]),
    dc: g.dc as tf.Tensor2D,
    dKernel: tf.matMul(xh, dz, true, false),
    dBias: tf.sum(dz, 0),
    dx: inputGrad ? tf.slice2d(dxh, [0, 0], [-1, inputs]) : null,
  };
}
