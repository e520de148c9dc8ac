import assert from "node:assert/strict";
import { Rng } from "../../tasks/core/rng.ts";
import { copyEpisode, costBits } from "../../datasets/synthetic/mod.ts";
import { splitEpisode } from "./episode_shards.ts";

Deno.test("splitEpisode keeps every sequence and its scored steps, and trims the padding after them", () => {
  const ep = copyEpisode(new Rng(3), { batch: 5, bits: 4, minLength: 1, maxLength: 6 });
  const shards = splitEpisode(ep, 2);
  assert.deepEqual(shards.map((s) => s.B), [3, 2]);
  let b0 = 0;
  for (const s of shards) {
    for (let b = 0; b < s.B; b++) {
      for (let t = 0; t < ep.T; t++) {
        const m = ep.mask[t * ep.B + b0 + b]!;
        if (t >= s.T) assert.equal(m, 0, "a scored step was trimmed");
        else {
          assert.equal(s.mask[t * s.B + b], m);
          for (let j = 0; j < ep.X; j++) {
            assert.equal(
              s.input[(t * s.B + b) * s.X + j],
              ep.input[(t * ep.B + b0 + b) * ep.X + j],
            );
          }
          for (let j = 0; j < ep.Y; j++) {
            assert.equal(
              s.target[(t * s.B + b) * s.Y + j],
              ep.target[(t * ep.B + b0 + b) * ep.Y + j],
            );
          }
        }
      }
    }
    b0 += s.B;
  }
  // Uniform probabilities: every scored bit costs 1 bit, so shard costs recombine exactly.
  const half = (e: typeof ep) => new Float32Array(e.T * e.B * e.Y).fill(0.5);
  const whole = costBits(ep, half(ep));
  const parts = shards.reduce((s, e) => s + costBits(e, half(e)) * e.B, 0) / ep.B;
  assert.ok(Math.abs(whole - parts) < 1e-9, `${whole} vs ${parts}`);
});

Deno.test("splitEpisode refuses more shards than sequences", () => {
  const ep = copyEpisode(new Rng(1), { batch: 2, bits: 4, minLength: 1, maxLength: 2 });
  assert.throws(() => splitEpisode(ep, 3), RangeError);
});
