/**
 * Omniglot (Lake et al., MIT licence) at 28×28, all 1,623 characters × 20 drawers, from the
 * sprite sheets of GusRuss89/omniglot-data-preprocessor (CC0) at commit 29bf9a0.
 *
 * The Burda/IWAE split (24,345 train / 8,070 test) cannot be rebuilt from these sheets (the
 * drawer index is lost), so {@link loadOmniglot} uses a seeded per-character 15/5 split of
 * background + evaluation: 24,345 train / 8,115 test.
 *
 * @example
 * ```ts
 * import { loadOmniglot } from "./datasets/omniglot/mod.ts";
 * const { train, test } = await loadOmniglot(); // grey levels in [0, 1], ink = 1
 * ```
 * @module
 */
import { decode } from "fast-png";
import { Rng } from "../../tasks/core/rng.ts";
import { type DatasetSpec, type ImageSet, readVerified } from "../_files.ts";

const RAW =
  "https://raw.githubusercontent.com/GusRuss89/omniglot-data-preprocessor/29bf9a01969ee2d10443adeb21f5a6e542867050/output";

/** The four files with sha256 (from ../shared/data/omniglot/README.md). */
export const OMNIGLOT: DatasetSpec = {
  name: "omniglot",
  description: "Omniglot 28x28 sprite sheets (GusRuss89/omniglot-data-preprocessor@29bf9a0)",
  files: ([
    ["images_background.png", "644988456247c07d17b687db039dc73c1a45b2e59cbd51139e642d10564f96c5"],
    ["images_background.json", "058f73d89719f36d1b0b011246350aeaf851db427b928dcd6c75dfd54e1d5390"],
    ["images_evaluation.png", "7ebb762fed8279f52742147334416635e7293782917f35d9e0bb23ac62f0c347"],
    ["images_evaluation.json", "1ec9c125ec6d200aad42e49e83572fd4feaa45c9dfc722d1f7a3894ec7bc5acd"],
  ] as const).map(([name, sha256]) => ({ name, sha256, url: `${RAW}/${name}` })),
};

/** One sprite sheet decoded: `[n * 784]` grey levels in [0,1] and a character key per image. */
export interface OmniglotSheet extends ImageSet {
  /** `"<sheet>/<alphabet>/<charId>"` per image. */
  characters: string[];
}

/**
 * Decode one sprite sheet (20 images per row, 28×28 each, R = G = B, ink bright).
 * @param sheet `"background"` (19,280 images) or `"evaluation"` (13,180).
 */
export async function loadOmniglotSheet(
  sheet: "background" | "evaluation",
): Promise<OmniglotSheet> {
  const png = decode(await readVerified(OMNIGLOT, `images_${sheet}.png`));
  const labels: [string, string][] = JSON.parse(
    new TextDecoder().decode(await readVerified(OMNIGLOT, `images_${sheet}.json`)),
  );
  const n = labels.length, ch = png.channels, W = png.width;
  if (W !== 20 * 28 || png.height !== Math.ceil(n / 20) * 28) {
    throw new Error(
      `omniglot ${sheet}: sheet is ${W}x${png.height}, expected 560x${Math.ceil(n / 20) * 28}`,
    );
  }
  const scale = png.depth === 16 ? 65535 : 255;
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    const r0 = Math.floor(i / 20) * 28, c0 = (i % 20) * 28;
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        // red channel; in range: the sheet's size was checked above
        x[i * 784 + r * 28 + c] = png.data[((r0 + r) * W + c0 + c) * ch]! / scale;
      }
    }
  }
  const characters = labels.map(([id, alphabet]) => `${sheet}/${alphabet}/${id}`);
  return { x, n, h: 28, w: 28, characters };
}

/**
 * Train/test split of all 32,460 images: for each of the 1,623 characters, a seeded shuffle of
 * its 20 images puts 15 in train and 5 in test.
 * @param seed split seed (default 123, the seed the IWAE code shuffles Omniglot with).
 * @returns train (24,345 images) and test (8,115 images), grey levels in [0, 1].
 */
export async function loadOmniglot(seed = 123): Promise<{ train: ImageSet; test: ImageSet }> {
  const sheets = [await loadOmniglotSheet("background"), await loadOmniglotSheet("evaluation")];
  const byChar = new Map<string, [OmniglotSheet, number][]>();
  for (const s of sheets) {
    s.characters.forEach((key, i) => {
      if (!byChar.has(key)) byChar.set(key, []);
      byChar.get(key)!.push([s, i]);
    });
  }
  const rng = new Rng(seed);
  const trainIdx: [OmniglotSheet, number][] = [], testIdx: [OmniglotSheet, number][] = [];
  for (const key of [...byChar.keys()].sort()) {
    const items = rng.shuffle([...byChar.get(key)!]);
    const nTest = Math.round(items.length / 4); // 5 of 20
    testIdx.push(...items.slice(0, nTest));
    trainIdx.push(...items.slice(nTest));
  }
  const gather = (idx: [OmniglotSheet, number][]): ImageSet => {
    const x = new Float32Array(idx.length * 784);
    idx.forEach(([s, i], k) => x.set(s.x.subarray(i * 784, (i + 1) * 784), k * 784));
    return { x, n: idx.length, h: 28, w: 28 };
  };
  return { train: gather(trainIdx), test: gather(testIdx) };
}
