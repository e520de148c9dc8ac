/**
 * Sparse Access Memory (Rae et al. 2016 §3) with memory outside the autodiff tape.
 *
 * Per step t (batch B, heads Hh, K words per head, word size W):
 * - controller: (h, c) = LSTM([x_t, r_{t−1}], h, c); interface p = Linear(h) =
 *   (q [Hh, W], β [Hh], a [W], α, γ);
 * - write (§3.2): w^W = α (γ w̄^R_{t−1} + (1 − γ) 1_lru), the LRU word zeroed first, applied in
 *   place to the Float32Array memory; the old rows go to a journal;
 * - read (§3.1): top-K words per head (exact scan or ANN), w^R = softmax(β cos(q, word)) over
 *   the K, r = Σ w^R word; y = Linear([h, r]).
 * Backward (§3.4) walks the journal in reverse: at step t it recomputes the step on the ≤ 2HK+1
 * touched words with `tf.grads`, chains dh, dc, dr, dw^R to step t−1, keeps dL/dM as a sparse
 * row map, and rolls the step's writes back, so the memory ends where it started. Space per
 * step is O(HK·W), independent of N.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import type { Rng } from "../../tasks/core/rng.ts";
import {
  initParams,
  lstmStep,
  maskedLoss,
  outputProbs,
  paramList,
  type Params,
} from "./controller.ts";
import { inputAt, OutputHead, type ParamTensors, runTape } from "./controller_pass.ts";
import { AnnIndex, type AnnOptions, DEFAULT_ANN } from "./ann_index.ts";
import { loadHnsw } from "./_hnsw.ts";
import { LruRing } from "./lru_ring.ts";
import type { PassResult, SequenceModel } from "./model.ts";
import { fusedContentRead, readForward } from "./fused_read.ts";
import { memoryStepGrad, type MemoryStepRecord } from "./sparse_step_grad.ts";
import { SparseMemory } from "./sparse_memory.ts";
import { buildVisible, samStepGraph, type StepConsts } from "./sam_step.ts";

/** SAM sizes and options. */
export interface SamSpec {
  input: number;
  output: number;
  /** LSTM units (paper 100). */
  hidden: number;
  /** Memory words N. */
  N: number;
  /** Word size W (paper 32 in the benchmarks). */
  W: number;
  /** Heads (paper 4). */
  heads: number;
  /** Words read per head (paper 4). */
  K: number;
  /** Access threshold δ of the usage U^(2) (paper 0.005). */
  delta: number;
  /** Read candidates: exact scan or ANN index. */
  index: "linear" | "ann";
  /** Options of the ANN index. */
  ann?: AnnOptions;
  /** Upper bound on steps per episode (sizes the ANN graph; N-independent). */
  maxSteps: number;
  /**
   * Memory stays full across sequences (benchmark of a full index): the ANN graph is sized for
   * all N words and kept between sequences; rolled-back words are re-synced (marked changed).
   */
  persistent?: boolean;
  /**
   * Backward pass: "tape" (default) keeps the controller on the TF.js tape for the whole
   * sequence and differentiates the memory access by hand (`sparse_step_grad.ts`); "recompute"
   * recomputes each step on its visible words under `tf.grads` (the first version, kept as the
   * benchmark's old path and as a second reference).
   */
  backward?: "tape" | "recompute";
}

/** Interface width: q (Hh·W) + β (Hh) + a (W) + α + γ. */
export function samIfaceSize(s: Pick<SamSpec, "heads" | "W">): number {
  return s.heads * s.W + s.heads + s.W + 2;
}

/** What the forward pass keeps per step for the backward pass (all N-independent). */
interface StepRecord {
  h0: tf.Tensor;
  c0: tf.Tensor;
  r0: tf.Tensor;
  wPrev: Float32Array; // [B·HK]
  prevIdx: Int32Array; // [B·HK]
  lru: Int32Array; // [B]
  readIdx: Int32Array; // [B·HK]
  writeRows: Int32Array[]; // per b: unique written rows
  journal: Float32Array[]; // per b: old values of writeRows
}

