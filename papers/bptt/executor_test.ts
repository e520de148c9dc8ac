import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { autodiffCell, gruStep, lstmCell, type RecurrentCell, tanhRnnCell } from "./cells.ts";
import { chenPlan } from "./chen.ts";
import {
  type BpttProblem,
  budgetedBptt,
  referenceBptt,
  runPolicy,
  stateSizes,
} from "./executor.ts";
import { plan, storeAllOps } from "./plan.ts";
import type { Strategy } from "./policy.ts";

const T = 13;
const BATCH = 2;
const D = 3;
const H = 4;

function randn(rng: Rng, shape: number[], scale = 0.5): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal() * scale), shape);
}

function makeProblem(kind: "lstm" | "rnn" | "gru", seed: number): BpttProblem {
  const rng = new Rng(seed);
  let cell: RecurrentCell;
  let h0: tf.Tensor[];
  if (kind === "lstm") {
    cell = lstmCell({
      kernel: randn(rng, [D + H, 4 * H]) as tf.Tensor2D,
      bias: randn(rng, [4 * H]) as tf.Tensor1D,
    });
    h0 = [randn(rng, [BATCH, H]), randn(rng, [BATCH, H])];
  } else if (kind === "rnn") {
    cell = tanhRnnCell({
      kernel: randn(rng, [D + H, H]) as tf.Tensor2D,
      bias: randn(rng, [H]) as tf.Tensor1D,
    });
    h0 = [randn(rng, [BATCH, H])];
  } else {
    cell = autodiffCell("gru", [
      randn(rng, [D + H, 2 * H]),
      randn(rng, [2 * H]),
      randn(rng, [D + H, H]),
      randn(rng, [H]),
    ], gruStep);
    h0 = [randn(rng, [BATCH, H])];
  }
  const inputs = Array.from({ length: T }, () => randn(rng, [BATCH, D], 1) as tf.Tensor2D);
  const targets = Array.from({ length: T }, () => randn(rng, [BATCH, 2], 1));
  const wOut = randn(rng, [H, 2]);
  return {
    cell,
    inputs,
    initialState: h0,
    lossParams: [wOut],
    loss: (state, s, [w]) =>
      tf.mean(
        tf.square(tf.sub(tf.matMul(state[0] as tf.Tensor2D, w as tf.Tensor2D), targets[s - 1]!)),
      ),
  };
}

function assertClose(a: tf.Tensor[], b: tf.Tensor[], what: string) {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => {
    assert.deepEqual(x.shape, b[i]!.shape);
    const xa = x.dataSync();
    const xb = b[i]!.dataSync();
    let scale = 1e-6;
    for (const v of xb) scale = Math.max(scale, Math.abs(v));
    for (let j = 0; j < xa.length; j++) {
      if (Math.abs(xa[j]! - xb[j]!) > 1e-5 * scale + 1e-6) {
        assert.fail(`${what}: grad ${i}[${j}] ${xa[j]} vs ${xb[j]}`);
      }
    }
  });
}

for (const kind of ["lstm", "rnn", "gru"] as const) {
  Deno.test(`runPolicy() on a ${kind} gives plain-BPTT gradients for every strategy and budget`, async () => {
    await tf.setBackend("cpu");
    await tf.ready();
    const problem = makeProblem(kind, 7);
    const ref = referenceBptt(problem);
    const { hiddenBytes, internalBytes } = stateSizes(problem);
    const alpha = Math.ceil(internalBytes / hiddenBytes);
    const policies: [string, ReturnType<typeof storeAllOps>, number][] = [
      ["store all", storeAllOps(T), alpha * (T - 1) + 1],
      ["chen", chenPlan(T, alpha).ops, chenPlan(T, alpha).memory],
    ];
    for (const strategy of ["hsm", "ism", "msm"] as Strategy[]) {
      for (const memory of [1, 2, 3, alpha + 2, 2 * alpha + 3, 40]) {
        for (const exact of [false, true]) {
          const p = plan({ t: T, memory, strategy, alpha, exact });
          policies.push([`${strategy} m=${memory} exact=${exact}`, p.ops, memory]);
        }
      }
    }
    for (const [name, ops, memory] of policies) {
      const before = tf.memory().numTensors;
      const r = runPolicy(problem, ops);
      assert.ok(Math.abs(r.loss - ref.loss) <= 1e-5 * Math.abs(ref.loss), `${name}: loss`);
      assertClose(r.grads, ref.grads, name);
      assert.ok(
        r.peakStoredBytes <= memory * hiddenBytes,
        `${name}: ${r.peakStoredBytes} B stored`,
      );
      tf.dispose(r.grads);
      assert.equal(tf.memory().numTensors, before, `${name}: leaked tensors`);
    }
    tf.dispose(ref.grads);
  });
}

Deno.test("budgetedBptt() with a byte budget stays within it on wasm and matches plain BPTT", async () => {
  await import("@tensorflow/tfjs-backend-wasm");
  await tf.setBackend("wasm");
  await tf.ready();
  const problem = makeProblem("lstm", 3);
  const ref = referenceBptt(problem);
  const { hiddenBytes } = stateSizes(problem);
  const budget = 6 * hiddenBytes + 10;
  const before = tf.memory().numTensors;
  const r = budgetedBptt(problem, { budget: { bytes: budget }, strategy: "msm" });
  assert.equal(r.plan.memory, 6);
  assert.equal(r.forwardOps, r.plan.cost);
  assert.ok(r.forwardOps > T);
  assert.ok(r.peakStoredBytes <= budget);
  assertClose(r.grads, ref.grads, "wasm msm");
  tf.dispose(r.grads);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => budgetedBptt(problem, { budget: { bytes: hiddenBytes - 1 } }), RangeError);
  tf.dispose(ref.grads);
  await tf.setBackend("cpu");
});
