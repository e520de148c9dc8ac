import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { bernoulliNll, discretizedLogisticNll, gaussianKl } from "./distributions.ts";

await tf.setBackend("cpu");
await tf.ready();

/** Independently written: KL of two 1-D Gaussians given means and standard deviations. */
function klScalar(m1: number, s1: number, m2: number, s2: number): number {
  return Math.log(s2 / s1) + (s1 * s1 + (m1 - m2) ** 2) / (2 * s2 * s2) - 0.5;
}

Deno.test("gaussianKl() equals the closed-form KL of two univariate Gaussians per unit", () => {
  const rng = new Rng(7);
  const n = 50;
  const v = () => Array.from({ length: n }, () => rng.normal());
  const m1 = v(), l1 = v(), m2 = v(), l2 = v();
  const got = tf.tidy(() =>
    gaussianKl(tf.tensor(m1), tf.tensor(l1), tf.tensor(m2), tf.tensor(l2)).dataSync()
  );
  assert.equal(got.length, n);
  for (let i = 0; i < n; i++) {
    const want = klScalar(m1[i]!, Math.exp(l1[i]!), m2[i]!, Math.exp(l2[i]!));
    assert.ok(
      Math.abs(got[i]! - want) <= 1e-4 * Math.max(1, want),
      `unit ${i}: ${got[i]} vs ${want}`,
    );
  }
  const zero = tf.tidy(() =>
    gaussianKl(tf.tensor(m1), tf.tensor(l1), tf.tensor(m1), tf.tensor(l1)).dataSync()
  );
  assert.ok(zero.every((z) => Math.abs(z) < 1e-6));
});

Deno.test("bernoulliNll() equals −x log p − (1 − x) log(1 − p)", () => {
  const logits = [-30, -2, 0, 0.5, 3, 30];
  const xs = [0, 1, 1, 0, 1, 1];
  const got = tf.tidy(() => bernoulliNll(tf.tensor(xs), tf.tensor(logits)).dataSync());
  assert.equal(got.length, logits.length);
  got.forEach((g, i) => {
    const l = logits[i]!, p = 1 / (1 + Math.exp(-l));
    const want = xs[i] ? -Math.log(p) : -Math.log1p(-p);
    assert.ok(Math.abs(g - want) < 1e-4, `${l}: ${g} vs ${want}`);
  });
});

Deno.test("discretizedLogisticNll() gives a distribution over the 256 levels that sums to 1", () => {
  const levels = Array.from({ length: 256 }, (_, k) => k / 255);
  for (const [mu, logS] of [[0.3, -3], [0.0, -1], [0.97, -5], [0.5, -7]] as const) {
    const nll = tf.tidy(() =>
      discretizedLogisticNll(tf.tensor(levels), tf.fill([256], mu), tf.fill([256], logS)).dataSync()
    );
    const total = Array.from(nll).reduce((s, v) => s + Math.exp(-v), 0);
    assert.ok(Math.abs(total - 1) < 2e-3, `mu=${mu} logS=${logS}: sum ${total}`);
  }
});

Deno.test("discretizedLogisticNll() has finite gradients with respect to location and log scale", () => {
  tf.tidy(() => {
    const x = tf.tensor([0, 3 / 255, 0.5, 1]);
    const [gMu, gS] = tf.grads((mu, logS) => tf.sum(discretizedLogisticNll(x, mu, logS)))([
      tf.tensor([0.1, 0.2, 0.5, 0.9]),
      tf.tensor([-3, -6, -2, -4]),
    ]);
    assert.ok(gMu && gS, "one gradient per input");
    for (const v of [...gMu.dataSync(), ...gS.dataSync()]) assert.ok(Number.isFinite(v));
  });
});
