import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { stateSizes } from "../executor.ts";
import { storeAllOps } from "../plan.ts";
import { fixedBytes, lstmProblem, methodPolicies, predictedTimeRatio, runOnce } from "./_lstm.ts";

Deno.test("a total-bytes budget gives stored states what is left after the fixed bytes", () => {
  const common = {
    t: 100,
    alphaMeasured: 4.5,
    hiddenBytes: 1000,
    standardPeakBytes: 400_000,
    methods: ["bptt", "msm"],
    maxOpsPerStep: 100,
  };
  const { policies, skipped } = methodPolicies({
    ...common,
    fixedBytes: 30_000,
    fractions: [0.25, 0.05],
  });
  const msm = policies.find((p) => p.method === "msm")!;
  assert.equal(msm.budgetBytes, 100_000);
  assert.equal(msm.budgetUnits, 70); // ⌊(100 000 − 30 000) / 1000⌋
  assert.equal(skipped.length, 1); // 20 000 B leave −10 units
  assert.match(skipped[0]!.reason, /leave -10 units after 30000 fixed bytes/);
});

Deno.test("a plan whose cost exceeds the per-step limit is skipped, not timed", () => {
  const { policies, skipped } = methodPolicies({
    t: 100,
    alphaMeasured: 4.5,
    hiddenBytes: 1000,
    standardPeakBytes: 400_000,
    fixedBytes: 0,
    fractions: [0.02], // 8 units: HSM costs far more than 2 ops per step
    methods: ["hsm"],
    maxOpsPerStep: 2,
  });
  assert.deepEqual(policies, []);
  assert.match(skipped[0]!.reason, /forward ops per step at m = 8/);
});

Deno.test("planned at a total-bytes budget, MSM's measured unique peak stays within it", async () => {
  await tf.setBackend("cpu");
  const problem = lstmProblem({ t: 60, hidden: 8, batch: 2 }, 3);
  const { hiddenBytes, internalBytes } = stateSizes(problem);
  const fixed = fixedBytes(problem);
  const standard = runOnce(problem, storeAllOps(60));
  assert.ok(fixed > 0 && fixed < standard.uniquePeakBytes);
  // Unique bytes see the shared h, c of consecutive internal states once; the sum of tensors twice.
  assert.ok(standard.uniquePeakBytes < standard.tfPeakBytes);
  const { policies } = methodPolicies({
    t: 60,
    alphaMeasured: internalBytes / hiddenBytes,
    hiddenBytes,
    fixedBytes: fixed,
    standardPeakBytes: standard.uniquePeakBytes,
    fractions: [0.3, 0.5],
    methods: ["msm"],
    maxOpsPerStep: 10,
  });
  for (const p of policies.filter((x) => x.method === "msm")) {
    const r = runOnce(problem, p.ops);
    assert.ok(r.uniquePeakBytes <= p.budgetBytes!, `${r.uniquePeakBytes} > ${p.budgetBytes}`);
    assert.ok(Math.abs(r.loss - standard.loss) < 1e-3 * Math.abs(standard.loss));
  }
  problem.dispose();
});

Deno.test("the op-count prediction is (C/t + β)/(1 + β)", () => {
  assert.ok(Math.abs(predictedTimeRatio(1.95, 2) - 3.95 / 3) < 1e-12);
  assert.equal(predictedTimeRatio(1, 5), 1);
});
