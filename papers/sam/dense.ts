/**
 * Baselines written with ordinary TF.js autodiff over the whole sequence (the tape keeps every
 * step's N × W memory, O(N·T) space): an LSTM with no memory, an NTM-style dense memory
 * (content read heads; one write head with content key, interpolation with the previous write
 * weights, learned erase and add), and DAM, the dense version of SAM's write rule
 * (Rae et al. 2016 §3.2: write to the previously read words and the least used word, usage
 * U^(1) discounted by λ).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import type { Rng } from "../../tasks/core/rng.ts";
import { initParams, lstmStep, paramList, type Params } from "./controller.ts";
import { inputAt, KeptProbs, outputStep, type ParamTensors, runTape } from "./controller_pass.ts";
import type { PassResult, SequenceModel } from "./model.ts";
import { cosineDense } from "./similarity.ts";

/** Sizes of a dense model. */
export interface DenseSpec {
  kind: "lstm" | "ntm" | "dam";
  input: number;
  output: number;
  hidden: number;
  /** Memory words N (unused by the LSTM). */
  N: number;
  W: number;
  heads: number;
  /** DAM usage discount λ (not given in the paper). */
  lambda: number;
}

/** Interface width of a dense model. */
export function denseIfaceSize(s: DenseSpec): number {
  if (s.kind === "lstm") return 0;
  const reads = s.heads * s.W + s.heads;
  return s.kind === "ntm" ? reads + 3 * s.W + 2 : reads + s.W + 2;
}

/** LSTM, NTM or DAM with whole-sequence autodiff. */
export class DenseModel implements SequenceModel {
  readonly name: string;
  readonly spec: DenseSpec;
  readonly params: Params;
  /** NTM: fixed random initial memory [N, W] (content-only addressing needs asymmetry). */
  #mem0: tf.Tensor | null = null;

  constructor(spec: DenseSpec, rng: Rng) {
    this.spec = spec, this.name = spec.kind;
    const read = spec.kind === "lstm" ? 0 : spec.heads * spec.W;
    this.params = initParams({
      input: spec.input,
      output: spec.output,
      hidden: spec.hidden,
      read,
      iface: denseIfaceSize(spec),
    }, rng);
    if (spec.kind === "ntm") {
      this.#mem0 = tf.randomNormal([1, spec.N, spec.W], 0, 0.1, "float32", rng.childSeed());
    }
  }

  dispose(): void {
    for (const v of paramList(this.params)) v.dispose();
    this.#mem0?.dispose();
  }

  /** Forward (and backward) over one episode with whole-sequence autodiff. */
  run(ep: Episode, backward: boolean): PassResult {
    const { hidden: Hd, N, W, heads: Hh, kind, lambda } = this.spec;
    const B = ep.B, Y = ep.Y;
    const kept = new KeptProbs(ep.T * B * Y);
    const f = (...ps: tf.Tensor[]): tf.Scalar => {
      const [Wl, bl, Wi, bi, Wo, bo] = ps as ParamTensors;
      let h: tf.Tensor = tf.zeros([B, Hd]), c: tf.Tensor = tf.zeros([B, Hd]);
      let r: tf.Tensor | null = kind === "lstm" ? null : tf.zeros([B, Hh * W]);
      let M: tf.Tensor = kind === "ntm" ? tf.tile(this.#mem0!, [B, 1, 1]) : tf.zeros([B, N, W]);
      let wPrev: tf.Tensor = tf.zeros([B, kind === "ntm" ? 1 : Hh, N]);
      let U: tf.Tensor = tf.zeros([B, N]);
      let loss: tf.Tensor = tf.scalar(0);
      for (let t = 0; t < ep.T; t++) {
        const x = inputAt(ep, t);
        ({ h, c } = lstmStep(Wl, bl, x, r, h, c));
        if (kind !== "lstm") {
          const p = tf.fused.matMul({ a: h as tf.Tensor2D, b: Wi as tf.Tensor2D, bias: bi });
          let o = 0;
          const take = (n: number) => tf.slice(p, [0, (o += n) - n], [B, n]);
          const q = tf.reshape(take(Hh * W), [B, Hh, W]);
          const beta = tf.add(1, tf.softplus(take(Hh)));
          if (kind === "ntm") {
            const kw = tf.reshape(take(W), [B, 1, W]);
            const bw = tf.add(1, tf.softplus(take(1)));
            const g = tf.sigmoid(take(1));
            const e = tf.sigmoid(take(W)), a = take(W);
            const wc = tf.softmax(
              tf.mul(tf.expandDims(bw, 2), cosineDense(kw as tf.Tensor3D, M as tf.Tensor3D)),
            );
            const wW = tf.add(
              tf.mul(tf.expandDims(g, 2), wc),
              tf.mul(tf.expandDims(tf.sub(1, g), 2), wPrev),
            );
            const ww = tf.reshape(wW, [B, N, 1]);
            M = tf.add(
              tf.mul(M, tf.sub(1, tf.mul(ww, tf.expandDims(e, 1)))),
              tf.mul(ww, tf.expandDims(a, 1)),
            );
            wPrev = wW;
          } else {
            const a = take(W);
            const alpha = tf.sigmoid(take(1)), gamma = tf.sigmoid(take(1));
            const lru = tf.cast(tf.oneHot(tf.argMin(U, 1), N), "float32"); // int oneHot: wasm bug
            const wBar = tf.mean(wPrev, 1);
            const wW = tf.mul(alpha, tf.add(tf.mul(gamma, wBar), tf.mul(tf.sub(1, gamma), lru)));
            M = tf.add(
              tf.mul(M, tf.expandDims(tf.sub(1, lru), 2)),
              tf.mul(tf.expandDims(wW, 2), tf.expandDims(a, 1)),
            );
            U = tf.add(tf.mul(lambda, U), wW);
          }
          const wR = tf.softmax(
            tf.mul(tf.expandDims(beta, 2), cosineDense(q as tf.Tensor3D, M as tf.Tensor3D)),
          );
          r = tf.reshape(tf.matMul(wR, M as tf.Tensor3D), [B, Hh * W]);
          if (kind === "dam") {
            U = tf.add(U, tf.mean(wR, 1));
            wPrev = wR;
          }
        }
        loss = outputStep(ep, t, h, r, Wo, bo, kept.tensors, loss);
      }
      // The LSTM has no interface layer: tie it to the loss with weight 0 (zero gradient).
      if (kind === "lstm") loss = tf.add(loss, tf.mul(0, tf.add(tf.sum(Wi), tf.sum(bi))));
      return loss as tf.Scalar;
    };
    const { loss, probs, grads } = runTape(f, this.params, backward, kept);
    return { loss, probs, grads, hostBytes: 0 };
  }
}
