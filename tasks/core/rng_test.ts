import assert from "node:assert/strict";
import { Rng } from "./rng.ts";

/** Independent BigInt PCG32 (XSH-RR) reference with the default increment. */
function* pcg32Reference(seed: bigint): Generator<number> {
  const mask = (1n << 64n) - 1n;
  const mult = 6364136223846793005n;
  const inc = 1442695040888963407n;
  let state = 0n;
  state = (state * mult + inc) & mask;
  state = (state + seed) & mask;
  state = (state * mult + inc) & mask;
  while (true) {
    const old = state;
    state = (old * mult + inc) & mask;
    const xorshifted = Number(((old >> 18n) ^ old) >> 27n & 0xffffffffn);
    const rot = Number(old >> 59n);
    yield ((xorshifted >>> rot) | (xorshifted << ((32 - rot) & 31))) >>> 0;
  }
}

Deno.test("Rng matches a BigInt PCG32 reference for several seeds", () => {
  for (const seed of [1, 42, 123456789, 2 ** 40 + 7]) {
    const rng = new Rng(seed);
    const ref = pcg32Reference(BigInt(seed));
    for (let i = 0; i < 1000; i++) assert.equal(rng.nextUint32(), ref.next().value);
  }
});

Deno.test("Rng(1) first outputs are pinned", () => {
  const rng = new Rng(1);
  assert.deepEqual([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()], [
    1412771199,
    1791099446,
    124312908,
  ]);
  assert.equal(new Rng(1).next(), 0.32893642759881914);
});

Deno.test("Rng rejects seed 0, negatives and non-integers", () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => new Rng(bad), RangeError);
});

Deno.test("Rng.normal() has mean ≈ 0 and variance ≈ 1", () => {
  const rng = new Rng(7);
  const n = 20000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = rng.normal();
    s += x;
    s2 += x * x;
  }
  assert.ok(Math.abs(s / n) < 0.03);
  assert.ok(Math.abs(s2 / n - 1) < 0.05);
});

Deno.test("Rng.shuffle() is a permutation and int() stays in range", () => {
  const rng = new Rng(3);
  const a = rng.shuffle(Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 100 }, (_, i) => i));
  for (let i = 0; i < 1000; i++) {
    const k = rng.int(5);
    assert.ok(k >= 0 && k < 5 && Number.isInteger(k));
  }
});
