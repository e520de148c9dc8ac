import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { ConvDraw, type ConvDrawConfig, type PriorVariant } from "./conv_draw.ts";

await tf.setBackend("cpu");
await tf.ready();

const TINY: ConvDrawConfig = {
  height: 4,
  width: 4,
  s2d: 2,
  hidden: 4,
  zChannels: 2,
  iterations: 3,
  kernel: 3,
  likelihood: "bernoulli",
  seed: 3,
};

/** Give the posterior/prior heads non-trivial weights so the KL terms are far from zero. */
function perturb(model: ConvDraw, seed: number): void {
  const rng = new Rng(seed);
  for (const name of ["wQ", "bQ", "wP", "bP"] as const) {
    const v = model.vars[name];
    tf.tidy(() =>
      v.assign(tf.tensor(Array.from({ length: v.size }, () => 0.5 * rng.normal()), v.shape))
    );
  }
}

function logNormal(z: number, mu: number, logSig: number): number {
  return -0.5 * Math.log(2 * Math.PI) - logSig - 0.5 * ((z - mu) / Math.exp(logSig)) ** 2;
}

Deno.test("ConvDraw.elbo() closed-form KLs agree with a Monte Carlo estimate of E_q[log q − log p]", async () => {
  const model = new ConvDraw(TINY);
  perturb(model, 9);
  const N = 1500;
  const img = [1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1];
  const x = tf.tensor4d(Array.from({ length: N }, () => img).flat(), [N, 4, 4, 1]);
  const { kl, trace, recon } = model.elbo(x, 5, true);
  const klSum = await tf.addN(kl).data();
  const perSample = new Float64Array(N);
  for (const s of trace!) {
    const [z, mq, lq, mp, lp] = await Promise.all([
      s.z.data(),
      s.muQ.data(),
      s.logSigQ.data(),
      s.muP.data(),
      s.logSigP.data(),
    ]);
    const units = z.length / N;
    // the five tensors have one shape, [N, h, w, Cz]: u indexes all of them
    z.forEach((zu, u) => {
      perSample[Math.floor(u / units)]! += logNormal(zu, mq[u]!, lq[u]!) -
        logNormal(zu, mp[u]!, lp[u]!);
    });
  }
  const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
  const mc = mean(perSample);
  const sd = Math.sqrt(mean(Array.from(perSample, (v) => (v - mc) ** 2)));
  const closed = mean(klSum);
  assert.ok(closed > 1, `KL should be non-trivial, got ${closed}`);
  assert.ok(
    Math.abs(mc - closed) < 4 * sd / Math.sqrt(N) + 1e-3,
    `MC ${mc} ± ${sd / Math.sqrt(N)} vs closed ${closed}`,
  );
  // The reconstruction term is a proper Bernoulli log-likelihood: finite and positive.
  const r = await recon.data();
  assert.ok(r.every((v) => Number.isFinite(v) && v > 0));
  tf.dispose([x, recon, ...kl, ...trace!.flatMap((s) => Object.values(s))]);
  model.dispose();
});

Deno.test("ConvDraw.decode() generates images from the learned prior", async () => {
  const model = new ConvDraw({ ...TINY, height: 8, width: 8 });
  perturb(model, 4);
  const fromPrior = (v: PriorVariant, seed: number) => model.decode(null, 0, v, seed, 3);
  const s1 = fromPrior("sample", 1), s2 = fromPrior("sample", 2);
  const m1 = fromPrior("mean", 1), m2 = fromPrior("mean", 2);
  assert.deepEqual(s1.shape, [3, 8, 8, 1]);
  const v = await s1.data();
  assert.ok(v.every((p) => p >= 0 && p <= 1 && Number.isFinite(p)));
  const diff = (a: tf.Tensor, b: tf.Tensor) =>
    tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
  assert.ok(diff(s1, s2) > 1e-4, "prior samples with different seeds differ");
  assert.ok(diff(m1, m2) === 0, "prior-mean decoding is deterministic");
  tf.dispose([s1, s2, m1, m2]);
  model.dispose();
});

Deno.test("ConvDraw.decode() with k = T matches the posterior path of elbo() for the same seed", () => {
  const model = new ConvDraw({ ...TINY, likelihood: "logistic" });
  perturb(model, 2);
  tf.tidy(() => {
    const x = tf.randomUniform([2, 4, 4, 1], 0, 1, "float32", 8) as tf.Tensor4D;
    const a = model.decode(x, TINY.iterations, "mean", 7);
    const b = model.decode(x, TINY.iterations, "sample", 7);
    assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] === 0, "k = T never touches the prior");
    const c = model.decode(x, 1, "sample", 7);
    assert.ok(tf.max(tf.abs(tf.sub(a, c))).dataSync()[0]! > 0);
  });
  model.dispose();
});
