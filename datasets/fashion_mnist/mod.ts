/**
 * Fashion-MNIST (Xiao et al. 2017, MIT licence), 8-bit 28×28 grey images, 60,000 train /
 * 10,000 test. Read from the Debian package `dataset-fashion-mnist`
 * (`/usr/share/datasets/fashion-mnist/*.gz`); on other machines `deno task data fashion_mnist`
 * downloads the same gzipped IDX files from the upstream GitHub repository.
 *
 * @example
 * ```ts
 * import { loadFashionMnist } from "./datasets/fashion_mnist/mod.ts";
 * const test = await loadFashionMnist("test"); // test.x: [10000 * 784] in [0, 1] (k / 255)
 * ```
 * @module
 */
import {
  type DatasetSpec,
  gunzip,
  type ImageSet,
  parseIdxImages,
  parseIdxLabels,
  readVerified,
} from "../_files.ts";

const RAW = "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion";

/** The four gzipped IDX files (sha256 of the .gz files of Debian 0.0~git20200523.55506a9-1). */
export const FASHION_MNIST: DatasetSpec = {
  name: "fashion_mnist",
  description: "Fashion-MNIST 8-bit, 60k/10k (Debian dataset-fashion-mnist or upstream GitHub)",
  fix: "apt-get install -y dataset-fashion-mnist (or: deno task data fashion_mnist)",
  extraDirs: () => ["/usr/share/datasets/fashion-mnist"],
  files: [
    ["train-images-idx3-ubyte.gz", "SHA_TRAIN_IMAGES"],
    ["train-labels-idx1-ubyte.gz", "SHA_TRAIN_LABELS"],
    ["t10k-images-idx3-ubyte.gz", "SHA_TEST_IMAGES"],
    ["t10k-labels-idx1-ubyte.gz", "SHA_TEST_LABELS"],
  ].map(([name, sha256]) => ({ name, sha256, url: `${RAW}/${name}` })),
};

/**
 * Load a Fashion-MNIST split.
 * @returns images `[n * 784]` as k / 255 (exact 8-bit levels) and labels `[n]`.
 */
export async function loadFashionMnist(split: "train" | "test"): Promise<ImageSet> {
  const stem = split === "train" ? "train" : "t10k";
  const img = parseIdxImages(
    await gunzip(await readVerified(FASHION_MNIST, `${stem}-images-idx3-ubyte.gz`)),
  );
  const labels = parseIdxLabels(
    await gunzip(await readVerified(FASHION_MNIST, `${stem}-labels-idx1-ubyte.gz`)),
  );
  const x = new Float32Array(img.pixels.length);
  for (let i = 0; i < x.length; i++) x[i] = img.pixels[i] / 255;
  return { x, n: img.n, h: img.rows, w: img.cols, labels };
}
