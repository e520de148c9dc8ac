/**
 * Rate–distortion on 8-bit Fashion-MNIST: conv DRAW's lossy mode (send iterations 1..k, rate =
 * Σ_{t≤k} KL_t, later latents from the prior mean or a prior sample) against JPEG (MozJPEG) and
 * JPEG 2000 (OpenJPEG), as bits per dimension vs PSNR and SSIM. Codec rates are counted as
 * entropy-coded payload (headers excluded, as the paper's low levels require) and as whole files.
 * The conv DRAW rate is the theoretical KL cost (no entropy coder was run), as in the paper.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { CellContext, CellSpec, Experiment } from "../../../tasks/core/experiment.ts";
import type { LinePlotSpec } from "../../../tasks/core/figure.ts";
import { j2kRoundTrip, jpegRoundTrip, psnr, ssimGrey, toBytes } from "../codecs.ts";
import type { PriorVariant } from "../conv_draw.ts";
import { loadDrawData } from "../data.ts";
import { ELBO_LIMITS, type ElboConfig, elboProfiles } from "../elbo_experiment.ts";
import { batchTensor } from "../train.ts";
import { withTrainedModel } from "../trained.ts";

type RdConfig = ElboConfig & {
  /** Test images every method encodes (the first N of the Fashion-MNIST test set). */
  rdImages: number;
  /** MozJPEG qualities swept. */
  jpegQualities: number[];
  /** OpenJPEG compression ratios swept (raw / file bytes). */
  j2kRatios: number[];
  /** The paper's compression levels, bits/dim (notes §1.5, [M]). */
  levels: number[];
};

const base = elboProfiles("fashion_mnist");
const sweep = {
  jpegQualities: [1, 5, 10, 15, 20, 30, 40, 60, 80, 95],
  j2kRatios: [1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 8],
  levels: [0.05, 0.1, 0.15, 0.2, 0.4, 0.8],
};
const profiles = {
  smoke: { ...base.smoke, rdImages: 8, ...sweep, jpegQualities: [5, 50], j2kRatios: [2, 4] },
  default: { ...base.default, rdImages: 500, ...sweep },
  paper: { ...base.paper, rdImages: 10000, ...sweep },
};

/** One measured point: a method at one setting, averaged over the images (metrics carry it). */
type RdRow = {
  method: string;
  setting: number;
  bpdPayload: number;
  bpdTotal: number;
  psnr: number;
  ssim: number;
};

/** A cell: conv DRAW (one seed) or one codec's sweep. */
interface RdParams {
  method: "draw" | "jpeg" | "j2k";
}

/** Output of a cell: its method's points. */
interface RdCell {
  rows: RdRow[];
}

