/**
 * Lossless bits-back coding (BB-ANS, Townsend, Bird & Barber 2019) with the `elbo_mnist` conv
 * DRAW (same config → same cached weights): compress the static binarized MNIST test set into a
 * real file, read it back, decompress it, check every image bit for bit, and set the file's bits
 * per pixel beside the same model's −ELBO on the same images, computed in the same run.
 * Issue 13 §1 (lossless); not a figure of the DRAW paper, whose rates are ideal KL sums.
 *
 * @module
 */
import type { Experiment, Json, Limits, NoParams } from "../../../tasks/core/experiment.ts";
import { UsageError } from "../../../tasks/core/errors.ts";
import { writeAtomic } from "../../../tasks/core/json.ts";
import { compressImages, decompressImages } from "../bits_back.ts";
import type { CodecPrecision } from "../bits_back_codecs.ts";
import { fileBytes, headerBytes, parseFile, weightChecksum } from "../bits_back_file.ts";
import { meanElboBitsPerDim } from "../bits_back_measure.ts";
import { loadDrawData } from "../data.ts";
import { elboProfiles, MODEL_LIMITS } from "../elbo_experiment.ts";
import { modelCacheDir } from "../model_cache.ts";
import { type ModelFields, withTrainedModel } from "../trained.ts";

/** Config: the `elbo_mnist` model fields, the images coded and the codec's precisions (bits). */
export type BitsBackConfig = ModelFields & {
  /** The first `images` test images are coded on one stack (capped at the test-set size). */
  images: number;
  latentBits: number;
  posteriorBits: number;
  pixelBits: number;
  /** Seed of the initial bits. */
  codecSeed: number;
  /**
   * Posterior draws per image averaged in the −ELBO (1–3); the first draw uses seed 7919, the
   * seed `elbo_mnist` evaluates its model with.
   */
  elboDraws: number;
};

const base = elboProfiles("binarized_mnist"); // the elbo_mnist model, per profile
const model = (c: typeof base.default): ModelFields => {
  const { testImages: _t, ...fields } = c;
  return fields;
};
const codec = { latentBits: 12, posteriorBits: 24, pixelBits: 16, codecSeed: 1 }; // ours
const profiles = {
  smoke: { ...model(base.smoke), images: 4, ...codec, elboDraws: 1 },
  // the whole test set; one −ELBO draw per image keeps the run near 7 min on one loaded core
  default: { ...model(base.default), images: 10000, ...codec, elboDraws: 1 },
  paper: { ...model(base.paper), images: 10000, ...codec, elboDraws: 3 },
};

/** Output of the cell: the measured file and the model's −ELBO on the same images. */
export interface BitsBackCell {
  images: number;
  dims: number;
  fileBytes: number;
  headerBytes: number;
  initialBits: number;
  fileSha256: string;
  roundTripExact: boolean;
  /** Images whose decoded pixels differ from the original (0 when exact). */
  mismatchedImages: number;
  elboBitsPerDim: number;
  compressSeconds: number;
  decompressSeconds: number;
  elboSeconds: number;
  fromCache: boolean;
  cacheKey: string;
}

/** sha256 of bytes, hex. */
async function sha256(b: Uint8Array): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", b.slice().buffer));
  return Array.from(h, (v) => v.toString(16).padStart(2, "0")).join("");
}

