/**
 * Forward-only evaluation of a trained SAM on very long sequences (Rae et al. 2016 Supp. F,
 * Figure 8): no tape, no journal, nothing kept per step. The controller (LSTM, interface and
 * output layers) runs in plain JS from the model's weights (read once), the memory access is the
 * model's own write and top-K selection (`SamModel.writeAndSelect`, memory written in place) and
 * its JS read (`readForward`); the cost is accumulated step by step. Afterwards every word the
 * pass wrote is zeroed again and the rings, flags and ANN graphs are reset, so the model is where
 * it started (an empty memory) in time proportional to N (one scan of the written flags).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import { readForward } from "./fused_read.ts";
import { samIfaceSize, type SamModel } from "./sam.ts";

/** One sampled point of a long pass. */
export interface LongEvalProbe {
  /** Steps done so far. */
  step: number;
  /** Mean wall ms per step since the previous probe. */
  msPerStep: number;
  /** Bytes held above the start of the pass (see {@link LongEvalResult.bytes}). */
  bytes: number;
}

/** What a forward-only pass returns. */
export interface LongEvalResult {
  /** Loss in nats per sequence (masked BCE summed over scored bits, averaged over the batch). */
  loss: number;
  /** NTM-style cost in bits per sequence (as `costBits`). */
  bits: number;
  /** Predicted probabilities [T, B, Y], only when asked for (`keepProbs`). */
  probs: Float32Array | null;
  /** Mean wall ms per step over the whole pass. */
  msPerStep: number;
  /**
   * Peak over the probes of the bytes held above the start of the pass: the evaluator's own
   * state (fixed-size arrays), TF.js tensors (measured, `tf.memory`), the hnswlib wasm heap's
   * growth (measured) and the words the memory has marked as written (4 B each, its touched list).
   */
  bytes: number;
  /** Probes along the pass (every `probeEvery` steps and at the end). */
  probes: LongEvalProbe[];
}

