import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import { measureBitsBack } from "./bits_back_measure.ts";
import { DEFAULT_PRECISION } from "./bits_back_codecs.ts";
import { ConvDraw } from "./conv_draw.ts";
import { trainStep } from "./train.ts";

await tf.setBackend("cpu");
await tf.ready();

Deno.test("on a briefly trained tiny model the net bits-back rate lands near its −ELBO", async () => {
  const model = new ConvDraw({
    height: 8,
    width: 8,
    s2d: 2,
    hidden: 4,
    zChannels: 2,
    iterations: 2,
    kernel: 3,
    likelihood: "bernoulli",
    seed: 5,
  });
  // a fixed set of stripes: each image is a row band, so a model learns them in a few steps
  const rng = new Rng(1);
  const n = 40;
  const x = new Float32Array(n * 64);
  for (let i = 0; i < n; i++) {
    const row = rng.int(8);
    for (let c = 0; c < 8; c++) x[i * 64 + row * 8 + c] = 1;
  }
  const opt = tf.train.adam(1e-2);
  for (let s = 0; s < 25; s++) {
    const batch = tf.tensor4d(x.slice(0, 16 * 64), [16, 8, 8, 1]);
    trainStep(model, opt, batch, s + 1, 500);
    batch.dispose();
  }
  const r = await measureBitsBack(model, { x, n, h: 8, w: 8 }, n, DEFAULT_PRECISION, 3);
  assert.ok(r.roundTripExact);
  assert.equal(r.images, n);
  assert.ok(r.bitsBackBitsPerDim > r.netBitsPerDim, "the initial bits are counted in the file");
  assert.ok(r.fileBytes > r.messageBytes, "the file adds its header");
  // 40 images of 2×4×4×2 latents: the net rate is a single draw, so only a loose band is fair
  assert.ok(Math.abs(r.netGapRelative) < 0.1, `net ${r.netBitsPerDim} vs ELBO ${r.elboBitsPerDim}`);
  model.dispose();
});
