import assert from "node:assert/strict";
import { Rng } from "../../tasks/core/rng.ts";
import { associativeRecallEpisode } from "./associative_recall.ts";

const opts = { batch: 6, bits: 6, itemSteps: 3, minItems: 3, maxItems: 6 };

Deno.test("associativeRecallEpisode() answers with the item after the queried one", () => {
  const ep = associativeRecallEpisode(new Rng(11), opts);
  const { B, X, Y, T } = ep;
  for (let b = 0; b < B; b++) {
    const row = (t: number) => Array.from({ length: 6 }, (_, j) => ep.input[(t * B + b) * X + j]);
    const itemStarts: number[] = [];
    const queryDelims: number[] = [];
    for (let t = 0; t < T; t++) {
      if (ep.input[(t * B + b) * X + 6] === 1) itemStarts.push(t + 1);
      if (ep.input[(t * B + b) * X + 7] === 1) queryDelims.push(t);
    }
    assert.ok(itemStarts.length >= 3 && itemStarts.length <= 6);
    assert.equal(queryDelims.length, 2);
    const item = (s: number) => [0, 1, 2].flatMap((k) => row(s + k));
    const query = item(queryDelims[0]! + 1);
    const k = itemStarts.findIndex((s) => JSON.stringify(item(s)) === JSON.stringify(query));
    assert.ok(k >= 0 && k < itemStarts.length - 1);
    const want = item(itemStarts[k + 1]!);
    const got: number[] = [];
    for (let t = 0; t < T; t++) {
      if (ep.mask[t * B + b] === 1) {
        for (let j = 0; j < Y; j++) got.push(ep.target[(t * B + b) * Y + j]!);
      }
    }
    assert.deepEqual(got, want);
  }
});

Deno.test("associativeRecallEpisode() makes one 100,000-step sequence at batch 1 in linear size with one scored item", () => {
  const n = 49_998, o = { batch: 1, bits: 6, itemSteps: 1, minItems: n, maxItems: n };
  const ep = associativeRecallEpisode(new Rng(3), o);
  // n items of 1 + 1 steps, the query (2), the answer (2), then the generator's S trailing steps
  assert.equal(ep.T, n * 2 + 2 * 2 + 1);
  assert.equal(ep.input.length, ep.T * 8);
  assert.equal(ep.mask.reduce((s, v) => s + v, 0), 1);
  assert.equal(ep.mask[ep.T - 2], 1);
});
