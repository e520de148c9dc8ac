/**
 * The three data sets of the conv DRAW experiments and their binarization protocols.
 *
 * - `binarized_mnist`: the static Larochelle binarization (50k train / 10k test), the protocol
 *   of DRAW's 80.97 / 87.40 nats; no further binarization.
 * - `omniglot`: 28×28 grey sprites, seeded 15/5 per-character split (24,345 / 8,115). Train
 *   images are dynamically binarized (a fresh Bernoulli(pixel) draw per minibatch, the IWAE
 *   convention); test images are binarized once with a fixed seed, so the test ELBO is
 *   deterministic.
 * - `fashion_mnist`: 8-bit grey levels k/255 (60k / 10k) for the discretized logistic
 *   likelihood and the codec comparison.
 *
 * @module
 */
import { loadBinarizedMnist } from "../../datasets/binarized_mnist/mod.ts";
import type { ImageSet } from "../../datasets/binarized_mnist/mod.ts";
import { loadFashionMnist } from "../../datasets/fashion_mnist/mod.ts";
import { loadOmniglot } from "../../datasets/omniglot/mod.ts";
import { Rng } from "../../tasks/core/rng.ts";

/** Data set names the experiments accept. */
export type DrawDataset = "binarized_mnist" | "omniglot" | "fashion_mnist";

/** Train/test images and how train minibatches are binarized. */
export interface DrawData {
  name: DrawDataset;
  train: ImageSet;
  test: ImageSet;
  /** `dynamic`: Bernoulli-sample each train minibatch; `none`: use pixels as they are. */
  trainBinarization: "dynamic" | "none";
  /** One line describing the protocol, for result notes. */
  protocol: string;
}

/** Seed of the fixed binarization of the Omniglot test set. */
export const OMNIGLOT_TEST_BINARIZATION_SEED = 20160427;

/** Binarize grey levels once with a seeded Bernoulli draw (x_i ~ Bernoulli(p_i)). */
export function binarizeFixed(x: Float32Array, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from(x, (p) => rng.next() < p ? 1 : 0);
}

const cache = new Map<DrawDataset, DrawData>();

/** Load (once per process) one of the experiment data sets. */
export async function loadDrawData(name: DrawDataset): Promise<DrawData> {
  const hit = cache.get(name);
  if (hit) return hit;
  let data: DrawData;
  if (name === "binarized_mnist") {
    data = {
      name,
      train: await loadBinarizedMnist("train"),
      test: await loadBinarizedMnist("test"),
      trainBinarization: "none",
      protocol:
        "static binarized MNIST (Larochelle & Murray 2011): 50,000 train, 10,000 test, fixed 0/1 pixels",
    };
  } else if (name === "omniglot") {
    const { train, test } = await loadOmniglot();
    data = {
      name,
      train,
      test: { ...test, x: binarizeFixed(test.x, OMNIGLOT_TEST_BINARIZATION_SEED) },
      trainBinarization: "dynamic",
      protocol: "Omniglot 28x28, seeded 15/5 per-character split (24,345 train / 8,115 test); " +
        "train dynamically binarized per minibatch, test binarized once (seed " +
        `${OMNIGLOT_TEST_BINARIZATION_SEED})`,
    };
  } else {
    data = {
      name,
      train: await loadFashionMnist("train"),
      test: await loadFashionMnist("test"),
      trainBinarization: "none",
      protocol: "Fashion-MNIST 8-bit (60,000 train / 10,000 test), pixels k/255",
    };
  }
  cache.set(name, data);
  return data;
}
