import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import {
  allocationWeights,
  dncIfaceSize,
  dncInitialState,
  type DncSizes,
  type DncState,
  dncStep,
  parseDncInterface,
} from "./dnc.ts";

await tf.setBackend("cpu");
await tf.ready();

Deno.test("allocation gives the least used word 1 − u and each next one (1 − u) times the usage before it", () => {
  const a = tf.tidy(() => allocationWeights(tf.tensor2d([[0.5, 0.1, 0.9]])).dataSync());
  // sorted: word 1 (0.1), word 0 (0.5), word 2 (0.9)
  const want = [0.5 * 0.1, 0.9, 0.1 * 0.1 * 0.5];
  want.forEach((v, i) => assert.ok(Math.abs(a[i]! - v) < 1e-5, `a[${i}] = ${a[i]}, want ${v}`));
});

/** A raw interface that sets each part by name (large logits for gates and modes). */
function iface(s: DncSizes, parts: {
  kR?: number[][];
  kW?: number[];
  write?: number[];
  erase?: number;
  free?: number;
  alloc?: number;
  gate?: number;
  mode?: 0 | 1 | 2;
  beta?: number;
}): tf.Tensor2D {
  const { W, R } = s, v: number[] = [];
  for (let h = 0; h < R; h++) v.push(...(parts.kR?.[h] ?? new Array(W).fill(0)));
  v.push(...new Array(R).fill(parts.beta ?? 0));
  v.push(...(parts.kW ?? new Array(W).fill(0)), parts.beta ?? 0);
  v.push(...new Array(W).fill(parts.erase ?? -20), ...(parts.write ?? new Array(W).fill(0)));
  v.push(...new Array(R).fill(parts.free ?? -20), parts.alloc ?? 20, parts.gate ?? 20);
  for (let h = 0; h < R; h++) v.push(...[0, 1, 2].map((k) => (k === (parts.mode ?? 0) ? 20 : -20)));
  assert.equal(v.length, dncIfaceSize(s));
  return tf.tensor2d(v, [1, v.length]);
}

Deno.test("words written by allocation are linked in order: a content read of the first, then forward reads, return the rest in order, and backward reads go back", () => {
  const s: DncSizes = { N: 5, W: 4, R: 1 };
  const words = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
  const got = tf.tidy(() => {
    let st: DncState = dncInitialState(1, s);
    for (const w of words) st = dncStep(st, parseDncInterface(iface(s, { write: w }), s)).state;
    const reads: number[][] = [];
    const read = (parts: Parameters<typeof iface>[1]) => {
      const out = dncStep(st, parseDncInterface(iface(s, { gate: -20, ...parts }), s));
      st = out.state;
      reads.push(Array.from(out.r.dataSync()));
    };
    read({ kR: [words[0]!], beta: 20, mode: 0 });
    read({ mode: 1 });
    read({ mode: 1 });
    read({ mode: 2 });
    return reads;
  });
  const want = [words[0], words[1], words[2], words[1]];
  got.forEach((r, t) => {
    r.forEach((v, j) => assert.ok(Math.abs(v - want[t]![j]!) < 0.02, `read ${t}: ${r}`));
  });
});

Deno.test("dense DNC gradients of a 3-step loss agree with central finite differences", () => {
  const s: DncSizes = { N: 4, W: 3, R: 2 }, T = 3, I = dncIfaceSize(s);
  const rng = new Rng(17);
  const raw = Float32Array.from({ length: T * I }, () => rng.normal());
  const coef = Float32Array.from({ length: T * s.R * s.W }, () => rng.normal());
  const loss = (x: tf.Tensor): tf.Scalar => {
    let st = dncInitialState(1, s), total: tf.Tensor = tf.scalar(0);
    for (let t = 0; t < T; t++) {
      const it = tf.reshape(tf.slice(x, [t * I], [I]), [1, I]) as tf.Tensor2D;
      const out = dncStep(st, parseDncInterface(it, s));
      st = out.state;
      const c = tf.tensor1d(coef.subarray(t * s.R * s.W, (t + 1) * s.R * s.W));
      total = tf.add(total, tf.sum(tf.mul(tf.reshape(out.r, [-1]), c)));
    }
    return total as tf.Scalar;
  };
  const before = tf.memory().numTensors;
  const g = tf.tidy(() => tf.grad(loss)(tf.tensor1d(raw)).dataSync());
  const at = (v: Float32Array) => tf.tidy(() => loss(tf.tensor1d(v)).dataSync()[0]!);
  const eps = 1e-2;
  let worst = 0;
  for (let k = 0; k < raw.length; k++) {
    const up = raw.slice(), down = raw.slice();
    up[k]! += eps, down[k]! -= eps;
    const fd = (at(up) - at(down)) / (2 * eps);
    const err = Math.abs(g[k]! - fd) / (1e-2 + Math.abs(fd));
    worst = Math.max(worst, err);
    assert.ok(err < 0.05, `d/dx[${k}]: autodiff ${g[k]}, finite differences ${fd}`);
  }
  assert.ok(g.some((v) => Math.abs(v) > 1e-3), "the gradient is not trivially zero");
  assert.equal(tf.memory().numTensors, before, "no tensor leaks");
});
