/**
 * Statically binarized MNIST (Larochelle & Murray 2011): 50,000 train / 10,000 valid / 10,000
 * test, values {0,1}. The split every "static binarization" NLL table uses (DRAW's 80.97 nats).
 *
 * Stored as 98 bytes per image (784 bits, MSB first). On CI it is read from
 * `../shared/data/binarized_mnist`; on a user's machine `deno task data binarized_mnist`
 * downloads Larochelle's `.amat` text files, packs them to the same bits, and verifies the
 * packed bytes' sha256.
 *
 * @example
 * ```ts
 * import { loadBinarizedMnist } from "./datasets/binarized_mnist/mod.ts";
 * const test = await loadBinarizedMnist("test"); // test.x: [10000 * 784] of 0/1
 * ```
 * @module
 */
import {
  type DataFile,
  type DatasetSpec,
  fetchBytes,
  type ImageSet,
  readVerified,
} from "../_files.ts";

export type { ImageSet };

const AMAT_BASE = "http://www.cs.toronto.edu/~larocheh/public/datasets/binarized_mnist";

/** Pack `.amat` text (one image per line, 784 space-separated 0/1) into 98 bytes per image. */
export function packAmat(text: string): Uint8Array {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  const out = new Uint8Array(lines.length * 98);
  lines.forEach((line, i) => {
    const v = line.split(/\s+/);
    if (v.length !== 784) throw new Error(`amat line ${i} has ${v.length} values, expected 784`);
    for (let b = 0; b < 98; b++) {
      let byte = 0;
      for (let k = 0; k < 8; k++) if (v[8 * b + k] === "1") byte |= 1 << (7 - k);
      out[i * 98 + b] = byte;
    }
  });
  return out;
}

/** Files and checksums (from ../shared/data/binarized_mnist/README.md). */
export const BINARIZED_MNIST: DatasetSpec = {
  name: "binarized_mnist",
  description: "Static binarized MNIST (Larochelle), 50k/10k/10k, packed bits",
  files: ([
    ["train", "727146c35424b019f3e350e1e69faa05644a0abaf787e3f4e1a9632220a13906"],
    ["valid", "a256ac44ae26be720fad8616a05ed6ecfd1619930d9a208379bb2a4405df5b6d"],
    ["test", "9fcd8da6f0fdf09b2ba30fe63a0bb784042a0de82563172530229b983e294ff2"],
  ] as const).map(([s, sha256]): DataFile => ({
    name: `binarized_mnist_${s}.bin`,
    sha256,
    bytes: s === "train" ? 4900000 : 980000,
    url: `${AMAT_BASE}/binarized_mnist_${s}.amat`,
  })),
  // Porting note: the .amat files are converted to packed bits before checking; their row order
  // is assumed to equal the shared copy's (not verifiable offline; a mismatch is a loud error).
  download: async (file) => packAmat(new TextDecoder().decode(await fetchBytes(file.url!))),
};

/** Unpack 98-byte records into floats 0/1. */
export function unpackBits(bytes: Uint8Array): Float32Array {
  const n = bytes.length / 98;
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 784; p++) x[i * 784 + p] = (bytes[i * 98 + (p >> 3)]! >> (7 - (p & 7))) & 1;
  }
  return x;
}

/**
 * Load a split of the static binarized MNIST.
 * @returns images `[n * 784]` with values 0/1 (no labels: the row order is not the IDX order).
 */
export async function loadBinarizedMnist(split: "train" | "valid" | "test"): Promise<ImageSet> {
  const bytes = await readVerified(BINARIZED_MNIST, `binarized_mnist_${split}.bin`);
  return { x: unpackBits(bytes), n: bytes.length / 98, h: 28, w: 28 };
}
