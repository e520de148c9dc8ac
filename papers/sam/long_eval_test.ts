import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { associativeRecallEpisode, costBits } from "../../datasets/synthetic/mod.ts";
import { installEngine } from "../../tasks/engine/mod.ts";
import { forwardOnly } from "./long_eval.ts";
import { SamModel, type SamSpec } from "./sam.ts";

await tf.setBackend("cpu");
await tf.ready();
installEngine("cpu");

const spec = (index: "linear" | "ann", backward: "tape" | "recompute"): SamSpec => ({
  input: 6,
  output: 4,
  hidden: 8,
  N: 32,
  W: 6,
  heads: 2,
  K: 2,
  delta: 0.005,
  index,
  maxSteps: 40,
  backward,
});

const recall = (seed: number) =>
  associativeRecallEpisode(new Rng(seed), {
    batch: 2,
    bits: 4,
    itemSteps: 2,
    minItems: 3,
    maxItems: 5,
  });

for (const index of ["linear", "ann"] as const) {
  for (const backward of ["tape", "recompute"] as const) {
    Deno.test(`forwardOnly() gives run(ep, false)'s outputs and loss (SAM ${index}, ${backward})`, async () => {
      const model = await SamModel.create(spec(index, backward), 2, new Rng(3));
      // Larger weights than Glorot's so that the reads and writes matter to the outputs.
      for (const v of [model.params.Wi, model.params.Wo]) v.assign(tf.mul(v, 3));
      try {
        for (const seed of [1, 2]) {
          const ep = recall(seed);
          const ref = model.run(ep, false);
          const got = forwardOnly(model, ep, { keepProbs: true });
          let maxDiff = 0;
          for (let i = 0; i < ref.probs.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(ref.probs[i]! - got.probs![i]!));
          }
          assert.ok(maxDiff < 1e-4, `max |Δp| = ${maxDiff}`);
          assert.ok(Math.abs(ref.loss - got.loss) < 1e-3 * Math.max(1, ref.loss));
          assert.ok(Math.abs(costBits(ep, ref.probs) - got.bits) < 1e-3 * Math.max(1, got.bits));
          // The memory is empty again: a second run gives the same outputs as the first.
          assert.ok(model.mem.data.every((d) => d.every((v) => v === 0)));
          const again = model.run(ep, false);
          assert.deepEqual(Array.from(again.probs), Array.from(ref.probs));
        }
      } finally {
        model.dispose();
      }
    });
  }
}

Deno.test("forwardOnly() probes its step time and bytes along the pass and keeps no probabilities by default", async () => {
  const model = await SamModel.create(spec("linear", "tape"), 2, new Rng(4));
  try {
    const ep = recall(5);
    const got = forwardOnly(model, ep, { probeEvery: 5 });
    assert.equal(got.probs, null);
    assert.equal(got.probes.length, Math.ceil(ep.T / 5));
    assert.equal(got.probes.at(-1)!.step, ep.T);
    assert.ok(got.probes.every((p) => p.msPerStep > 0 && p.bytes > 0));
    assert.ok(got.bytes >= got.probes[0]!.bytes && Number.isFinite(got.bits));
  } finally {
    model.dispose();
  }
});

Deno.test("forwardOnly() refuses an episode whose batch is not the model's", async () => {
  const model = await SamModel.create(spec("linear", "tape"), 1, new Rng(4));
  try {
    assert.throws(() => forwardOnly(model, recall(1)), /batch 2/);
  } finally {
    model.dispose();
  }
});
