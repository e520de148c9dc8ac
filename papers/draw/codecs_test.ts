import assert from "node:assert/strict";
import { loadFashionMnist } from "../../datasets/fashion_mnist/mod.ts";
import { psnr, ssimGrey, toBytes } from "./codecs.ts";
import { avifRoundTrip } from "./codecs_avif.ts";
import { j2kRoundTrip } from "./codecs_j2k.ts";
import { libjpegTurboRoundTrip, mozjpegRoundTrip } from "./codecs_jpeg.ts";
import { webpRoundTrip } from "./codecs_webp.ts";

const test = await loadFashionMnist("test");
const img = toBytes(test.x.subarray(0, 784));

Deno.test("mozjpegRoundTrip() spends more payload and gets higher PSNR at higher quality", async () => {
  const lo = await mozjpegRoundTrip(img, 28, 28, 10);
  const hi = await mozjpegRoundTrip(img, 28, 28, 90, { progressive: true, quantTable: 0 });
  assert.ok(lo.payloadBytes < hi.payloadBytes && lo.payloadBytes < lo.totalBytes);
  assert.ok(lo.totalBytes - lo.payloadBytes > 100, "headers are counted apart from the payload");
  assert.ok(psnr(img, hi.decoded) > psnr(img, lo.decoded) && psnr(img, hi.decoded) > 30);
});

Deno.test("libjpegTurboRoundTrip() writes grey JPEGs whose progressive form is smaller", async () => {
  const base = await libjpegTurboRoundTrip(img, 28, 28, 50, false);
  const prog = await libjpegTurboRoundTrip(img, 28, 28, 50, true);
  const hi = await libjpegTurboRoundTrip(img, 28, 28, 100, false);
  // the same quantised coefficients: same pixels, fewer bytes with optimised Huffman tables
  assert.deepEqual(prog.decoded, base.decoded);
  assert.ok(prog.payloadBytes < base.payloadBytes, `${prog.payloadBytes} < ${base.payloadBytes}`);
  assert.ok(psnr(img, hi.decoded) > 45 && psnr(img, base.decoded) > 25);
});

Deno.test("j2kRoundTrip() follows the compression ratio at every decomposition level", async () => {
  for (const levels of [1, 2, 3, 4]) {
    const lo = await j2kRoundTrip(img, 28, 28, 4, levels);
    const hi = await j2kRoundTrip(img, 28, 28, 1.5, levels);
    assert.ok(lo.payloadBytes < hi.payloadBytes, `${lo.payloadBytes} < ${hi.payloadBytes}`);
    assert.ok(psnr(img, hi.decoded) > psnr(img, lo.decoded));
    assert.ok(psnr(img, hi.decoded) > 25);
  }
  await assert.rejects(() => j2kRoundTrip(img, 28, 28, 4, 5), /5 levels/);
});

Deno.test("webpRoundTrip() and avifRoundTrip() decode to the image with payload below the file", async () => {
  for (const round of [webpRoundTrip, avifRoundTrip]) {
    const lo = await round(img, 28, 28, 5);
    const hi = await round(img, 28, 28, 90);
    assert.ok(0 < lo.payloadBytes && lo.payloadBytes < hi.payloadBytes);
    assert.ok(hi.payloadBytes < hi.totalBytes);
    assert.ok(psnr(img, hi.decoded) > psnr(img, lo.decoded) && psnr(img, hi.decoded) > 30);
  }
});

Deno.test("psnr() and ssimGrey() are maximal for identical images and fall with noise", () => {
  const noisy = img.map((v, i) => Math.max(0, Math.min(255, v + ((i * 37) % 41) - 20)));
  assert.equal(psnr(img, img), 100);
  assert.ok(Math.abs(ssimGrey(img, img, 28, 28) - 1) < 1e-9);
  const p = psnr(img, noisy);
  assert.ok(p > 20 && p < 40, `psnr ${p}`);
  assert.ok(ssimGrey(img, noisy, 28, 28) < 0.99);
});

Deno.test("the payload parsers agree with each real encoder's file layout", async () => {
  const find = (f: Uint8Array, a: number, b: number, from = 0) => {
    for (let i = from; i + 1 < f.length; i++) if (f[i] === a && f[i + 1] === b) return i;
    return -1;
  };
  // baseline JPEG: one scan, from the end of the SOS segment to EOI
  const jb = await libjpegTurboRoundTrip(img, 28, 28, 75, false);
  const sos = find(jb.file, 0xff, 0xda);
  const sosEnd = sos + 2 + ((jb.file[sos + 2]! << 8) | jb.file[sos + 3]!);
  assert.equal(jb.payloadBytes, jb.file.length - 2 - sosEnd);
  // progressive JPEG: several scans, so less than "first SOS to EOI"
  const jp = await mozjpegRoundTrip(img, 28, 28, 75, { progressive: true, quantTable: 3 });
  const firstSos = find(jp.file, 0xff, 0xda);
  assert.ok(find(jp.file, 0xff, 0xda, firstSos + 2) > 0, "more than one scan");
  assert.ok(jp.payloadBytes < jp.file.length - 2 - firstSos - 10);
  // J2K from OpenJPEG: one tile-part, from the end of SOD to EOC
  const k = await j2kRoundTrip(img, 28, 28, 3, 3);
  assert.equal(k.payloadBytes, k.file.length - 2 - (find(k.file, 0xff, 0x93) + 2));
  // simple-format WebP: RIFF header (12) + chunk header (8) + VP8 frame header (10) (+ 1 pad byte)
  const w = await webpRoundTrip(img, 28, 28, 50);
  assert.equal(new TextDecoder().decode(w.file.subarray(12, 16)), "VP8 ");
  assert.ok([w.file.length - 30, w.file.length - 31].includes(w.payloadBytes));
  // AVIF: the coded OBUs are most of the mdat box and none of the metadata
  const a = await avifRoundTrip(img, 28, 28, 50);
  const text = new TextDecoder("latin1").decode(a.file);
  const mdat = text.indexOf("mdat");
  assert.ok(mdat > 4 && text.indexOf("mdat", mdat + 4) < 0);
  const mdatSize = new DataView(a.file.buffer).getUint32(mdat - 4);
  assert.ok(a.payloadBytes < mdatSize - 8 && a.payloadBytes > (mdatSize - 8) * 0.8);
});
