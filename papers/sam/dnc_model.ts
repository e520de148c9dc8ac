/**
 * The DNC and the Sparse DNC as trainable sequence models (Rae et al. 2016 Supp. D): the same
 * LSTM controller as SAM and DAM (`controller.ts`: input [x_t, r_{t−1}], interface
 * p_t = Linear(h_t), output y_t = Linear([h_t, r_t])) around the dense DNC access (`dnc.ts`,
 * ordinary TF.js autodiff over the whole sequence, Θ(N²) per step) or the Sparse DNC access
 * (`sdnc.ts`, memory and links outside the tape, one `tf.customGrad` node per step whose gradient
 * rolls the step back, so the memory ends each `run` where it started). Outputs are scored as the
 * episode says (`ep.loss`: sigmoid bits or one softmax over classes), as for the other models.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import type { Rng } from "../../tasks/core/rng.ts";
import { initParams, lstmStep, paramList, type Params } from "./controller.ts";
import { inputAt, OutputHead, type ParamTensors, runTape } from "./controller_pass.ts";
import { dncIfaceSize, dncInitialState, type DncState, dncStep, parseDncInterface } from "./dnc.ts";
import type { PassResult, SequenceModel } from "./model.ts";
import { SdncAccess, sdncIfaceSize, type StepSelection } from "./sdnc.ts";

/** Sizes of a DNC or Sparse DNC model. */
export interface DncModelSpec {
  input: number;
  output: number;
  /** LSTM units (paper 100). */
  hidden: number;
  /** Memory words N. */
  N: number;
  /** Word size W. */
  W: number;
  /** Read heads R. */
  heads: number;
  /** Sparse DNC: words per head and read part (content, forward, backward). */
  K: number;
  /** Sparse DNC: link entries per row and precedence non-zeros K_L (paper 8). */
  KL: number;
  /** Sparse DNC: access threshold δ of the LRU (paper 0.005). */
  delta: number;
}

/** The dense DNC with whole-sequence autodiff (the tape keeps every step's N × N links). */
export class DncModel implements SequenceModel {
  readonly name = "dnc";
  readonly spec: DncModelSpec;
  readonly params: Params;

  constructor(spec: DncModelSpec, rng: Rng) {
    this.spec = spec;
    this.params = initParams({
      input: spec.input,
      output: spec.output,
      hidden: spec.hidden,
      read: spec.heads * spec.W,
      iface: dncIfaceSize({ W: spec.W, R: spec.heads }),
    }, rng);
  }

  dispose(): void {
    for (const v of paramList(this.params)) v.dispose();
  }

  /** Forward (and backward) over one episode; the state starts empty every run. */
  run(ep: Episode, backward: boolean): PassResult {
    const { hidden: Hd, N, W, heads: R } = this.spec;
    const B = ep.B, sizes = { N, W, R };
    const head = new OutputHead(ep);
    const f = (...ps: tf.Tensor[]): tf.Scalar => {
      const [Wl, bl, Wi, bi, Wo, bo] = ps as ParamTensors;
      let h: tf.Tensor = tf.zeros([B, Hd]), c: tf.Tensor = tf.zeros([B, Hd]);
      let r: tf.Tensor = tf.zeros([B, R * W]);
      let st: DncState = dncInitialState(B, sizes);
      for (let t = 0; t < ep.T; t++) {
        const x = inputAt(ep, t);
        ({ h, c } = lstmStep(Wl, bl, x, r, h, c));
        const iface = tf.fused.matMul({
          a: h as tf.Tensor2D,
          b: Wi as tf.Tensor2D,
          bias: bi,
        }) as tf.Tensor2D;
        const out = dncStep(st, parseDncInterface(iface, sizes));
        st = out.state;
        r = tf.reshape(out.r, [B, R * W]);
        head.step(h, r, Wo, bo);
      }
      return head.loss();
    };
    const res = runTape(f, this.params, backward, head);
    return { ...res, hostBytes: 0 };
  }
}

/** The Sparse DNC: memory and sparse links outside the tape, journalled and rolled back. */
export class SdncModel implements SequenceModel {
  readonly name = "sdnc";
  readonly spec: DncModelSpec;
  readonly params: Params;
  readonly access: SdncAccess;
  /** The selections of the last run's steps (set `access.replay` to it to hold them fixed). */
  lastTrace: StepSelection[] = [];

  constructor(spec: DncModelSpec, B: number, rng: Rng) {
    this.spec = spec;
    this.params = initParams({
      input: spec.input,
      output: spec.output,
      hidden: spec.hidden,
      read: spec.heads * spec.W,
      iface: sdncIfaceSize({ W: spec.W, R: spec.heads }),
    }, rng);
    this.access = new SdncAccess(
      { N: spec.N, W: spec.W, R: spec.heads, K: spec.K, KL: spec.KL, delta: spec.delta },
      B,
    );
  }

  dispose(): void {
    for (const v of paramList(this.params)) v.dispose();
  }

  /**
   * Host bytes of the access's Θ(N) initialisation: the memory (words, norms, flags) and the B
   * LRU rings (next, prev, dirty flag per word); the links start empty.
   */
  initBytes(): number {
    return this.access.mem.initBytes() + this.access.B * this.spec.N * 9;
  }

  /** Forward (and backward) over one episode; memory and links are restored afterwards. */
  run(ep: Episode, backward: boolean): PassResult {
    const { hidden: Hd, W, heads: R } = this.spec;
    const B = ep.B, acc = this.access;
    if (B !== acc.B) throw new Error(`SdncModel: episode batch ${B}, model built for ${acc.B}`);
    const head = new OutputHead(ep);
    let hostBytes = 0;
    const f = (...ps: tf.Tensor[]): tf.Scalar => {
      const [Wl, bl, Wi, bi, Wo, bo] = ps as ParamTensors;
      let h: tf.Tensor = tf.zeros([B, Hd]), c: tf.Tensor = tf.zeros([B, Hd]);
      let r: tf.Tensor = tf.zeros([B, R * W]);
      let w: tf.Tensor3D = acc.initialReadWeights();
      for (let t = 0; t < ep.T; t++) {
        const x = inputAt(ep, t);
        ({ h, c } = lstmStep(Wl, bl, x, r, h, c));
        const iface = tf.fused.matMul({
          a: h as tf.Tensor2D,
          b: Wi as tf.Tensor2D,
          bias: bi,
        }) as tf.Tensor2D;
        const out = acc.unpack(acc.step(iface, w));
        w = out.w;
        r = tf.reshape(out.r, [B, R * W]);
        head.step(h, r, Wo, bo);
      }
      // The records are all there before the reverse sweep starts rolling steps back.
      const loss = head.loss();
      hostBytes = acc.recordBytes();
      return loss;
    };
    try {
      const res = runTape(f, this.params, backward, head);
      return { ...res, hostBytes };
    } finally {
      // Steps the sweep did not reach (forward only, or an error) are undone, latest first.
      this.lastTrace = acc.trace;
      acc.endSequence();
    }
  }
}
