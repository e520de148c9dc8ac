import assert from "node:assert/strict";
import { Rng } from "../../tasks/core/rng.ts";
import { LruRing } from "./lru_ring.ts";

Deno.test("LruRing.lru() picks the least recently accessed slot", () => {
  const ring = new LruRing(5);
  assert.equal(ring.lru(), 0);
  ring.access(0);
  assert.equal(ring.lru(), 1);
  ring.access(2);
  ring.access(1);
  assert.deepEqual(ring.order(), [3, 4, 0, 2, 1]);
  assert.equal(ring.lru(), 3);
});

Deno.test("LruRing agrees with a steps-since-last-access reference on random accesses", () => {
  const N = 13, rng = new Rng(4), ring = new LruRing(N);
  const last = Array.from({ length: N }, (_, i) => -N + i); // initial order 0..N-1
  for (let t = 0; t < 500; t++) {
    const i = rng.int(N);
    ring.access(i);
    last[i] = t;
    const want = last.indexOf(Math.min(...last));
    assert.equal(ring.lru(), want);
  }
});

Deno.test("LruRing.reset() restores the initial order", () => {
  const ring = new LruRing(40), rng = new Rng(9);
  for (let t = 0; t < 30; t++) ring.access(rng.int(40));
  ring.reset();
  assert.deepEqual(ring.order(), Array.from({ length: 40 }, (_, i) => i));
});