/** Options of {@link forwardOnly}. */
export interface LongEvalOptions {
  /** Keep the [T, B, Y] probabilities (tests; O(T) memory). Default false. */
  keepProbs?: boolean;
  /** Take a probe every this many steps (default: T / 10, at least 1). */
  probeEvery?: number;
  /** The hnswlib module's heap, when the model uses the ANN (for its growth). */
  wasmHeap?: () => number;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** The model's weights as Float32Arrays (read once per pass). */
function weights(model: SamModel): Record<"Wl" | "bl" | "Wi" | "bi" | "Wo" | "bo", Float32Array> {
  const p = model.params;
  return {
    Wl: p.Wl.dataSync() as Float32Array,
    bl: p.bl.dataSync() as Float32Array,
    Wi: p.Wi.dataSync() as Float32Array,
    bi: p.bi.dataSync() as Float32Array,
    Wo: p.Wo.dataSync() as Float32Array,
    bo: p.bo.dataSync() as Float32Array,
  };
}

/** out[0..C) = bias + Σ_r x[r] · M[r, 0..C) over x = concat(parts). */
function affine(
  parts: Float32Array[],
  M: Float32Array,
  bias: Float32Array,
  C: number,
  out: Float64Array,
): void {
  for (let j = 0; j < C; j++) out[j] = bias[j]!;
  let row = 0;
  for (const x of parts) {
    for (let r = 0; r < x.length; r++, row++) {
      const v = x[r]!;
      if (v === 0) continue;
      const o = row * C;
      for (let j = 0; j < C; j++) out[j] = out[j]! + v * M[o + j]!;
    }
  }
}

/**
 * Run `model` forward over `ep` (any length; `ep.B` must be the model's batch), writing its
 * memory in place and keeping nothing per step; then reset the memory it touched.
 */
export function forwardOnly(model: SamModel, ep: Episode, o: LongEvalOptions = {}): LongEvalResult {
  const s = model.spec, { heads: Hh, K, W, hidden: H, delta } = s;
  const B = ep.B, X = ep.X, Y = ep.Y, HK = Hh * K, R = Hh * W, I = samIfaceSize(s);
  if (B !== model.mem.B) throw new RangeError(`episode batch ${B} ≠ model batch ${model.mem.B}`);
  if (X !== s.input || Y !== s.output) {
    throw new RangeError(`episode widths ${X}/${Y} ≠ model ${s.input}/${s.output}`);
  }
  const w = weights(model);
  const hs = Array.from({ length: B }, () => new Float32Array(H));
  const cs = Array.from({ length: B }, () => new Float32Array(H));
  const rs = Array.from({ length: B }, () => new Float32Array(R));
  const x = new Float32Array(X), z = new Float64Array(4 * H), zi = new Float64Array(I);
  const zo = new Float64Array(Y), iv = new Float32Array(B * I);
  const q = new Float32Array(B * Hh * W), beta = new Float32Array(B * Hh);
  let wPrev = new Float32Array(B * HK);
  let prevIdx: Int32Array = new Int32Array(B * HK).map((_, j) => (j % HK) % s.N);
  const probs = o.keepProbs ? new Float32Array(ep.T * B * Y) : null;
  const stateBytes = B * 4 * (2 * H + R + 2 * HK) + 8 * (4 * H + I + Y) + 4 * B * (2 * I + Hh * W);
  const tf0 = tf.memory().numBytes, heap0 = o.wasmHeap?.() ?? 0;
  const written0 = Array.from({ length: B }, (_, b) => model.mem.writtenCount(b));
  const held = () => {
    let words = 0;
    for (let b = 0; b < B; b++) words += model.mem.writtenCount(b) - written0[b]!;
    return stateBytes + Math.max(0, tf.memory().numBytes - tf0) +
      Math.max(0, (o.wasmHeap?.() ?? 0) - heap0) + 4 * words;
  };
  const every = Math.max(1, o.probeEvery ?? Math.floor(ep.T / 10));
  const probes: LongEvalProbe[] = [];
  let loss = 0, bits = 0;
  const start = performance.now();
  let last = start, lastStep = 0;
  try {
    for (let t = 0; t < ep.T; t++) {
      for (let b = 0; b < B; b++) {
        const h = hs[b]!, c = cs[b]!;
        x.set(ep.input.subarray((t * B + b) * X, (t * B + b + 1) * X));
        affine([x, rs[b]!, h], w.Wl, w.bl, 4 * H, z);
        for (let j = 0; j < H; j++) {
          const ig = sigmoid(z[j]!), fg = sigmoid(z[H + j]!), og = sigmoid(z[2 * H + j]!);
          const c2 = fg * c[j]! + ig * Math.tanh(z[3 * H + j]!);
          c[j] = c2;
          h[j] = og * Math.tanh(c2);
        }
        affine([h], w.Wi, w.bi, I, zi);
        for (let j = 0; j < I; j++) iv[b * I + j] = zi[j]!;
      }
      const sel = model.writeAndSelect(B, iv, wPrev, prevIdx);
      for (let b = 0; b < B; b++) {
        q.set(iv.subarray(b * I, b * I + Hh * W), b * Hh * W);
        for (let h = 0; h < Hh; h++) {
          const v = iv[b * I + Hh * W + h]!;
          beta[b * Hh + h] = 1 + (v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v)));
        }
      }
      const read = readForward(q, beta, sel.words, B * Hh, K, W);
      const wR = new Float32Array(B * HK);
      for (let b = 0; b < B; b++) {
        const r = rs[b]!;
        for (let h = 0; h < Hh; h++) {
          const base = (b * Hh + h) * (K + W);
          for (let k = 0; k < K; k++) wR[b * HK + h * K + k] = read.out[base + k]!;
          r.set(read.out.subarray(base + K, base + K + W), h * W);
        }
        for (let j = 0; j < HK; j++) {
          if (wR[b * HK + j]! > delta) model.rings[b]!.access(sel.readIdx[b * HK + j]!);
        }
        affine([hs[b]!, r], w.Wo, w.bo, Y, zo);
        const m = ep.mask[t * B + b]!;
        for (let j = 0; j < Y; j++) {
          const zj = zo[j]!, p = sigmoid(zj), i = (t * B + b) * Y + j;
          if (probs) probs[i] = p;
          if (m === 0) continue;
          const tgt = ep.target[i]!;
          const sp = zj > 0 ? zj + Math.log1p(Math.exp(-zj)) : Math.log1p(Math.exp(zj));
          loss += (sp - tgt * zj) * m;
          const pc = Math.min(1 - 1e-7, Math.max(1e-7, Math.fround(p)));
          bits -= tgt > 0.5 ? Math.log2(pc) : Math.log2(1 - pc);
        }
      }
      wPrev = wR, prevIdx = sel.readIdx;
      if ((t + 1) % every === 0 || t + 1 === ep.T) {
        const now = performance.now();
        probes.push({ step: t + 1, msPerStep: (now - last) / (t + 1 - lastStep), bytes: held() });
        last = now, lastStep = t + 1;
      }
    }
  } finally {
    resetTouched(model);
  }
  const msPerStep = (performance.now() - start) / Math.max(1, ep.T);
  const bytes = Math.max(stateBytes, ...probes.map((p) => p.bytes));
  return { loss: loss / B, bits: bits / B, probs, msPerStep, bytes, probes };
}

/** Zero every written word, then reset the flags, rings and ANN graphs (an empty memory again). */
export function resetTouched(model: SamModel): void {
  const mem = model.mem, zero = new Float32Array(mem.W);
  for (let b = 0; b < mem.B; b++) {
    const wr = mem.written[b]!;
    for (let i = 0; i < mem.N; i++) if (wr[i]) mem.setRow(b, i, zero, 0);
  }
  mem.resetFlags();
  for (const ring of model.rings) ring.reset();
  for (const a of model.ann ?? []) a.reset();
}