function meanOf(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

async function drawRows(
  config: RdConfig,
  seed: number,
  ctx: CellContext<RdParams>,
): Promise<RdRow[]> {
  const data = await loadDrawData("fashion_mnist");
  return await withTrainedModel("fashion_mnist", config, seed, ctx.progress, async (tm) => {
    const model = tm.model;
    const T = model.cfg.iterations, D = 784;
    const rows: RdRow[] = [];
    const acc = new Map<string, { r: number[]; p: number[]; s: number[] }>();
    const nelbo: number[] = [];
    const B = 100;
    for (let s0 = 0; s0 < config.rdImages; s0 += B) {
      const idx = Array.from({ length: Math.min(B, config.rdImages - s0) }, (_, i) => s0 + i);
      const x = batchTensor(data.test, idx);
      const noise = 7 * seed + s0 + 1; // same noise → same posterior samples in elbo() and decode()
      const klT = tf.tidy(() => {
        const e = model.elbo(x, noise);
        return tf.stack([e.recon, ...e.kl], 1); // [b, 1 + T]
      });
      const kl = await klT.array() as number[][];
      klT.dispose();
      const orig = idx.map((i) => toBytes(data.test.x.subarray(i * D, (i + 1) * D)));
      kl.forEach((r) => nelbo.push(r.reduce((a, b) => a + b, 0)));
      for (const variant of ["mean", "sample"] as PriorVariant[]) {
        for (let k = 0; k <= T; k++) {
          const img = tf.tidy(() => model.decode(x, k, variant, noise));
          const v = await img.data();
          img.dispose();
          const key = `${variant}/${k}`;
          if (!acc.has(key)) acc.set(key, { r: [], p: [], s: [] });
          const a = acc.get(key)!;
          orig.forEach((o, j) => {
            const dec = toBytes(v.subarray(j * D, (j + 1) * D));
            const klOfImage = kl[j]!; // kl is [b, 1 + T]: one row per image of the batch
            a.r.push(klOfImage.slice(1, 1 + k).reduce((s, b) => s + b, 0) / Math.LN2 / D);
            a.p.push(psnr(o, dec));
            a.s.push(ssimGrey(o, dec, 28, 28));
          });
        }
      }
      x.dispose();
      ctx.progress.update(Math.min(config.rdImages, s0 + B), config.rdImages, "conv DRAW decode");
    }
    for (const [key, a] of acc) {
      const [variant, k] = key.split("/");
      const bpd = meanOf(a.r);
      rows.push({
        method: `conv DRAW (prior ${variant})`,
        setting: Number(k),
        bpdPayload: bpd,
        bpdTotal: bpd,
        psnr: meanOf(a.p),
        ssim: meanOf(a.s),
      });
    }
    rows.push({
      method: "conv DRAW lossless -ELBO",
      setting: T,
      bpdPayload: meanOf(nelbo) / Math.LN2 / D,
      bpdTotal: meanOf(nelbo) / Math.LN2 / D,
      psnr: 100,
      ssim: 1,
    });
    return rows;
  });
}

async function codecRows(config: RdConfig, codec: "jpeg" | "j2k"): Promise<RdRow[]> {
  const data = await loadDrawData("fashion_mnist");
  const settings = codec === "jpeg" ? config.jpegQualities : config.j2kRatios;
  const rows: RdRow[] = [];
  for (const setting of settings) {
    const p: number[] = [], t: number[] = [], ps: number[] = [], ss: number[] = [];
    for (let i = 0; i < config.rdImages; i++) {
      const o = toBytes(data.test.x.subarray(i * 784, (i + 1) * 784));
      const r = codec === "jpeg"
        ? await jpegRoundTrip(o, 28, 28, setting)
        : await j2kRoundTrip(o, 28, 28, setting);
      p.push(r.payloadBytes * 8 / 784);
      t.push(r.totalBytes * 8 / 784);
      ps.push(psnr(o, r.decoded));
      ss.push(ssimGrey(o, r.decoded, 28, 28));
    }
    rows.push({
      method: codec === "jpeg" ? "JPEG" : "JPEG 2000",
      setting,
      bpdPayload: meanOf(p),
      bpdTotal: meanOf(t),
      psnr: meanOf(ps),
      ssim: meanOf(ss),
    });
  }
  return rows;
}

/** Legend-sized method names. */
function shortName(method: string): string {
  return method.replace("conv DRAW (prior mean)", "DRAW prior-mean")
    .replace("conv DRAW (prior sample)", "DRAW prior-sample").replace("JPEG 2000", "J2K");
}

/** Linear interpolation of `field` at rate `level` along a method's points sorted by rate; null outside. */
export function interpolateAt(
  points: { rate: number; value: number }[],
  level: number,
): number | null {
  const s = [...points].sort((a, b) => a.rate - b.rate);
  for (let i = 0; i + 1 < s.length; i++) {
    const a = s[i]!, b = s[i + 1]!;
    if (a.rate <= level && level <= b.rate) {
      const w = b.rate === a.rate ? 0 : (level - a.rate) / (b.rate - a.rate);
      return a.value + w * (b.value - a.value);
    }
  }
  return null;
}

export const experiment: Experiment<RdConfig, RdParams, RdCell> = {
  id: "rate_distortion",
  version: 2, // 2: the Fashion-MNIST model trained as the elbo experiments v2
  title: "Rate–distortion: conv DRAW vs JPEG and JPEG 2000 on 8-bit Fashion-MNIST",
  reproduces: "Lossy compression figure (conv DRAW vs JPEG / JPEG 2000 at 0.05–0.8 bits/dim)",
  profiles,
  limits: {
    ...ELBO_LIMITS,
    rdImages: { min: 1, max: 10_000, integer: true },
    jpegQualities: { nonEmpty: true, distinct: true, min: 1, max: 100, integer: true },
    j2kRatios: { nonEmpty: true, distinct: true, min: 1, max: 1000 },
    levels: { nonEmpty: true, distinct: true, min: 0.001, max: 8 },
  },
  seeds: { smoke: [1], default: [1], paper: [1] },
  cells: (_c, seeds): CellSpec<RdParams>[] => [
    ...seeds.map((seed): CellSpec<RdParams> => ({
      id: `conv_draw/seed=${seed}`,
      seed,
      params: { method: "draw" },
    })),
    { id: "jpeg", params: { method: "jpeg" } },
    { id: "j2k", params: { method: "j2k" } },
  ],
  async run(config, ctx) {
    const method = ctx.cell.params.method;
    const rows = method === "draw"
      ? await drawRows(config, ctx.cell.seed ?? 1, ctx)
      : await codecRows(config, method);
    return { rows };
  },
  summarize(config, cells) {
    const rows = cells.flatMap((c) => c.output.rows);
    const lossy = rows.filter((r) => !r.method.includes("lossless"));
    const plotRows: (RdRow & { series: string; bytes: string; bpd: number })[] = [
      ...lossy.map((r) => ({
        ...r,
        series: `${shortName(r.method)}${r.method.startsWith("conv") ? "" : " payload"}`,
        bytes: "payload / KL",
        bpd: r.bpdPayload,
      })),
      ...lossy.filter((r) => !r.method.startsWith("conv")).map((r) => ({
        ...r,
        series: `${shortName(r.method)} file`,
        bytes: "whole file",
        bpd: r.bpdTotal,
      })),
    ].filter((r) => r.bpd > 0 && r.bpd <= 3); // log axis: k = 0 (rate 0) is in the table only
    const figs = [];
    for (
      const [field, title] of [["psnr", "PSNR (dB)"], [
        "ssim",
        "SSIM (original, 11 px window)",
      ]] as const
    ) {
      const plot: LinePlotSpec = {
        title: `Fashion-MNIST 28x28, ${config.rdImages} test images: ${title} vs rate`,
        data: plotRows.map((r) => ({
          bpd: r.bpd,
          [field]: r[field],
          series: r.series,
          bytes: r.bytes,
        })),
        x: { field: "bpd", title: "bits per dimension (log)", log: true },
        y: { field, title },
        color: "series",
        dashField: "bytes",
      };
      figs.push({
        name: `rate_distortion_${field}`,
        caption:
          `${title} vs bits/dim (codec payload solid, codec whole files dashed; conv DRAW at its KL rate).`,
        plot,
      });
    }
    const methods = [...new Set(lossy.map((r) => r.method))];
    const atLevels = config.levels.map((level) => {
      const row: Record<string, number | null> = { bitsPerDim: level };
      for (const m of methods) {
        const pts = lossy.filter((r) => r.method === m);
        row[`${m} PSNR`] = interpolateAt(
          pts.map((r) => ({ rate: r.bpdPayload, value: r.psnr })),
          level,
        );
        row[`${m} SSIM`] = interpolateAt(
          pts.map((r) => ({ rate: r.bpdPayload, value: r.ssim })),
          level,
        );
      }
      return row;
    });
    const lossless = rows.find((r) => r.method.includes("lossless"));
    // Matched-rate comparison at conv DRAW's full rate (all T iterations sent, k = T).
    const drawMean = lossy.filter((r) => r.method === "conv DRAW (prior mean)");
    const full = drawMean.length
      ? drawMean.reduce((a, b) => (b.setting > a.setting ? b : a))
      : { bpdPayload: NaN, psnr: NaN, ssim: NaN };
    const codecAt = (m: string, f: "psnr" | "ssim") =>
      interpolateAt(
        lossy.filter((r) => r.method === m).map((r) => ({ rate: r.bpdPayload, value: r[f] })),
        full.bpdPayload,
      );
    const gain = (ours: number, codec: number | null) =>
      codec === null || !Number.isFinite(codec) || !Number.isFinite(ours) ? null : ours - codec;
    const codecFloor = (m: string) => {
      const pts = lossy.filter((r) => r.method === m);
      return pts.length ? pts.reduce((a, b) => (b.bpdPayload < a.bpdPayload ? b : a)) : null;
    };
    return {
      metrics: {
        dataset: "fashion_mnist",
        rdImages: config.rdImages,
        rows,
        atLevels,
        drawLosslessBitsPerDim: lossless?.bpdPayload ?? null,
        drawFullRateBitsPerDim: full.bpdPayload,
        drawFullRatePsnr: full.psnr,
        drawFullRateSsim: full.ssim,
        jpegPsnrAtDrawFullRate: codecAt("JPEG", "psnr"),
        jpegSsimAtDrawFullRate: codecAt("JPEG", "ssim"),
        j2kPsnrAtDrawFullRate: codecAt("JPEG 2000", "psnr"),
        // The paper's claim ("compares favorably to JPEG and JPEG 2000") as a number: conv DRAW's
        // distortion minus JPEG's at the same payload rate (DRAW's full rate).
        psnrGainOverJpegAtDrawFullRateDb: gain(full.psnr, codecAt("JPEG", "psnr")),
        ssimGainOverJpegAtDrawFullRate: gain(full.ssim, codecAt("JPEG", "ssim")),
        jpegFloor: codecFloor("JPEG"),
        j2kFloor: codecFloor("JPEG 2000"),
      },
      figures: figs,
      notes: [
        "Rates in bits per dimension (784 dims per image). Codec payload = entropy-coded bytes only (JPEG: SOS header end to EOI; J2K: after SOD to EOC); whole-file rates are in `rows` (bpdTotal).",
        "conv DRAW rate = Σ_{t≤k} KL_t (theoretical relative-entropy cost; no entropy coder run). Sent latents are posterior samples; later ones prior mean or prior sample.",
        "Distortion on 8-bit images: PSNR = 10 log10(255²/MSE) averaged over images; SSIM from ssim.js {ssim: 'original'}.",
      ],
    };
  },
};
