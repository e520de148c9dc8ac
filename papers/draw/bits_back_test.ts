import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { BitsBackStepper, compressImages, decompressImages } from "./bits_back.ts";
import { DEFAULT_PRECISION } from "./bits_back_codecs.ts";
import { ConvDraw, type ConvDrawConfig } from "./conv_draw.ts";
import { spaceToDepth } from "../../tasks/engine/mod.ts";

await tf.setBackend("cpu");
await tf.ready();

const TINY: ConvDrawConfig = {
  height: 8,
  width: 8,
  s2d: 2,
  hidden: 4,
  zChannels: 2,
  iterations: 3,
  kernel: 3,
  likelihood: "bernoulli",
  seed: 4,
};

/** Non-trivial weights everywhere, so posteriors, priors and pixels are far from uniform. */
function perturbed(cfg: ConvDrawConfig, seed: number): ConvDraw {
  const model = new ConvDraw(cfg);
  const rng = new Rng(seed);
  for (const v of Object.values(model.vars)) {
    tf.tidy(() =>
      v.assign(tf.tensor(Array.from({ length: v.size }, () => 0.6 * rng.normal()), v.shape))
    );
  }
  return model;
}

function images(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * d }, (_, i) => rng.bernoulli(i % 3 === 0 ? 0.8 : 0.2));
}

Deno.test("the stepper reproduces the model's posterior and prior given the model's own z", () => {
  const model = perturbed(TINY, 1);
  const x = images(1, 64, 2);
  const xt = tf.tensor4d(x, [1, 8, 8, 1]);
  const trace = model.elbo(xt, 5, true).trace!; // a few small tensors, freed with the backend
  const xf = tf.tidy(() => spaceToDepth(tf.tensor4d(x, [1, 8, 8, 1]), 2).dataSync());
  const st = new BitsBackStepper(model, Float32Array.from(xf));
  for (let t = 0; t < TINY.iterations; t++) {
    const q = st.posterior(), p = st.prior(), tr = trace[t]!;
    for (
      const [got, want] of [[q.mu, tr.muQ], [q.logSig, tr.logSigQ], [p.mu, tr.muP], [
        p.logSig,
        tr.logSigP,
      ]] as const
    ) {
      const w = want.dataSync();
      got.forEach((g, j) =>
        assert.ok(Math.abs(g - w[j]!) < 1e-5, `t=${t} j=${j}: ${g} vs ${w[j]}`)
      );
    }
    st.advance(tr.z.dataSync() as Float32Array);
  }
  st.dispose();
  model.dispose();
});

Deno.test("bits-back compression of a sequence of images decodes every image bit-identically", () => {
  const model = perturbed(TINY, 3);
  const n = 12;
  const x = images(n, 64, 4);
  const c = compressImages(model, x, n, DEFAULT_PRECISION, 21);
  assert.ok(c.initialWords > 0, "the first image drew initial bits");
  const y = decompressImages(model, c.message, n, DEFAULT_PRECISION, 21);
  assert.deepEqual(Array.from(y), Array.from(x));
  assert.throws(() => decompressImages(model, c.message, n, DEFAULT_PRECISION, 22), /residual/);
  model.dispose();
});

Deno.test("low precisions and a one-image message round-trip exactly too", () => {
  const model = perturbed({ ...TINY, iterations: 2, seed: 9 }, 5);
  const prec = { latentBits: 4, posteriorBits: 10, pixelBits: 6 };
  for (const n of [1, 5]) {
    const x = images(n, 64, 10 + n);
    const c = compressImages(model, x, n, prec, 2);
    assert.deepEqual(Array.from(decompressImages(model, c.message, n, prec, 2)), Array.from(x));
  }
  model.dispose();
});
