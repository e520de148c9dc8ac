/**
 * Rae et al., "Scaling Memory-Augmented Neural Networks with Sparse Reads and Writes"
 * (NeurIPS 2016, arXiv:1610.09027): Sparse Access Memory with its memory outside the TF.js
 * tape, exact and hnswlib read candidates, the dense NTM/DAM baselines, and Figures 1a, 1b, 2.
 *
 * @example
 * ```ts
 * import { SamModel } from "./mod.ts";
 * ```
 * @module
 */
import type { Paper, PublishedFile } from "../../tasks/core/experiment.ts";
import published from "./published.json" with { type: "json" };
import { experiment as speed } from "./experiments/figure1a_speed.ts";
import { experiment as memory } from "./experiments/figure1b_memory.ts";
import { experiment as learning } from "./experiments/figure2_learning.ts";
import { experiment as omniglot } from "./experiments/figure4_omniglot.ts";
import { experiment as sdnc } from "./experiments/figure7_sdnc.ts";
import { experiment as generalisation } from "./experiments/figure8_generalisation.ts";
import { experiment as babi } from "./experiments/babi.ts";
import { experiment as curriculum } from "./experiments/figure3_curriculum.ts";

export { SamModel, type SamSpec } from "./sam.ts";
export { DenseModel, type DenseSpec } from "./dense.ts";
export { createModel, MODEL_NAMES, type ModelSizes } from "./models.ts";
export { train, type TrainOptions } from "./train.ts";
export { trainParallel } from "./train_parallel.ts";
export { TrainPool } from "./train_pool.ts";
export { runSamTrainBench, type SamTrainBenchOptions } from "./train_bench.ts";
export type { ModelName, PassResult, SequenceModel } from "./model.ts";

/** The SAM paper entry of the registry. */
export const paper: Paper = {
  id: "sam",
  title: "Scaling Memory-Augmented Neural Networks with Sparse Reads and Writes",
  arxiv: "arXiv:1610.09027",
  experiments: [speed, memory, learning, curriculum, omniglot, sdnc, generalisation, babi],
  published: published as PublishedFile,
};
