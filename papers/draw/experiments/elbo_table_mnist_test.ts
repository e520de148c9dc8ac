import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { runSmoke } from "../../sam/experiments/_smoke.ts";
import { TABLE_MODELS } from "../elbo_table_models.ts";
import { experiment } from "./elbo_table_mnist.ts";

Deno.test("elbo_table_mnist's smoke profile trains all four models in workers and reports each bound", async () => {
  await tf.setBackend("wasm");
  await tf.ready();
  const s = await runSmoke(experiment);
  const m = s.metrics as Record<string, unknown>;
  const chance = 784 * Math.LN2; // an untrained model's −log p(x) with every logit 0
  for (const model of TABLE_MODELS) {
    for (const k of ["testNelboNats", "validNelboNats", "testIsNllNats"]) {
      const v = (m[`${k}_${model}`] as { mean: number }).mean;
      assert.ok(Number.isFinite(v) && v > 0, `${k}_${model} = ${v}`);
    }
    const nelbo = (m[`testNelboNats_${model}`] as { mean: number }).mean;
    assert.ok(nelbo < chance, `${model} trained: ${nelbo} nats vs ${chance.toFixed(1)} untrained`);
    assert.ok((m[`steps_${model}`] as { mean: number }).mean > 0);
  }
  assert.equal(m.orderingViolations, (m.orderingViolated as string[]).length);
  assert.ok(m.testElboK1Nats_iwae);
  for (const model of TABLE_MODELS) assert.match(m.observedOrder as string, new RegExp(model));
});