/** Selections made in one forward pass (for tests against a dense reference). */
export interface SamTrace {
  prevIdx: Int32Array[];
  lru: Int32Array[];
  readIdx: Int32Array[];
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** SAM with linear or ANN read candidates. */
export class SamModel implements SequenceModel {
  readonly name: string;
  readonly spec: SamSpec;
  readonly params: Params;
  readonly mem: SparseMemory;
  readonly rings: LruRing[];
  readonly ann: AnnIndex[] | null;
  /** Selections of the last pass. */
  trace: SamTrace = { prevIdx: [], lru: [], readIdx: [] };
  /** Milliseconds in the top-K search during the last pass. */
  searchMs = 0;
  /**
   * When set, every ANN query of batch element 0 is also answered by the exact scan and
   * `hits` counts ANN results at least as similar as the exact K-th word (recall@K).
   */
  recallProbe: { hits: number; total: number } | null = null;

  private constructor(
    spec: SamSpec,
    params: Params,
    B: number,
    ann: AnnIndex[] | null,
    mem: SparseMemory,
  ) {
    this.spec = spec, this.params = params, this.mem = mem, this.ann = ann;
    this.name = spec.index === "ann" ? "sam_ann" : "sam_linear";
    this.rings = Array.from({ length: B }, () => new LruRing(spec.N));
  }

  /** Build a SAM for batch size B (Θ(N) initialisation: memory, norms, rings). */
  static async create(spec: SamSpec, B: number, rng: Rng): Promise<SamModel> {
    const params = initParams({
      input: spec.input,
      output: spec.output,
      hidden: spec.hidden,
      read: spec.heads * spec.W,
      iface: samIfaceSize(spec),
    }, rng);
    const mem = new SparseMemory(B, spec.N, spec.W);
    let ann: AnnIndex[] | null = null;
    if (spec.index === "ann") {
      const lib = await loadHnsw();
      const cap = spec.persistent ? spec.N : spec.maxSteps * (spec.heads * spec.K + 1) + 1;
      ann = Array.from(
        { length: B },
        (_, b) => new AnnIndex(lib, mem, b, cap, spec.ann ?? DEFAULT_ANN),
      );
    }
    return new SamModel(spec, params, B, ann, mem);
  }

  dispose(): void {
    for (const v of paramList(this.params)) v.dispose();
    for (const a of this.ann ?? []) a.dispose();
  }

  #search(b: number, q: Float32Array, qOff: number, out: Int32Array, outOff: number): void {
    const { heads: Hh, K, W } = this.spec;
    const sims = new Float32Array(Hh * K);
    if (this.ann) {
      const idx = new Int32Array(Hh * K);
      for (let h = 0; h < Hh; h++) this.ann[b]!.search(q, qOff + h * W, K, idx, sims, h * K);
      out.set(idx, outOff);
      const probe = this.recallProbe;
      if (probe && b === 0) {
        const eIdx = new Int32Array(Hh * K), eSims = new Float32Array(Hh * K);
        this.mem.topKLinear(b, q, qOff, Hh, K, eIdx, eSims, 0);
        for (let h = 0; h < Hh; h++) {
          const kth = eSims[h * K + K - 1]!;
          for (let k = 0; k < K; k++) if (sims[h * K + k]! >= kth - 1e-6) probe.hits++;
          probe.total += K;
        }
      }
    } else {
      this.mem.topKLinear(b, q, qOff, Hh, K, out, sims, outOff);
    }
  }

  /** Forward (and, if asked, backward) over one episode. Memory is restored afterwards. */
  run(ep: Episode, backward: boolean): PassResult {
    if ((this.spec.backward ?? "tape") === "tape") return this.#runTape(ep, backward);
    return this.#runRecompute(ep, backward);
  }

