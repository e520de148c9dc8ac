import assert from "node:assert/strict";
import { compareAtLevels, levelKey } from "./rate_distortion_compare.ts";
import { psnrTargetRows, type RdRow } from "./rate_distortion_sweeps.ts";

const row = (codec: RdRow["codec"], method: string, bpd: number, psnr: number): RdRow => ({
  codec,
  method,
  setting: bpd,
  bpdPayload: bpd,
  bpdTotal: bpd + 1,
  psnr,
  ssim: psnr / 100,
  measuredBytes: true,
});

Deno.test("compareAtLevels() compares conv DRAW with each family's best setting where both reach", () => {
  const rows = [
    row("conv DRAW", "conv DRAW (prior mean)", 0.05, 14),
    row("conv DRAW", "conv DRAW (prior mean)", 0.2, 18),
    row("conv DRAW", "conv DRAW lossless -ELBO", 4, 100),
    row("JPEG", "JPEG a", 0.1, 12),
    row("JPEG", "JPEG a", 0.4, 20),
    row("JPEG", "JPEG b", 0.1, 13), // the better JPEG setting at 0.1
    row("JPEG 2000", "J2K", 0.3, 19),
    row("JPEG 2000", "J2K", 0.6, 23),
  ];
  const { metrics, unreachable, reach } = compareAtLevels(rows, [0.05, 0.1, 0.2, 0.4]);
  assert.equal(levelKey(0.05), "0_05");
  assert.equal(metrics.psnrGainOverBestJpegAt0_05, null, "JPEG cannot go as low as 0.05");
  assert.ok(
    Math.abs(metrics.psnrGainOverBestJpegAt0_1! - (16 - 13)) < 1e-9,
    "DRAW at 0.1 is halfway in log-rate",
  );
  assert.ok(Math.abs(metrics.psnrGainOverBestJpegAt0_2! - (18 - 16.5)) < 1e-9);
  assert.equal(metrics.psnrGainOverBestJ2kAt0_2, null);
  assert.equal(metrics.psnrGainOverBestJpegAt0_4, null, "conv DRAW stops at 0.2");
  assert.deepEqual(unreachable["0_05"]!.Jpeg, [
    "JPEG (payload rates 0.1–0.4 bits/dim over the settings swept)",
  ]);
  assert.deepEqual(unreachable["0_1"]!.Jpeg, []);
  assert.deepEqual(unreachable["0_4"]!.Jpeg, [
    "conv DRAW (payload rates 0.05–0.2 bits/dim over the settings swept)",
  ]);
  assert.equal(metrics.psnrGainOverBestWebpAt0_1, null, "no WebP rows");
  assert.deepEqual(reach.J2k, { lo: 0.3, hi: 0.6 });
});

Deno.test("psnrTargetRows() gives each image its cheapest point that reaches the target", () => {
  // two ratio settings, two images: image 0 reaches 20 dB only at the dearer setting
  const measured = [
    { payload: [0.3, 0.3], total: [1.3, 1.3], psnr: [18, 22], ssim: [0.5, 0.6] },
    { payload: [0.6, 0.6], total: [1.6, 1.6], psnr: [24, 27], ssim: [0.7, 0.8] },
  ];
  const [r20, ...rest] = psnrTargetRows(measured, [20, 30], 3);
  assert.equal(rest.length, 0, "no row for a target that an image never reaches");
  assert.ok(Math.abs(r20!.bpdPayload - 0.45) < 1e-12 && r20!.psnr === 23);
  assert.equal(r20!.method, "JPEG 2000 3 levels, PSNR target (-q style)");
});

Deno.test("compareAtLevels() uses conv DRAW's measured files, the ideal KL rate only when asked", () => {
  const ideal = {
    ...row("conv DRAW", "conv DRAW ideal KL rate (prior mean)", 0.1, 30),
    measuredBytes: false,
  };
  const rows = [
    ideal,
    row("conv DRAW", "conv DRAW coded Δ=2σ (prior mean)", 0.1, 12),
    row("conv DRAW", "conv DRAW coded Δ=2σ (prior mean)", 0.4, 15),
    row("JPEG", "JPEG a", 0.1, 13),
    row("JPEG", "JPEG a", 0.4, 20),
  ];
  const measured = compareAtLevels(rows, [0.1]).metrics;
  assert.equal(measured.psnrGainOverBestJpegAt0_1, 12 - 13, "the file loses by 1 dB");
  const fromKl = compareAtLevels(rows, [0.1], "ideal").metrics;
  assert.equal(fromKl.psnrGainOverBestJpegAt0_1, 30 - 13);
});
