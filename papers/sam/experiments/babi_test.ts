import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { experiment } from "./babi.ts";
import { runSmoke } from "./_smoke.ts";

await tf.setBackend("wasm");
await tf.ready();

Deno.test("babi smoke profile trains each model and reports per-task test errors, means and failures", async () => {
  const s = await runSmoke(experiment);
  const cfg = experiment.profiles.smoke;
  for (const model of cfg.models) {
    const errs = cfg.tasks.map((k) => s.metrics[`errorTask${k}_${model}`] as number);
    for (const e of errs) assert.ok(e >= 0 && e <= 100, `${model}: ${e}`);
    const mean = s.metrics[`meanError_${model}`] as number;
    assert.ok(Math.abs(mean - errs.reduce((a, b) => a + b, 0) / errs.length) < 1e-9);
    assert.equal(s.metrics[`failedTasks_${model}`], errs.filter((e) => e > 5).length);
    const runs = s.metrics[`meanErrorRuns_${model}`] as { n: number; mean: number };
    assert.equal(runs.n, experiment.seeds.smoke.length);
  }
  assert.equal(s.metrics.errorTask2_lstm, undefined, "a task not trained has no metric");
  assert.equal(s.figures?.length, cfg.models.length);
  const rows = s.metrics.rows as { task: number; testError: number }[];
  assert.equal(rows.length, cfg.models.length * cfg.tasks.length);
  assert.ok(s.notes?.some((n) => n.includes("Validation: the last 10 %")));
});

Deno.test("babi inspect() rejects a run of another model or a different step count", () => {
  const cfg = experiment.profiles.smoke;
  const cell = experiment.cells(cfg, [1])[0]!;
  const ok = { model: cell.params.model, seed: 1, steps: cfg.steps, tasks: [{ task: 1 }] };
  assert.equal(experiment.inspect!(cfg, cell, ok).problem, null);
  assert.match(experiment.inspect!(cfg, cell, { ...ok, model: "x" }).problem!, /holds x/);
  assert.match(experiment.inspect!(cfg, cell, { ...ok, steps: 1 }).problem!, /trained 1 steps/);
});
