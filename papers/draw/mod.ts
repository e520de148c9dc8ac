/**
 * Convolutional DRAW — Gregor, Besse, Rezende, Danihelka, Wierstra, "Towards Conceptual
 * Compression", NIPS 2016 (arXiv:1604.08772): model, training, and the paper's experiments
 * (ELBO tables on binarized MNIST and Omniglot, conceptual compression, rate–distortion against
 * JPEG and JPEG 2000).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { ConvDraw } from "./papers/draw/mod.ts";
 * const m = new ConvDraw({ height: 28, width: 28, s2d: 4, hidden: 32, zChannels: 4,
 *   iterations: 6, kernel: 3, likelihood: "bernoulli", seed: 1 });
 * const loss = tf.tidy(() => m.loss(tf.zeros([2, 28, 28, 1]), 1)); // −ELBO, nats/image
 * ```
 * @module
 */
import type { Paper, PublishedFile } from "../../tasks/core/experiment.ts";
import published from "./published.json" with { type: "json" };
import { experiment as bitsBack } from "./experiments/bits_back.ts";
import { experiment as conceptualCompression } from "./experiments/conceptual_compression.ts";
import { experiment as elboMnist } from "./experiments/elbo_mnist.ts";
import { experiment as elboOmniglot } from "./experiments/elbo_omniglot.ts";
import { experiment as elboTableMnist } from "./experiments/elbo_table_mnist.ts";
import { experiment as elboTableOmniglot } from "./experiments/elbo_table_omniglot.ts";
import { experiment as rateDistortion } from "./experiments/rate_distortion.ts";

export { ConvDraw, type ConvDrawConfig, type PriorVariant } from "./conv_draw.ts";
export { evaluate, train, type TrainConfig, trainStep } from "./train.ts";
export { ReplicaPool } from "./replica_pool.ts";
export { conv2dSame } from "./conv_ops.ts";

/** The paper's registry entry. */
export const paper: Paper = {
  id: "draw",
  title: "Towards Conceptual Compression (convolutional DRAW)",
  arxiv: "arXiv:1604.08772",
  experiments: [
    elboMnist,
    elboOmniglot,
    conceptualCompression,
    rateDistortion,
    bitsBack,
    elboTableMnist,
    elboTableOmniglot,
  ],
  published: published as PublishedFile,
};
export {
  compressCommand,
  type CompressReport,
  decompressCommand,
  measureCommand,
  readyBackend,
} from "./codec_cli.ts";
