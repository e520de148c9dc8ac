import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { copyEpisode } from "../../datasets/synthetic/copy.ts";
import type { Episode } from "../../datasets/synthetic/mod.ts";
import { PARAM_NAMES } from "./controller.ts";
import { DncModel, SdncModel } from "./dnc_model.ts";
import type { SequenceModel } from "./model.ts";
import { createModel, type ModelSizes } from "./models.ts";
import { train } from "./train.ts";

await tf.setBackend("cpu");
await tf.ready();

const SIZES: ModelSizes = {
  input: 5,
  output: 4,
  hidden: 16,
  N: 16,
  W: 8,
  heads: 2,
  K: 2,
  KL: 3,
  batch: 4,
  maxSteps: 5,
};

for (const name of ["dnc", "sdnc"] as const) {
  Deno.test(`createModel("${name}") lowers the copy cost on a repeated small batch without leaking tensors`, async () => {
    const ep = copyEpisode(new Rng(1), { batch: 4, bits: 4, minLength: 2, maxLength: 2 });
    const model = await createModel(name, SIZES, new Rng(2));
    assert.equal(model.name, name);
    const before = tf.memory().numTensors;
    const costs = train(model, () => ep, {
      episodes: 30,
      learningRate: 1e-2,
      decay: 0.9,
      clipNorm: 10,
    });
    assert.ok(costs[29]! < 0.7 * costs[0]!, `cost ${costs[0]} → ${costs[29]}`);
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
  });
}

function smallEpisode(seed: number): Episode {
  return copyEpisode(new Rng(seed), { batch: 2, bits: 3, minLength: 2, maxLength: 2 });
}

/**
 * Central finite differences of the loss in the `count` parameter entries with the largest
 * gradients (of each of Wl and Wi) against the returned gradients. `prepare` runs before each
 * perturbed forward pass.
 */
function checkGradients(model: SequenceModel, ep: Episode, prepare: () => void): void {
  const res = model.run(ep, true);
  const grads = res.grads!.map((g) => g.dataSync() as Float32Array);
  tf.dispose(res.grads!);
  const eps = 1e-2;
  let checked = 0;
  for (const pname of ["Wl", "Wi", "Wo"] as const) {
    const p = model.params[pname], g = grads[PARAM_NAMES.indexOf(pname)]!;
    const order = [...g.keys()].sort((a, b) => Math.abs(g[b]!) - Math.abs(g[a]!)).slice(0, 4);
    const base = (p.dataSync() as Float32Array).slice();
    const at = (k: number, d: number) => {
      const v = base.slice();
      v[k]! += d;
      p.assign(tf.tensor(v, p.shape));
      prepare();
      return model.run(ep, false).loss;
    };
    for (const k of order) {
      const fd = (at(k, eps) - at(k, -eps)) / (2 * eps);
      const tol = 2e-3 + 0.03 * Math.abs(g[k]!);
      assert.ok(Math.abs(fd - g[k]!) < tol, `${pname}[${k}]: grad ${g[k]}, fd ${fd}`);
      checked++;
    }
    p.assign(tf.tensor(base, p.shape));
  }
  assert.equal(checked, 12);
}

Deno.test("the DNC model's gradients agree with central finite differences", () => {
  const m = new DncModel({
    input: 4,
    output: 3,
    hidden: 6,
    N: 5,
    W: 3,
    heads: 2,
    K: 2,
    KL: 8,
    delta: 0.005,
  }, new Rng(3));
  checkGradients(m, smallEpisode(4), () => {});
  m.dispose();
});

Deno.test("the Sparse DNC model's gradients agree with central finite differences (selections held fixed)", () => {
  const m = new SdncModel(
    {
      input: 4,
      output: 3,
      hidden: 6,
      N: 8,
      W: 3,
      heads: 2,
      K: 2,
      KL: 3,
      delta: 0.005,
    },
    2,
    new Rng(3),
  );
  const ep = smallEpisode(4);
  m.run(ep, false);
  const trace = m.lastTrace;
  assert.equal(trace.length, ep.T);
  // The finite differences see the same piecewise-constant function the gradient differentiates.
  m.access.replay = trace;
  checkGradients(m, ep, () => {});
  m.dispose();
});

/** The access's memory, norms, links and precedence, bit for bit. */
function accessState(m: SdncModel): string {
  const acc = m.access;
  const links = acc.links.map((l) =>
    [...l.rows].map(([i, r]) => [i, [...r].sort((a, b) => a[0] - b[0])]).sort((a, b) =>
      (a[0] as number) - (b[0] as number)
    )
  );
  return JSON.stringify({
    data: acc.mem.data.map((d) => Array.from(new Uint32Array(d.buffer))),
    norms: acc.mem.norms.map((d) => Array.from(new Uint32Array(d.buffer))),
    links,
    precedence: acc.links.map((l) => [...l.precedence].sort((a, b) => a[0] - b[0])),
  });
}

Deno.test("the Sparse DNC model's memory and links are back bit for bit at their start after a forward+backward and a forward run, with no tensor leaks", () => {
  const m = new SdncModel(
    {
      input: 5,
      output: 4,
      hidden: 8,
      N: 12,
      W: 4,
      heads: 2,
      K: 2,
      KL: 3,
      delta: 0.005,
    },
    4,
    new Rng(5),
  );
  // A non-trivial start: random words and some links.
  const rng = new Rng(6), acc = m.access;
  for (let b = 0; b < acc.B; b++) {
    const row = new Float32Array(acc.spec.W);
    for (let i = 0; i < acc.spec.N; i++) {
      for (let j = 0; j < row.length; j++) row[j] = rng.normal();
      acc.mem.setRow(b, i, row, 0);
    }
    for (const i of [3, 7, 1]) acc.links[b]!.update(new Map([[i, 0.8]]));
  }
  const start = accessState(m);
  assert.ok(acc.links[0]!.rows.size > 0, "links start non-empty");
  const ep = copyEpisode(new Rng(7), { batch: 4, bits: 4, minLength: 2, maxLength: 3 });
  const before = tf.memory().numTensors;
  const res = m.run(ep, true);
  assert.ok(res.hostBytes > 0);
  tf.dispose(res.grads!);
  assert.equal(accessState(m), start);
  m.run(ep, false);
  assert.equal(accessState(m), start);
  assert.equal(tf.memory().numTensors, before);
  m.dispose();
});

Deno.test("the DNC model carries no state between runs: two runs give the same loss and gradients, with no tensor leaks", () => {
  const m = new DncModel({
    input: 5,
    output: 4,
    hidden: 8,
    N: 6,
    W: 4,
    heads: 2,
    K: 2,
    KL: 8,
    delta: 0.005,
  }, new Rng(8));
  const ep = copyEpisode(new Rng(9), { batch: 3, bits: 4, minLength: 2, maxLength: 3 });
  const before = tf.memory().numTensors;
  const a = m.run(ep, true), b = m.run(ep, true);
  assert.equal(a.loss, b.loss);
  a.grads!.forEach((g, i) => assert.deepEqual(g.dataSync(), b.grads![i]!.dataSync()));
  tf.dispose([...a.grads!, ...b.grads!]);
  assert.equal(tf.memory().numTensors, before);
  m.dispose();
});
