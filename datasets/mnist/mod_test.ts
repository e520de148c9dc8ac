import assert from "node:assert/strict";
import { loadMnist } from "./mod.ts";

Deno.test("loadMnist('test') gives 10,000 images in [0, 1] with 10 label classes", async () => {
  const test = await loadMnist("test");
  assert.equal(test.n, 10000);
  assert.equal(test.x.length, 10000 * 784);
  const counts = new Array(10).fill(0);
  for (const l of test.labels!) counts[l]++;
  assert.deepEqual(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assert.ok(test.x.every((v) => v >= 0 && v <= 1));
});
