/**
 * AVIF round trips of 8-bit grey images (libavif + libaom through `@jsquash/avif`, the
 * single-threaded build), monochrome (4:0:0), at a quality (0–100) and an encoder speed (0 =
 * slowest, strongest … 10).
 *
 * @module
 */
import encodeAvif, { init as initAvifEnc } from "@jsquash/avif/encode.js";
import decodeAvif, { init as initAvifDec } from "@jsquash/avif/decode.js";
import { type CodecResult, greyToRgba, readResolved, rgbaToGrey } from "./codecs.ts";
import { avifPayloadBytes } from "./codecs_payload.ts";

let ready: Promise<void> | null = null;

/** libavif's subsample value for 4:0:0 (luma only). */
const YUV400 = 0;

/** Encode and decode an 8-bit grey image with libavif/libaom at a quality and speed. */
export async function avifRoundTrip(
  grey: Uint8Array,
  w: number,
  h: number,
  quality: number,
  speed = 6,
): Promise<CodecResult> {
  ready ??= (async () => {
    await initAvifEnc(
      await WebAssembly.compile(await readResolved("@jsquash/avif/codec/enc/avif_enc.wasm")),
    );
    await initAvifDec(
      await WebAssembly.compile(await readResolved("@jsquash/avif/codec/dec/avif_dec.wasm")),
    );
  })();
  await ready;
  const file = new Uint8Array(
    await encodeAvif(greyToRgba(grey, w, h) as unknown as ImageData, {
      quality,
      speed,
      subsample: YUV400,
    }),
  );
  const img = await decodeAvif(file.slice().buffer as ArrayBuffer);
  if (!img) throw new Error("AVIF: the decoder returned no image");
  const decoded = rgbaToGrey(img.data, w, h, "AVIF");
  return { payloadBytes: avifPayloadBytes(file), totalBytes: file.length, decoded, file };
}
