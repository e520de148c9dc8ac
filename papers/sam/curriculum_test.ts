import assert from "node:assert/strict";
import { Rng } from "../../tasks/core/rng.ts";
import { Curriculum } from "./curriculum.ts";

Deno.test("h doubles on the minibatch that completes a window whose mean is below the threshold, not one earlier", () => {
  const c = new Curriculum({ start: 1, threshold: 1, window: 3, maxLevel: 64 });
  assert.equal(c.observe(5), false);
  assert.equal(c.observe(0.5), false);
  assert.equal(c.observe(0.5), false); // mean(5, 0.5, 0.5) = 2 ≥ 1
  assert.equal(c.level, 1);
  assert.equal(c.observe(0.5), true); // mean(0.5, 0.5, 0.5) < 1
  assert.equal(c.level, 2);
});

Deno.test("h doubles exactly when the window mean first drops below the threshold", () => {
  const c = new Curriculum({ start: 2, threshold: 1, window: 3, maxLevel: 64 });
  const costs = [3, 1.2, 0.9, 0.9, 0.5];
  // windows: (3, 1.2, 0.9) = 1.7; (1.2, 0.9, 0.9) = 1.0 (not below); (0.9, 0.9, 0.5) = 0.77
  const doubled = costs.map((x) => c.observe(x));
  assert.deepEqual(doubled, [false, false, false, false, true]);
  assert.equal(c.level, 4);
  assert.deepEqual(c.history, [{ episode: 0, level: 2 }, { episode: 5, level: 4 }]);
});

Deno.test("the window restarts after a doubling: the new h needs its own full window", () => {
  const c = new Curriculum({ start: 1, threshold: 1, window: 2, maxLevel: 64 });
  assert.deepEqual([0, 0, 0, 0, 0].map((x) => c.observe(x)), [false, true, false, true, false]);
  assert.equal(c.level, 4);
  assert.deepEqual(c.history.map((h) => h.episode), [0, 2, 4]);
});

Deno.test("h stops at maxLevel, the last doubling clipped to it", () => {
  const c = new Curriculum({ start: 3, threshold: 1, window: 1, maxLevel: 10 });
  const doubled = [0, 0, 0, 0].map((x) => c.observe(x));
  assert.deepEqual(doubled, [true, true, false, false]);
  assert.equal(c.level, 10);
  assert.deepEqual(c.history.map((h) => h.level), [3, 6, 10]);
});

Deno.test("a cost at or above the threshold never doubles h", () => {
  const c = new Curriculum({ start: 1, threshold: 1, window: 1, maxLevel: 8 });
  for (let i = 0; i < 100; i++) assert.equal(c.observe(1), false);
  assert.equal(c.level, 1);
  assert.equal(c.episodes, 100);
});

Deno.test("sample draws every level of 1..h and nothing outside it", () => {
  const c = new Curriculum({ start: 5, threshold: 1, window: 1, maxLevel: 8 });
  const rng = new Rng(7);
  const seen = new Map<number, number>();
  for (let i = 0; i < 5000; i++) {
    const l = c.sample(rng);
    seen.set(l, (seen.get(l) ?? 0) + 1);
  }
  assert.deepEqual([...seen.keys()].sort((a, b) => a - b), [1, 2, 3, 4, 5]);
  for (const n of seen.values()) assert.ok(Math.abs(n - 1000) < 150, `count ${n}`);
});

Deno.test("bad settings and non-finite costs are refused", () => {
  assert.throws(() => new Curriculum({ start: 0, threshold: 1, window: 1, maxLevel: 4 }));
  assert.throws(() => new Curriculum({ start: 8, threshold: 1, window: 1, maxLevel: 4 }));
  assert.throws(() => new Curriculum({ start: 1, threshold: 1, window: 0, maxLevel: 4 }));
  const c = new Curriculum({ start: 1, threshold: 1, window: 1, maxLevel: 4 });
  assert.throws(() => c.observe(NaN));
});
