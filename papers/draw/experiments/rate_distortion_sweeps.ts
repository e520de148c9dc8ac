/**
 * The classical codecs' sweeps for the rate–distortion experiment: every setting of one encoder
 * configuration over the same test images, averaged into one row per setting (payload and
 * whole-file bits/dim, PSNR, SSIM). JPEG 2000 also gets a PSNR-target mode in the manner of
 * OpenJPEG's `-q` (which the npm build does not expose): for each target, each image takes the
 * cheapest of its `-r` points that reaches the target.
 *
 * @module
 */
import type { ProgressReporter } from "../../../tasks/core/experiment.ts";
import { type CodecResult, psnr, ssimGrey, toBytes } from "../codecs.ts";
import { avifRoundTrip } from "../codecs_avif.ts";
import { j2kRoundTrip } from "../codecs_j2k.ts";
import { libjpegTurboRoundTrip, mozjpegRoundTrip } from "../codecs_jpeg.ts";
import { webpRoundTrip } from "../codecs_webp.ts";
import { loadDrawData } from "../data.ts";

/** Codec families, each with one envelope. */
export type CodecFamily = "JPEG" | "JPEG 2000" | "WebP" | "AVIF";

/** One measured point: a method at one setting, averaged over the images. */
export type RdRow = {
  /** Family the envelope is taken over ("conv DRAW" for the model). */
  codec: CodecFamily | "conv DRAW";
  method: string;
  setting: number;
  bpdPayload: number;
  bpdTotal: number;
  psnr: number;
  ssim: number;
  /** True when the rate comes from bytes written; false for conv DRAW's ideal (KL) rate. */
  measuredBytes: boolean;
};

/** The JPEG encoder configurations that can be swept. */
export const JPEG_ENCODERS = {
  "ljt-baseline": "libjpeg-turbo baseline (standard Huffman tables)",
  "ljt-progressive": "libjpeg-turbo progressive (optimised Huffman)",
  "moz-baseline": "MozJPEG baseline (optimised Huffman, trellis)",
  "moz-progressive": "MozJPEG progressive (trellis)",
  "moz-baseline-annexk": "MozJPEG baseline, Annex K tables",
  "moz-progressive-annexk": "MozJPEG progressive, Annex K tables",
} as const;

/** A JPEG encoder configuration id. */
export type JpegEncoder = keyof typeof JPEG_ENCODERS;

/** What the sweeps read from the experiment's config. */
export type SweepConfig = {
  rdImages: number;
  jpegQualities: number[];
  jpegEncoders: string[];
  j2kLevels: number[];
  j2kRatios: number[];
  j2kTargetsDb: number[];
  webpQualities: number[];
  avifQualities: number[];
  avifSpeed: number;
};

/** One codec cell: a family and the configuration swept. */
export type SweepCell =
  | { method: "jpeg"; encoder: JpegEncoder }
  | { method: "j2k"; levels: number }
  | { method: "webp" }
  | { method: "avif" };

