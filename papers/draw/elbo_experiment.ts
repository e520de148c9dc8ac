/**
 * The ELBO-table experiment, one instance per binary data set (static binarized MNIST,
 * Omniglot): train conv DRAW, report the test negative ELBO in nats per image, its
 * reconstruction and per-iteration KL parts, and the training curve.
 *
 * @module
 */
import type { Experiment, Limits } from "../../tasks/core/experiment.ts";
import type { LinePlotSpec } from "../../tasks/core/figure.ts";
import { seedStat } from "../../tasks/core/stats.ts";
import { type DrawDataset, loadDrawData } from "./data.ts";
import { evaluate } from "./train.ts";
import { type ModelFields, withTrainedModel } from "./trained.ts";

/** Config of an ELBO experiment (flat): the model and training fields, and the test-set size. */
export type ElboConfig = ModelFields & {
  /** Test images evaluated (capped at the test-set size). */
  testImages: number;
};

const LN2 = Math.LN2;

/** A cell: one seed on the experiment's data set. */
export interface ElboParams {
  dataset: DrawDataset;
}

/** Output of one cell: the trained model's test ELBO, its parts and its training curve. */
export interface ElboCell {
  dataset: DrawDataset;
  protocol: string;
  /** Scalar parameters of the model. */
  params: number;
  latentUnitsPerIteration: number;
  testImages: number;
  testNelboNats: number;
  testReconNats: number;
  testKlNats: number;
  klPerIterNats: number[];
  klPerIterBits: number[];
  curve: { step: number; loss: number }[];
  trainSeconds: number;
  /** True when the weights came from the model cache (trained earlier). */
  fromCache: boolean;
  cacheKey: string;
  replicas: number;
}

/**
 * Default-profile Adam steps per data set (ours), sized by wall time on two cores (each model's
 * training within a 30-minute budget). `conceptual_compression`
 * uses the `binarized_mnist` entry, so it reuses `elbo_mnist`'s model from the weight cache.
 */
export const DEFAULT_STEPS: Record<DrawDataset, number> = {
  // Sized by wall time: with the engine's relaxed-SIMD GEMM convolutions a batch-16 step of two
  // replicas went from ≈ 0.265 s to ≈ 0.128 s (elbo_mnist's own log), so each set trains ≈ 1.9×
  // the steps it did in about the same minutes. Chosen by time, not by a test score.
  // MNIST fills elbo_mnist's 30-minute budget: 0.1205 s per step in a128817's run (771 s for
  // 6,400 steps), so 13,500 steps ≈ 27 min of training plus ≈ 20 s of test evaluation, with ≈ 9 %
  // headroom for a slower run. Chosen by time, not by a test score.
  binarized_mnist: 13500, // ≈ 27 min: 4.3 epochs
  omniglot: 1500, // ≈ 3.5 min: 1.0 epoch
  fashion_mnist: 950, // ≈ 2 min: 0.25 epoch
};

/**
 * The weights' moving-average decay per data set (ours; 0 = train on the raw weights). 0.999 (a
 * 1,000-step memory) was chosen on MNIST's validation split for its 13,500-step default (README,
 * "Tuning"); it was never validated for Omniglot's 1,500 or Fashion-MNIST's 950 steps, which keep
 * the raw weights (with it Omniglot's test bound was 130.15 against 108.31: seen, README).
 */
export const DEFAULT_EMA: Record<DrawDataset, number> = {
  binarized_mnist: 0.999,
  omniglot: 0,
  fashion_mnist: 0,
};

/** Profiles of the experiments that train on `dataset`; `steps` and `ema` differ per set. */
export function elboProfiles(
  dataset: DrawDataset,
): Record<"smoke" | "default" | "paper", ElboConfig> {
  const def: ElboConfig = {
    s2d: 4, // ours: 7×7 state resolution keeps a batch-16 step ≈ 0.35 s on two wasm threads
    hidden: 32, // ours
    zChannels: 4, // ours: 196 latent units per iteration
    iterations: 6, // ours (ports use 8–12)
    kernel: 3, // ours (notes: paper likely 5×5, ports 3×3–5×5)
    batch: 16, // ours: at a fixed CPU budget, 16 beat 32 (README, "Tuning")
    steps: DEFAULT_STEPS[dataset],
    lr: 3e-3, // ours: 3e-3 beat 2e-3 and 5e-3 (README, "Tuning")
    lrFinal: 3e-4, // ours
    clip: 500, // ours; loss is summed over pixels, so norms are in the hundreds
    ema: DEFAULT_EMA[dataset], // ours (see DEFAULT_EMA)
    replicas: 2, // data-parallel over the 2 cores of the target laptop/CI machine
    useCache: true,
    testImages: 100000, // whole test set
  };
  return {
    smoke: {
      ...def,
      hidden: 4,
      zChannels: 2,
      iterations: 2,
      batch: 8,
      steps: 8,
      testImages: 64,
      useCache: false,
      replicas: 2, // exercises the worker path in the tests
    },
    default: def,
    // For a GPU: closer to the ports' scale (kuleshov: 40 maps, T = 10; PyTorch port 256 maps).
    paper: {
      ...def,
      s2d: 2,
      hidden: 128,
      zChannels: 8,
      iterations: 16,
      kernel: 5,
      batch: 64,
      steps: 200000,
      lr: 1e-3,
      lrFinal: 1e-4,
      replicas: 1, // a GPU backend trains one replica anyway
    },
  };
}

