/**
 * A convolutional LSTM cell (Shi et al. 2015, without peepholes), NHWC, forward only; the
 * backward pass comes from autodiff (on wasm/cpu through the engine's conv backprop kernels).
 *
 *   z = conv2d([x, h], W, stride 1, 'same') + b    W `[k, k, Cx + Ch, 4·Ch]`, gates i, f, o, g
 *   c' = σ(z_f) ⊙ c + σ(z_i) ⊙ tanh(z_g)
 *   h' = σ(z_o) ⊙ tanh(c')
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "../core/rng.ts";
import { lstmGates } from "./lstm_gates.ts";

/** Trainable parameters of one conv-LSTM cell. */
export interface ConvLstmParams {
  /** `[k, k, inChannels + hiddenChannels, 4·hiddenChannels]`, gate blocks i, f, o, g. */
  kernel: tf.Variable<tf.Rank.R4>;
  /** `[4·hiddenChannels]`. */
  bias: tf.Variable<tf.Rank.R1>;
}

/** Recurrent state: both `[batch, height, width, hiddenChannels]`. */
export interface ConvLstmState {
  h: tf.Tensor4D;
  c: tf.Tensor4D;
}

/**
 * Creates conv-LSTM parameters: kernel ~ U(−a, a) with a = 1/√(k²·(Cx + Ch)) (fan-in), bias 0
 * except the forget block = `forgetBias` (default 1).
 */
export function convLstmParams(
  inChannels: number,
  hiddenChannels: number,
  kernelSize: number,
  rng: Rng,
  { forgetBias = 1, name = "convlstm" }: { forgetBias?: number; name?: string } = {},
): ConvLstmParams {
  const cin = inChannels + hiddenChannels, cout = 4 * hiddenChannels;
  const a = 1 / Math.sqrt(kernelSize * kernelSize * cin);
  const n = kernelSize * kernelSize * cin * cout;
  const w = Float32Array.from({ length: n }, () => (2 * rng.next() - 1) * a);
  const b = new Float32Array(cout);
  b.fill(forgetBias, hiddenChannels, 2 * hiddenChannels);
  return {
    kernel: tf.variable(
      tf.tensor4d(w, [kernelSize, kernelSize, cin, cout]),
      true,
      `${name}/kernel`,
    ),
    bias: tf.variable(tf.tensor1d(b), true, `${name}/bias`),
  };
}

/** A zero state `[batch, height, width, hiddenChannels]`. */
export function convLstmZeroState(
  batch: number,
  height: number,
  width: number,
  hiddenChannels: number,
): ConvLstmState {
  const shape: [number, number, number, number] = [batch, height, width, hiddenChannels];
  return { h: tf.zeros(shape), c: tf.zeros(shape) };
}

/**
 * One conv-LSTM step ('same' padding, stride 1). Call inside `tf.tidy` / a gradient closure.
 * @param x `[batch, height, width, inChannels]`
 * @param state h, c `[batch, height, width, hiddenChannels]`
 * @param p parameters from {@link convLstmParams}
 * @returns the next state; `h` is also the output
 */
export function convLstmCell(
  x: tf.Tensor4D,
  state: ConvLstmState,
  p: ConvLstmParams,
): ConvLstmState {
  // [B, H, W, Cx + Ch] -> [B, H, W, 4Ch]
  const z = tf.fused.conv2d({
    x: tf.concat([x, state.h], 3),
    filter: p.kernel,
    strides: 1,
    pad: "same",
    bias: p.bias,
  });
  const { h, c } = lstmGates(z, state.c); // fused gate math, [B, H, W, Ch] each
  return { h: h as tf.Tensor4D, c: c as tf.Tensor4D };
}
