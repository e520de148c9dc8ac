import assert from "node:assert/strict";
import { Rng } from "../../tasks/core/rng.ts";
import { prioritySortEpisode } from "./priority_sort.ts";

Deno.test("prioritySortEpisode() outputs the top vectors in descending priority", () => {
  const o = { batch: 3, bits: 8, inputs: 20, outputs: 16 };
  const ep = prioritySortEpisode(new Rng(2), o);
  const { B, X, Y } = ep;
  assert.equal(ep.T, 37);
  for (let b = 0; b < B; b++) {
    const items = Array.from({ length: 20 }, (_, k) => ({
      p: ep.input[(k * B + b) * X + 8]!,
      v: Array.from({ length: 8 }, (_, j) => ep.input[(k * B + b) * X + j]!),
    }));
    for (const it of items) assert.ok(it.p >= -1 && it.p < 1);
    items.sort((a, c) => c.p - a.p);
    for (let m = 0; m < 16; m++) {
      const t = 21 + m;
      assert.equal(ep.mask[t * B + b], 1);
      const got = Array.from({ length: 8 }, (_, j) => ep.target[(t * B + b) * Y + j]!);
      assert.deepEqual(got, items[m]!.v);
    }
    assert.equal(ep.mask[20 * B + b], 0);
  }
});