/** Write `bytes` to a fresh temp folder in the weight cache, read them back, remove the folder. */
async function roundTripFile(bytes: Uint8Array): Promise<Uint8Array> {
  const root = modelCacheDir(); // writable wherever trained weights are (deno task's --allow-write)
  await Deno.mkdir(root, { recursive: true });
  const dir = await Deno.makeTempDir({ dir: root, prefix: "bits_back-" });
  try {
    const file = `${dir}/binarized_mnist_test.cdbb`;
    await writeAtomic(file, bytes);
    return await Deno.readFile(file);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const LIMITS: Limits<BitsBackConfig> = {
  ...MODEL_LIMITS,
  images: { min: 1, max: 1_000_000, integer: true },
  latentBits: { min: 1, max: 16, integer: true },
  posteriorBits: { min: 2, max: 24, integer: true },
  pixelBits: { min: 1, max: 24, integer: true },
  codecSeed: { min: 0, max: 2 ** 32 - 1, integer: true },
  elboDraws: { min: 1, max: 3, integer: true },
};

export const experiment: Experiment<BitsBackConfig, NoParams, BitsBackCell> = {
  id: "bits_back",
  version: 1,
  title: "Lossless bits-back (BB-ANS) compression of binarized MNIST with conv DRAW",
  reproduces:
    "Bits-back coding of the conv DRAW latents (issue 13 §1; BB-ANS's 'within 1 %' as a target)",
  profiles,
  limits: LIMITS,
  seeds: { smoke: [1], default: [1], paper: [1] },
  cells: (_c, seeds) =>
    seeds.map((seed) => ({ id: `binarized_mnist/seed=${seed}`, seed, params: {} })),
  inspect(config, _cell, output: Json) {
    const o = output as unknown as BitsBackCell;
    const want = Math.min(config.images, 10000);
    return {
      problem: o?.images === want ? null : `codes ${o?.images} images, the config ${want}`,
    };
  },
  async run(config, ctx) {
    const prec: CodecPrecision = {
      latentBits: config.latentBits,
      posteriorBits: config.posteriorBits,
      pixelBits: config.pixelBits,
    };
    if (prec.posteriorBits < prec.latentBits + 1) {
      throw new UsageError(
        `posteriorBits ${prec.posteriorBits} must exceed latentBits ${prec.latentBits}`,
      );
    }
    const seed = ctx.cell.seed ?? 1;
    const test = (await loadDrawData("binarized_mnist")).test;
    const n = Math.min(config.images, test.n), d = test.h * test.w;
    const x = test.x.subarray(0, n * d);
    return await withTrainedModel("binarized_mnist", config, seed, ctx.progress, async (tm) => {
      const { model, record, fromCache, pool } = tm;
      ctx.progress.log(`bits_back: compressing ${n} test images`);
      const t0 = performance.now();
      const c = compressImages(model, x, n, prec, config.codecSeed);
      const header = {
        precision: prec,
        height: test.h,
        width: test.w,
        images: n,
        seed: config.codecSeed,
        checksum: weightChecksum(model),
        modelKey: record.key,
      };
      const written = await roundTripFile(fileBytes(header, c.message));
      const t1 = performance.now();
      ctx.progress.log(`bits_back: decompressing ${written.length} bytes`);
      const parsed = parseFile(written);
      const h = parsed.header;
      const y = decompressImages(model, parsed.message, h.images, h.precision, h.seed);
      const t2 = performance.now();
      let mismatchedImages = 0;
      for (let i = 0; i < n; i++) {
        for (let j = i * d; j < (i + 1) * d; j++) {
          if (y[j] !== x[j]) {
            mismatchedImages++;
            break;
          }
        }
      }
      const elboBitsPerDim = await meanElboBitsPerDim(model, test, n, pool, config.elboDraws);
      const t3 = performance.now();
      return {
        images: n,
        dims: n * d,
        fileBytes: written.length,
        headerBytes: headerBytes(header),
        initialBits: c.initialBits,
        fileSha256: await sha256(written),
        roundTripExact: mismatchedImages === 0 && y.length === x.length,
        mismatchedImages,
        elboBitsPerDim,
        compressSeconds: (t1 - t0) / 1000,
        decompressSeconds: (t2 - t1) / 1000,
        elboSeconds: (t3 - t2) / 1000,
        fromCache,
        cacheKey: record.key,
      };
    });
  },
  summarize(config, cells) {
    const [first] = cells;
    if (!first) throw new Error("bits_back: summarize() got no cell");
    const o = first.output;
    const bitsBackBitsPerDim = 8 * o.fileBytes / o.dims;
    const netBitsPerDim = (8 * (o.fileBytes - o.headerBytes) - o.initialBits) / o.dims;
    const gap = (r: number) => 100 * (r - o.elboBitsPerDim) / o.elboBitsPerDim;
    const bucketing = `2^${config.latentBits} buckets per latent unit, equal mass under its ` +
      `prior (BB-ANS); posterior masses quantised to 2^${config.posteriorBits}, pixels to ` +
      `2^${config.pixelBits}`;
    return {
      metrics: {
        dataset: "binarized_mnist",
        images: o.images,
        bitsBackBitsPerDim,
        elboBitsPerDim: o.elboBitsPerDim,
        elboDraws: config.elboDraws,
        elboNats: o.elboBitsPerDim * Math.LN2 * (o.dims / o.images),
        gapPercent: gap(bitsBackBitsPerDim),
        netBitsPerDim,
        netGapPercent: gap(netBitsPerDim),
        initialBits: o.initialBits,
        initialBitsPerDim: o.initialBits / o.dims,
        headerBytes: o.headerBytes,
        fileBytes: o.fileBytes,
        fileSha256: o.fileSha256,
        roundTripExact: o.roundTripExact,
        mismatchedImages: o.mismatchedImages,
        latentBits: config.latentBits,
        posteriorBits: config.posteriorBits,
        pixelBits: config.pixelBits,
        bucketing,
        compressSeconds: o.compressSeconds,
        decompressSeconds: o.decompressSeconds,
        elboSeconds: o.elboSeconds,
      },
      notes: [
        `Model: the elbo_mnist model (${
          o.fromCache ? "loaded from the model cache" : "trained in this run"
        }, key ${o.cacheKey}).`,
        `The first ${o.images} static binarized MNIST test images on one ANS stack, written to ` +
        `a file of ${o.fileBytes} bytes (a temp folder in the weight cache, removed after), read ` +
        `back and decoded; ${
          o.roundTripExact ? "every image is bit-identical" : `${o.mismatchedImages} images differ`
        }.`,
        "bitsBackBitsPerDim is the whole file (header and initial bits included) per pixel; " +
        "netBitsPerDim leaves out the header and the initial bits (the cost a longer chain " +
        "amortises away).",
        `Latents: ${bucketing}.`,
        `elboBitsPerDim: the same model's single-sample −ELBO on the same images, mean of ` +
        `${config.elboDraws} posterior draw(s) per image (the first with elbo_mnist's seed); ` +
        "bits-back realises one draw per image too, so the net gap carries that noise.",
        "Encoder and decoder run on the same backend in one process (a file may not decode " +
        "on another backend).",
      ],
    };
  },
};
