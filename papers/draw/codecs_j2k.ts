/**
 * JPEG 2000 round trips of 8-bit grey images with OpenJPEG (`@cornerstonejs/codec-openjpeg`): raw
 * J2K codestream, irreversible 9/7 wavelet, one quality layer, a chosen number of decomposition
 * levels (1–4 at 28 px), rate-controlled by a compression ratio (OpenJPEG's `-r`: raw bytes /
 * codestream bytes, headers included). The wrapper sets `cp_disto_alloc` and exposes no
 * fixed-quality (`-q`, `tcp_distoratio`) mode; the rate–distortion experiment gets that mode's
 * points by picking, per image, the cheapest ratio that reaches a target PSNR.
 *
 * @module
 */
// @ts-ignore: emscripten factory without types
import OpenJpegWasm from "@cornerstonejs/codec-openjpeg/wasmjs";
import { type CodecResult, readResolved } from "./codecs.ts";
import { j2kPayloadBytes } from "./codecs_payload.ts";

// deno-lint-ignore no-explicit-any
let openJpeg: Promise<any> | null = null;

/**
 * Encode and decode an 8-bit grey image with OpenJPEG at a compression ratio.
 * `setQuality(false, 1)` must come before `setCompressionRatio`, or the ratio is ignored.
 * @param levels wavelet decomposition levels (2^levels ≤ the smaller side)
 */
export async function j2kRoundTrip(
  grey: Uint8Array,
  w: number,
  h: number,
  ratio: number,
  levels = 3,
): Promise<CodecResult> {
  if (2 ** levels > Math.min(w, h)) throw new Error(`J2K: ${levels} levels for a ${w}x${h} image`);
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
    enc.setDecompositions(levels);
    enc.setQuality(false, 1);
    enc.setCompressionRatio(0, ratio);
    enc.encode();
    const file = new Uint8Array(enc.getEncodedBuffer()).slice();
    const dec = new oj.J2KDecoder();
    try {
      dec.getEncodedBuffer(file.length).set(file);
      dec.decode();
      const decoded = new Uint8Array(dec.getDecodedBuffer()).slice();
      return { payloadBytes: j2kPayloadBytes(file), totalBytes: file.length, decoded, file };
    } finally {
      dec.delete();
    }
  } finally {
    enc.delete();
  }
}
