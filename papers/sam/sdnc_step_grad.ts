/**
 * One Sparse DNC memory step on its visible words in JS, with its hand-written vector–Jacobian
 * product: the same maths as the TF.js graph `sdnc_step.ts` (which `sdnc_step_grad_test.ts` uses
 * as the autodiff reference), so a step is one tape node with no kernels inside it, and no
 * nested `tf.grads` inside a gradient.
 * @module
 */
import { NORM_EPS } from "./similarity.ts";

/** Sizes: batch B, heads R, words per read part K, word size W, visible words V. */
export interface SdncGradSizes {
  B: number;
  R: number;
  K: number;
  W: number;
  V: number;
}

/** The step's selections as visible-word indices (−1: none) and link coefficients. */
export interface SdncStepIndex {
  /** Visible word of each previous slot [B·R·3K]. */
  prevV: Int32Array;
  /** Visible word of each slot read now [B·R·3K]. */
  slotV: Int32Array;
  /** Visible word of the LRU word [B]. */
  lruV: Int32Array;
  /** Forward / backward link coefficients [B, R, K, 3K]. */
  fwd: Float32Array;
  bwd: Float32Array;
}

/** Outputs of {@link sdncStepForward}: packed [B, R·W + R·3K] (r, then w) and mNew [B, V, W]. */
export interface SdncStepOut {
  packed: Float32Array;
  mNew: Float32Array;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

interface Cache {
  alpha: Float64Array;
  gamma: Float64Array;
  wBar: Float64Array;
  wW: Float64Array;
  mNew: Float64Array;
  modes: Float64Array;
  beta: Float64Array;
  cos: Float64Array;
  c: Float64Array;
  qn: Float64Array;
  wn: Float64Array;
  fh: Float64Array;
  bh: Float64Array;
  w: Float64Array;
}

function run(
  iv: Float32Array,
  wPrev: Float32Array,
  mPrev: Float32Array,
  x: SdncStepIndex,
  s: SdncGradSizes,
): Cache {
  const { B, R, K, W, V } = s, S = 3 * K, RS = R * S, I = R * W + R + W + 2 + 3 * R;
  const alpha = new Float64Array(B), gamma = new Float64Array(B);
  const wBar = new Float64Array(B * V), wW = new Float64Array(B * V);
  const mNew = new Float64Array(B * V * W), modes = new Float64Array(B * R * 3);
  const beta = new Float64Array(B * R), cos = new Float64Array(B * R * K);
  const c = new Float64Array(B * R * K), qn = new Float64Array(B * R);
  const wn = new Float64Array(B * R * K), fh = new Float64Array(B * R * K);
  const bh = new Float64Array(B * R * K), w = new Float64Array(B * RS);
  for (let b = 0; b < B; b++) {
    const o = b * I, aOff = o + R * W + R;
    alpha[b] = sigmoid(iv[aOff + W]!), gamma[b] = sigmoid(iv[aOff + W + 1]!);
    for (let j = 0; j < RS; j++) {
      const v = x.prevV[b * RS + j]!;
      if (v >= 0) wBar[b * V + v]! += wPrev[b * RS + j]! / R;
    }
    const lv = x.lruV[b]!;
    for (let v = 0; v < V; v++) {
      const isL = v === lv ? 1 : 0;
      const ww = alpha[b]! * (gamma[b]! * wBar[b * V + v]! + (1 - gamma[b]!) * isL);
      wW[b * V + v] = ww;
      for (let j = 0; j < W; j++) {
        const e = (b * V + v) * W + j;
        mNew[e] = mPrev[e]! * (1 - isL) + ww * iv[aOff + j]!;
      }
    }
    for (let h = 0; h < R; h++) {
      const p = b * R + h, mo = o + R * W + R + W + 2 + 3 * h;
      let mx = -Infinity;
      for (let m = 0; m < 3; m++) mx = Math.max(mx, iv[mo + m]!);
      let zs = 0;
      for (let m = 0; m < 3; m++) zs += modes[p * 3 + m] = Math.exp(iv[mo + m]! - mx);
      for (let m = 0; m < 3; m++) modes[p * 3 + m]! /= zs;
      beta[p] = 1 + softplus(iv[o + R * W + h]!);
      let qq = NORM_EPS;
      for (let j = 0; j < W; j++) qq += iv[o + h * W + j]! ** 2;
      qn[p] = Math.sqrt(qq);
      let zmax = -Infinity;
      for (let k = 0; k < K; k++) {
        const v = x.slotV[b * RS + h * S + k]!;
        let dot = 0, ww = NORM_EPS;
        if (v >= 0) {
          for (let j = 0; j < W; j++) {
            const m = mNew[(b * V + v) * W + j]!;
            dot += iv[o + h * W + j]! * m, ww += m * m;
          }
        }
        wn[p * K + k] = Math.sqrt(ww);
        cos[p * K + k] = dot / (qn[p]! * wn[p * K + k]!);
        zmax = Math.max(zmax, beta[p]! * cos[p * K + k]!);
      }
      let cs = 0;
      for (let k = 0; k < K; k++) cs += c[p * K + k] = Math.exp(beta[p]! * cos[p * K + k]! - zmax);
      for (let k = 0; k < K; k++) c[p * K + k]! /= cs;
      for (let k = 0; k < K; k++) {
        let f = 0, bk = 0;
        for (let t = 0; t < S; t++) {
          const wp = wPrev[b * RS + h * S + t]!, co = (p * K + k) * S + t;
          f += x.fwd[co]! * wp, bk += x.bwd[co]! * wp;
        }
        fh[p * K + k] = f, bh[p * K + k] = bk;
        w[b * RS + h * S + k] = modes[p * 3]! * c[p * K + k]!;
        w[b * RS + h * S + K + k] = modes[p * 3 + 1]! * f;
        w[b * RS + h * S + 2 * K + k] = modes[p * 3 + 2]! * bk;
      }
    }
  }
  return { alpha, gamma, wBar, wW, mNew, modes, beta, cos, c, qn, wn, fh, bh, w };
}

/** The step's forward pass: read vectors and weights (packed) and the visible words after the write. */
export function sdncStepForward(
  iv: Float32Array,
  wPrev: Float32Array,
  mPrev: Float32Array,
  x: SdncStepIndex,
  s: SdncGradSizes,
): SdncStepOut {
  const { B, R, K, W, V } = s, S = 3 * K, RS = R * S, O = R * W + RS;
  const f = run(iv, wPrev, mPrev, x, s);
  const packed = new Float32Array(B * O);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < R; h++) {
      for (let t = 0; t < S; t++) {
        const j = b * RS + h * S + t, v = x.slotV[j]!, wt = f.w[j]!;
        packed[b * O + R * W + h * S + t] = wt;
        if (v < 0 || wt === 0) continue;
        for (let e = 0; e < W; e++) packed[b * O + h * W + e]! += wt * f.mNew[(b * V + v) * W + e]!;
      }
    }
  }
  return { packed, mNew: Float32Array.from(f.mNew) };
}

