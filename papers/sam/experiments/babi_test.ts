import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { experiment } from "./babi.ts";
import { runSmoke } from "./_smoke.ts";
import { babiData } from "../babi_data.ts";
import { babiEpisode } from "../babi_episodes.ts";
import { createModel } from "../models.ts";
import { Rng } from "../../../tasks/core/rng.ts";

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

Deno.test("every bAbI model scores the answer words with a softmax over the vocabulary", async () => {
  const cfg = experiment.profiles.smoke;
  const data = await babiData({
    set: "en",
    task3TenK: "use-1k",
    tasks: [1],
    validFraction: 0.1,
    maxSentences: 1,
    validPerTask: 1,
    testPerTask: 2,
  });
  const ep = babiEpisode(data.codec, data.test, 2);
  assert.equal(ep.loss, "classes");
  for (const name of ["lstm", "ntm", "dam", "sam_linear", "dnc", "sdnc"] as const) {
    const m = await createModel(name, {
      input: data.codec.X,
      output: data.codec.Y,
      hidden: cfg.hidden,
      N: cfg.N,
      W: cfg.W,
      heads: cfg.heads,
      K: cfg.K,
      KL: cfg.KL,
      batch: 2,
      maxSteps: ep.T,
      samBackward: "tape",
      denseImpl: "js",
    }, new Rng(1));
    const res = m.run(ep, false);
    m.dispose();
    for (let r = 0; r < ep.T * ep.B; r++) {
      const row = res.probs.subarray(r * ep.Y, (r + 1) * ep.Y);
      const sum = row.reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(sum - 1) < 1e-4, `${name}: step/slot ${r} sums to ${sum}`);
    }
    // Loss: −ln p(answer) summed over the scored steps, averaged over the batch.
    let nats = 0;
    for (let r = 0; r < ep.T * ep.B; r++) {
      if (ep.mask[r] !== 1) continue;
      for (let y = 0; y < ep.Y; y++) {
        if (ep.target[r * ep.Y + y] === 1) nats -= Math.log(res.probs[r * ep.Y + y]!);
      }
    }
    assert.ok(Math.abs(res.loss - nats / ep.B) < 1e-3 * Math.max(1, nats), `${name} loss`);
  }
});
