/**
 * The NTM and DAM baselines of dense.ts with the memory outside the TF.js tape: the controller
 * (LSTM, interface, output layer, loss) is ordinary TF.js under one `tf.valueAndGrads` over the
 * sequence, as in dense.ts, but each step's memory access (write over all N words, content reads)
 * is one `tf.customGrad` node computed in JS (`dense_access.ts`) whose gradient runs when the
 * tape's reverse sweep reaches it, carrying dL/dM (dense, N × W per batch element) from step to
 * step. Same parameters, same maths and, from the same seed, the same values as dense.ts (checked
 * by dense_js_test.ts); ~120 kernels per step instead of ~370–440. Memory kept per step and batch
 * element: one copy of the N × W memory (float32) and the addressing of the step (weights, cosines
 * and word norms, float64: (2H + 5)·8 B per word for the NTM, (2H + 3)·8 for DAM), O(N·T) as
 * the dense models' nature; `hostBytes` counts it all (see {@link HostBytes}).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import type { Rng } from "../../tasks/core/rng.ts";
import { initParams, lstmStep, paramList, type Params } from "./controller.ts";
import { inputAt, outputStep, type ParamTensors, runTape } from "./controller_pass.ts";
import {
  address,
  addressBackward,
  type Addressing,
  readHeadsBackward,
  readVectors,
  sigmoid,
  strength,
} from "./dense_access.ts";
import { denseIfaceSize, type DenseSpec } from "./dense.ts";
import type { PassResult, SequenceModel } from "./model.ts";

/** One batch element's step, kept for the backward pass. */
interface ElementRecord {
  M0: Float32Array;
  M1: Float32Array;
  wPrev: Float64Array;
  beta: Float64Array;
  read: Addressing;
  wW: Float64Array;
  /** NTM: content write weights, key strength, gate, erase. */
  wc: Addressing | null;
  bw: number;
  g: number;
  e: Float64Array | null;
  /** DAM: least used word, mean previous read weights, gates. */
  lru: number;
  wBar: Float64Array | null;
  alpha: number;
  gamma: number;
}

/** NTM or DAM with the memory access as one JS node per step. */
export class DenseJsModel implements SequenceModel {
  readonly name: string;
  readonly spec: DenseSpec;
  readonly params: Params;
  #mem0: Float32Array | null = null;

