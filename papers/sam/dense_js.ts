/**
 * The NTM and DAM baselines of dense.ts with the memory outside the TF.js tape: the controller
 * (LSTM, interface, output layer, loss) is ordinary TF.js under one `tf.valueAndGrads` over the
 * sequence, as in dense.ts, but each step's memory access (write over all N words, content reads)
 * is one `tf.customGrad` node computed outside TF.js (`DenseAccess`, dense_access.ts: wasm SIMD
 * loops) whose gradient runs when the tape's reverse sweep reaches it, carrying dL/dM (dense,
 * N × W per batch element) from step to step. Same parameters, same maths and, from the same seed,
 * the same values as dense.ts (checked by dense_js_test.ts); ~120 kernels per step instead of
 * ~370–440. Memory kept per step and batch element: one copy of the N × W memory (float32) and
 * the addressing of the step (weights, cosines and word norms, float64: (2H + 5)·8 B per word for
 * the NTM, (2H + 3)·8 for DAM), O(N·T) as the dense models' nature; `hostBytes` counts it all
 * (`DenseAccess.hostBytes`).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import type { Rng } from "../../tasks/core/rng.ts";
import { initParams, lstmStep, paramList, type Params } from "./controller.ts";
import { inputAt, OutputHead, type ParamTensors, runTape } from "./controller_pass.ts";
import { DenseAccess, type DenseAccessSpec } from "./dense_access.ts";
import { denseIfaceSize, type DenseSpec } from "./dense.ts";
import type { PassResult, SequenceModel } from "./model.ts";

/** NTM or DAM with the memory access as one JS node per step. */
export class DenseJsModel implements SequenceModel {
  readonly name: string;
  readonly spec: DenseSpec;
  readonly params: Params;
  #mem0: Float32Array | null = null;
  #access: DenseAccessSpec;

  /** Same parameters (and NTM initial memory) as `new DenseModel(spec, rng)`. */
  constructor(spec: DenseSpec, rng: Rng) {
    if (spec.kind === "lstm") throw new RangeError("DenseJsModel: the LSTM has no memory");
    this.spec = spec, this.name = spec.kind;
    const { N, W, heads, lambda } = spec;
    this.#access = { kind: spec.kind, heads, N, W, lambda };
    this.params = initParams({
      input: spec.input,
      output: spec.output,
      hidden: spec.hidden,
      read: spec.heads * spec.W,
      iface: denseIfaceSize(spec),
    }, rng);
    if (spec.kind === "ntm") {
      const m = tf.randomNormal([1, spec.N, spec.W], 0, 0.1, "float32", rng.childSeed());
      this.#mem0 = m.dataSync() as Float32Array;
      m.dispose();
    }
  }

  dispose(): void {
    for (const v of paramList(this.params)) v.dispose();
  }

  run(ep: Episode, backward: boolean): PassResult {
    const { hidden: Hd, W, heads: Hh } = this.spec;
    const B = ep.B;
    const acc = new DenseAccess(this.#access, B, ep.T, backward, this.#mem0);
    const { I, O } = acc;
    let step = 0;
    const access = tf.customGrad(
      ((iface: tf.Tensor) => {
        const t = step++;
        const reads = acc.forward(t, iface.dataSync() as Float32Array);
        const gradFunc = (dy: tf.Tensor) => [
          tf.tensor2d(acc.backward(t, dy.dataSync() as Float32Array), [B, I]),
        ];
        return { value: tf.tensor2d(reads, [B, O]), gradFunc };
        // TF.js types customGrad's function as variadic over Tensor | GradSaveFunc and its result
        // as a generic function; this one takes the interface and returns one tensor
      }) as unknown as Parameters<typeof tf.customGrad>[0],
    ) as unknown as (iface: tf.Tensor) => tf.Tensor;
    const head = new OutputHead(ep);
    const f = (...ps: tf.Tensor[]): tf.Scalar => {
      const [Wl, bl, Wi, bi, Wo, bo] = ps as ParamTensors;
      let h: tf.Tensor = tf.zeros([B, Hd]), c: tf.Tensor = tf.zeros([B, Hd]);
      let r: tf.Tensor = tf.zeros([B, Hh * W]);
      for (let t = 0; t < ep.T; t++) {
        const x = inputAt(ep, t);
        ({ h, c } = lstmStep(Wl, bl, x, r, h, c));
        const iface = tf.fused.matMul({ a: h as tf.Tensor2D, b: Wi as tf.Tensor2D, bias: bi });
        r = access(iface);
        head.step(h, r, Wo, bo);
      }
      return head.loss();
    };
    const { loss, probs, grads } = runTape(f, this.params, backward, head);
    return { loss, probs, grads, hostBytes: acc.hostBytes() };
  }
}