/** Per-image measurements of one setting. */
export interface PerImage {
  payload: number[];
  total: number[];
  psnr: number[];
  ssim: number[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const BITS = 8 / 784;

function roundTrip(cell: SweepCell, config: SweepConfig) {
  switch (cell.method) {
    case "jpeg": {
      const e = cell.encoder;
      if (e === "ljt-baseline" || e === "ljt-progressive") {
        const prog = e === "ljt-progressive";
        return (g: Uint8Array, q: number) => libjpegTurboRoundTrip(g, 28, 28, q, prog);
      }
      const opts = {
        progressive: e.startsWith("moz-progressive"),
        quantTable: e.endsWith("annexk") ? 0 : 3,
      };
      return (g: Uint8Array, q: number) => mozjpegRoundTrip(g, 28, 28, q, opts);
    }
    case "j2k":
      return (g: Uint8Array, r: number) => j2kRoundTrip(g, 28, 28, r, cell.levels);
    case "webp":
      return (g: Uint8Array, q: number) => webpRoundTrip(g, 28, 28, q);
    case "avif":
      return (g: Uint8Array, q: number) => avifRoundTrip(g, 28, 28, q, config.avifSpeed);
  }
}

function describe(cell: SweepCell, config: SweepConfig): { codec: CodecFamily; method: string } {
  switch (cell.method) {
    case "jpeg":
      return { codec: "JPEG", method: `JPEG ${JPEG_ENCODERS[cell.encoder]}` };
    case "j2k":
      return { codec: "JPEG 2000", method: `JPEG 2000 ${cell.levels} levels, -r` };
    case "webp":
      return { codec: "WebP", method: "WebP (libwebp, method 6)" };
    case "avif":
      return { codec: "AVIF", method: `AVIF (libaom, 4:0:0, speed ${config.avifSpeed})` };
  }
}

function settingsOf(cell: SweepCell, config: SweepConfig): number[] {
  return cell.method === "jpeg"
    ? config.jpegQualities
    : cell.method === "j2k"
    ? config.j2kRatios
    : cell.method === "webp"
    ? config.webpQualities
    : config.avifQualities;
}

/** The rows of one codec cell: one per setting (and J2K's PSNR-target rows). */
export async function sweepRows(
  cell: SweepCell,
  config: SweepConfig,
  progress: ProgressReporter,
): Promise<RdRow[]> {
  const data = await loadDrawData("fashion_mnist");
  const images = Array.from(
    { length: config.rdImages },
    (_, i) => toBytes(data.test.x.subarray(i * 784, (i + 1) * 784)),
  );
  const run = roundTrip(cell, config);
  const { codec, method } = describe(cell, config);
  const settings = settingsOf(cell, config);
  const measured: PerImage[] = [];
  for (const [k, setting] of settings.entries()) {
    const m: PerImage = { payload: [], total: [], psnr: [], ssim: [] };
    for (const o of images) {
      let r: CodecResult;
      try {
        r = await run(o, setting);
      } catch (e) {
        throw new Error(`${method} at setting ${setting}: ${(e as Error).message ?? e}`);
      }
      m.payload.push(r.payloadBytes * BITS);
      m.total.push(r.totalBytes * BITS);
      m.psnr.push(psnr(o, r.decoded));
      m.ssim.push(ssimGrey(o, r.decoded, 28, 28));
    }
    measured.push(m);
    progress.update(k + 1, settings.length, method);
  }
  const rows: RdRow[] = measured.map((m, k) => ({
    codec,
    method,
    setting: settings[k]!,
    bpdPayload: mean(m.payload),
    bpdTotal: mean(m.total),
    psnr: mean(m.psnr),
    ssim: mean(m.ssim),
    measuredBytes: true,
  }));
  if (cell.method === "j2k") {
    rows.push(...psnrTargetRows(measured, config.j2kTargetsDb, cell.levels));
  }
  return rows;
}

/**
 * PSNR-target rows from per-image `-r` sweeps: for each target, each image's cheapest point
 * (by payload) whose PSNR reaches the target. A target that some image reaches at no ratio of the
 * sweep gives no row.
 */
export function psnrTargetRows(measured: PerImage[], targets: number[], levels: number): RdRow[] {
  const n = measured[0]?.psnr.length ?? 0;
  const rows: RdRow[] = [];
  for (const target of targets) {
    const pick: { payload: number; total: number; psnr: number; ssim: number }[] = [];
    for (let i = 0; i < n; i++) {
      let best: PerImage | null = null;
      for (const m of measured) {
        if (m.psnr[i]! >= target && (!best || m.payload[i]! < best.payload[i]!)) best = m;
      }
      if (!best) break;
      pick.push({
        payload: best.payload[i]!,
        total: best.total[i]!,
        psnr: best.psnr[i]!,
        ssim: best.ssim[i]!,
      });
    }
    if (pick.length < n || n === 0) continue;
    rows.push({
      codec: "JPEG 2000",
      method: `JPEG 2000 ${levels} levels, PSNR target (-q style)`,
      setting: target,
      bpdPayload: mean(pick.map((p) => p.payload)),
      bpdTotal: mean(pick.map((p) => p.total)),
      psnr: mean(pick.map((p) => p.psnr)),
      ssim: mean(pick.map((p) => p.ssim)),
      measuredBytes: true,
    });
  }
  return rows;
}
