import assert from "node:assert/strict";
import { PAPERS } from "../mod.ts";
import { PROFILES } from "../tasks/core/experiment.ts";
import { checkLimits, limitProblem } from "../tasks/harness/config.ts";

Deno.test("every config field of every registered experiment declares its valid values", () => {
  for (const p of PAPERS) {
    for (const e of p.experiments) {
      assert.ok(e.limits, `${p.id}/${e.id} declares no limits`);
      const keys = new Set(PROFILES.flatMap((pr) => Object.keys(e.profiles[pr])));
      const missing = [...keys].filter((k) => !(k in e.limits!));
      assert.deepEqual(missing, [], `${p.id}/${e.id}: fields without a limit`);
      const extra = Object.keys(e.limits!).filter((k) => !keys.has(k));
      assert.deepEqual(extra, [], `${p.id}/${e.id}: limits for fields that do not exist`);
    }
  }
});

Deno.test("every profile of every registered experiment lies within its own limits", () => {
  for (const p of PAPERS) {
    for (const e of p.experiments) {
      for (const pr of PROFILES) {
        assert.doesNotThrow(() => checkLimits(e.id, e.profiles[pr], e.limits), `${e.id} ${pr}`);
      }
    }
  }
});

Deno.test("limitProblem() names what breaks a range, a set, a list", () => {
  assert.equal(limitProblem(-5, { min: 2 }), "-5 is below 2");
  assert.equal(limitProblem(1e12, { max: 100_000 }), "1000000000000 is above 100000");
  assert.equal(limitProblem(2.5, { integer: true }), "2.5 is not an integer");
  assert.equal(limitProblem([], { nonEmpty: true }), "the list is empty");
  assert.equal(limitProblem([1, 1], { distinct: true }), "items repeat");
  assert.equal(limitProblem(["lstm", "rnn"], { oneOf: ["lstm"] }), '"rnn" is not allowed');
  assert.equal(limitProblem([1, 5], { min: 1, max: 10, integer: true }), null);
});

Deno.test("the issue's out-of-range values are refused by the real experiments' limits", () => {
  const exp = (id: string) => PAPERS.flatMap((p) => p.experiments).find((e) => e.id === id)!;
  const cases: [string, string, unknown][] = [
    ["cost_curves", "t", -5],
    ["cost_curves", "t", 0],
    ["cost_curves", "t", 1e12],
    ["cost_curves", "alphas", []],
    ["cost_curves", "headlineFraction", -0.5],
    ["figure2_learning", "copyMinibatches", 0],
  ];
  for (const [id, key, value] of cases) {
    const e = exp(id);
    const config = { ...e.profiles.smoke, [key]: value };
    assert.throws(() => checkLimits(id, config, e.limits), new RegExp(`${key} must be`), key);
  }
});
