/**
 * One-shot Omniglot episodes (Santoro et al. 2016; Rae et al. 2016 §4.5): a random subset of C
 * characters, each rotated by a random quarter turn and stretched along each axis, given a
 * random one-hot label out of L; C × 10 steps in a random order, each character shown 10 times
 * (10 different drawers). At step t the input is [image_t, one-hot label of step t − 1] (zeros
 * at t = 0) and the target is image_t's one-hot label, scored with a softmax over the L labels
 * (`loss: "classes"`). Characters are split train / validation / test by character, never by
 * image.
 * @module
 */
import { Rng } from "../../tasks/core/rng.ts";
import { emptyEpisode, type Episode } from "../../datasets/synthetic/mod.ts";
import { loadOmniglotSheet } from "../../datasets/omniglot/mod.ts";

/** All Omniglot characters: `images[c]` holds character c's drawings, 28 × 28 each, ink = 1. */
export interface CharacterSet {
  /** `"<sheet>/<alphabet>/<id>"`, sorted. */
  keys: string[];
  /** Per character: `[n_c * 784]` grey levels in [0, 1]. */
  images: Float32Array[];
}

let cached: Promise<CharacterSet> | null = null;

/** Load both sprite sheets (1,623 characters × 20 drawers) grouped by character; cached. */
export function loadCharacters(): Promise<CharacterSet> {
  cached ??= (async () => {
    const groups = new Map<string, Float32Array[]>();
    for (const sheet of ["background", "evaluation"] as const) {
      const s = await loadOmniglotSheet(sheet);
      s.characters.forEach((key, i) => {
        if (!groups.has(key)) groups.set(key, []);
        groups.get(key)!.push(s.x.subarray(i * 784, (i + 1) * 784));
      });
    }
    const keys = [...groups.keys()].sort();
    const images = keys.map((k) => {
      const list = groups.get(k)!, out = new Float32Array(list.length * 784);
      list.forEach((im, j) => out.set(im, j * 784));
      return out;
    });
    return { keys, images };
  })();
  return cached;
}

/** Character indices of each split. */
export interface CharacterSplit {
  train: number[];
  validation: number[];
  test: number[];
}

/**
 * Split `n` characters by character: a seeded shuffle puts `test` in test, the next
 * `validation` in validation and the rest in train (each list sorted).
 */
export function splitCharacters(
  n: number,
  sizes: { validation: number; test: number },
  seed: number,
): CharacterSplit {
  if (sizes.validation + sizes.test >= n) {
    throw new RangeError(
      `omniglot split: validation ${sizes.validation} + test ${sizes.test} leaves no training characters of ${n}`,
    );
  }
  const order = new Rng(seed).shuffle(Array.from({ length: n }, (_, i) => i));
  const sorted = (a: number[]) => a.sort((x, y) => x - y);
  return {
    test: sorted(order.slice(0, sizes.test)),
    validation: sorted(order.slice(sizes.test, sizes.test + sizes.validation)),
    train: sorted(order.slice(sizes.test + sizes.validation)),
  };
}

/** Episode sizes. */
export interface OmniglotEpisodeOptions {
  batch: number;
  /** Characters per episode C. */
  classes: number;
  /** Label vocabulary L ≥ C (the output width). */
  labels: number;
  /** Presentations per character (paper: 10). */
  presentations: number;
  /** Image side S (images resampled to S × S; Santoro: 20). */
  size: number;
  /** Stretch factors are drawn from U(1 − s, 1 + s) per axis and character. */
  stretch: number;
}

/** An episode plus what the error count and the split checks need. */
export interface OmniglotEpisode extends Episode {
  /** [T, B]: which presentation (1-based) of its character step t shows. */
  presentation: Uint8Array;
  /** [T, B]: the character index (into the CharacterSet) shown at step t. */
  character: Int32Array;
  /** [T, B]: the label of step t. */
  label: Int32Array;
}

/** Input and output widths: X = S² + L, Y = L. */
export function omniglotSizes(o: OmniglotEpisodeOptions): { X: number; Y: number } {
  return { X: o.size * o.size + o.labels, Y: o.labels };
}

/**
 * Resample a 28 × 28 image into `out[off .. off + S²]`: rotated by `quarter` × 90°, stretched by
 * (sx, sy) about the centre, bilinear with 2 × 2 supersampling (outside the source is 0).
 */
