import assert from "node:assert/strict";
import { loadFashionMnist } from "../../datasets/fashion_mnist/mod.ts";
import { j2kRoundTrip, jpegRoundTrip, psnr, ssimGrey, toBytes } from "./codecs.ts";

const test = await loadFashionMnist("test");
const img = toBytes(test.x.subarray(0, 784));

Deno.test("jpegRoundTrip() spends more payload and gets higher PSNR at higher quality", async () => {
  const lo = await jpegRoundTrip(img, 28, 28, 10);
  const hi = await jpegRoundTrip(img, 28, 28, 90);
  assert.ok(lo.payloadBytes < hi.payloadBytes && lo.payloadBytes < lo.totalBytes);
  assert.ok(lo.totalBytes - lo.payloadBytes > 100, "headers are counted apart from the payload");
  assert.ok(psnr(img, hi.decoded) > psnr(img, lo.decoded) && psnr(img, hi.decoded) > 30);
});

Deno.test("j2kRoundTrip() follows the compression ratio and decodes to the image", async () => {
  const lo = await j2kRoundTrip(img, 28, 28, 4);
  const hi = await j2kRoundTrip(img, 28, 28, 1.5);
  assert.ok(lo.payloadBytes < hi.payloadBytes, `${lo.payloadBytes} < ${hi.payloadBytes}`);
  assert.ok(psnr(img, hi.decoded) > psnr(img, lo.decoded));
  assert.ok(psnr(img, hi.decoded) > 25);
});

Deno.test("psnr() and ssimGrey() are maximal for identical images and fall with noise", () => {
  const noisy = img.map((v, i) => Math.max(0, Math.min(255, v + ((i * 37) % 41) - 20)));
  assert.equal(psnr(img, img), 100);
  assert.ok(Math.abs(ssimGrey(img, img, 28, 28) - 1) < 1e-9);
  const p = psnr(img, noisy);
  assert.ok(p > 20 && p < 40, `psnr ${p}`);
  assert.ok(ssimGrey(img, noisy, 28, 28) < 0.99);
});
