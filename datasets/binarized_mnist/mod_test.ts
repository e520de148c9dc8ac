import assert from "node:assert/strict";
import { loadBinarizedMnist, packAmat, unpackBits } from "./mod.ts";

Deno.test("loadBinarizedMnist() gives 10,000 binary test images with the documented pixel mean", async () => {
  const test = await loadBinarizedMnist("test");
  assert.equal(test.n, 10000);
  let ones = 0, other = 0;
  for (const v of test.x) {
    if (v === 1) ones++;
    else if (v !== 0) other++;
  }
  assert.equal(other, 0);
  assert.ok(Math.abs(ones / test.x.length - 0.1325) < 5e-4);
});

Deno.test("packAmat() packs .amat text to the bit layout unpackBits() reads", () => {
  const px = Array.from({ length: 784 }, (_, i) => (i * 7919) % 3 === 0 ? 1 : 0);
  const text = `${px.join(" ")}\n${px.map((p) => 1 - p).join(" ")}\n`;
  const x = unpackBits(packAmat(text));
  assert.deepEqual(Array.from(x.subarray(0, 784)), px);
  assert.deepEqual(Array.from(x.subarray(784)), px.map((p) => 1 - p));
});