export function transformImage(
  src: Float32Array,
  S: number,
  quarter: number,
  sx: number,
  sy: number,
  out: Float32Array,
  off: number,
): void {
  const cos = [1, 0, -1, 0][quarter & 3]!, sin = [0, 1, 0, -1][quarter & 3]!;
  const at = (r: number, c: number) => (r < 0 || c < 0 || r > 27 || c > 27 ? 0 : src[r * 28 + c]!);
  const sample = (u: number, v: number) => {
    // u, v in [-0.5, 0.5] (output frame) → source frame: undo the stretch, then the rotation.
    const a = u / sx, b = v / sy;
    const x = (cos * a + sin * b + 0.5) * 28 - 0.5, y = (-sin * a + cos * b + 0.5) * 28 - 0.5;
    const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
    return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
      fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
  };
  for (let r = 0; r < S; r++) {
    for (let c = 0; c < S; c++) {
      let s = 0;
      for (const dr of [0.25, 0.75]) {
        for (const dc of [0.25, 0.75]) s += sample((c + dc) / S - 0.5, (r + dr) / S - 0.5);
      }
      out[off + r * S + c] = s / 4;
    }
  }
}

/**
 * One minibatch of episodes over the characters `pool` (indices into `chars`); each batch row
 * draws its own C characters, labels, rotations, stretches and order.
 */
export function omniglotEpisode(
  rng: Rng,
  chars: CharacterSet,
  pool: readonly number[],
  o: OmniglotEpisodeOptions,
): OmniglotEpisode {
  const { batch: B, classes: C, labels: L, presentations: P, size: S } = o;
  if (C > pool.length || C > L || C < 1) {
    throw new RangeError(
      `omniglot episode: ${C} characters need 1 ≤ C ≤ labels (${L}) and ≤ the pool (${pool.length})`,
    );
  }
  const T = C * P, { X, Y } = omniglotSizes(o), S2 = S * S;
  const ep = emptyEpisode(T, B, X, Y);
  const presentation = new Uint8Array(T * B), character = new Int32Array(T * B);
  const label = new Int32Array(T * B);
  for (let b = 0; b < B; b++) {
    const picked = rng.shuffle([...pool]).slice(0, C);
    const labs = rng.shuffle(Array.from({ length: L }, (_, i) => i)).slice(0, C);
    const aug = picked.map(() => ({
      quarter: rng.int(4),
      sx: 1 + o.stretch * (2 * rng.next() - 1),
      sy: 1 + o.stretch * (2 * rng.next() - 1),
    }));
    const drawings = picked.map((ch) => {
      const n = chars.images[ch]!.length / 784;
      if (n < P) throw new RangeError(`omniglot episode: character ${ch} has ${n} < ${P} drawings`);
      return rng.shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, P);
    });
    const order = rng.shuffle(Array.from({ length: T }, (_, i) => i % C));
    const seen = new Array<number>(C).fill(0);
    for (let t = 0; t < T; t++) {
      const k = order[t]!, i = t * B + b, ch = picked[k]!, a = aug[k]!;
      const d = drawings[k]![seen[k]!]!;
      seen[k] = seen[k]! + 1;
      presentation[i] = seen[k]!;
      character[i] = ch;
      label[i] = labs[k]!;
      const img = chars.images[ch]!.subarray(d * 784, (d + 1) * 784);
      transformImage(img, S, a.quarter, a.sx, a.sy, ep.input, i * X);
      if (t > 0) ep.input[i * X + S2 + label[i - B]!] = 1;
      ep.target[i * Y + labs[k]!] = 1;
      ep.mask[i] = 1;
    }
  }
  return { ...ep, loss: "classes", presentation, character, label };
}

/**
 * Errors on presentations `from`..P: a step is an error when the most probable label
 * (`probs` [T, B, L]) is not its label.
 */
export function presentationErrors(
  ep: OmniglotEpisode,
  probs: Float32Array,
  from = 2,
): { errors: number; count: number } {
  let errors = 0, count = 0;
  for (let i = 0; i < ep.T * ep.B; i++) {
    if (ep.presentation[i]! < from) continue;
    let best = 0;
    for (let j = 1; j < ep.Y; j++) if (probs[i * ep.Y + j]! > probs[i * ep.Y + best]!) best = j;
    count++;
    if (best !== ep.label[i]) errors++;
  }
  return { errors, count };
}
