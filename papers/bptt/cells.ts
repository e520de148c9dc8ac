/**
 * Recurrent cells with an explicit internal state and a per-step backward op, as the
 * memory-efficient BPTT executor needs them (Gruslys et al. 2016, §2: `F_s` produces `h_s` and
 * the internal state `I_s`; `B_s` needs only `I_s`, the input and the gradient from step s+1).
 *
 * - {@link lstmCell}: the engine's LSTM (`lstmCellForward` / `lstmCellVjp`, fused gate kernels
 *   on wasm/cpu) with its hand-written vector-Jacobian product (no re-computation in B).
 * - {@link tanhRnnCell}: Elman RNN `h' = tanh([x, h]·W + b)`, hand-written VJP.
 * - {@link autodiffCell}: any step function; `B_s` re-runs the step under `tf.grads` (so its
 *   internal state is just `(h_{s−1}, h_s)`), e.g. {@link gruStep}.
 *
 * @module
 */

import * as tf from "@tensorflow/tfjs";
import { lstmCellForward, lstmCellVjp, type LstmWeights } from "../../tasks/engine/mod.ts";

/** A recurrent core usable by the executor. All tensors are `[batch, ·]` float32. */
export interface RecurrentCell {
  readonly name: string;
  /** Parameters `θ`; `backward` returns one gradient per entry, same order and shapes. */
  readonly params: readonly tf.Tensor[];
  /**
   * Forward op `F_s`: `(x_s [B, D], h_{s−1}) → (h_s, I_s)`. Called inside `tf.tidy`.
   * `I_s` must contain `h_s` (see {@link stateOf}).
   */
  forward(
    x: tf.Tensor2D,
    state: readonly tf.Tensor[],
  ): { state: tf.Tensor[]; internal: tf.Tensor[] };
  /** The tensors of `h_s` inside `I_s` (no new tensors). */
  stateOf(internal: readonly tf.Tensor[]): tf.Tensor[];
  /**
   * Backward op `B_s`: from `I_s`, `x_s` and `∂L/∂h_s` (total), return `∂L/∂h_{s−1}` and
   * `∂L/∂θ` of this step. Called inside `tf.tidy`.
   */
  backward(
    x: tf.Tensor2D,
    internal: readonly tf.Tensor[],
    dState: readonly tf.Tensor[],
  ): { dState: tf.Tensor[]; dParams: tf.Tensor[] };
}

/**
 * LSTM (forget gate, no peepholes): `z = [x, h]·W + b`, `c' = σ(z_f)⊙c + σ(z_i)⊙tanh(z_g)`,
 * `h' = σ(z_o)⊙tanh(c')`, the engine's cell (`tasks/engine/lstm.ts`, gate blocks i, f, o, g).
 * Hidden state `(h, c)`; internal state `I = (h_{s−1}, c_{s−1}, act, σ(2c'), h', c')` with
 * `act = (σ(z_i), σ(z_f), σ(z_o), σ(2z_g))` `[B, 4H]`: 9 `[B, H]` blocks, so α = 4.5.
 *
 * @param w kernel `[D + H, 4H]` and bias `[4H]`
 */
export function lstmCell(w: LstmWeights): RecurrentCell {
  return {
    name: "lstm",
    params: [w.kernel, w.bias],
    forward(x, state) {
      const [h, c] = state as tf.Tensor2D[];
      const r = lstmCellForward(x, { h: h!, c: c! }, w);
      return { state: [r.h, r.c], internal: [r.hPrev, r.cPrev, r.act, r.sc, r.h, r.c] };
    },
    stateOf: (I) => [I[4]!, I[5]!],
    backward(x, I, dState) {
      const [hPrev, cPrev, act, sc, h, c] = I as tf.Tensor2D[];
      const [dh, dc] = dState as tf.Tensor2D[];
      const rec = { hPrev: hPrev!, cPrev: cPrev!, act: act!, sc: sc!, h: h!, c: c! };
      const g = lstmCellVjp(x, rec, w, dh!, dc!);
      return { dState: [g.dh, g.dc], dParams: [g.dKernel, g.dBias] };
    },
  };
}

/** Elman RNN weights: kernel `[D + H, H]`, bias `[H]`. */
export interface RnnWeights {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
}