  /**
   * The taped pass: the controller (LSTM, interface, output layer, loss) is ordinary TF.js under
   * `tf.valueAndGrads` over the whole sequence; each step's memory access (write, top-K, read) is
   * one `tf.customGrad` node computed in JS whose gradient (`memoryStepGrad`) runs when the
   * tape's reverse sweep reaches it — steps in reverse order — and then rolls the step's writes
   * back. Kept per step: the controller's activations (O(B·H)) and the access record (O(HK·W)).
   */
  #runTape(ep: Episode, backward: boolean): PassResult {
    const { heads: Hh, K, W, hidden: Hd, delta } = this.spec;
    const B = ep.B, HK = Hh * K, I = samIfaceSize(this.spec);
    const O = HK + Hh * W;
    const recs: (MemoryStepRecord & { rolled: boolean })[] = [];
    const head = new OutputHead(ep);
    this.trace = { prevIdx: [], lru: [], readIdx: [] };
    this.searchMs = 0;
    let wPrevJs: Float32Array = new Float32Array(B * HK);
    let prevIdx: Int32Array = new Int32Array(B * HK).map((_, j) => (j % HK) % this.spec.N);
    const dMem: Map<number, Float32Array>[] = Array.from({ length: B }, () => new Map());
    // dL/d(read weights) of the step being differentiated: the read weights stay in JS (only the
    // next step's access reads them), so their cotangent is carried here from step to step.
    let dwCarry: Float32Array = new Float32Array(B * HK);
    const sizes = { heads: Hh, K, W, iface: I };
    const access = tf.customGrad(
      ((iface: tf.Tensor) => {
        const iv = (iface.dataSync() as Float32Array).slice();
        const sel = this.writeAndSelect(B, iv, wPrevJs, prevIdx);
        const P = B * Hh, q = new Float32Array(P * W), beta = new Float32Array(P);
        for (let b = 0; b < B; b++) {
          q.set(iv.subarray(b * I, b * I + Hh * W), b * Hh * W);
          for (let h = 0; h < Hh; h++) {
            const z = iv[b * I + Hh * W + h]!;
            beta[b * Hh + h] = 1 + (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));
          }
        }
        const read = readForward(q, beta, sel.words, P, K, W);
        const reads = new Float32Array(B * Hh * W), wR = new Float32Array(B * HK);
        for (let b = 0; b < B; b++) {
          for (let h = 0; h < Hh; h++) {
            const base = (b * Hh + h) * (K + W);
            for (let k = 0; k < K; k++) wR[b * HK + h * K + k] = read.out[base + k]!;
            reads.set(read.out.subarray(base + K, base + K + W), (b * Hh + h) * W);
          }
          for (let j = 0; j < HK; j++) {
            if (wR[b * HK + j]! > delta) this.rings[b]!.access(sel.readIdx[b * HK + j]!);
          }
        }
        const rec = { ...sel, iv, wPrev: wPrevJs, prevIdx, q, beta, read, rolled: false };
        recs.push(rec);
        this.trace.prevIdx.push(prevIdx), this.trace.lru.push(sel.lru);
        this.trace.readIdx.push(sel.readIdx);
        wPrevJs = wR, prevIdx = sel.readIdx;
        const gradFunc = (dy: tf.Tensor) => {
          // The packed cotangent memoryStepGrad takes: [dL/d(read weights), dL/d(reads)].
          const dr = dy.dataSync() as Float32Array, d = new Float32Array(B * O);
          for (let b = 0; b < B; b++) {
            d.set(dwCarry.subarray(b * HK, (b + 1) * HK), b * O);
            d.set(dr.subarray(b * Hh * W, (b + 1) * Hh * W), b * O + HK);
          }
          const g = memoryStepGrad(rec, d, dMem, sizes);
          this.#rollback(rec);
          rec.rolled = true;
          dwCarry = g.dwPrev;
          return [tf.tensor2d(g.diface, [B, I])];
        };
        return { value: tf.tensor2d(reads, [B, Hh * W]), gradFunc };
        // TF.js types customGrad's function as variadic over Tensor | GradSaveFunc and its result
        // as a generic function; this one takes the interface and returns one tensor
      }) as unknown as Parameters<typeof tf.customGrad>[0],
    ) as unknown as (iface: tf.Tensor) => tf.Tensor;
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
    let pass: ReturnType<typeof runTape>;
    try {
      pass = runTape(f, this.params, backward, head);
    } finally {
      // Steps the reverse sweep did not reach (forward only, or an error) are rolled back here,
      // latest first, so the memory always ends where it started.
      for (let t = recs.length - 1; t >= 0; t--) if (!recs[t]!.rolled) this.#rollback(recs[t]!);
    }
    const { loss, probs, grads } = pass;
    let hostBytes = 0;
    for (const rec of recs) {
      for (
        const a of [rec.iv, rec.wPrev, rec.prevIdx, rec.lru, rec.readIdx, rec.q, rec.beta]
      ) hostBytes += a.byteLength;
      hostBytes += rec.words.byteLength + rec.read.out.byteLength + rec.read.sim.byteLength +
        rec.read.wn.byteLength + rec.read.qn.byteLength;
      for (let b = 0; b < B; b++) {
        hostBytes += rec.writeRows[b]!.byteLength + rec.journal[b]!.byteLength;
      }
    }
    hostBytes += dwCarry.byteLength;
    for (const a of this.ann ?? []) hostBytes += a.bytes();
    this.#resetEpisode();
    return { loss, probs, grads, hostBytes };
  }

  #runRecompute(ep: Episode, backward: boolean): PassResult {
    const { heads: Hh, K, W, hidden: Hd, delta } = this.spec;
    const B = ep.B, HK = Hh * K, Y = ep.Y;
    const p = this.params;
    const recs: StepRecord[] = [];
    const probs = new Float32Array(ep.T * B * Y);
    this.trace = { prevIdx: [], lru: [], readIdx: [] };
    this.searchMs = 0;
    let h: tf.Tensor = tf.zeros([B, Hd]), c: tf.Tensor = tf.zeros([B, Hd]);
    let r: tf.Tensor = tf.zeros([B, Hh * W]);
    let wPrev: Float32Array = new Float32Array(B * HK);
    let prevIdx: Int32Array = new Int32Array(B * HK).map((_, j) => (j % HK) % this.spec.N);
    let loss = 0;
    for (let t = 0; t < ep.T; t++) {
      // Segment A: controller and interface.
      const x = inputAt(ep, t);
      const { h: h2, c: c2, iface } = tf.tidy(() => {
        const s = lstmStep(p.Wl, p.bl, x, r, h, c);
        return { ...s, iface: tf.fused.matMul({ a: s.h, b: p.Wi as tf.Tensor2D, bias: p.bi }) };
      });
      const iv = iface.dataSync() as Float32Array;
      const { lru, writeRows, journal, readIdx, words } = this.writeAndSelect(
        B,
        iv,
        wPrev,
        prevIdx,
      );
      const tgt = tf.tensor2d(ep.target.subarray(t * B * Y, (t + 1) * B * Y), [B, Y]);
      const msk = tf.tensor1d(ep.mask.subarray(t * B, (t + 1) * B));
      const out = tf.tidy(() => {
        const q = tf.reshape(tf.slice(iface, [0, 0], [B, Hh * W]), [B, Hh, W]);
        const beta = tf.add(1, tf.softplus(tf.slice(iface, [0, Hh * W], [B, Hh])));
        const packed = fusedContentRead(q, beta, tf.tensor4d(words, [B, Hh, K, W]));
        const rd = {
          w: tf.slice(packed, [0, 0, 0], [B, Hh, K]),
          r: tf.slice(packed, [0, 0, K], [B, Hh, W]),
        };
        const r2 = tf.reshape(rd.r, [B, Hh * W]);
        const logits = tf.fused.matMul({
          a: tf.concat([h2, r2], 1) as tf.Tensor2D,
          b: p.Wo as tf.Tensor2D,
          bias: p.bo,
        });
        return {
          r2,
          w: rd.w,
          pr: outputProbs(logits, ep.loss),
          l: maskedLoss(logits, tgt, msk, ep.loss),
        };
      });
      const wR = out.w.dataSync() as Float32Array;
      probs.set(out.pr.dataSync() as Float32Array, t * B * Y);
      loss += out.l.dataSync()[0]!;
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < HK; j++) {
          if (wR[b * HK + j]! > delta) this.rings[b]!.access(readIdx[b * HK + j]!);
        }
      }
      tf.dispose([x, iface, tgt, msk, out.w, out.pr, out.l]);
      this.trace.prevIdx.push(prevIdx), this.trace.lru.push(lru), this.trace.readIdx.push(readIdx);
      if (backward) {
        recs.push({ h0: h, c0: c, r0: r, wPrev, prevIdx, lru, readIdx, writeRows, journal });
      } else {
        tf.dispose([h, c, r]);
        recs.push({ h0: h, c0: c, r0: r, wPrev, prevIdx, lru, readIdx, writeRows, journal });
      }
      h = h2, c = c2, r = out.r2;
      wPrev = new Float32Array(wR), prevIdx = readIdx;
    }
    tf.dispose([h, c, r]);
    let hostBytes = 0;
    for (const rec of recs) {
      hostBytes += rec.wPrev.byteLength + rec.prevIdx.byteLength + rec.lru.byteLength +
        rec.readIdx.byteLength;
      for (let b = 0; b < B; b++) {
        hostBytes += rec.writeRows[b]!.byteLength + rec.journal[b]!.byteLength;
      }
    }
    for (const a of this.ann ?? []) hostBytes += a.bytes();
    const grads = backward ? this.#backward(ep, recs) : null;
    if (!backward) { for (let t = recs.length - 1; t >= 0; t--) this.#rollback(recs[t]!); }
    this.#resetEpisode();
    return { loss, probs, grads, hostBytes };
  }

  /**
   * The step's sparse write (in place, journalled) from the raw interface `iv` [B, I], then the
   * top-K read candidates per head and their words (after the write) [B, HK, W]. Public for the
   * forward-only evaluation (`long_eval.ts`), which drops the journal and resets the memory itself.
   */
  writeAndSelect(B: number, iv: Float32Array, wPrev: Float32Array, prevIdx: Int32Array): {
    lru: Int32Array;
    writeRows: Int32Array[];
    journal: Float32Array[];
    readIdx: Int32Array;
    words: Float32Array;
  } {
    const { heads: Hh, K, W, delta } = this.spec;
    const HK = Hh * K, I = samIfaceSize(this.spec);
    // Sparse write, in place, journalled.
    const lru = new Int32Array(B);
    const writeRows: Int32Array[] = [], journal: Float32Array[] = [];
    for (let b = 0; b < B; b++) {
      const o = b * I, aOff = o + Hh * W + Hh;
      const alpha = sigmoid(iv[aOff + W]!), gamma = sigmoid(iv[aOff + W + 1]!);
      const ring = this.rings[b]!;
      lru[b] = ring.lru();
      const wW = new Map<number, number>();
      for (let j = 0; j < HK; j++) {
        const i = prevIdx[b * HK + j]!;
        wW.set(i, (wW.get(i) ?? 0) + alpha * gamma * wPrev[b * HK + j]! / Hh);
      }
      wW.set(lru[b]!, (wW.get(lru[b]!) ?? 0) + alpha * (1 - gamma));
      const rows = Int32Array.from(wW.keys());
      const old = new Float32Array(rows.length * W);
      const row = new Float32Array(W);
      for (let k = 0; k < rows.length; k++) {
        const i = rows[k]!;
        this.mem.readRow(b, i, old, k * W);
        const wasWritten = this.mem.written[b]![i] === 1;
        const wi = wW.get(i)!;
        if (wi === 0 && !(i === lru[b] && wasWritten)) continue;
        const keep = i === lru[b] ? 0 : 1;
        for (let j = 0; j < W; j++) row[j] = old[k * W + j]! * keep + wi * iv[aOff + j]!;
        this.mem.setRow(b, i, row, 0);
        this.mem.markWritten(b, i);
        this.ann?.[b]?.written(i);
        if (wi > delta) ring.access(i);
      }
      writeRows.push(rows);
      journal.push(old);
    }
    // Sparse read: top-K candidates per head, then the read on the gathered words.
    const readIdx = new Int32Array(B * HK);
    const t0 = performance.now();
    for (let b = 0; b < B; b++) this.#search(b, iv, b * I, readIdx, b * HK);
    this.searchMs += performance.now() - t0;
    const words = new Float32Array(B * HK * W);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < HK; j++) {
        this.mem.readRow(b, readIdx[b * HK + j]!, words, (b * HK + j) * W);
      }
    }
    return { lru, writeRows, journal, readIdx, words };
  }

  #rollback(rec: Pick<StepRecord, "writeRows" | "journal">): void {
    const W = this.spec.W;
    for (let b = 0; b < rec.writeRows.length; b++) {
      const rows = rec.writeRows[b]!, old = rec.journal[b]!;
      for (let k = rows.length - 1; k >= 0; k--) {
        this.mem.setRow(b, rows[k]!, old, k * W);
        // Persistent memory: the eager (naive) index re-links the restored word at once; the
        // deferred one needs nothing (see AnnIndex.endSequence).
        if (this.spec.persistent && this.ann?.[b]?.opts.eager) this.ann[b]!.written(rows[k]!);
      }
    }
  }

  /**
   * Fill every word of every memory with N(0, 1) values and index them all (for the
   * full-memory benchmark; needs `persistent`). Θ(N) time, like the paper's initialisation.
   */
  prefill(rng: Rng): void {
    const { N, W } = this.spec, row = new Float32Array(W);
    for (let b = 0; b < this.mem.B; b++) {
      for (let i = 0; i < N; i++) {
        for (let j = 0; j < W; j++) row[j] = rng.normal();
        this.mem.setRow(b, i, row, 0);
        this.mem.markWritten(b, i);
      }
      this.ann?.[b]?.bulkInsert(Array.from({ length: N }, (_, i) => i));
    }
  }

  #resetEpisode(): void {
    if (this.spec.persistent) {
      for (const ring of this.rings) ring.reset();
      for (const a of this.ann ?? []) a.endSequence();
      return;
    }
    this.mem.resetFlags();
    for (const ring of this.rings) ring.reset();
    for (const a of this.ann ?? []) a.reset();
  }

  #backward(ep: Episode, recs: StepRecord[]): tf.Tensor[] {
    const { heads: Hh, K, W } = this.spec;
    const B = ep.B, HK = Hh * K, Y = ep.Y;
    const plist = paramList(this.params);
    let acc: tf.Tensor[] | null = null;
    let dh: tf.Tensor = tf.zeros([B, this.spec.hidden]),
      dc: tf.Tensor = tf.zeros([B, this.spec.hidden]);
    let dr: tf.Tensor = tf.zeros([B, Hh * W]), dw: tf.Tensor = tf.zeros([B, HK]);
    const dMem: Map<number, Float32Array>[] = Array.from({ length: B }, () => new Map());
    for (let t = recs.length - 1; t >= 0; t--) {
      const rec = recs[t]!;
      const vis = buildVisible(this.mem, rec, B, HK, W, dMem);
      this.#rollback(rec);
      const consts: StepConsts = {
        x: inputAt(ep, t),
        target: tf.tensor2d(ep.target.subarray(t * B * Y, (t + 1) * B * Y), [B, Y]),
        mask: tf.tensor1d(ep.mask.subarray(t * B, (t + 1) * B)),
        loss: ep.loss,
        pPrev: tf.tensor3d(vis.pPrev, [B, HK, vis.V]),
        lruOh: tf.tensor2d(vis.lruOh, [B, vis.V]),
        rSel: tf.tensor3d(vis.rSel, [B, HK, vis.V]),
        heads: Hh,
        K,
        W,
      };
      const wPrevT = tf.tensor2d(rec.wPrev, [B, HK]);
      const mPrev = tf.tensor3d(vis.mPrev, [B, vis.V, W]);
      const dMnew = tf.tensor3d(vis.dMnew, [B, vis.V, W]);
      const g = tf.tidy(() => {
        // One output vector [h, c, r, wR, M_new, loss] with the incoming cotangents as dy: the
        // vector–Jacobian product of the whole step in one tf.grads call.
        const f = (...xs: tf.Tensor[]) => {
          const o = samStepGraph(xs.slice(0, 6), xs[6]!, xs[7]!, xs[8]!, xs[9]!, xs[10]!, consts);
          return tf.concat([o.h, o.c, o.r, o.w, o.mNew, o.loss].map((t) => tf.reshape(t, [-1])));
        };
        const dy = tf.concat([dh, dc, dr, dw, dMnew, tf.ones([1])].map((t) => tf.reshape(t, [-1])));
        return tf.grads(f)([...plist, rec.h0, rec.c0, rec.r0, wPrevT, mPrev], dy);
      });
      const dPrev = g[10]!.dataSync() as Float32Array;
      for (let b = 0; b < B; b++) {
        for (let v = 0; v < vis.V; v++) {
          const i = vis.rows[b * vis.V + v]!;
          if (i < 0) continue;
          dMem[b]!.set(i, dPrev.slice((b * vis.V + v) * W, (b * vis.V + v + 1) * W));
        }
      }
      tf.dispose([dh, dc, dr, dw, g[10]!, wPrevT, mPrev, dMnew, rec.h0, rec.c0, rec.r0]);
      tf.dispose([consts.x, consts.target, consts.mask, consts.pPrev, consts.lruOh, consts.rSel]);
      dh = g[6]!, dc = g[7]!, dr = g[8]!, dw = g[9]!;
      const pg = g.slice(0, 6);
      if (!acc) acc = pg;
      else {
        const next: tf.Tensor[] = acc.map((a, k) => tf.add(a, pg[k]!));
        tf.dispose([...acc, ...pg]);
        acc = next;
      }
    }
    tf.dispose([dh, dc, dr, dw]);
    return acc ?? plist.map((v) => tf.zerosLike(v));
  }
}
