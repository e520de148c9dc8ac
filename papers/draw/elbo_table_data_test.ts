import assert from "node:assert/strict";
import { loadTableSplits, OMNIGLOT_VALID_IMAGES } from "./elbo_table_data.ts";

Deno.test("the Omniglot table splits hold out 1,345 binarized training images for validation", async () => {
  const s = await loadTableSplits("omniglot");
  assert.equal(s.valid.n, OMNIGLOT_VALID_IMAGES);
  assert.equal(s.train.n + s.valid.n, 24345);
  assert.equal(s.test.n, 8115);
  assert.ok(s.valid.x.every((v) => v === 0 || v === 1), "validation pixels are 0/1");
  assert.ok(s.train.x.some((v) => v > 0 && v < 1), "training pixels keep their grey levels");
  assert.equal(s.binarizeTrain, true);
});

Deno.test("the MNIST table splits are Larochelle's 50,000 / 10,000 / 10,000", async () => {
  const s = await loadTableSplits("binarized_mnist");
  assert.deepEqual([s.train.n, s.valid.n, s.test.n], [50000, 10000, 10000]);
  assert.equal(s.binarizeTrain, false);
});