  /** Same parameters (and NTM initial memory) as `new DenseModel(spec, rng)`. */
  constructor(spec: DenseSpec, rng: Rng) {
    if (spec.kind === "lstm") throw new RangeError("DenseJsModel: the LSTM has no memory");
    this.spec = spec, this.name = spec.kind;
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
    const { hidden: Hd, N, W, heads: Hh, kind, lambda } = this.spec;
    const B = ep.B, Y = ep.Y, I = denseIfaceSize(this.spec), NW = N * W;
    const ntm = kind === "ntm", P = ntm ? N : Hh * N, O = Hh * W + P;
    let M: Float32Array[] = Array.from(
      { length: B },
      () => ntm ? this.#mem0!.slice() : new Float32Array(NW),
    );
    let wPrev: Float64Array[] = Array.from({ length: B }, () => new Float64Array(P));
    const U = Array.from({ length: B }, () => new Float32Array(N));
    const carry: Float64Array[] = Array.from({ length: B }, () => new Float64Array(NW));
    // Host bytes held for the backward pass: every array the step records keep (each counted
    // once: a step's M0 is the previous step's M1, its wPrev the previous step's weights), the
    // pass's own state (initial memories, weights, usage, the dL/dM carry) and the largest set of
    // arrays one element's backward allocates while all of them are alive.
    const held = new HostBytes();
    held.add(...M, ...wPrev, ...U, ...carry);
    const access = tf.customGrad(
      ((iface: tf.Tensor, _w: tf.Tensor) => {
        const iv = (iface.dataSync() as Float32Array).slice();
        const packed = new Float32Array(B * O);
        const recs: ElementRecord[] = [];
        const nextM: Float32Array[] = [], nextW: Float64Array[] = [];
        for (let b = 0; b < B; b++) {
          const o = b * I, M0 = M[b]!, M1 = M0.slice(), wp = wPrev[b]!;
          const wW = new Float64Array(N);
          const rec: ElementRecord = {
            M0,
            M1,
            wPrev: wp,
            beta: new Float64Array(Hh),
            read: null as unknown as Addressing, // set by the read below, before any use
            wW,
            wc: null,
            bw: 0,
            g: 0,
            e: null,
            lru: -1,
            wBar: null,
            alpha: 0,
            gamma: 0,
          };
          if (ntm) {
            const kOff = o + Hh * W + Hh, bwOff = kOff + W, gOff = bwOff + 1, eOff = gOff + 1;
            const aOff = eOff + W;
            rec.bw = strength(iv[bwOff]!), rec.g = sigmoid(iv[gOff]!);
            const e = rec.e = new Float64Array(W);
            for (let j = 0; j < W; j++) e[j] = sigmoid(iv[eOff + j]!);
            const wc = rec.wc = address(iv, kOff, Float64Array.of(rec.bw), M0, 1, N, W);
            for (let i = 0; i < N; i++) {
              const wi = wW[i] = rec.g * wc.w[i]! + (1 - rec.g) * wp[i]!;
              for (let j = 0; j < W; j++) {
                M1[i * W + j] = M0[i * W + j]! * (1 - wi * e[j]!) + wi * iv[aOff + j]!;
              }
            }
          } else {
            const aOff = o + Hh * W + Hh;
            rec.alpha = sigmoid(iv[aOff + W]!), rec.gamma = sigmoid(iv[aOff + W + 1]!);
            const u = U[b]!;
            let lru = 0;
            for (let i = 1; i < N; i++) if (u[i]! < u[lru]!) lru = i;
            rec.lru = lru;
            const wBar = rec.wBar = new Float64Array(N);
            for (let h = 0; h < Hh; h++) {
              for (let i = 0; i < N; i++) wBar[i]! += wp[h * N + i]! / Hh;
            }
            for (let i = 0; i < N; i++) {
              const wi = wW[i] = rec.alpha *
                (rec.gamma * wBar[i]! + (1 - rec.gamma) * (i === lru ? 1 : 0));
              const keep = i === lru ? 0 : 1;
              for (let j = 0; j < W; j++) {
                M1[i * W + j] = M0[i * W + j]! * keep + wi * iv[aOff + j]!;
              }
              u[i] = lambda * u[i]! + wi;
            }
          }
          for (let h = 0; h < Hh; h++) rec.beta[h] = strength(iv[o + Hh * W + h]!);
          const rd = rec.read = address(iv, o, rec.beta, M1, Hh, N, W);
          const r = readVectors(rd.w, M1, Hh, N, W);
          for (let k = 0; k < Hh * W; k++) packed[b * O + k] = r[k]!;
          const w = ntm ? wW : rd.w;
          for (let k = 0; k < P; k++) packed[b * O + Hh * W + k] = w[k]!;
          if (!ntm) {
            const u = U[b]!;
            for (let h = 0; h < Hh; h++) for (let i = 0; i < N; i++) u[i]! += rd.w[h * N + i]! / Hh;
          }
          recs.push(rec), nextM.push(M1), nextW.push(w);
          held.add(M1, wW, rec.beta, rd.w, rd.cos, rd.kn, rd.mn, rec.wBar, rec.e);
          if (rec.wc) held.add(rec.wc.w, rec.wc.cos, rec.wc.kn, rec.wc.mn);
        }
        M = nextM, wPrev = nextW;
        held.add(iv);
        const gradFunc = (dy: tf.Tensor) => {
          const d = dy.dataSync() as Float32Array;
          const diface = new Float32Array(B * I), dwPrev = new Float32Array(B * P);
          // dwR, dM0 (and for the NTM dwW, dwc) are the large per-element temporaries.
          held.transient((B * (I + P) + B * O) * 4 + (Hh * N + NW + (ntm ? 2 * N : 0)) * 8);
          for (let b = 0; b < B; b++) {
            const rec = recs[b]!, o = b * I, dM1 = carry[b]!, { M0, M1, wW, read: rd } = rec;
            // Read: r_h = Σ_i w_{h,i} M1_i (plus, for DAM, the read weights' own cotangent).
            const dq = new Float64Array(Hh * W), dbeta = new Float64Array(Hh);
            const dOff = b * O, extra = ntm ? null : d.subarray(dOff + Hh * W, dOff + Hh * W + P);
            readHeadsBackward(
              rd,
              d.subarray(dOff, dOff + Hh * W),
              extra,
              iv,
              o,
              rec.beta,
              M1,
              Hh,
              N,
              W,
              dq,
              dbeta,
              dM1,
            );
            const dM0 = new Float64Array(NW);
            if (ntm) {
              const kOff = o + Hh * W + Hh, eOff = kOff + W + 2, aOff = eOff + W, e = rec.e!;
              const dwW = new Float64Array(N), de = new Float64Array(W), da = new Float64Array(W);
              for (let i = 0; i < N; i++) {
                let s = d[b * O + Hh * W + i]!;
                const wi = wW[i]!;
                for (let j = 0; j < W; j++) {
                  const g = dM1[i * W + j]!, m0 = M0[i * W + j]!;
                  s += g * (iv[aOff + j]! - m0 * e[j]!);
                  de[j]! -= g * wi * m0;
                  da[j]! += g * wi;
                  dM0[i * W + j] = g * (1 - wi * e[j]!);
                }
                dwW[i] = s;
              }
              let dg = 0;
              const dwc = new Float64Array(N);
              for (let i = 0; i < N; i++) {
                dg += dwW[i]! * (rec.wc!.w[i]! - rec.wPrev[i]!);
                dwc[i] = rec.g * dwW[i]!;
                dwPrev[b * P + i] = (1 - rec.g) * dwW[i]!;
              }
              const dk = new Float64Array(W), dbw = new Float64Array(1);
              addressBackward(
                rec.wc!,
                dwc,
                iv,
                kOff,
                Float64Array.of(rec.bw),
                M0,
                1,
                N,
                W,
                dk,
                0,
                dbw,
                dM0,
              );
              for (let j = 0; j < W; j++) {
                diface[kOff + j] = dk[j]!;
                diface[eOff + j] = de[j]! * e[j]! * (1 - e[j]!);
                diface[aOff + j] = da[j]!;
              }
              diface[kOff + W] = dbw[0]! * sigmoid(iv[kOff + W]!);
              diface[kOff + W + 1] = dg * rec.g * (1 - rec.g);
            } else {
              const aOff = o + Hh * W + Hh, { alpha, gamma, lru } = rec, wBar = rec.wBar!;
              const da = new Float64Array(W);
              let dalpha = 0, dgamma = 0;
              for (let i = 0; i < N; i++) {
                let dw = 0;
                const wi = wW[i]!, keep = i === lru ? 0 : 1, isL = 1 - keep;
                for (let j = 0; j < W; j++) {
                  const g = dM1[i * W + j]!;
                  dw += g * iv[aOff + j]!;
                  da[j]! += g * wi;
                  dM0[i * W + j] = g * keep;
                }
                dalpha += dw * (gamma * wBar[i]! + (1 - gamma) * isL);
                dgamma += dw * alpha * (wBar[i]! - isL);
                for (let h = 0; h < Hh; h++) dwPrev[b * P + h * N + i] = dw * alpha * gamma / Hh;
              }
              for (let j = 0; j < W; j++) diface[aOff + j] = da[j]!;
              diface[aOff + W] = dalpha * alpha * (1 - alpha);
              diface[aOff + W + 1] = dgamma * gamma * (1 - gamma);
            }
            for (let k = 0; k < Hh * W; k++) diface[o + k] = dq[k]!;
            for (let h = 0; h < Hh; h++) {
              diface[o + Hh * W + h] = dbeta[h]! * sigmoid(iv[o + Hh * W + h]!);
            }
            carry[b] = dM0;
          }
          return [tf.tensor2d(diface, [B, I]), tf.tensor2d(dwPrev, [B, P])];
        };
        return { value: tf.tensor2d(packed, [B, O]), gradFunc };
        // TF.js types customGrad's function as variadic over Tensor | GradSaveFunc and its result
        // as a generic function; this one takes (iface, wPrev) and returns one tensor
      }) as unknown as Parameters<typeof tf.customGrad>[0],
    ) as unknown as (
      iface: tf.Tensor,
      w: tf.Tensor,
    ) => tf.Tensor;
    const probsT: tf.Tensor[] = [];
    const f = (...ps: tf.Tensor[]): tf.Scalar => {
      const [Wl, bl, Wi, bi, Wo, bo] = ps as ParamTensors;
      let h: tf.Tensor = tf.zeros([B, Hd]), c: tf.Tensor = tf.zeros([B, Hd]);
      let r: tf.Tensor = tf.zeros([B, Hh * W]), w: tf.Tensor = tf.zeros([B, P]);
      let loss: tf.Tensor = tf.scalar(0);
      for (let t = 0; t < ep.T; t++) {
        const x = inputAt(ep, t);
        ({ h, c } = lstmStep(Wl, bl, x, r, h, c));
        const iface = tf.fused.matMul({ a: h as tf.Tensor2D, b: Wi as tf.Tensor2D, bias: bi });
        const packed = access(iface, w);
        r = tf.slice(packed, [0, 0], [B, Hh * W]);
        w = tf.slice(packed, [0, Hh * W], [B, P]);
        loss = outputStep(ep, t, h, r, Wo, bo, probsT, loss);
      }
      return loss as tf.Scalar;
    };
    const { loss, probs, grads } = runTape(f, this.params, backward, probsT, ep.T * B * Y);
    return { loss, probs, grads, hostBytes: backward ? held.peak() : 0 };
  }
}

/**
 * A tally of host arrays: `add` counts each distinct array's byte length once, `transient`
 * notes a temporary allocation that lives beside them, `peak` is their sum with the largest
 * temporary.
 */
export class HostBytes {
  #seen = new Set<ArrayBufferView>();
  #bytes = 0;
  #transient = 0;

  /** Count these arrays (nulls and arrays counted before are skipped). */
  add(...arrays: (ArrayBufferView | null)[]): void {
    for (const a of arrays) {
      if (a === null || this.#seen.has(a)) continue;
      this.#seen.add(a), this.#bytes += a.byteLength;
    }
  }

  /** Note a temporary of `bytes` alive beside every counted array. */
  transient(bytes: number): void {
    this.#transient = Math.max(this.#transient, bytes);
  }

  /** Counted arrays plus the largest temporary. */
  peak(): number {
    return this.#bytes + this.#transient;
  }
}
