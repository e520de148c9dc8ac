/**
 * Conceptual compression (the paper's lossy mode): per-iteration KL in bits on the MNIST test
 * set, and reconstructions when only the first k iterations' latents are sent and the rest are
 * taken from the learned prior (its mean, or a sample). Reuses the `elbo_mnist` model (same
 * config → same cached weights).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Experiment, NoParams } from "../../../tasks/core/experiment.ts";
import { imageGridPng, type LinePlotSpec } from "../../../tasks/core/figure.ts";
import type { PriorVariant } from "../conv_draw.ts";
import { loadDrawData } from "../data.ts";
import { ELBO_LIMITS, type ElboConfig, elboProfiles } from "../elbo_experiment.ts";
import { batchTensor, evaluate } from "../train.ts";
import { withTrainedModel } from "../trained.ts";

/** Config: the `elbo_mnist` model fields plus how many test images to show and measure. */
type ConceptualConfig = ElboConfig & {
  /** Test images shown in the grids (columns). */
  gridImages: number;
};

const base = elboProfiles("binarized_mnist"); // the elbo_mnist model
const profiles = {
  smoke: { ...base.smoke, testImages: 64, gridImages: 4 },
  default: { ...base.default, testImages: 10000, gridImages: 10 }, // whole test set: it is stored in class blocks
  paper: { ...base.paper, testImages: 10000, gridImages: 10 },
};

/** Image rows as grey levels rounded to 1/1000, one row of 784 per image. */
type Grid = number[][];

/** Output of the cell: per-iteration KL on the test set and the decoded image grids. */
interface ConceptualCell {
  klPerIterBits: number[];
  testNelboNats: number;
  testImages: number;
  /** Test images then decodes with k = 0..T sent iterations, per prior variant; prior samples. */
  grids: { mean: Grid; sample: Grid; prior: Grid };
  fromCache: boolean;
  cacheKey: string;
}

/** Images `[n, 784]` of one decode as separate Float32Arrays. */
async function split(t: tf.Tensor): Promise<Float32Array[]> {
  const v = await t.data() as Float32Array;
  const d = 784;
  return Array.from({ length: v.length / d }, (_, i) => v.slice(i * d, (i + 1) * d));
}

export const experiment: Experiment<ConceptualConfig, NoParams, ConceptualCell> = {
  id: "conceptual_compression",
  version: 2, // 2: the elbo_mnist v2 model
  title: "Conceptual compression: per-iteration KL and partial-latent reconstructions (MNIST)",
  reproduces: "Conceptual compression figure (reconstructions from the first k iterations)",
  profiles,
  limits: { ...ELBO_LIMITS, gridImages: { min: 1, max: 100, integer: true } },
  seeds: { smoke: [1], default: [1], paper: [1] },
  cells: (_c, seeds) =>
    seeds.map((seed) => ({ id: `binarized_mnist/seed=${seed}`, seed, params: {} })),
  async run(config, ctx) {
    const seed = ctx.cell.seed ?? 1;
    const data = await loadDrawData("binarized_mnist");
    return await withTrainedModel("binarized_mnist", config, seed, ctx.progress, async (tm) => {
      const { model, fromCache, record, pool } = tm;
      const ev = await evaluate(model, data.test, config.testImages, 104729 * seed, 250, pool);
      const T = model.cfg.iterations, n = config.gridImages;
      const rounded = (images: Float32Array[]): Grid =>
        images.map((r) => Array.from(r, (v) => Math.round(v * 1000) / 1000));
      const decoded: Record<PriorVariant, Grid> = { mean: [], sample: [] };
      // Grid images spread evenly over the test set (the static binarized test set is stored in
      // blocks of similar digits, so the first n would all look alike).
      const stride = Math.floor(data.test.n / n);
      const x = batchTensor(data.test, Array.from({ length: n }, (_, i) => i * stride));
      for (const variant of ["mean", "sample"] as const) {
        const rows: Float32Array[] = [...await split(x)];
        for (let k = 0; k <= T; k++) {
          const img = tf.tidy(() => model.decode(x, k, variant, 31 * seed + 1));
          rows.push(...await split(img));
          img.dispose();
        }
        decoded[variant] = rounded(rows);
      }
      x.dispose();
      const samples = tf.tidy(() => model.decode(null, 0, "sample", 977 * seed, 2 * n));
      const prior = rounded(await split(samples));
      samples.dispose();
      return {
        klPerIterBits: ev.klPerIter.map((k) => k / Math.LN2),
        testNelboNats: ev.nelbo,
        testImages: ev.images,
        grids: { ...decoded, prior },
        fromCache,
        cacheKey: record.key,
      };
    });
  },
  summarize(config, cells) {
    const [first] = cells;
    if (!first) throw new Error("conceptual_compression: summarize() got no cell");
    const o = first.output;
    const kl = o.klPerIterBits;
    const total = kl.reduce((a, b) => a + b, 0);
    let cum = 0;
    const rows = kl.map((b, t) => {
      cum += b;
      return {
        iteration: t + 1,
        klBits: b,
        cumulativeBitsPerDim: cum / 784,
        series: "KL_t (bits)",
      };
    });
    const plot: LinePlotSpec = {
      title: "conv DRAW on MNIST: KL per iteration (bits/image)",
      data: rows,
      x: { field: "iteration", title: "iteration t" },
      y: { field: "klBits", title: "KL(q_t || p_t), bits" },
    };
    const toF = (g: Grid) => g.map((r) => Float32Array.from(r));
    const n = config.gridImages;
    return {
      metrics: {
        dataset: "binarized_mnist",
        klPerIterBits: kl,
        klTotalBits: total,
        klFirstHalfFraction: kl.slice(0, Math.ceil(kl.length / 2)).reduce((a, b) => a + b, 0) /
          total,
        cumulativeBitsPerDim: rows.map((r) => r.cumulativeBitsPerDim),
        testNelboNats: o.testNelboNats,
        testImages: o.testImages,
      },
      figures: [
        {
          name: "kl_per_iteration",
          caption: "KL per iteration (bits per image), MNIST test set.",
          plot,
        },
        {
          name: "reconstructions_prior_mean",
          caption:
            `Row 1: test images. Row k+2: decoded after sending iterations 1..k (k = 0..T); later latents = prior MEAN.`,
          png: imageGridPng(toF(o.grids.mean), 28, 28, n, 2),
        },
        {
          name: "reconstructions_prior_sample",
          caption: `As above, later latents SAMPLED from the learned prior.`,
          png: imageGridPng(toF(o.grids.sample), 28, 28, n, 2),
        },
        {
          name: "prior_samples",
          caption: "Samples from the learned prior (k = 0).",
          png: imageGridPng(toF(o.grids.prior), 28, 28, n, 2),
        },
      ],
      notes: [
        `Model: the elbo_mnist model (${
          o.fromCache ? "loaded from the model cache" : "trained in this run"
        }, key ${o.cacheKey}).`,
        "Sent latents are posterior samples (their expected cost is KL_t); reconstructions show the mean of p(x | r_T).",
      ],
    };
  },
};
