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
  type DataFile,
  type DatasetSpec,
  gunzip,
  type ImageSet,
  parseIdxImages,
  parseIdxLabels,
  readVerified,
} from "../_files.ts";

const RAW = "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion";

/**
 * The four gzipped IDX files; sha256 of the decompressed IDX bytes (Debian re-compresses them,
 * so the .gz bytes differ from upstream's; the content is what is checked).
 */
export const FASHION_MNIST: DatasetSpec = {
  name: "fashion_mnist",
  description: "Fashion-MNIST 8-bit, 60k/10k (Debian dataset-fashion-mnist or upstream GitHub)",
  fix: "apt-get install -y dataset-fashion-mnist (or: deno task data fashion_mnist)",
  extraDirs: () => ["/usr/share/datasets/fashion-mnist"],
  files: ([
    [
      "train-images-idx3-ubyte.gz",
      "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ],
    [
      "train-labels-idx1-ubyte.gz",
      "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ],
    [
      "t10k-images-idx3-ubyte.gz",
      "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ],
    [
      "t10k-labels-idx1-ubyte.gz",
      "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ],
  ] as const).map(([name, sha256]): DataFile => ({
    name,
    sha256,
    gzip: true,
    url: `${RAW}/${name}`,
  })),
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
  const x = Float32Array.from(img.pixels, (v) => v / 255);
  return { x, n: img.n, h: img.rows, w: img.cols, labels };
}
