import assert from "node:assert/strict";
import { Rng } from "../../tasks/core/rng.ts";
import {
  type CharacterSet,
  loadCharacters,
  omniglotEpisode,
  type OmniglotEpisodeOptions,
  presentationErrors,
  splitCharacters,
  transformImage,
} from "./omniglot_episodes.ts";

/** A synthetic set: character c's drawing d is a distinct bright pixel pattern. */
function fakeSet(n: number, drawings = 20): CharacterSet {
  const images = Array.from({ length: n }, (_, c) => {
    const x = new Float32Array(drawings * 784);
    for (let d = 0; d < drawings; d++) x[d * 784 + ((c * 37 + d * 11) % 784)] = 1;
    return x;
  });
  return { keys: images.map((_, c) => `fake/${c}`), images };
}

const opts: OmniglotEpisodeOptions = {
  batch: 3,
  classes: 5,
  labels: 8,
  presentations: 10,
  size: 10,
  stretch: 0.2,
};

Deno.test("each step's input carries the previous step's label and its target is this step's label", () => {
  const ep = omniglotEpisode(new Rng(1), fakeSet(30), [...Array(30).keys()], opts);
  const S2 = opts.size ** 2, { T, B, X, Y } = ep;
  assert.equal(T, opts.classes * opts.presentations);
  assert.equal(ep.loss, "classes");
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const i = t * B + b;
      const inLabels = [...ep.input.subarray(i * X + S2, (i + 1) * X)];
      const want = new Array(Y).fill(0);
      if (t > 0) want[ep.label[i - B]!] = 1;
      assert.deepEqual(inLabels, want, `input label at (${t}, ${b})`);
      const tgt = [...ep.target.subarray(i * Y, (i + 1) * Y)];
      assert.equal(tgt.reduce((a, v) => a + v, 0), 1);
      assert.equal(tgt[ep.label[i]!], 1);
      assert.equal(ep.mask[i], 1);
    }
  }
});

Deno.test("each of the C characters appears 10 times with one label and 10 different drawings", () => {
  const chars = fakeSet(30);
  const ep = omniglotEpisode(new Rng(2), chars, [...Array(30).keys()], opts);
  for (let b = 0; b < ep.B; b++) {
    const byChar = new Map<number, { labels: Set<number>; pres: number[] }>();
    for (let t = 0; t < ep.T; t++) {
      const i = t * ep.B + b, c = ep.character[i]!;
      if (!byChar.has(c)) byChar.set(c, { labels: new Set(), pres: [] });
      byChar.get(c)!.labels.add(ep.label[i]!);
      byChar.get(c)!.pres.push(ep.presentation[i]!);
    }
    assert.equal(byChar.size, opts.classes);
    const labelsUsed = new Set<number>();
    for (const { labels, pres } of byChar.values()) {
      assert.equal(labels.size, 1, "one label per character");
      labelsUsed.add([...labels][0]!);
      assert.deepEqual(pres, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
    assert.equal(labelsUsed.size, opts.classes, "distinct labels");
  }
  // Ten different drawings per character: without stretch (which can push a pixel off the
  // frame) the one-pixel drawings stay distinct at S = 28.
  const ep2 = omniglotEpisode(new Rng(3), chars, [...Array(30).keys()], {
    ...opts,
    batch: 1,
    size: 28,
    stretch: 0,
  });
  const imgs = new Map<number, Set<string>>();
  for (let t = 0; t < ep2.T; t++) {
    const c = ep2.character[t]!;
    if (!imgs.has(c)) imgs.set(c, new Set());
    imgs.get(c)!.add(ep2.input.subarray(t * ep2.X, t * ep2.X + 784).join(","));
  }
  for (const s of imgs.values()) assert.equal(s.size, 10);
});

Deno.test("the split is by character and a training episode never shows a test or validation character", () => {
  const split = splitCharacters(200, { validation: 20, test: 50 }, 7);
  assert.equal(split.test.length, 50);
  assert.equal(split.validation.length, 20);
  assert.equal(split.train.length, 130);
  const all = new Set([...split.train, ...split.validation, ...split.test]);
  assert.equal(all.size, 200);
  const held = new Set([...split.validation, ...split.test]);
  const chars = fakeSet(200);
  const rng = new Rng(4);
  for (let k = 0; k < 20; k++) {
    const ep = omniglotEpisode(rng, chars, split.train, opts);
    for (const c of ep.character) assert.ok(!held.has(c), `held-out character ${c} in training`);
  }
  assert.throws(() => splitCharacters(10, { validation: 5, test: 5 }, 1), /no training/);
});

Deno.test("a quarter-turn rotation of the transform equals the transform of the rotated image", () => {
  const rng = new Rng(5), src = new Float32Array(784).map(() => rng.next());
  const rot = new Float32Array(784); // rot[r][c] = src[27 − c][r] (90° clockwise)
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) rot[r * 28 + c] = src[(27 - c) * 28 + r]!;
  }
  const a = new Float32Array(400), b = new Float32Array(400), c0 = new Float32Array(400);
  transformImage(src, 20, 1, 1, 1, a, 0);
  transformImage(src, 20, 3, 1, 1, c0, 0);
  transformImage(rot, 20, 0, 1, 1, b, 0);
  const diff = (x: Float32Array, y: Float32Array) =>
    x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
  assert.ok(Math.min(diff(a, b), diff(c0, b)) < 1e-5, "one of the quarter turns is the rotation");
  assert.ok(diff(a, c0) > 0.1, "quarter turns 1 and 3 differ");
  const s = new Float32Array(400);
  transformImage(src, 20, 0, 1.2, 0.8, s, 0);
  const plain = new Float32Array(400);
  transformImage(src, 20, 0, 1, 1, plain, 0);
  assert.ok(diff(s, plain) > 0.1, "stretching changes the image");
});

Deno.test("presentationErrors counts wrong argmax labels on presentations 2–10 only", () => {
  const ep = omniglotEpisode(new Rng(6), fakeSet(30), [...Array(30).keys()], opts);
  const probs = new Float32Array(ep.target); // perfect
  assert.deepEqual(presentationErrors(ep, probs), {
    errors: 0,
    count: ep.B * opts.classes * (opts.presentations - 1),
  });
  const wrong = new Float32Array(ep.T * ep.B * ep.Y);
  for (let i = 0; i < ep.T * ep.B; i++) wrong[i * ep.Y + ((ep.label[i]! + 1) % ep.Y)] = 1;
  const e = presentationErrors(ep, wrong);
  assert.equal(e.errors, e.count);
  assert.equal(presentationErrors(ep, wrong, 1).count, ep.T * ep.B);
});

Deno.test("loadCharacters groups the real Omniglot sheets into 1,623 characters of 20 drawings", async () => {
  const chars = await loadCharacters();
  assert.equal(chars.keys.length, 1623);
  assert.ok(chars.images.every((x) => x.length === 20 * 784));
  const ep = omniglotEpisode(new Rng(8), chars, [0, 1, 2, 3], { ...opts, classes: 4 });
  const S2 = opts.size ** 2;
  let ink = 0;
  for (let i = 0; i < ep.T * ep.B; i++) {
    for (let j = 0; j < S2; j++) ink += ep.input[i * ep.X + j]!;
  }
  const mean = ink / (ep.T * ep.B * S2);
  assert.ok(mean > 0.02 && mean < 0.3, `resampled ink mean ${mean}`);
});
