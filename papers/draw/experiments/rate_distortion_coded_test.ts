import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Rng } from "../../../tasks/core/rng.ts";
import { toBytes } from "../codecs.ts";
import { ConvDraw } from "../conv_draw.ts";
import { codedMethod, codedRows, SELECTION_IMAGES } from "./rate_distortion_coded.ts";

await tf.setBackend("cpu");
await tf.ready();

const model = new ConvDraw({
  height: 28,
  width: 28,
  s2d: 4,
  hidden: 4,
  zChannels: 2,
  iterations: 2,
  kernel: 3,
  likelihood: "logistic",
  seed: 2,
});
const rng = new Rng(5);
for (const v of Object.values(model.vars)) {
  tf.tidy(() =>
    v.assign(tf.tensor(Array.from({ length: v.size }, () => 0.5 * rng.normal()), v.shape))
  );
}
const pixels = (n: number) => Float32Array.from({ length: n * 784 }, () => rng.int(256) / 255);

Deno.test("codedRows() measures conv DRAW from files written and read back, one row per setting and k", async () => {
  const n = 3, images = pixels(n);
  const train = { x: pixels(50), n: 50, h: 28, w: 28 }; // fewer than SELECTION_IMAGES: all used
  const config = {
    rdImages: n,
    codedSteps: [2],
    codedSampleSteps: [2],
    codedSelectedSteps: [1],
    codedChannelShare: 0.5, // at most one of the two channels per iteration
  };
  const r = await codedRows(model, images, toBytes(images), train, config);
  assert.equal(r.rows.length, 3 * 3, "three settings, k = 0..2");
  assert.ok(r.binsExact);
  assert.equal(r.files, 3 * 3 - 1, "the prior-mean k = 0 file is decoded once");
  assert.ok(r.rows.every((row) => row.measuredBytes && row.codec === "conv DRAW"));
  for (const row of r.rows) {
    assert.ok(row.bpdTotal - row.bpdPayload > 0, "the header counts in the whole file only");
    assert.ok(Math.abs((row.bpdTotal - row.bpdPayload) * n * 784 / 8 - r.headerBytes) < 1e-9);
  }
  const all = r.rows.filter((row) => row.method === codedMethod("mean", 2));
  assert.equal(all[0]!.bpdPayload, 0, "k = 0 sends nothing");
  assert.ok(all[2]!.bpdPayload > all[1]!.bpdPayload, "each sent iteration costs bytes");
  assert.equal(r.selected.sent.length, 4);
  assert.ok(
    r.selected.sent.filter((f) => f).length <= 2,
    "share 0.5 keeps at most one channel each",
  );
  const sel = r.rows.filter((row) => row.method === codedMethod("mean", 1, true));
  assert.equal(sel.length, 3);
  assert.ok(SELECTION_IMAGES > 50);
});
