/**
 * What `deno task draw compress|decompress` does: lossless bits-back compression of binary
 * images with a trained conv DRAW from the weight cache.
 *
 * - Images in: a folder of grey PNGs whose pixels are all 0 or 255 (taken in name order), or a
 *   data-set slice `binarized_mnist:test[:N]` (also `:train`, `:valid`).
 * - Images out: `decompress` writes `00000.png`, `00001.png`, … (0/255 grey) into a new or empty
 *   folder.
 * - Model: `--model KEY` (a weight-cache key, e.g. `binarized_mnist-13267ca53af34b51`); without
 *   it, the newest `binarized_mnist-*` record in the cache. The file stores the key and a checksum
 *   of the weights, and decompression refuses a model whose weights differ.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { decode as decodePng, encode as encodePng } from "fast-png";
import { loadBinarizedMnist } from "../../datasets/binarized_mnist/mod.ts";
import { Fault, fileFault, UsageError } from "../../tasks/core/errors.ts";
import { writeAtomic } from "../../tasks/core/json.ts";
import { compressImages, decompressImages } from "./bits_back.ts";
import { type CodecPrecision, DEFAULT_PRECISION } from "./bits_back_codecs.ts";
import { fileBytes, headerBytes, parseFile, weightChecksum } from "./bits_back_file.ts";
import { type BitsBackResult, measureBitsBack } from "./bits_back_measure.ts";
import { ConvDraw } from "./conv_draw.ts";
import { modelCacheDir, readCachedModel } from "./model_cache.ts";

/** Binary images, `[n·h·w]` in {0, 1}. */
export interface BinaryImages {
  x: Float32Array;
  n: number;
  h: number;
  w: number;
}

/** Read the images of `source` (a PNG folder or `binarized_mnist:<split>[:N]`). */
export async function readBinaryImages(source: string): Promise<BinaryImages> {
  const ds = source.match(/^binarized_mnist:(train|valid|test)(?::(\d+))?$/);
  if (ds) {
    const set = await loadBinarizedMnist(ds[1] as "train" | "valid" | "test");
    const n = ds[2] === undefined ? set.n : Number(ds[2]);
    if (n < 1 || n > set.n) throw new UsageError(`${source}: N must be 1..${set.n}`);
    return { x: set.x.slice(0, n * set.h * set.w), n, h: set.h, w: set.w };
  }
  let names: string[];
  try {
    names = [...Deno.readDirSync(source)].filter((e) => e.isFile && /\.png$/i.test(e.name))
      .map((e) => e.name).sort();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UsageError(`${source}: no such folder (or binarized_mnist:<split>[:N])`);
    }
    throw fileFault("read the image folder", source, e);
  }
  if (names.length === 0) throw new UsageError(`${source}: no .png files in the folder`);
  let h = 0, w = 0;
  const parts: Uint8Array[] = [];
  for (const name of names) {
    const path = `${source}/${name}`;
    let img;
    try {
      img = decodePng(await Deno.readFile(path));
    } catch (e) {
      throw new UsageError(`${path}: not a readable PNG (${(e as Error).message})`);
    }
    if (img.channels !== 1 || img.depth !== 8) {
      throw new UsageError(`${path}: need an 8-bit grey PNG, got ${img.channels} channels`);
    }
    if (parts.length === 0) (h = img.height, w = img.width);
    if (img.height !== h || img.width !== w) {
      throw new UsageError(`${path}: ${img.width}x${img.height}, the first image is ${w}x${h}`);
    }
    const px = img.data as Uint8Array;
    const bad = px.findIndex((v) => v !== 0 && v !== 255);
    if (bad >= 0) throw new UsageError(`${path}: pixel ${bad} is ${px[bad]}, not 0 or 255`);
    parts.push(px);
  }
  const x = new Float32Array(parts.length * h * w);
  parts.forEach((p, i) => x.set(Float32Array.from(p, (v) => v ? 1 : 0), i * h * w));
  return { x, n: parts.length, h, w };
}

/** Load a model from the weight cache: by key, or the newest `binarized_mnist-*` record. */
export async function loadCachedModel(key?: string): Promise<{ model: ConvDraw; key: string }> {
  const dir = modelCacheDir();
  let k = key;
  if (k === undefined) {
    let newest: { name: string; mtime: number } | null = null;
    try {
      for (const e of Deno.readDirSync(dir)) {
        if (!e.isFile || !/^binarized_mnist-.*\.json$/.test(e.name)) continue;
        const mtime = Deno.statSync(`${dir}/${e.name}`).mtime?.getTime() ?? 0;
        if (!newest || mtime > newest.mtime) newest = { name: e.name, mtime };
      }
    } catch { /* no cache folder: reported below */ }
    if (!newest) {
      throw new UsageError(
        `no binarized_mnist model in the weight cache ${dir}: run \`deno task reproduce draw\` ` +
          "first, or pass --model KEY",
      );
    }
    k = newest.name.replace(/\.json$/, "");
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(k)) throw new UsageError(`--model ${k}: not a cache key`);
  const rec = await readCachedModel(k);
  if (!rec) throw new UsageError(`model ${k}: not in the weight cache ${dir}`);
  if (rec.modelConfig.likelihood !== "bernoulli") {
    throw new UsageError(`model ${k}: a ${rec.modelConfig.likelihood} model, need a Bernoulli one`);
  }
  const model = new ConvDraw(rec.modelConfig);
  model.setWeights(rec.weights);
  return { model, key: k };
}

