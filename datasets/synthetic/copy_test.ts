import assert from "node:assert/strict";
import { Rng } from "../../tasks/core/rng.ts";
import { copyEpisode } from "./copy.ts";
import { costBits } from "./episode.ts";

const opts = { batch: 4, bits: 8, minLength: 1, maxLength: 20 };

Deno.test("copyEpisode() targets repeat the inputs after the delimiter", () => {
  const ep = copyEpisode(new Rng(3), opts);
  const { B, X, Y } = ep;
  for (let b = 0; b < B; b++) {
    let L = 0;
    while (ep.input[(L * B + b) * X + 8] !== 1) L++;
    assert.ok(L >= 1 && L <= 20);
    for (let t = 0; t < L; t++) {
      assert.equal(ep.mask[(t + L + 1) * B + b], 1);
      for (let j = 0; j < 8; j++) {
        assert.equal(ep.target[((t + L + 1) * B + b) * Y + j], ep.input[(t * B + b) * X + j]);
      }
    }
    const scored = Array.from({ length: ep.T }, (_, t) => ep.mask[t * B + b]).reduce((s, v) =>
      s! + v!
    );
    assert.equal(scored, L);
  }
});

Deno.test("copyEpisode() is deterministic per seed and differs across seeds", () => {
  assert.deepEqual(copyEpisode(new Rng(5), opts).input, copyEpisode(new Rng(5), opts).input);
  assert.notDeepEqual(copyEpisode(new Rng(5), opts).input, copyEpisode(new Rng(6), opts).input);
});

Deno.test("costBits() is 1 bit per scored bit at p = 0.5 and ~0 for perfect predictions", () => {
  const ep = copyEpisode(new Rng(7), opts);
  let scoredBits = 0;
  for (let i = 0; i < ep.mask.length; i++) scoredBits += ep.mask[i]! * ep.Y;
  assert.ok(
    Math.abs(costBits(ep, new Float32Array(ep.target.length).fill(0.5)) - scoredBits / ep.B) < 1e-9,
  );
  assert.ok(costBits(ep, ep.target) < 1e-3);
});
