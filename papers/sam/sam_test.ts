import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { copyEpisode } from "../../datasets/synthetic/copy.ts";
import { installEngine } from "../../tasks/engine/mod.ts";
import { paramList } from "./controller.ts";
import { SamModel, type SamSpec } from "./sam.ts";
import { samStepGraph } from "./sam_step.ts";

await tf.setBackend("cpu");
await tf.ready();
installEngine("cpu"); // fused LSTM gate kernels, as the harness runs them

const small = (index: "linear" | "ann", N = 8): SamSpec => ({
  input: 5,
  output: 4,
  hidden: 6,
  N,
  W: 4,
  heads: 2,
  K: 2,
  delta: 0.005,
  index,
  maxSteps: 16,
});

function episode(seed: number) {
  return copyEpisode(new Rng(seed), { batch: 2, bits: 4, minLength: 2, maxLength: 3 });
}

/** Fill every word with N(0, 1) values (no ties between similarities). */
function prefill(model: SamModel, seed: number) {
  const rng = new Rng(seed), { N, W } = model.spec;
  for (let b = 0; b < model.mem.B; b++) {
    for (let i = 0; i < N * W; i++) model.mem.data[b]![i] = rng.normal();
    for (let i = 0; i < N; i++) model.mem.setRow(b, i, model.mem.data[b]!, i * W);
  }
}

