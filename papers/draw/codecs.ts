/**
 * Classical codecs and distortion metrics for the rate–distortion comparison: JPEG (MozJPEG via
 * `@jsquash/jpeg`, baseline, greyscale, optimised Huffman tables) and JPEG 2000 (OpenJPEG via
 * `@cornerstonejs/codec-openjpeg`, raw J2K codestream, lossy 9/7), PSNR, and SSIM (`ssim.js`,
 * original Wang et al. variant).
 *
 * Rates are counted two ways: **payload** bytes (entropy-coded data only: JPEG from the end of the
 * SOS header to EOI; J2K from the end of the first SOD marker to EOC), as the paper's low rates
 * require at 28–32 px, and **total** file bytes.
 *
 * @module
 */
import encodeJpeg, { init as initJpegEnc } from "@jsquash/jpeg/encode.js";
import decodeJpeg, { init as initJpegDec } from "@jsquash/jpeg/decode.js";
// @ts-ignore: emscripten factory without types
import OpenJpegWasm from "@cornerstonejs/codec-openjpeg/wasmjs";
import { ssim } from "ssim.js";

/** One encoded-and-decoded image. */
export interface CodecResult {
  /** Entropy-coded payload bytes (headers and markers excluded). */
  payloadBytes: number;
  /** Whole file bytes. */
  totalBytes: number;
  /** Decoded 8-bit grey pixels, `[h * w]`. */
  decoded: Uint8Array;
}

let jpegReady: Promise<void> | null = null;

function readResolved(spec: string): Promise<Uint8Array<ArrayBuffer>> {
  return Deno.readFile(new URL(import.meta.resolve(spec)));
}

async function initJpeg(): Promise<void> {
  jpegReady ??= (async () => {
    await initJpegEnc(
      await WebAssembly.compile(await readResolved("@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm")),
    );
    await initJpegDec(
      await WebAssembly.compile(await readResolved("@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm")),
    );
  })();
  await jpegReady;
}

/** RGBA pixels of a grey image (what the JPEG encoder and ssim.js take). */
interface RgbaImage {
  data: Uint8ClampedArray<ArrayBuffer>;
  width: number;
  height: number;
  colorSpace: "srgb";
  pixelFormat: "rgba-unorm8";
}

function greyToRgba(grey: Uint8Array, w: number, h: number): RgbaImage {
  if (grey.length !== w * h) throw new Error(`grey image has ${grey.length} pixels, not ${w}x${h}`);
  const data = new Uint8ClampedArray(w * h * 4);
  grey.forEach((v, i) => {
    data[4 * i] = data[4 * i + 1] = data[4 * i + 2] = v;
    data[4 * i + 3] = 255;
  });
  return { data, width: w, height: h, colorSpace: "srgb", pixelFormat: "rgba-unorm8" };
}

/**
 * Bytes of a baseline JPEG that are entropy-coded scan data: from the end of the (last) SOS
 * segment to the EOI marker.
 */
export function jpegPayloadBytes(file: Uint8Array): number {
  const at = (k: number): number => {
    const b = file[k];
    if (b === undefined) throw new Error(`JPEG: file ends at byte ${file.length}, reading ${k}`);
    return b;
  };
  let sosEnd = -1;
  let i = 2; // after SOI
  while (i + 4 <= file.length) {
    if (at(i) !== 0xff) throw new Error(`JPEG: expected a marker at byte ${i}`);
    const marker = at(i + 1);
    const len = (at(i + 2) << 8) | at(i + 3);
    if (marker === 0xda) {
      sosEnd = i + 2 + len;
      // skip entropy-coded data to the next non-RST marker
      let j = sosEnd;
      while (
        j + 1 < file.length &&
        !(at(j) === 0xff && at(j + 1) !== 0 && (at(j + 1) < 0xd0 || at(j + 1) > 0xd7))
      ) j++;
      if (file[j + 1] === 0xd9) return j - sosEnd;
      i = j;
      continue;
    }
    i += 2 + len;
  }
  throw new Error("JPEG: no SOS/EOI found");
}

/**
 * Encode and decode an 8-bit grey image with MozJPEG at a quality (1–100).
 * @param grey `[h * w]` pixels
 */
export async function jpegRoundTrip(
  grey: Uint8Array,
  w: number,
  h: number,
  quality: number,
): Promise<CodecResult> {
  await initJpeg();
  const file = new Uint8Array(
    await encodeJpeg(greyToRgba(grey, w, h), {
      quality,
      baseline: true,
      progressive: false,
      optimize_coding: true,
      color_space: 1, // MozJpegColorSpace.GRAYSCALE
    }),
  );
  const img = await decodeJpeg(file.buffer as ArrayBuffer);
  if (img.data.length !== 4 * w * h) {
    throw new Error(`JPEG decode gave ${img.data.length} bytes for a ${w}x${h} RGBA image`);
  }
  const decoded = new Uint8Array(w * h);
  for (let i = 0; i < w * h; i++) decoded[i] = img.data[4 * i]!;
  return { payloadBytes: jpegPayloadBytes(file), totalBytes: file.length, decoded };
}

// deno-lint-ignore no-explicit-any
let openJpeg: Promise<any> | null = null;

/** J2K codestream bytes after the first SOD marker (0xFF93) up to EOC (0xFFD9). */
export function j2kPayloadBytes(file: Uint8Array): number {
  for (let i = 0; i + 1 < file.length; i++) {
    if (file[i] === 0xff && file[i + 1] === 0x93) {
      const end = file[file.length - 2] === 0xff && file[file.length - 1] === 0xd9
        ? file.length - 2
        : file.length;
      return end - (i + 2);
    }
  }
  throw new Error("J2K: no SOD marker");
}

/**
 * Encode and decode an 8-bit grey image with OpenJPEG (irreversible 9/7, 3 decomposition levels,
 * one quality layer) at a compression ratio (raw bytes / file bytes, headers included).
 * `setQuality(false, 1)` must come before `setCompressionRatio`, or the ratio is ignored.
 */
export async function j2kRoundTrip(
  grey: Uint8Array,
  w: number,
  h: number,
  ratio: number,
): Promise<CodecResult> {
  openJpeg ??= readResolved("@cornerstonejs/codec-openjpeg/wasm").then((wasmBinary) =>
    OpenJpegWasm({ wasmBinary, print: () => {}, printErr: () => {} })
  );
  const oj = await openJpeg;
  const enc = new oj.J2KEncoder();
  try {
    const raw = enc.getDecodedBuffer({
      width: w,
      height: h,
      bitsPerSample: 8,
      componentCount: 1,
      isSigned: false,
      isUsingColorTransform: false,
    });
    raw.set(grey);
    enc.setDecompositions(3); // 28 px / 2³ ≥ 1; the default 5 is too many for 28×28
    enc.setQuality(false, 1);
    enc.setCompressionRatio(0, ratio);
    enc.encode();
    const file = new Uint8Array(enc.getEncodedBuffer()).slice();
    const dec = new oj.J2KDecoder();
    try {
      dec.getEncodedBuffer(file.length).set(file);
      dec.decode();
      const decoded = new Uint8Array(dec.getDecodedBuffer()).slice();
      return { payloadBytes: j2kPayloadBytes(file), totalBytes: file.length, decoded };
    } finally {
      dec.delete();
    }
  } finally {
    enc.delete();
  }
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
