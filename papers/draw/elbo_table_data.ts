/**
 * The ELBO table's splits: train, validation and test of static binarized MNIST (Larochelle &
 * Murray: 50,000 / 10,000 / 10,000) and of Omniglot (this project's seeded 15/5 per-character
 * split, with 1,345 training images held out at random for validation, the size of the IWAE
 * code's Omniglot validation set; the validation and test images are binarized once, the training
 * images per minibatch).
 *
 * @module
 */
import { loadBinarizedMnist } from "../../datasets/binarized_mnist/mod.ts";
import type { ImageSet } from "../../datasets/binarized_mnist/mod.ts";
import { Rng } from "../../tasks/core/rng.ts";
import { binarizeFixed, loadDrawData } from "./data.ts";

/** The data sets the table is built on. */
export type TableDataset = "binarized_mnist" | "omniglot";

/** Training, validation and test images of a table data set. */
export interface TableSplits {
  train: ImageSet;
  valid: ImageSet;
  test: ImageSet;
  /** True when training minibatches are Bernoulli-sampled from grey levels. */
  binarizeTrain: boolean;
  /** One line describing the splits, for result notes. */
  protocol: string;
}

/** Omniglot training images held out for validation. */
export const OMNIGLOT_VALID_IMAGES = 1345;

/** Seeds of the Omniglot validation draw and of its fixed binarization. */
const OMNIGLOT_VALID_SEED = 123, OMNIGLOT_VALID_BINARIZATION_SEED = 20161201;

function gather(set: ImageSet, idx: number[]): ImageSet {
  const d = set.h * set.w;
  const x = new Float32Array(idx.length * d);
  idx.forEach((i, k) => x.set(set.x.subarray(i * d, (i + 1) * d), k * d));
  return { x, n: idx.length, h: set.h, w: set.w };
}

/** Load the splits of one table data set. */
export async function loadTableSplits(dataset: TableDataset): Promise<TableSplits> {
  if (dataset === "binarized_mnist") {
    return {
      train: await loadBinarizedMnist("train"),
      valid: await loadBinarizedMnist("valid"),
      test: await loadBinarizedMnist("test"),
      binarizeTrain: false,
      protocol: "static binarized MNIST (Larochelle & Murray 2011): 50,000 train / " +
        "10,000 validation / 10,000 test, fixed 0/1 pixels",
    };
  }
  const data = await loadDrawData("omniglot");
  const order = new Rng(OMNIGLOT_VALID_SEED).shuffle(
    Array.from({ length: data.train.n }, (_, i) => i),
  );
  const validIdx = order.slice(0, OMNIGLOT_VALID_IMAGES).sort((a, b) => a - b);
  const trainIdx = order.slice(OMNIGLOT_VALID_IMAGES).sort((a, b) => a - b);
  const valid = gather(data.train, validIdx);
  return {
    train: gather(data.train, trainIdx),
    valid: { ...valid, x: binarizeFixed(valid.x, OMNIGLOT_VALID_BINARIZATION_SEED) },
    test: data.test,
    binarizeTrain: true,
    protocol: `${data.protocol}; ${OMNIGLOT_VALID_IMAGES} training images held out at random ` +
      `(seed ${OMNIGLOT_VALID_SEED}) for validation, binarized once (seed ` +
      `${OMNIGLOT_VALID_BINARIZATION_SEED}), so ${data.train.n - OMNIGLOT_VALID_IMAGES} train`,
  };
}
