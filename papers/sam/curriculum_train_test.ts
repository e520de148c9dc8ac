import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { Rng } from "../../tasks/core/rng.ts";
import { createModel } from "./models.ts";
import { curriculumSizes, episodeAt, stepsAt, trainCurriculum } from "./curriculum_train.ts";

await tf.setBackend("wasm");
await tf.ready();

Deno.test("an episode at a level has that level's steps and scored outputs for every sequence", () => {
  for (const level of [1, 3, 7]) {
    const c = episodeAt("copy", level, 4, new Rng(level));
    assert.equal(c.T, stepsAt("copy", level));
    assert.equal(c.mask.reduce((s, v) => s + v, 0), 4 * level); // every copy sequence has length ℓ
    const r = episodeAt("associative_recall", level, 4, new Rng(level));
    assert.equal(r.T, stepsAt("associative_recall", level));
    assert.equal(r.mask.reduce((s, v) => s + v, 0), 4 * 3); // one 3-step item recalled
    assert.equal(r.X, curriculumSizes("associative_recall").X);
  }
  assert.throws(() => episodeAt("copy", 0, 1, new Rng(1)));
  assert.throws(() => episodeAt("priority_sort", 1, 1, new Rng(1)));
});

Deno.test("trainCurriculum trains the capped number of minibatches and records the start level", async () => {
  const s = curriculumSizes("copy");
  const m = await createModel("sam_linear", {
    input: s.X,
    output: s.Y,
    hidden: 8,
    N: 16,
    W: 4,
    heads: 1,
    K: 2,
    batch: 2,
    maxSteps: stepsAt("copy", 4),
    samBackward: "tape",
  }, new Rng(1));
  const seen: number[] = [];
  const r = trainCurriculum(m, new Rng(2), {
    task: "copy",
    batch: 2,
    curriculum: { start: 2, threshold: 1e9, window: 2, maxLevel: 4 },
    budgetMs: 60_000,
    clock: "thread-cpu",
    wallCapMs: 0,
    maxEpisodes: 3,
    learningRate: 1e-3,
    decay: 0.9,
    clipNorm: 10,
    onEpisode: (_i, level) => seen.push(level),
  });
  m.dispose();
  assert.equal(r.episodes, 3);
  assert.equal(seen.length, 3);
  assert.ok(seen.every((l) => l >= 1 && l <= 4));
  // the threshold is huge, so h doubled at the end of each full window of 2 (2 → 4, then capped)
  assert.deepEqual(r.history, [{ episode: 0, level: 2 }, { episode: 2, level: 4 }]);
  assert.equal(r.maxLevel, 4);
  assert.ok(r.lastWindowBits !== null && r.lastWindowBits > 0);
  assert.equal(r.wallCapped, false);
});
