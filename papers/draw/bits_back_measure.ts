/**
 * Measure the bits-back codec on a set of binary images: compress, decompress, compare every
 * image, and set the compressed size beside the same model's single-sample −ELBO on the same
 * images.
 *
 * @module
 */
import type { ImageSet } from "../../datasets/mod.ts";
import { messageBytes } from "./ans.ts";
import { compressImages, decompressImages } from "./bits_back.ts";
import type { CodecPrecision } from "./bits_back_codecs.ts";
import { fileBytes, weightChecksum } from "./bits_back_file.ts";
import type { ConvDraw } from "./conv_draw.ts";
import type { ReplicaPool } from "./replica_pool.ts";
import { evaluate } from "./train.ts";

/** Noise seeds of the −ELBO estimates averaged in {@link measureBitsBack}. */
export const ELBO_SEEDS = [7919, 104729, 1299709];

/**
 * The model's single-sample −ELBO on the first `n` images, bits per pixel: the mean of one
 * posterior draw per image under each of the first `draws` {@link ELBO_SEEDS} (more draws, less
 * noise).
 */
export async function meanElboBitsPerDim(
  model: ConvDraw,
  data: ImageSet,
  n: number,
  pool: ReplicaPool | null = null,
  draws = ELBO_SEEDS.length,
): Promise<number> {
  if (!(draws >= 1 && draws <= ELBO_SEEDS.length)) {
    throw new RangeError(`draws ${draws}: 1..${ELBO_SEEDS.length}`);
  }
  const seeds = ELBO_SEEDS.slice(0, draws);
  let nelbo = 0;
  for (const s of seeds) nelbo += (await evaluate(model, data, n, s, 250, pool)).nelbo;
  return nelbo / seeds.length / Math.LN2 / (data.h * data.w);
}

/** Result fields of a bits-back measurement (bits per dimension = per pixel). */
export interface BitsBackResult {
  images: number;
  /** Bits of the whole compressed message (head + tail words) per pixel, initial bits included. */
  bitsBackBitsPerDim: number;
  /** The same, less the initial bits (the cost a long sequence of images amortises away). */
  netBitsPerDim: number;
  /** The initial bits (random head + words drawn by the first pops), total. */
  initialBits: number;
  /** The model's −ELBO on the same images (single-sample bound, mean of 3 draws), bits per pixel. */
  elboBitsPerDim: number;
  /** (net − ELBO) / ELBO. */
  netGapRelative: number;
  /** True only when every decoded image equals its original. */
  roundTripExact: boolean;
  messageBytes: number;
  /** Bytes of the whole file `deno task draw compress` would write (header included). */
  fileBytes: number;
  /** The file's bits per pixel (header and initial bits included). */
  fileBitsPerDim: number;
  encodeSeconds: number;
  decodeSeconds: number;
}

/**
 * Compress the first `n` images of `data` ({0,1} pixels) and measure.
 * @param modelKey the weight-cache key the file header would name (only its length counts)
 */
export async function measureBitsBack(
  model: ConvDraw,
  data: ImageSet,
  n: number,
  prec: CodecPrecision,
  seed: number,
  modelKey = "",
): Promise<BitsBackResult> {
  const d = data.h * data.w;
  const x = data.x.subarray(0, n * d);
  const t0 = performance.now();
  const c = compressImages(model, x, n, prec, seed);
  const t1 = performance.now();
  const y = decompressImages(model, c.message, n, prec, seed);
  const t2 = performance.now();
  const roundTripExact = y.every((v, i) => v === x[i]);
  const bytes = messageBytes(c.message).length;
  const file = fileBytes({
    precision: prec,
    height: data.h,
    width: data.w,
    images: n,
    seed,
    checksum: weightChecksum(model),
    modelKey,
  }, c.message).length;
  const bits = 47 + 16 * c.message.tail.length;
  const elboBitsPerDim = await meanElboBitsPerDim(model, data, n);
  const netBitsPerDim = (bits - c.initialBits) / (n * d);
  return {
    images: n,
    bitsBackBitsPerDim: bits / (n * d),
    netBitsPerDim,
    initialBits: c.initialBits,
    elboBitsPerDim,
    netGapRelative: (netBitsPerDim - elboBitsPerDim) / elboBitsPerDim,
    roundTripExact,
    messageBytes: bytes,
    fileBytes: file,
    fileBitsPerDim: 8 * file / (n * d),
    encodeSeconds: (t1 - t0) / 1000,
    decodeSeconds: (t2 - t1) / 1000,
  };
}
