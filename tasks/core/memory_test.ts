import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { UniqueBytesProbe, uniquePeakBytes } from "./memory.ts";

Deno.test("a clone and a reshape share one buffer: unique bytes count it once, numBytes twice", () => {
  const probe = UniqueBytesProbe.install();
  const base = probe.current;
  const before = tf.memory().numBytes;
  const a = tf.zeros([10, 10]);
  const b = tf.clone(a);
  const c = tf.reshape(a, [100]);
  assert.equal(probe.current - base, 400);
  assert.equal(tf.memory().numBytes - before, 1200);
  tf.dispose([a, b]);
  assert.equal(probe.current - base, 400); // c still holds the buffer
  tf.dispose(c);
  assert.equal(probe.current - base, 0);
});

Deno.test("the high-water mark sees buffers freed inside tidy", () => {
  const r = uniquePeakBytes(() =>
    tf.tidy(() => {
      const big = tf.ones([1000]); // 4000 B, freed at the end of tidy
      return tf.sum(big); // 4 B kept
    })
  );
  assert.ok(r.peakBytes >= 4004, `peak ${r.peakBytes}`);
  const probe = UniqueBytesProbe.install();
  const kept = probe.current;
  r.result.dispose();
  assert.equal(probe.current, kept - 4);
});

Deno.test("uninstall restores the engine and a new install starts from zero", () => {
  const p = UniqueBytesProbe.install();
  p.uninstall();
  const x = tf.zeros([4]);
  const q = UniqueBytesProbe.install();
  assert.notEqual(p, q);
  assert.equal(q.current, 0);
  x.dispose(); // allocated before install: not counted, and no negative count
  assert.equal(q.current, 0);
});