/**
 * The step's VJP: given the cotangents of packed [B, R·W + R·3K] and of mNew [B, V, W], the
 * gradients of the raw interface [B, I], the previous read weights [B, R·3K] and the visible
 * words before the write [B, V, W].
 */
export function sdncStepBackward(
  iv: Float32Array,
  wPrev: Float32Array,
  mPrev: Float32Array,
  x: SdncStepIndex,
  s: SdncGradSizes,
  dPacked: Float32Array,
  dMnew: Float32Array,
): { diface: Float32Array; dwPrev: Float32Array; dmPrev: Float32Array } {
  const { B, R, K, W, V } = s, S = 3 * K, RS = R * S, O = R * W + RS;
  const I = R * W + R + W + 2 + 3 * R;
  const f = run(iv, wPrev, mPrev, x, s);
  const dm = Float64Array.from(dMnew); // dL/dmNew, read contributions added below
  const diface = new Float64Array(B * I), dwPrev = new Float64Array(B * RS);
  const dmPrev = new Float32Array(B * V * W);
  for (let b = 0; b < B; b++) {
    const o = b * I, aOff = o + R * W + R;
    for (let h = 0; h < R; h++) {
      const p = b * R + h, dr = b * O + h * W;
      const dwt = new Float64Array(S);
      for (let t = 0; t < S; t++) {
        const j = b * RS + h * S + t, v = x.slotV[j]!;
        let d = dPacked[b * O + R * W + h * S + t]!;
        if (v >= 0) {
          for (let e = 0; e < W; e++) {
            d += dPacked[dr + e]! * f.mNew[(b * V + v) * W + e]!;
            dm[(b * V + v) * W + e]! += f.w[j]! * dPacked[dr + e]!;
          }
        }
        dwt[t] = d;
      }
      const md = new Float64Array(3);
      const dc = new Float64Array(K);
      for (let k = 0; k < K; k++) {
        md[0]! += dwt[k]! * f.c[p * K + k]!;
        md[1]! += dwt[K + k]! * f.fh[p * K + k]!;
        md[2]! += dwt[2 * K + k]! * f.bh[p * K + k]!;
        dc[k] = f.modes[p * 3]! * dwt[k]!;
        const df = f.modes[p * 3 + 1]! * dwt[K + k]!, db = f.modes[p * 3 + 2]! * dwt[2 * K + k]!;
        for (let t = 0; t < S; t++) {
          const co = (p * K + k) * S + t;
          dwPrev[b * RS + h * S + t]! += x.fwd[co]! * df + x.bwd[co]! * db;
        }
      }
      // Mode logits through the softmax.
      let sm = 0;
      for (let m = 0; m < 3; m++) sm += f.modes[p * 3 + m]! * md[m]!;
      const mo = o + R * W + R + W + 2 + 3 * h;
      for (let m = 0; m < 3; m++) diface[mo + m] = f.modes[p * 3 + m]! * (md[m]! - sm);
      // Content: c = softmax(β cos).
      let sc = 0;
      for (let k = 0; k < K; k++) sc += f.c[p * K + k]! * dc[k]!;
      let dbeta = 0;
      const qn = f.qn[p]!;
      for (let k = 0; k < K; k++) {
        const dz = f.c[p * K + k]! * (dc[k]! - sc), cs = f.cos[p * K + k]!;
        dbeta += dz * cs;
        const dcos = dz * f.beta[p]!, v = x.slotV[b * RS + h * S + k]!;
        if (dcos === 0 || v < 0) continue;
        const wn = f.wn[p * K + k]!;
        const f1 = dcos / (qn * wn), fq = dcos * cs / (qn * qn), fw = dcos * cs / (wn * wn);
        for (let e = 0; e < W; e++) {
          const qe = iv[o + h * W + e]!, me = f.mNew[(b * V + v) * W + e]!;
          diface[o + h * W + e]! += f1 * me - fq * qe;
          dm[(b * V + v) * W + e]! += f1 * qe - fw * me;
        }
      }
      diface[o + R * W + h] = dbeta * sigmoid(iv[o + R * W + h]!); // d(1 + softplus)
    }
    // The write: mNew = keep ∘ mPrev + wW a, wW = α (γ w̄ + (1 − γ) 1_lru).
    const alpha = f.alpha[b]!, gamma = f.gamma[b]!, lv = x.lruV[b]!;
    let dalpha = 0, dgamma = 0;
    const dwBar = new Float64Array(V);
    for (let v = 0; v < V; v++) {
      const isL = v === lv ? 1 : 0, ww = f.wW[b * V + v]!;
      let dww = 0;
      for (let e = 0; e < W; e++) {
        const g = dm[(b * V + v) * W + e]!;
        dmPrev[(b * V + v) * W + e] = g * (1 - isL);
        dww += g * iv[aOff + e]!;
        diface[aOff + e]! += ww * g;
      }
      dalpha += dww * (gamma * f.wBar[b * V + v]! + (1 - gamma) * isL);
      dgamma += dww * alpha * (f.wBar[b * V + v]! - isL);
      dwBar[v] = dww * alpha * gamma;
    }
    for (let j = 0; j < RS; j++) {
      const v = x.prevV[b * RS + j]!;
      if (v >= 0) dwPrev[b * RS + j]! += dwBar[v]! / R;
    }
    diface[aOff + W] = dalpha * alpha * (1 - alpha);
    diface[aOff + W + 1] = dgamma * gamma * (1 - gamma);
  }
  return { diface: Float32Array.from(diface), dwPrev: Float32Array.from(dwPrev), dmPrev };
}
