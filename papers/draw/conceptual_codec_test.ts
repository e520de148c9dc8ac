import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../tasks/core/rng.ts";
import {
  binTable,
  CHUNK,
  ConceptualFileError,
  decodeBins,
  decodeFile,
  encodeFile,
  firstIterations,
  FREQ_BITS,
  HEADER_BYTES,
  headerBytes,
  payloadBytes,
  quantiseLatents,
  readHeader,
  renderFromBins,
  sendAll,
} from "./conceptual_codec.ts";
import { ConvDraw, type ConvDrawConfig } from "./conv_draw.ts";

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
  likelihood: "logistic",
  seed: 5,
};

function perturbed(seed: number): ConvDraw {
  const model = new ConvDraw(TINY);
  const rng = new Rng(seed);
  for (const v of Object.values(model.vars)) {
    tf.tidy(() =>
      v.assign(tf.tensor(Array.from({ length: v.size }, () => 0.6 * rng.normal()), v.shape))
    );
  }
  return model;
}

const model = perturbed(11);
const N = 5, D = 64, T = TINY.iterations, U = model.latentUnits();
const rng = new Rng(3);
const images = Float32Array.from({ length: N * D }, () => rng.int(256) / 255);
const idx = quantiseLatents(model, images, N, 0.5);

Deno.test("binTable() gives every bin a frequency of at least 1 out of 2^16, in order", () => {
  for (const step of [0.25, 1, 3]) {
    const { m, cum } = binTable(step);
    assert.equal(cum.length, 2 * m + 2);
    assert.equal(cum[0], 0);
    assert.equal(cum[cum.length - 1], 2 ** FREQ_BITS);
    for (let i = 0; i + 1 < cum.length; i++) assert.ok(cum[i + 1]! > cum[i]!);
  }
  assert.throws(() => binTable(0.3), RangeError, "0.3 is not a multiple of 1/256");
});

Deno.test("decodeFile(encodeFile()) returns the same bins and the in-memory reconstruction, every time", () => {
  assert.ok(idx.some((i) => i !== 0), "the test model sends non-trivial bins");
  for (const variant of ["mean", "sample"] as const) {
    for (const k of [0, 1, T]) {
      const h = { variant, k, step: 0.5, images: N, seed: 7, sent: sendAll(model) };
      const bins = firstIterations(idx, N, T, U, k);
      const file = encodeFile(model, bins, h);
      const a = decodeFile(model, file), b = decodeFile(model, file);
      assert.deepEqual(a.bins, bins, `bins of k=${k} come back exactly`);
      assert.deepEqual(a.images, b.images, "decoding is deterministic");
      assert.deepEqual(a.images, renderFromBins(model, bins, h), "file = in-memory rendering");
      assert.equal(a.header.k, k);
      assert.equal(a.header.variant, variant);
    }
  }
});

Deno.test("the sent bins, not only the prior, decide the decoded images", () => {
  const mse = (k: number) => {
    const h = { variant: "mean" as const, k, step: 0.25, images: N, seed: 1, sent: sendAll(model) };
    const q = quantiseLatents(model, images, N, 0.25);
    const dec = decodeFile(model, encodeFile(model, firstIterations(q, N, T, U, k), h)).images;
    return dec.reduce((s, v, i) => s + (v - images[i]! * 255) ** 2, 0);
  };
  // a random model need not improve with k, but k = T and k = 0 must decode differently
  assert.notDeepEqual(mse(0), mse(T));
});

Deno.test("the payload is what the file holds minus the header, and costs about −log2 of the prior masses", () => {
  const k = T, bins = firstIterations(idx, N, T, U, k);
  const file = encodeFile(model, bins, {
    variant: "mean",
    k,
    step: 0.5,
    images: N,
    seed: 1,
    sent: sendAll(model),
  });
  assert.equal(payloadBytes(model, file), file.length - headerBytes(T, TINY.zChannels));
  const { m, cum } = binTable(0.5);
  const ideal = Array.from(bins).reduce(
    (s, i) => s - Math.log2((cum[i + m + 1]! - cum[i + m]!) / 2 ** FREQ_BITS),
    0,
  );
  const bits = 8 * payloadBytes(model, file);
  assert.ok(bits >= ideal && bits <= ideal + 48 + 16, `${bits} bits for ${ideal.toFixed(1)} ideal`);
  const empty = encodeFile(model, new Int16Array(0), {
    variant: "mean",
    k: 0,
    step: 1,
    images: N,
    seed: 1,
    sent: sendAll(model),
  });
  assert.equal(empty.length, HEADER_BYTES + 1, "k = 0: the header alone");
  assert.deepEqual(readHeader(model, file).latent, [model.lh, model.lw, TINY.zChannels]);
});

Deno.test("a corrupt or truncated file is one clear ConceptualFileError", () => {
  const file = encodeFile(model, firstIterations(idx, N, T, U, 2), {
    variant: "mean",
    k: 2,
    step: 0.5,
    images: N,
    seed: 1,
    sent: sendAll(model),
  });
  const bad = (f: Uint8Array, what: RegExp) =>
    assert.throws(() => decodeBins(model, f), (e: Error) => {
      assert.ok(e instanceof ConceptualFileError, e.message);
      assert.match(e.message, what);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  bad(file.subarray(0, 10), /shorter than the 23-byte header/);
  bad(file.subarray(0, 23), /shorter than the 24-byte header/);
  bad(file.subarray(0, file.length - 2), /truncated|corrupt/);
  const flipped = file.slice();
  flipped[HEADER_BYTES + 8] = flipped[HEADER_BYTES + 8]! ^ 0x5a;
  bad(flipped, /truncated|corrupt/);
  const magic = file.slice();
  magic[0] = 0;
  bad(magic, /magic/);
  const shape = file.slice();
  shape[6] = T + 1;
  bad(shape, /does not match the model/);
});

Deno.test("at k = 0 the codec's decoder is the model's own prior-mean generation", () => {
  const h = { variant: "mean" as const, k: 0, step: 1, images: 2, seed: 1, sent: sendAll(model) };
  const ours = renderFromBins(model, new Int16Array(0), h);
  const ref = tf.tidy(() => model.decode(null, 0, "mean", 1, 2));
  const v = ref.dataSync();
  ref.dispose();
  v.forEach((p, i) => assert.ok(Math.abs(Math.round(p * 255) - ours[i]!) <= 1, `pixel ${i}`));
  assert.ok(CHUNK >= 2);
});

Deno.test("an unsent channel costs nothing and decodes as its prior mean", () => {
  const sent = new Uint8Array(T * TINY.zChannels);
  for (let t = 0; t < T; t++) sent[t * TINY.zChannels] = 1; // channel 0 only
  const q = quantiseLatents(model, images, N, 0.5, sent);
  q.forEach((b, i) => {
    if (i % TINY.zChannels !== 0) assert.equal(b, 0, `unit ${i} of channel 1 is bin 0`);
  });
  const h = { variant: "mean" as const, k: T, step: 0.5, images: N, seed: 1, sent };
  const bins = firstIterations(q, N, T, U, T);
  const file = encodeFile(model, bins, h);
  const all = encodeFile(model, firstIterations(idx, N, T, U, T), { ...h, sent: sendAll(model) });
  assert.ok(file.length < all.length, `${file.length} < ${all.length} bytes`);
  const dec = decodeFile(model, file);
  assert.deepEqual(dec.header.sent, sent);
  assert.deepEqual(dec.bins, bins);
  assert.deepEqual(dec.images, renderFromBins(model, bins, h));
});
