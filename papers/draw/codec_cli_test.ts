import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { decode as decodePng, encode as encodePng } from "fast-png";
import { Rng } from "../../tasks/core/rng.ts";
import { UsageError } from "../../tasks/core/errors.ts";
import { compressCommand, decompressCommand, measureCommand } from "./codec_cli.ts";
import { ConvDraw, type ConvDrawConfig } from "./conv_draw.ts";
import { writeCachedModel } from "./model_cache.ts";

await tf.setBackend("cpu");
await tf.ready();

const CFG: ConvDrawConfig = {
  height: 8,
  width: 8,
  s2d: 2,
  hidden: 4,
  zChannels: 2,
  iterations: 2,
  kernel: 3,
  likelihood: "bernoulli",
  seed: 2,
};

/** A temp weight cache holding one perturbed tiny model; returns its key. */
async function tinyCache(dir: string): Promise<string> {
  Deno.env.set("PAPERS_REPRO_MODEL_CACHE", dir);
  const model = new ConvDraw(CFG);
  const rng = new Rng(8);
  for (const v of Object.values(model.vars)) {
    tf.tidy(() =>
      v.assign(tf.tensor(Array.from({ length: v.size }, () => 0.5 * rng.normal()), v.shape))
    );
  }
  const key = "binarized_mnist-tinytest";
  await writeCachedModel({
    key,
    modelConfig: CFG,
    trainConfig: { steps: 0, batch: 1, lr: 0, lrFinal: 0, clip: 1, seed: 1 },
    dataset: "binarized_mnist",
    curve: [],
    trainSeconds: 0,
    weights: await model.getWeights(),
  });
  model.dispose();
  return key;
}

function writePngs(dir: string, n: number, seed: number): Uint8Array[] {
  Deno.mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const data = Uint8Array.from({ length: 64 }, () => rng.bernoulli(0.3) ? 255 : 0);
    Deno.writeFileSync(
      `${dir}/img${i}.png`,
      encodePng({ width: 8, height: 8, data, channels: 1, depth: 8 }),
    );
    return data;
  });
}

Deno.test("compress then decompress a PNG folder gives back every image bit-identically", async () => {
  const tmp = Deno.makeTempDirSync();
  const prevCache = Deno.env.get("PAPERS_REPRO_MODEL_CACHE");
  try {
    const key = await tinyCache(`${tmp}/cache`);
    const originals = writePngs(`${tmp}/in`, 6, 3);
    const r = await compressCommand(`${tmp}/in`, `${tmp}/x.cdbb`);
    assert.equal(r.modelKey, key);
    assert.equal(r.images, 6);
    assert.equal(r.fileBytes, Deno.statSync(`${tmp}/x.cdbb`).size);
    await decompressCommand(`${tmp}/x.cdbb`, `${tmp}/out`);
    const names = [...Deno.readDirSync(`${tmp}/out`)].map((e) => e.name).sort();
    assert.equal(names.length, 6);
    names.forEach((name, i) => {
      const img = decodePng(Deno.readFileSync(`${tmp}/out/${name}`));
      assert.deepEqual(Array.from(img.data), Array.from(originals[i]!), name);
    });
    const m = await measureCommand(`${tmp}/in`);
    assert.ok(m.roundTripExact);
    assert.equal(m.fileBytes, r.fileBytes, "measure counts the bytes compress writes");
  } finally {
    if (prevCache === undefined) Deno.env.delete("PAPERS_REPRO_MODEL_CACHE");
    else Deno.env.set("PAPERS_REPRO_MODEL_CACHE", prevCache);
    Deno.removeSync(tmp, { recursive: true });
  }
});

Deno.test("bad input is a UsageError and writes nothing", async () => {
  const tmp = Deno.makeTempDirSync();
  const prevCache = Deno.env.get("PAPERS_REPRO_MODEL_CACHE");
  try {
    await tinyCache(`${tmp}/cache`);
    Deno.mkdirSync(`${tmp}/grey`);
    const data = new Uint8Array(64).fill(128);
    Deno.writeFileSync(
      `${tmp}/grey/a.png`,
      encodePng({ width: 8, height: 8, data, channels: 1, depth: 8 }),
    );
    await assert.rejects(compressCommand(`${tmp}/grey`, `${tmp}/g.cdbb`), UsageError);
    await assert.rejects(compressCommand(`${tmp}/missing`, `${tmp}/m.cdbb`), UsageError);
    writePngs(`${tmp}/in`, 2, 4);
    await assert.rejects(
      compressCommand(`${tmp}/in`, `${tmp}/k.cdbb`, { model: "nope" }),
      UsageError,
    );
    Deno.writeFileSync(`${tmp}/junk.cdbb`, new Uint8Array([1, 2, 3]));
    await assert.rejects(decompressCommand(`${tmp}/junk.cdbb`, `${tmp}/out`), UsageError);
    const left = [...Deno.readDirSync(tmp)].map((e) => e.name).sort();
    assert.deepEqual(left, ["cache", "grey", "in", "junk.cdbb"]);
  } finally {
    if (prevCache === undefined) Deno.env.delete("PAPERS_REPRO_MODEL_CACHE");
    else Deno.env.set("PAPERS_REPRO_MODEL_CACHE", prevCache);
    Deno.removeSync(tmp, { recursive: true });
  }
});
