/**
 * One SAM step as a differentiable function of the ≤ 2HK+1 memory words it touches (the
 * "visible" words), used by the backward pass to recompute a step under `tf.grads`, and by the
 * dense reference in the tests.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { lstmStep, maskedLoss, type OutputLoss } from "./controller.ts";
import { fusedContentRead } from "./fused_read.ts";
import type { SparseMemory } from "./sparse_memory.ts";

/** Non-differentiable inputs of a step (selections as one-hot matrices over V visible slots). */
export interface StepConsts {
  /** x [B, X]. */
  x: tf.Tensor;
  /** target [B, Y], mask [B]. */
  target: tf.Tensor;
  mask: tf.Tensor;
  /** How the outputs are scored (default bits). */
  loss?: OutputLoss;
  /** pPrev [B, HK, V]: previous step's read slot j → visible slot. */
  pPrev: tf.Tensor;
  /** lruOh [B, V]: the LRU word. */
  lruOh: tf.Tensor;
  /** rSel [B, HK, V]: this step's read slot j → visible slot. */
  rSel: tf.Tensor;
  heads: number;
  K: number;
  W: number;
}

/** Outputs of a step: h, c [B, H]; r [B, Hh·W]; w [B, HK]; mNew [B, V, W]; loss scalar. */
export interface StepOut {
  h: tf.Tensor;
  c: tf.Tensor;
  r: tf.Tensor;
  w: tf.Tensor;
  mNew: tf.Tensor;
  loss: tf.Scalar;
}

/**
 * The step: params [Wl, bl, Wi, bi, Wo, bo]; h0, c0 [B, H]; r0 [B, Hh·W]; wPrev [B, HK];
 * mPrev [B, V, W] (visible words before the write).
 */
export function samStepGraph(
  params: tf.Tensor[],
  h0: tf.Tensor,
  c0: tf.Tensor,
  r0: tf.Tensor,
  wPrev: tf.Tensor,
  mPrev: tf.Tensor,
  k: StepConsts,
): StepOut {
  const [Wl, bl, Wi, bi, Wo, bo] = params as [
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
    tf.Tensor,
  ];
  const { heads: Hh, K, W } = k;
  const B = h0.shape[0]!, V = mPrev.shape[1]!;
  const { h, c } = lstmStep(Wl, bl, k.x, r0, h0, c0);
  const iface = tf.fused.matMul({ a: h as tf.Tensor2D, b: Wi as tf.Tensor2D, bias: bi });
  const q = tf.reshape(tf.slice(iface, [0, 0], [B, Hh * W]), [B, Hh, W]);
  const beta = tf.add(1, tf.softplus(tf.slice(iface, [0, Hh * W], [B, Hh])));
  const a = tf.slice(iface, [0, Hh * W + Hh], [B, W]);
  const alpha = tf.sigmoid(tf.slice(iface, [0, Hh * W + Hh + W], [B, 1]));
  const gamma = tf.sigmoid(tf.slice(iface, [0, Hh * W + Hh + W + 1], [B, 1]));
  const wBar = tf.reshape(
    tf.matMul(tf.reshape(tf.div(wPrev, Hh), [B, 1, Hh * K]), k.pPrev as tf.Tensor3D),
    [B, V],
  );
  const wW = tf.mul(alpha, tf.add(tf.mul(gamma, wBar), tf.mul(tf.sub(1, gamma), k.lruOh)));
  const mNew = tf.add(
    tf.mul(mPrev, tf.expandDims(tf.sub(1, k.lruOh), 2)),
    tf.mul(tf.expandDims(wW, 2), tf.expandDims(a, 1)),
  );
  const words = tf.reshape(tf.matMul(k.rSel as tf.Tensor3D, mNew as tf.Tensor3D), [B, Hh, K, W]);
  const packed = fusedContentRead(q, beta, words); // [B, Hh, K + W] = (w, r)
  const rd = {
    w: tf.slice(packed, [0, 0, 0], [B, Hh, K]),
    r: tf.slice(packed, [0, 0, K], [B, Hh, W]),
  };
  const r = tf.reshape(rd.r, [B, Hh * W]);
  const logits = tf.fused.matMul({
    a: tf.concat([h, r], 1) as tf.Tensor2D,
    b: Wo as tf.Tensor2D,
    bias: bo,
  });
  return {
    h,
    c,
    r,
    w: tf.reshape(rd.w, [B, Hh * K]),
    mNew,
    loss: maskedLoss(logits, k.target, k.mask, k.loss),
  };
}

/** The selections and journal of one forward step. */
export interface StepSelection {
  prevIdx: Int32Array;
  lru: Int32Array;
  readIdx: Int32Array;
  writeRows: Int32Array[];
  journal: Float32Array[];
}

/** Visible words of a step and their one-hot maps; V = 2HK + 1 slots (unused slots: row −1). */
export interface Visible {
  V: number;
  rows: Int32Array;
  pPrev: Float32Array;
  lruOh: Float32Array;
  rSel: Float32Array;
  mPrev: Float32Array;
  dMnew: Float32Array;
}

/**
 * Gather a step's visible words while the memory holds M_t (after the step's write): written
 * words take their pre-write values from the journal, the others are read from memory; the
 * incoming gradient dL/dM_t of each visible word comes from the sparse map `dMem`.
 */
export function buildVisible(
  mem: SparseMemory,
  s: StepSelection,
  B: number,
  HK: number,
  W: number,
  dMem: Map<number, Float32Array>[],
): Visible {
  const V = 2 * HK + 1;
  const rows = new Int32Array(B * V).fill(-1);
  const pPrev = new Float32Array(B * HK * V), rSel = new Float32Array(B * HK * V);
  const lruOh = new Float32Array(B * V);
  const mPrev = new Float32Array(B * V * W), dMnew = new Float32Array(B * V * W);
  for (let b = 0; b < B; b++) {
    const slot = new Map<number, number>();
    const slotOf = (i: number) => {
      let v = slot.get(i);
      if (v === undefined) {
        v = slot.size;
        slot.set(i, v);
        rows[b * V + v] = i;
      }
      return v;
    };
    for (let j = 0; j < HK; j++) pPrev[(b * HK + j) * V + slotOf(s.prevIdx[b * HK + j]!)] = 1;
    lruOh[b * V + slotOf(s.lru[b]!)] = 1;
    for (let j = 0; j < HK; j++) rSel[(b * HK + j) * V + slotOf(s.readIdx[b * HK + j]!)] = 1;
    const wr = s.writeRows[b]!, jr = s.journal[b]!;
    const writtenAt = new Map<number, number>();
    for (let k = 0; k < wr.length; k++) writtenAt.set(wr[k]!, k);
    for (const [i, v] of slot) {
      const k = writtenAt.get(i);
      if (k !== undefined) mPrev.set(jr.subarray(k * W, (k + 1) * W), (b * V + v) * W);
      else mem.readRow(b, i, mPrev, (b * V + v) * W);
      const g = dMem[b]!.get(i);
      if (g) dMnew.set(g, (b * V + v) * W);
    }
  }
  return { V, rows, pPrev, lruOh, rSel, mPrev, dMnew };
}
