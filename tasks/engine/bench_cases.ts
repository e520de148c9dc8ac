/**
 * The engine benchmark cases, as TF.js closures. Each `step()` does one timed unit of work and
 * returns the tensors it produced (the caller disposes them, and on webgpu awaits their data).
 * The PyTorch peer (`bench_torch.py`) builds the same shapes and the same loss.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../core/rng.ts";
import { convLstmCell, convLstmParams } from "./conv_lstm.ts";
import { lstmCell, lstmParams } from "./lstm.ts";

/** One benchmark case, ready to time on the active backend. */
export interface BenchCase {
  /** Row name in the result file. */
  name: string;
  /** What it computes, for the result notes. */
  description: string;
  /** Floating-point operations per step (multiply-adds count 2; elementwise ops ignored). */
  flops: number;
  /** One step; returns what to read back / dispose. */
  step(): tf.Tensor[];
  /** Frees the case's inputs and parameters. */
  dispose(): void;
}

function normal(shape: number[], rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal()), shape);
}

/** (a) `[1024, 1024] · [1024, 1024]`. */
export function matmulCase(): BenchCase {
  const rng = new Rng(11);
  const a = normal([1024, 1024], rng), b = normal([1024, 1024], rng);
  return {
    name: "matmul1024",
    description: "1024x1024 @ 1024x1024 fp32",
    flops: 2 * 1024 ** 3,
    step: () => [tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D)],
    dispose: () => tf.dispose([a, b]),
  };
}

/** Loss used by both recurrent cases: Σ h'² + Σ c'. */
function cellLoss(h: tf.Tensor, c: tf.Tensor): tf.Scalar {
  return tf.add(tf.sum(tf.mul(h, h)), tf.sum(c));
}

/** (b) LSTM step, batch 16, input 256, hidden 256; gradients w.r.t. x, h, c, W, b. */
export function lstmCase(batch = 16, hidden = 256): BenchCase {
  const rng = new Rng(12);
  const p = lstmParams(hidden, hidden, rng, { name: "bench/lstm" });
  const x = normal([batch, hidden], rng), h = normal([batch, hidden], rng);
  const c = normal([batch, hidden], rng);
  const grads = tf.grads(
    (xx: tf.Tensor, hh: tf.Tensor, cc: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
      const s = lstmCell(xx as tf.Tensor2D, { h: hh as tf.Tensor2D, c: cc as tf.Tensor2D }, {
        kernel: w as tf.Tensor2D,
        bias: b as tf.Tensor1D,
      });
      return cellLoss(s.h, s.c);
    },
  );
  return {
    name: "lstmStep",
    description: `LSTM step fwd+bwd, batch ${batch}, input ${hidden}, hidden ${hidden}`,
    flops: 3 * 2 * batch * (2 * hidden) * (4 * hidden),
    step: () => grads([x, h, c, p.kernel, p.bias]),
    dispose: () => tf.dispose([x, h, c, p.kernel, p.bias]),
  };
}

/** (c) conv-LSTM step, batch 32, 14×14, 32 input + 32 hidden channels, 5×5; same gradients. */
export function convLstmCase(batch = 32, size = 14, channels = 32, k = 5): BenchCase {
  const rng = new Rng(13);
  const p = convLstmParams(channels, channels, k, rng, { name: "bench/convlstm" });
  const shape = [batch, size, size, channels];
  const x = normal(shape, rng), h = normal(shape, rng), c = normal(shape, rng);
  const grads = tf.grads(
    (xx: tf.Tensor, hh: tf.Tensor, cc: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
      const s = convLstmCell(xx as tf.Tensor4D, { h: hh as tf.Tensor4D, c: cc as tf.Tensor4D }, {
        kernel: w as tf.Variable<tf.Rank.R4>,
        bias: b as tf.Variable<tf.Rank.R1>,
      });
      return cellLoss(s.h, s.c);
    },
  );
  const fwd = 2 * batch * size * size * k * k * (2 * channels) * (4 * channels);
  return {
    name: "convLstmStep",
    description:
      `conv-LSTM step fwd+bwd, batch ${batch}, ${size}x${size}, ${channels}+${channels} -> 4x${channels} channels, ${k}x${k}`,
    flops: 3 * fwd,
    step: () => grads([x, h, c, p.kernel, p.bias]),
    dispose: () => tf.dispose([x, h, c, p.kernel, p.bias]),
  };
}