/** The same model as one differentiable graph over the whole N × W memory tensor. */
function denseReference(model: SamModel, ep: ReturnType<typeof episode>) {
  const { heads: Hh, K, W, N, hidden } = model.spec;
  const B = ep.B, HK = Hh * K, X = ep.X, Y = ep.Y;
  const tr = model.trace;
  const onehots = (t: number) => {
    const pPrev = new Float32Array(B * HK * N), rSel = new Float32Array(B * HK * N);
    const lru = new Float32Array(B * N);
    for (let b = 0; b < B; b++) {
      lru[b * N + tr.lru[t]![b]!] = 1;
      for (let j = 0; j < HK; j++) {
        pPrev[(b * HK + j) * N + tr.prevIdx[t]![b * HK + j]!] = 1;
        rSel[(b * HK + j) * N + tr.readIdx[t]![b * HK + j]!] = 1;
      }
    }
    return { pPrev, rSel, lru };
  };
  const f = (...ps: tf.Tensor[]) => {
    let h: tf.Tensor = tf.zeros([B, hidden]), c: tf.Tensor = tf.zeros([B, hidden]);
    let r: tf.Tensor = tf.zeros([B, Hh * W]), w: tf.Tensor = tf.zeros([B, HK]);
    let m: tf.Tensor = tf.zeros([B, N, W]);
    let loss: tf.Tensor = tf.scalar(0);
    for (let t = 0; t < ep.T; t++) {
      const o = onehots(t);
      const out = samStepGraph(ps, h, c, r, w, m, {
        x: tf.tensor2d(ep.input.subarray(t * B * X, (t + 1) * B * X), [B, X]),
        target: tf.tensor2d(ep.target.subarray(t * B * Y, (t + 1) * B * Y), [B, Y]),
        mask: tf.tensor1d(ep.mask.subarray(t * B, (t + 1) * B)),
        pPrev: tf.tensor3d(o.pPrev, [B, HK, N]),
        lruOh: tf.tensor2d(o.lru, [B, N]),
        rSel: tf.tensor3d(o.rSel, [B, HK, N]),
        heads: Hh,
        K,
        W,
      });
      h = out.h, c = out.c, r = out.r, w = out.w, m = out.mNew;
      loss = tf.add(loss, out.loss);
    }
    return loss as tf.Scalar;
  };
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads(f)(paramList(model.params));
    return { loss: value.dataSync()[0]!, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

Deno.test("SAM sparse backward matches a dense-memory autodiff reference on small N", async () => {
  for (const index of ["linear", "ann"] as const) {
    const model = await SamModel.create(small(index), 2, new Rng(5));
    const ep = episode(8);
    const res = model.run(ep, true);
    const ref = denseReference(model, ep);
    assert.ok(
      Math.abs(res.loss - ref.loss) < 1e-4 * Math.max(1, ref.loss),
      `${res.loss} vs ${ref.loss}`,
    );
    const got = res.grads!.map((g) => g.dataSync() as Float32Array);
    for (let k = 0; k < got.length; k++) {
      let maxErr = 0, maxRef = 0;
      for (let i = 0; i < got[k]!.length; i++) {
        maxErr = Math.max(maxErr, Math.abs(got[k]![i]! - ref.grads[k]![i]!));
        maxRef = Math.max(maxRef, Math.abs(ref.grads[k]![i]!));
      }
      assert.ok(
        maxErr <= 1e-4 * Math.max(1, maxRef),
        `param ${k}: err ${maxErr} (scale ${maxRef})`,
      );
      assert.ok(maxRef > 0, `param ${k} has a zero gradient`);
    }
    tf.dispose(res.grads!);
    model.dispose();
  }
});

Deno.test("SAM sparse gradients match finite differences of the in-place forward pass", async () => {
  const model = await SamModel.create(small("linear"), 2, new Rng(6));
  prefill(model, 1);
  const ep = episode(9);
  const res = model.run(ep, true);
  const sel = JSON.stringify(model.trace);
  const grads = res.grads!.map((g) => g.dataSync() as Float32Array);
  const plist = paramList(model.params);
  const rng = new Rng(3);
  let checked = 0;
  for (let k = 0; k < plist.length; k++) {
    const v = plist[k]!;
    for (let trial = 0; trial < 3; trial++) {
      const i = rng.int(v.size);
      const g = grads[k]![i]!;
      if (Math.abs(g) < 1e-2) continue;
      const eps = 3e-3;
      const base = v.dataSync().slice();
      const at = (d: number) => {
        const x = base.slice();
        x[i] = x[i]! + d;
        v.assign(tf.tensor(x, v.shape));
        const loss = model.run(ep, false).loss;
        same &&= JSON.stringify(model.trace) === sel;
        return loss;
      };
      let same = true;
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(base, v.shape));
      if (!same) continue; // a top-K selection flipped: the loss is not smooth there
      assert.ok(
        Math.abs(fd - g) <= 0.03 * Math.abs(g) + 2e-3,
        `param ${k}[${i}]: fd ${fd} vs ${g}`,
      );
      checked++;
    }
  }
  assert.ok(checked >= 6, `only ${checked} entries checked`);
  tf.dispose(res.grads!);
  model.dispose();
});

Deno.test("SAM.run() rolls the memory back bit-for-bit after forward and backward", async () => {
  const model = await SamModel.create(small("linear", 16), 2, new Rng(7));
  const before = model.mem.data.map((d) => d.slice());
  prefill(model, 2); // non-zero words, so the rollback must restore real values
  const filled = model.mem.data.map((d) => d.slice());
  assert.notDeepEqual(filled, before);
  const ep = episode(4);
  const r1 = model.run(ep, true);
  assert.deepEqual(model.mem.data, filled);
  model.run(ep, false);
  assert.deepEqual(model.mem.data, filled);
  tf.dispose(r1.grads!);
  model.dispose();
});

Deno.test("SAM.run() leaves no tensors behind besides the returned gradients", async () => {
  const model = await SamModel.create(small("ann", 32), 2, new Rng(11));
  const ep = episode(12);
  tf.dispose(model.run(ep, true).grads!); // warm-up
  const before = tf.memory().numTensors;
  const res = model.run(ep, true);
  assert.equal(tf.memory().numTensors, before + res.grads!.length);
  tf.dispose(res.grads!);
  model.run(ep, false);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

Deno.test("SAM writes to the least recently used word and reads exactly K words per head", async () => {
  const model = await SamModel.create(small("linear", 32), 2, new Rng(13));
  const ep = episode(14);
  model.run(ep, false);
  const { heads, K } = model.spec;
  // No word is accessed twice in a row at the start, so the LRU slots of the first steps are
  // the never-accessed words 0, 1, 2, … in ring order unless a read touched them.
  for (let t = 0; t < ep.T; t++) {
    const read = model.trace.readIdx[t]!;
    for (let b = 0; b < 2; b++) {
      for (let h = 0; h < heads; h++) {
        const words = read.subarray((b * heads + h) * K, (b * heads + h + 1) * K);
        assert.equal(new Set(words).size, K);
      }
    }
  }
  assert.equal(model.trace.lru[0]![0], 0);
  model.dispose();
});

Deno.test("SAM with a full persistent memory keeps its ANN index in sync across sequences", async () => {
  const model = await SamModel.create({ ...small("ann", 64), persistent: true }, 2, new Rng(15));
  model.prefill(new Rng(16));
  const filled = model.mem.data.map((d) => d.slice());
  const ep = episode(17);
  for (let i = 0; i < 3; i++) tf.dispose(model.run(ep, true).grads!);
  assert.deepEqual(model.mem.data, filled);
  model.recallProbe = { hits: 0, total: 0 };
  model.run(ep, false);
  assert.ok(model.recallProbe.hits / model.recallProbe.total > 0.9);
  assert.equal(model.ann!.reduce((s, a) => s + a.timing.updates, 0), 0, "no re-links needed");
  model.dispose();
});

Deno.test("SAM's taped backward and the per-step recompute give the same gradients on a filled memory", async () => {
  for (const index of ["linear", "ann"] as const) {
    const tape = await SamModel.create(small(index, 16), 2, new Rng(8));
    const recompute = await SamModel.create(
      { ...small(index, 16), backward: "recompute" },
      2,
      new Rng(8),
    );
    prefill(tape, 4), prefill(recompute, 4);
    const ep = episode(10);
    const a = tape.run(ep, true), b = recompute.run(ep, true);
    assert.equal(JSON.stringify(tape.trace), JSON.stringify(recompute.trace));
    assert.ok(Math.abs(a.loss - b.loss) < 1e-5 * Math.max(1, b.loss), `${a.loss} vs ${b.loss}`);
    for (let k = 0; k < a.grads!.length; k++) {
      const x = a.grads![k]!.dataSync(), y = b.grads![k]!.dataSync();
      let err = 0, scale = 0;
      for (let i = 0; i < x.length; i++) {
        err = Math.max(err, Math.abs(x[i]! - y[i]!));
        scale = Math.max(scale, Math.abs(y[i]!));
      }
      assert.ok(scale > 0 && err <= 1e-4 * Math.max(1, scale), `param ${k}: ${err} (${scale})`);
    }
    tf.dispose([...a.grads!, ...b.grads!]);
    tape.dispose(), recompute.dispose();
  }
});