/** Valid values of the model and training fields (shared by every conv DRAW experiment). */
export const MODEL_LIMITS: Limits<ModelFields> = {
  s2d: { oneOf: [1, 2, 4, 7] }, // must divide 28
  hidden: { min: 1, max: 512, integer: true },
  zChannels: { min: 1, max: 128, integer: true },
  iterations: { min: 1, max: 64, integer: true },
  kernel: { oneOf: [1, 3, 5, 7] },
  batch: { min: 1, max: 1024, integer: true },
  steps: { min: 1, max: 10_000_000, integer: true },
  lr: { min: 1e-9, max: 1 },
  lrFinal: { min: 1e-10, max: 1 },
  clip: { min: 0.001, max: 1e9 },
  replicas: { min: 1, max: 64, integer: true },
  ema: { min: 0, max: 0.99999 },
  useCache: { oneOf: [true, false] },
};

/** Valid values of an ELBO experiment's config. */
export const ELBO_LIMITS: Limits<ElboConfig> = {
  ...MODEL_LIMITS,
  testImages: { min: 1, max: 1_000_000, integer: true },
};

/** Build the ELBO experiment for one data set. */
export function elboExperiment(
  id: string,
  dataset: DrawDataset,
  reproduces: string,
): Experiment<ElboConfig, ElboParams, ElboCell> {
  return {
    id,
    version: 2, // 2: batch 16, lr 3e-3, data-parallel replicas, longer default training
    title: `Test negative ELBO of conv DRAW on ${dataset}`,
    reproduces,
    profiles: elboProfiles(dataset),
    limits: ELBO_LIMITS,
    seeds: { smoke: [1], default: [1], paper: [1, 2, 3] },
    cells: (_config, seeds) =>
      seeds.map((seed) => ({ id: `${dataset}/seed=${seed}`, seed, params: { dataset } })),
    async run(config, ctx) {
      const seed = ctx.cell.seed ?? 1;
      const data = await loadDrawData(dataset);
      return await withTrainedModel(dataset, config, seed, ctx.progress, async (tm) => {
        const { model, record, fromCache, pool } = tm;
        const ev = await evaluate(model, data.test, config.testImages, 7919 * seed, 250, pool);
        return {
          dataset,
          protocol: data.protocol,
          params: model.paramCount(),
          latentUnitsPerIteration: model.latentUnits(),
          testImages: ev.images,
          testNelboNats: ev.nelbo,
          testReconNats: ev.recon,
          testKlNats: ev.klTotal,
          klPerIterNats: ev.klPerIter,
          klPerIterBits: ev.klPerIter.map((k) => k / LN2),
          curve: record.curve.map((p) => ({ step: p.step, loss: p.loss })),
          trainSeconds: record.trainSeconds,
          fromCache,
          cacheKey: record.key,
          replicas: record.trainConfig.replicas ?? 1,
        };
      });
    },
    summarize(_config, cells) {
      const outs = cells.map((c) => c.output);
      const [first] = outs;
      if (!first) throw new Error(`${id}: summarize() got no cell`);
      type SeedMetric = "testNelboNats" | "testReconNats" | "testKlNats" | "trainSeconds";
      const stat = (k: SeedMetric) => seedStat(outs.map((o) => o[k]));
      const curveRows = cells.flatMap((c) =>
        c.output.curve.map((p) => ({ ...p, seed: `seed ${c.seed}` }))
      );
      const plot: LinePlotSpec = {
        title: `conv DRAW training loss on ${dataset} (minibatch −ELBO, nats)`,
        data: curveRows,
        x: { field: "step", title: "Adam step" },
        y: { field: "loss", title: "−ELBO (nats/image)" },
        color: "seed",
      };
      return {
        metrics: {
          dataset,
          testNelboNats: stat("testNelboNats"),
          testReconNats: stat("testReconNats"),
          testKlNats: stat("testKlNats"),
          klPerIterBits: first.klPerIterBits,
          params: first.params,
          testImages: first.testImages,
          trainSeconds: stat("trainSeconds"),
        },
        figures: [{
          name: `${id}_training`,
          caption: `Training curve on ${dataset}.`,
          plot,
        }],
        notes: [
          `Data: ${first.protocol}.`,
          "Single-sample ELBO bound on the test set (no importance sampling), nats per image.",
          ...outs.map((o) =>
            `seed cell ${o.cacheKey}: ${
              o.fromCache
                ? "weights loaded from the model cache (trained earlier by the same code and config)"
                : "trained in this run"
            }, training took ${o.trainSeconds.toFixed(0)} s`
          ),
        ],
      };
    },
  };
}
