import assert from "node:assert/strict";
import { loadFashionMnist } from "./mod.ts";

Deno.test("loadFashionMnist('test') gives 10,000 8-bit images, 1,000 per class", async () => {
  const test = await loadFashionMnist("test");
  assert.equal(test.n, 10000);
  const counts = new Array(10).fill(0);
  for (const l of test.labels!) counts[l]++;
  assert.ok(counts.every((c) => c === 1000));
  const k = test.x[400]! * 255; // 10,000 images of 784 pixels
  assert.ok(Math.abs(k - Math.round(k)) < 1e-4, "pixels are exact k/255 levels");
});
