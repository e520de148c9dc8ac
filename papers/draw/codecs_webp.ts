/**
 * Lossy WebP round trips of 8-bit grey images (libwebp through `@jsquash/webp`), at a quality
 * (0–100) with the slowest, strongest method (6). WebP codes YUV 4:2:0; a grey image has flat
 * chroma, which costs a few bits.
 *
 * @module
 */
import encodeWebp, { init as initWebpEnc } from "@jsquash/webp/encode.js";
import decodeWebp, { init as initWebpDec } from "@jsquash/webp/decode.js";
import { type CodecResult, greyToRgba, readResolved, rgbaToGrey } from "./codecs.ts";
import { webpPayloadBytes } from "./codecs_payload.ts";

let ready: Promise<void> | null = null;

/** Encode and decode an 8-bit grey image with libwebp (lossy) at a quality, method 6. */
export async function webpRoundTrip(
  grey: Uint8Array,
  w: number,
  h: number,
  quality: number,
): Promise<CodecResult> {
  ready ??= (async () => {
    await initWebpEnc(
      await WebAssembly.compile(await readResolved("@jsquash/webp/codec/enc/webp_enc.wasm")),
    );
    await initWebpDec(
      await WebAssembly.compile(await readResolved("@jsquash/webp/codec/dec/webp_dec.wasm")),
    );
  })();
  await ready;
  const file = new Uint8Array(
    await encodeWebp(greyToRgba(grey, w, h) as unknown as ImageData, { quality, method: 6 }),
  );
  const img = await decodeWebp(file.slice().buffer as ArrayBuffer);
  const decoded = rgbaToGrey(img.data, w, h, "WebP");
  return { payloadBytes: webpPayloadBytes(file), totalBytes: file.length, decoded, file };
}
