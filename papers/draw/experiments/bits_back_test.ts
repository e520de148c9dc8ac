import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { runSmoke } from "../../sam/experiments/_smoke.ts";
import { experiment } from "./bits_back.ts";

Deno.test("bits_back's smoke profile writes, reads back and decodes every image bit for bit", async () => {
  await tf.setBackend("wasm");
  await tf.ready();
  const s = await runSmoke(experiment);
  const m = s.metrics as Record<string, number | boolean | string>;
  assert.equal(m.roundTripExact, true);
  assert.equal(m.mismatchedImages, 0);
  assert.equal(m.images, experiment.profiles.smoke.images);
  const dims = 784 * (m.images as number);
  assert.equal(m.bitsBackBitsPerDim, 8 * (m.fileBytes as number) / dims, "rate from the file");
  assert.ok((m.bitsBackBitsPerDim as number) > (m.netBitsPerDim as number));
  assert.ok((m.initialBits as number) > 0 && (m.headerBytes as number) > 26);
  assert.match(m.fileSha256 as string, /^[0-9a-f]{64}$/);
  // Without bits back each image would pay ≈ latentBits per latent unit on top of the −ELBO
  // (2 iterations × 98 units × 12 bits ≫ 784 pixels); with it the net rate is one posterior
  // draw away from the −ELBO.
  assert.ok(
    Math.abs(m.netGapPercent as number) < 10,
    `net ${m.netBitsPerDim} vs −ELBO ${m.elboBitsPerDim} bits/dim`,
  );
});

Deno.test("bits_back refuses a posterior precision no finer than the latent buckets", async () => {
  const config = { ...experiment.profiles.smoke, latentBits: 12, posteriorBits: 12 };
  const cell = experiment.cells(config, [1])[0]!;
  const backend = { name: "cpu", requested: "cpu", adapter: null, reason: "test" };
  await assert.rejects(
    () =>
      experiment.run(config, {
        cell,
        profile: "smoke",
        backend,
        progress: { update() {}, log() {} },
      }),
    /posteriorBits 12 must exceed latentBits 12/,
  );
});
