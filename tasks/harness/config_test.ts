import assert from "node:assert/strict";
import {
  applyOverrides,
  coerceValue,
  parseOverride,
  parseSeeds,
  parseShard,
  shardCells,
} from "./config.ts";
import { UsageError } from "../core/errors.ts";
import type { Config } from "../core/experiment.ts";

Deno.test("coerceValue() parses to the type of the default and refuses mismatches", () => {
  assert.equal(coerceValue("steps", "20", 10), 20);
  assert.equal(coerceValue("lr", "0.5", 0.1), 0.5);
  assert.equal(coerceValue("flag", "false", true), false);
  assert.deepEqual(coerceValue("sizes", "32,64", [8, 16]), [32, 64]);
  assert.deepEqual(coerceValue("models", "ntm,sam", ["dam"]), ["ntm", "sam"]);
  assert.throws(() => coerceValue("steps", "2.5", 10), /expected an integer/);
  assert.throws(() => coerceValue("steps", "abc", 10), UsageError);
  assert.throws(() => coerceValue("flag", "yes", true), /true or false/);
  assert.throws(() => coerceValue("sizes", "1,x", [8]), UsageError);
});

Deno.test("applyOverrides() sets known keys, scopes exp.key, and names valid keys on a typo", () => {
  const configs = new Map<string, Config>([["a", { steps: 10, lr: 0.1 }], ["b", {
    steps: 5,
    n: 3,
  }]]);
  const out = applyOverrides(configs, [parseOverride("steps=7"), parseOverride("b.n=4")]);
  assert.deepEqual(out.get("a"), { steps: 7, lr: 0.1 });
  assert.deepEqual(out.get("b"), { steps: 7, n: 4 });
  assert.equal(configs.get("a")!.steps, 10);
  assert.throws(
    () => applyOverrides(configs, [parseOverride("stpes=1")]),
    /unknown key; valid keys: lr, n, steps/,
  );
  assert.throws(() => applyOverrides(configs, [parseOverride("c.n=1")]), /unknown experiment "c"/);
  assert.throws(() => parseOverride("novalue"), /key=value/);
});

Deno.test("parseSeeds() accepts positive distinct integers only", () => {
  assert.deepEqual(parseSeeds("1,2,3"), [1, 2, 3]);
  for (const bad of ["0", "1,0", "-1", "1.5", "a", "1,,2", "2,2"]) {
    assert.throws(() => parseSeeds(bad), UsageError, bad);
  }
});

Deno.test("parseShard() and shardCells() split cells into disjoint deterministic slices", () => {
  for (const bad of ["0/2", "3/2", "1/0", "x", "1-2"]) assert.throws(() => parseShard(bad));
  const cells = Array.from({ length: 10 }, (_, i) => i);
  const slices = [1, 2, 3].map((i) => shardCells(cells, parseShard(`${i}/3`)));
  assert.deepEqual(slices, [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
  assert.deepEqual(shardCells(cells, null), cells);
});