/** What {@link compressCommand} reports. */
export interface CompressReport {
  images: number;
  fileBytes: number;
  headerBytes: number;
  initialBits: number;
  /** Bits of the whole file per pixel. */
  fileBitsPerDim: number;
  /** Bits of the file less its header and initial bits, per pixel. */
  netBitsPerDim: number;
  modelKey: string;
}

/** Compress `source` into `file` (written atomically). */
export async function compressCommand(
  source: string,
  file: string,
  opts: { model?: string; seed?: number; precision?: CodecPrecision } = {},
): Promise<CompressReport> {
  const imgs = await readBinaryImages(source);
  const { model, key } = await loadCachedModel(opts.model);
  try {
    if (imgs.h !== model.cfg.height || imgs.w !== model.cfg.width) {
      throw new UsageError(
        `${source}: ${imgs.w}x${imgs.h} images, the model codes ${model.cfg.width}x${model.cfg.height}`,
      );
    }
    const precision = opts.precision ?? DEFAULT_PRECISION;
    const seed = opts.seed ?? 1;
    const c = compressImages(model, imgs.x, imgs.n, precision, seed);
    const header = {
      precision,
      height: imgs.h,
      width: imgs.w,
      images: imgs.n,
      seed,
      checksum: weightChecksum(model),
      modelKey: key,
    };
    const bytes = fileBytes(header, c.message);
    try {
      await writeAtomic(file, bytes);
    } catch (e) {
      throw fileFault("write the compressed file", file, e);
    }
    const dims = imgs.n * imgs.h * imgs.w;
    const hb = headerBytes(header);
    return {
      images: imgs.n,
      fileBytes: bytes.length,
      headerBytes: hb,
      initialBits: c.initialBits,
      fileBitsPerDim: 8 * bytes.length / dims,
      netBitsPerDim: (8 * (bytes.length - hb) - c.initialBits) / dims,
      modelKey: key,
    };
  } finally {
    model.dispose();
  }
}

/** Decompress `file` into PNGs in `dir` (created; must be empty if it exists). */
export async function decompressCommand(file: string, dir: string): Promise<{ images: number }> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new UsageError(`${file}: no such file`);
    throw fileFault("read the compressed file", file, e);
  }
  let parsed;
  try {
    parsed = parseFile(bytes);
  } catch (e) {
    throw new UsageError(`${file}: ${(e as Error).message}`);
  }
  const { header, message } = parsed;
  try {
    if ([...Deno.readDirSync(dir)].length > 0) {
      throw new UsageError(`${dir}: folder is not empty`);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw e instanceof UsageError ? e : fileFault("read the output folder", dir, e);
    }
  }
  const { model } = await loadCachedModel(header.modelKey);
  let x: Float32Array;
  try {
    if (weightChecksum(model) !== header.checksum) {
      throw new UsageError(
        `model ${header.modelKey}: its weights differ from the compressing model's`,
      );
    }
    if (header.height !== model.cfg.height || header.width !== model.cfg.width) {
      throw new UsageError(`${file}: image size does not match model ${header.modelKey}`);
    }
    try {
      x = decompressImages(model, message, header.images, header.precision, header.seed);
    } catch (e) {
      throw new Fault(`cannot decode: ${(e as Error).message}`, file, "the file is corrupt");
    }
  } finally {
    model.dispose();
  }
  const d = header.height * header.width;
  try {
    await Deno.mkdir(dir, { recursive: true });
    for (let i = 0; i < header.images; i++) {
      const data = Uint8Array.from(x.subarray(i * d, (i + 1) * d), (v) => v ? 255 : 0);
      const png = encodePng({
        width: header.width,
        height: header.height,
        data,
        channels: 1,
        depth: 8,
      });
      await writeAtomic(`${dir}/${String(i).padStart(5, "0")}.png`, png);
    }
  } catch (e) {
    throw fileFault("write the decoded images", dir, e);
  }
  return { images: header.images };
}

/**
 * Compress, decompress and compare `source` in memory, beside the model's −ELBO on the same
 * images (nothing is written).
 */
export async function measureCommand(
  source: string,
  opts: { model?: string; seed?: number; precision?: CodecPrecision } = {},
): Promise<BitsBackResult & { modelKey: string }> {
  const imgs = await readBinaryImages(source);
  const { model, key } = await loadCachedModel(opts.model);
  try {
    if (imgs.h !== model.cfg.height || imgs.w !== model.cfg.width) {
      throw new UsageError(`${source}: image size does not match model ${key}`);
    }
    const r = await measureBitsBack(
      model,
      imgs,
      imgs.n,
      opts.precision ?? DEFAULT_PRECISION,
      opts.seed ?? 1,
      key,
    );
    return { ...r, modelKey: key };
  } finally {
    model.dispose();
  }
}

/** Make sure a TF.js backend is ready (the CLI's default: cpu, deterministic and everywhere). */
export async function readyBackend(name = "cpu"): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
}
