import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { checkConfig, experiment } from "./figure4_omniglot.ts";
import { splitCharacters } from "../omniglot_episodes.ts";
import { runSmoke } from "./_smoke.ts";
import { UsageError } from "../../../tasks/core/errors.ts";

await tf.setBackend("wasm");
await tf.ready();

Deno.test("figure4_omniglot smoke profile trains every model and reports test errors per C", async () => {
  const s = await runSmoke(experiment);
  const cfg = experiment.profiles.smoke;
  for (const model of cfg.models) {
    for (const C of cfg.evalSizes) {
      const e = s.metrics[`testError_C${C}_${model}`] as number;
      assert.ok(e >= 0 && e <= 1, `${model} C=${C}: ${e}`);
    }
    const maxC = s.metrics[`maxC_${model}`] as number;
    // threshold 1 and window 1: every minibatch doubles C until the cap
    assert.ok(maxC > cfg.curriculumStart && maxC <= cfg.curriculumMax, `${model} maxC ${maxC}`);
  }
  assert.equal(s.figures?.length, 1);
  assert.ok(s.notes!.some((n) => n.includes("test") && n.includes("split by character")));
});

Deno.test("every profile's labels cover its C sizes and its held-out characters its largest test C", () => {
  for (const [name, cfg] of Object.entries(experiment.profiles)) {
    const split = splitCharacters(1623, {
      validation: cfg.validationCharacters,
      test: cfg.testCharacters,
    }, cfg.splitSeed);
    checkConfig(cfg, split); // throws naming the problem
    assert.equal(split.train.length + split.validation.length + split.test.length, 1623, name);
  }
  const bad = { ...experiment.profiles.default, evalSizes: [2, 500] };
  assert.throws(
    () => checkConfig(bad, splitCharacters(1623, { validation: 100, test: 423 }, 1)),
    /labels/,
  );
  assert.throws(() => experiment.cells(bad, [1]), UsageError, "planning the cells checks it");
  const noTrain = {
    ...experiment.profiles.default,
    validationCharacters: 800,
    testCharacters: 823,
  };
  assert.throws(() => experiment.cells(noTrain, [1]), /leave training characters/);
});
