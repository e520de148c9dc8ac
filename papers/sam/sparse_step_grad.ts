/**
 * The hand-written vector–Jacobian product of SAM's memory access at one step (§3.2 write, §3.1
 * read), on the ≤ 2HK + 1 words the step touched, for the taped backward pass (`sam.ts`): given
 * the cotangents of the step's read weights and read vectors and the sparse map dL/dM_t (row →
 * gradient of the memory after the step's write, filled by later steps), it adds the step's
 * reads to the map, turns it into dL/dM_{t−1} through the write, and returns the gradients of
 * the interface vector and of the previous read weights.
 * @module
 */
import { readBackward, type ReadForward } from "./fused_read.ts";

/** What the forward pass keeps of one step's memory access (all N-independent). */
export interface MemoryStepRecord {
  /** Raw interface [B, I]. */
  iv: Float32Array;
  /** Previous read weights and their rows [B, HK]. */
  wPrev: Float32Array;
  prevIdx: Int32Array;
  /** LRU word per b; rows read [B, HK]. */
  lru: Int32Array;
  readIdx: Int32Array;
  /** Per b: the written rows (unique) and their old values. */
  writeRows: Int32Array[];
  journal: Float32Array[];
  /** Queries [B·Hh, W], strengths [B·Hh], read words (after the write) [B·Hh, K, W]. */
  q: Float32Array;
  beta: Float32Array;
  words: Float32Array;
  read: ReadForward;
}

/** Sizes of the access. */
export interface AccessSizes {
  heads: number;
  K: number;
  W: number;
  /** Interface width I. */
  iface: number;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * Backward of one step. `d` [B, HK + Hh·W] is the cotangent of the packed output (read weights,
 * then read vectors); `dMem[b]` maps rows to dL/dM_t and is updated in place to dL/dM_{t−1}.
 */
export function memoryStepGrad(
  rec: MemoryStepRecord,
  d: Float32Array,
  dMem: Map<number, Float32Array>[],
  s: AccessSizes,
): { diface: Float32Array; dwPrev: Float32Array } {
  const { heads: Hh, K, W, iface: I } = s;
  const HK = Hh * K, B = rec.lru.length, P = B * Hh, O = HK + Hh * W;
  const dOut = new Float32Array(P * (K + W));
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < Hh; h++) {
      const p = b * Hh + h;
      for (let k = 0; k < K; k++) dOut[p * (K + W) + k] = d[b * O + h * K + k]!;
      for (let j = 0; j < W; j++) dOut[p * (K + W) + K + j] = d[b * O + HK + h * W + j]!;
    }
  }
  const g = readBackward(rec.q, rec.beta, rec.words, rec.read, dOut, K, W);
  const diface = new Float32Array(B * I), dwPrev = new Float32Array(B * HK);
  for (let b = 0; b < B; b++) {
    const map = dMem[b]!;
    for (let j = 0; j < HK; j++) {
      const row = rec.readIdx[b * HK + j]!;
      let acc = map.get(row);
      if (!acc) map.set(row, acc = new Float32Array(W));
      const o = (b * HK + j) * W;
      for (let x = 0; x < W; x++) acc[x]! += g.dwords[o + x]!;
    }
    const o = b * I, aOff = o + Hh * W + Hh;
    const alpha = sigmoid(rec.iv[aOff + W]!), gamma = sigmoid(rec.iv[aOff + W + 1]!);
    const lru = rec.lru[b]!;
    const wBar = new Map<number, number>();
    for (let j = 0; j < HK; j++) {
      const i = rec.prevIdx[b * HK + j]!;
      wBar.set(i, (wBar.get(i) ?? 0) + rec.wPrev[b * HK + j]! / Hh);
    }
    const da = new Float64Array(W), dwW = new Map<number, number>();
    let dalpha = 0, dgamma = 0;
    for (const i of rec.writeRows[b]!) {
      const gM = map.get(i);
      if (!gM) continue;
      const isL = i === lru ? 1 : 0, wb = wBar.get(i) ?? 0;
      const wWi = alpha * (gamma * wb + (1 - gamma) * isL);
      let dw = 0;
      for (let x = 0; x < W; x++) {
        dw += rec.iv[aOff + x]! * gM[x]!;
        da[x]! += wWi * gM[x]!;
      }
      dalpha += dw * (gamma * wb + (1 - gamma) * isL);
      dgamma += dw * alpha * (wb - isL);
      dwW.set(i, dw);
      if (isL) map.delete(i); // the LRU word was zeroed before the write
    }
    for (let j = 0; j < HK; j++) {
      dwPrev[b * HK + j] = (dwW.get(rec.prevIdx[b * HK + j]!) ?? 0) * alpha * gamma / Hh;
    }
    for (let h = 0; h < Hh; h++) {
      const p = b * Hh + h;
      for (let x = 0; x < W; x++) diface[o + h * W + x] = g.dq[p * W + x]!;
      diface[o + Hh * W + h] = g.db[p]! * sigmoid(rec.iv[o + Hh * W + h]!); // d softplus
    }
    for (let x = 0; x < W; x++) diface[aOff + x] = da[x]!;
    diface[aOff + W] = dalpha * alpha * (1 - alpha);
    diface[aOff + W + 1] = dgamma * gamma * (1 - gamma);
  }
  return { diface, dwPrev };
}
