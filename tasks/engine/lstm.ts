/**
 * An LSTM cell (Hochreiter & Schmidhuber 1997, with forget gate; no peepholes), forward only:
 * the backward pass comes from TF.js autodiff.
 *
 *   z = [x, h] · W + b                    W `[I + H, 4H]`, gate blocks in the order i, f, o, g
 *   c' = σ(z_f) ⊙ c + σ(z_i) ⊙ tanh(z_g)
 *   h' = σ(z_o) ⊙ tanh(c')
 *
 * Porting note: the gate order (i, f, o, g) differs from PyTorch's (i, f, g, o) so that the three
 * sigmoid gates are one contiguous slice (one sigmoid op instead of three); weights are not meant
 * to be exchanged with PyTorch.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/rng.ts";
import { lstmGates } from "./lstm_gates.ts";

/** Trainable parameters of one LSTM cell. */
export interface LstmParams {
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

/**
 * One LSTM step. Call inside `tf.tidy` / a gradient closure.
 * @param x `[batch, inputSize]`
 * @param state h, c `[batch, hiddenSize]`
 * @param p parameters from {@link lstmParams}
 * @returns the next state; `h` is also the cell's output
 */
export function lstmCell(x: tf.Tensor2D, state: LstmState, p: LstmParams): LstmState {
  // [B, I] ++ [B, H] -> [B, I + H] -> [B, 4H]
  const z = tf.fused.matMul({ a: tf.concat([x, state.h], 1), b: p.kernel, bias: p.bias });
  const { h, c } = lstmGates(z, state.c); // fused gate math, [B, H] each
  return { h: h as tf.Tensor2D, c: c as tf.Tensor2D };
}
