import assert from "node:assert/strict";
import { loadOmniglot } from "./mod.ts";

Deno.test("loadOmniglot() splits 1,623 characters 15/5 into 24,345 train and 8,115 test images", async () => {
  const { train, test } = await loadOmniglot();
  assert.equal(train.n, 24345);
  assert.equal(test.n, 8115);
  const mean = test.x.reduce((s, v) => s + v, 0) / test.x.length;
  assert.ok(mean > 0.05 && mean < 0.12, `ink is bright and sparse (mean ${mean})`);
});