/**
 * Elman RNN `h' = tanh([x, h]·W + b)`. Internal state `(h_{s−1}, h_s)`, α = 2.
 *
 * @param w kernel `[D + H, H]` and bias `[H]`
 */
export function tanhRnnCell(w: RnnWeights): RecurrentCell {
  const H = w.kernel.shape[1];
  return {
    name: "tanh_rnn",
    params: [w.kernel, w.bias],
    forward(x, state) {
      const h = state[0] as tf.Tensor2D;
      const h2 = tf.tanh(tf.add(tf.matMul(tf.concat([x, h], 1), w.kernel), w.bias));
      return { state: [h2], internal: [h, h2] };
    },
    stateOf: (I) => [I[1]!],
    backward(x, I, dState) {
      const [hPrev, h] = I as tf.Tensor2D[];
      const dz = tf.mul(dState[0]!, tf.sub(tf.scalar(1), tf.square(h!))); // [B, H]
      const xh = tf.concat([x, hPrev!], 1);
      const dKernel = tf.matMul(xh, dz, true, false);
      const dBias = tf.sum(dz, 0);
      const dhPrev = tf.slice(tf.matMul(dz, w.kernel, false, true), [0, x.shape[1]], [-1, H]);
      return { dState: [dhPrev], dParams: [dKernel, dBias] };
    },
  };
}

/** A step function for {@link autodiffCell}: `(x, h_{s−1}, θ) → h_s`. */
export type StepFn = (
  x: tf.Tensor2D,
  state: readonly tf.Tensor[],
  params: readonly tf.Tensor[],
) => tf.Tensor[];

/**
 * Wrap any differentiable step function as a cell. `I_s = (h_{s−1}, h_s)`; `B_s` re-runs the
 * step inside `tf.grads` (so one backward op costs about a forward plus its VJP).
 *
 * @param name cell name
 * @param params parameters `θ`
 * @param step the step function
 */
export function autodiffCell(
  name: string,
  params: readonly tf.Tensor[],
  step: StepFn,
): RecurrentCell {
  let nState = -1;
  return {
    name,
    params,
    forward(x, state) {
      nState = state.length;
      const next = step(x, state, params);
      return { state: next, internal: [...state, ...next] };
    },
    stateOf: (I) => I.slice(I.length / 2) as tf.Tensor[],
    backward(x, I, dState) {
      const n = nState > 0 ? nState : I.length / 2;
      const prev = I.slice(0, n) as tf.Tensor[];
      const f = (...args: tf.Tensor[]) => {
        const out = step(x, args.slice(0, n), args.slice(n));
        return tf.addN(out.map((o, j) => tf.sum(tf.mul(o, dState[j]!))));
      };
      const grads = tf.grads(f)([...prev, ...params]);
      return { dState: grads.slice(0, n), dParams: grads.slice(n) };
    },
  };
}

/** GRU weights: gates kernel `[D + H, 2H]` (r, u), candidate kernel `[D + H, H]`, biases. */
export interface GruWeights {
  gates: tf.Tensor2D;
  gatesBias: tf.Tensor1D;
  cand: tf.Tensor2D;
  candBias: tf.Tensor1D;
}

/**
 * GRU step (Cho et al. 2014): `r, u = σ([x, h]·W_g + b_g)`, `ĥ = tanh([x, r⊙h]·W_c + b_c)`,
 * `h' = u⊙h + (1 − u)⊙ĥ`. Use with {@link autodiffCell} and params
 * `[gates, gatesBias, cand, candBias]`.
 */
export const gruStep: StepFn = (x, state, params) => {
  const h = state[0] as tf.Tensor2D;
  const [wg, bg, wc, bc] = params as [tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
  const H = h.shape[1];
  const ru = tf.sigmoid(tf.add(tf.matMul(tf.concat([x, h], 1), wg), bg));
  const r = tf.slice(ru, [0, 0], [-1, H]);
  const u = tf.slice(ru, [0, H], [-1, H]);
  const cand = tf.tanh(tf.add(tf.matMul(tf.concat([x, tf.mul(r, h)], 1), wc), bc));
  return [tf.add(tf.mul(u, h), tf.mul(tf.sub(tf.scalar(1), u), cand))];
};
