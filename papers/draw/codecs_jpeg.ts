/**
 * JPEG round trips of 8-bit grey images through two real encoders:
 *
 * - **MozJPEG** (`@jsquash/jpeg`): optimised Huffman tables and trellis quantisation, baseline or
 *   progressive, a choice of base quantisation table (0 = JPEG Annex K, libjpeg's; 1 = flat; 2 =
 *   MSSIM-tuned; 3 = ImageMagick, MozJPEG's default; 4 = PSNR-HVS-M-tuned), optionally
 *   arithmetic coding.
 * - **libjpeg-turbo 3.2** (`@cornerstonejs/codec-libjpeg-turbo-8bit`, its TurboJPEG API):
 *   Annex K tables, baseline with the standard Huffman tables (the wrapper offers no
 *   optimise switch, and its build reads no TJ_OPTIMIZE environment) or progressive (libjpeg
 *   always optimises the Huffman tables of a progressive scan).
 *
 * Both write single-component (greyscale) JPEGs. The libjpeg-turbo wrapper encodes into a buffer
 * the size of its input; the input is handed over as RGB (R = G = B, converted exactly to Y by
 * TurboJPEG with TJSAMP_GRAY) so that buffer is 3× the grey image, and a file that fills it is
 * refused rather than trusted.
 *
 * @module
 */
import encodeJpeg, { init as initJpegEnc } from "@jsquash/jpeg/encode.js";
import decodeJpeg, { init as initJpegDec } from "@jsquash/jpeg/decode.js";
// @ts-ignore: emscripten factory without types
import LibjpegTurboWasm from "@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs";
import { type CodecResult, greyToRgba, readResolved, rgbaToGrey } from "./codecs.ts";
import { jpegPayloadBytes } from "./codecs_payload.ts";

/** MozJPEG settings beyond the quality. */
export interface MozjpegOptions {
  progressive: boolean;
  /** MozJPEG base quantisation table index (0–8). */
  quantTable: number;
  /** Arithmetic instead of Huffman entropy coding. */
  arithmetic?: boolean;
}

let mozReady: Promise<void> | null = null;

function initMozjpeg(): Promise<void> {
  mozReady ??= (async () => {
    await initJpegEnc(
      await WebAssembly.compile(await readResolved("@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm")),
    );
    await initJpegDec(
      await WebAssembly.compile(await readResolved("@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm")),
    );
  })();
  return mozReady;
}

/** Decode a greyscale JPEG with MozJPEG's decoder (libjpeg-turbo based). */
async function decodeMoz(file: Uint8Array, w: number, h: number): Promise<Uint8Array> {
  await initMozjpeg();
  const img = await decodeJpeg(file.slice().buffer as ArrayBuffer);
  return rgbaToGrey(img.data, w, h, "JPEG");
}

/**
 * Encode and decode an 8-bit grey image with MozJPEG at a quality (1–100).
 * @param grey `[h * w]` pixels
 */
export async function mozjpegRoundTrip(
  grey: Uint8Array,
  w: number,
  h: number,
  quality: number,
  opts: MozjpegOptions = { progressive: false, quantTable: 3 },
): Promise<CodecResult> {
  await initMozjpeg();
  const file = new Uint8Array(
    await encodeJpeg(greyToRgba(grey, w, h), {
      quality,
      baseline: !opts.progressive,
      progressive: opts.progressive,
      optimize_coding: true,
      arithmetic: opts.arithmetic ?? false,
      quant_table: opts.quantTable,
      color_space: 1, // MozJpegColorSpace.GRAYSCALE
    }),
  );
  const decoded = await decodeMoz(file, w, h);
  return { payloadBytes: jpegPayloadBytes(file), totalBytes: file.length, decoded, file };
}

// deno-lint-ignore no-explicit-any
let turbo: Promise<any> | null = null;

/** TurboJPEG's TJSAMP_GRAY: write a one-component (luminance) JPEG. */
const TJSAMP_GRAY = 3;

/**
 * Encode and decode an 8-bit grey image with libjpeg-turbo (TurboJPEG) at a quality (1–100),
 * baseline (standard Huffman tables) or progressive (optimised tables).
 */
export async function libjpegTurboRoundTrip(
  grey: Uint8Array,
  w: number,
  h: number,
  quality: number,
  progressive: boolean,
): Promise<CodecResult> {
  if (grey.length !== w * h) throw new Error(`grey image has ${grey.length} pixels, not ${w}x${h}`);
  turbo ??= readResolved("@cornerstonejs/codec-libjpeg-turbo-8bit/wasm").then((wasmBinary) =>
    LibjpegTurboWasm({ wasmBinary, print: () => {}, printErr: () => {} })
  );
  const lib = await turbo;
  const enc = new lib.JPEGEncoder();
  let file: Uint8Array;
  try {
    const frame = { width: w, height: h, bitsPerSample: 8, componentCount: 3, isSigned: false };
    const raw: Uint8Array = enc.getDecodedBuffer(frame);
    for (let i = 0; i < w * h; i++) raw[3 * i] = raw[3 * i + 1] = raw[3 * i + 2] = grey[i]!;
    enc.setProgressive(progressive ? 1 : 0);
    enc.setQuality(quality);
    enc.setSubSampling(TJSAMP_GRAY);
    enc.encode();
    file = new Uint8Array(enc.getEncodedBuffer()).slice();
  } finally {
    enc.delete();
  }
  if (file.length >= 3 * w * h) {
    throw new Error(`libjpeg-turbo: a ${file.length}-byte file fills its ${3 * w * h}-byte buffer`);
  }
  const dec = new lib.JPEGDecoder();
  try {
    dec.getEncodedBuffer(file.length).set(file);
    dec.decode();
    const info = dec.getFrameInfo();
    if (info.componentCount !== 1 || info.width !== w || info.height !== h) {
      throw new Error(`libjpeg-turbo decoded ${JSON.stringify(info)}, not a ${w}x${h} grey image`);
    }
    const decoded = new Uint8Array(dec.getDecodedBuffer()).slice();
    return { payloadBytes: jpegPayloadBytes(file), totalBytes: file.length, decoded, file };
  } finally {
    dec.delete();
  }
}
