/**
 * Shared pieces of the classical codecs (`codecs_jpeg.ts`, `codecs_j2k.ts`, `codecs_webp.ts`,
 * `codecs_avif.ts`) and the distortion metrics of the rate–distortion comparison: PSNR and SSIM
 * (`ssim.js`, original Wang et al. variant). Payload bytes are counted by `codecs_payload.ts`.
 *
 * @module
 */
import { ssim } from "ssim.js";

/** One encoded-and-decoded image. */
export interface CodecResult {
  /** Entropy-coded payload bytes (headers and markers excluded). */
  payloadBytes: number;
  /** Whole file bytes. */
  totalBytes: number;
  /** Decoded 8-bit grey pixels, `[h * w]`. */
  decoded: Uint8Array;
  /** The encoded file. */
  file: Uint8Array;
}

/** Bytes of a file inside an npm package (a wasm binary). */
export function readResolved(spec: string): Promise<Uint8Array<ArrayBuffer>> {
  return Deno.readFile(new URL(import.meta.resolve(spec)));
}

/** RGBA pixels of a grey image (what the JPEG encoder and ssim.js take). */
export interface RgbaImage {
  data: Uint8ClampedArray<ArrayBuffer>;
  width: number;
  height: number;
  colorSpace: "srgb";
  pixelFormat: "rgba-unorm8";
}

/** A grey image as RGBA pixels. */
export function greyToRgba(grey: Uint8Array, w: number, h: number): RgbaImage {
  if (grey.length !== w * h) throw new Error(`grey image has ${grey.length} pixels, not ${w}x${h}`);
  const data = new Uint8ClampedArray(w * h * 4);
  grey.forEach((v, i) => {
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = v;
    data[4 * i + 3] = 255;
  });
  return { data, width: w, height: h, colorSpace: "srgb", pixelFormat: "rgba-unorm8" };
}

/** The first channel of decoded RGBA pixels, checked for size. */
export function rgbaToGrey(
  rgba: ArrayLike<number>,
  w: number,
  h: number,
  codec: string,
): Uint8Array {
  if (rgba.length !== 4 * w * h) {
    throw new Error(`${codec} decode gave ${rgba.length} bytes for a ${w}x${h} RGBA image`);
  }
  const grey = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) grey[i] = rgba[4 * i]!;
  return grey;
}

/** PSNR in dB of two 8-bit images: 10·log10(255² / MSE) (capped at 100 dB for identical images). */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) {
    throw new Error(`psnr of images of ${a.length} and ${b.length} pixels`);
  }
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i]! - b[i]!) ** 2;
  const mse = se / a.length;
  return mse === 0 ? 100 : 10 * Math.log10((255 * 255) / mse);
}

/** Mean SSIM (Wang et al. 2004, `ssim.js` with `{ssim: "original"}`, 11-px window) of two grey images. */
export function ssimGrey(a: Uint8Array, b: Uint8Array, w: number, h: number): number {
  return ssim(greyToRgba(a, w, h), greyToRgba(b, w, h), { ssim: "original" }).mssim;
}

/** Quantise [0, 1] floats to 8-bit grey levels. */
export function toBytes(x: ArrayLike<number>): Uint8Array {
  return Uint8Array.from(x, (v) => Math.max(0, Math.min(255, Math.round(v * 255))));
}
