import assert from "node:assert/strict";
import { loadBabi, parseBabi, Vocabulary } from "../../datasets/babi/mod.ts";
import {
  answersCorrect,
  babiCodec,
  babiEpisode,
  encodeQuestion,
  splitByStory,
  storyStarts,
} from "./babi_episodes.ts";

const STORY = [
  "1 Mary moved to the bathroom.",
  "2 John went to the hallway.",
  "3 Where is Mary? \tbathroom\t1",
  "4 Daniel went back to the hallway.",
  "5 Where is Daniel? \thallway\t4",
  "1 Sandra picked up the apple there.",
  "2 What is Sandra carrying? \tapple,milk\t1",
  "1 Mary moved to the bathroom.",
  "2 Where is Mary? \tbathroom\t1",
  "",
].join("\n");
const ex = parseBabi(STORY, "story");
const codec = babiCodec(Vocabulary.of(ex));

Deno.test("babiCodec() has one input per word plus the answer marker and one output per word", () => {
  assert.equal(codec.Y, codec.vocab.size);
  assert.equal(codec.X, codec.vocab.size + 1);
  assert.equal(codec.marker, codec.vocab.size);
  assert.equal(codec.vocab.words[0], "<pad>");
});

Deno.test("the bAbI vocabulary over all 20 tasks has about 150 words, as the paper says", async () => {
  const { vocab } = await loadBabi({ set: "en" });
  assert.ok(vocab.size >= 140 && vocab.size <= 170, `${vocab.size} words`);
});

Deno.test("encodeQuestion() feeds the context, then the question, then one marker per answer word", () => {
  const it = encodeQuestion(codec, 8, ex[2]!, 0);
  const w = (s: string) => codec.vocab.id(s);
  assert.deepEqual(it.input, [
    ...["sandra", "picked", "up", "the", "apple", "there"].map(w),
    ...["what", "is", "sandra", "carrying"].map(w),
    codec.marker,
    codec.marker,
  ]);
  assert.deepEqual(it.answer, [w("apple"), w("milk")]);
  assert.equal(it.task, 8);
});

Deno.test("encodeQuestion() keeps only the most recent maxSentences statements", () => {
  const all = encodeQuestion(codec, 1, ex[1]!, 0), last1 = encodeQuestion(codec, 1, ex[1]!, 1);
  assert.equal(all.input.length, 5 + 5 + 6 + 3 + 1);
  assert.deepEqual(last1.input, all.input.slice(10));
});

Deno.test("babiEpisode() scores exactly the answer steps, with the answer words as targets", () => {
  const items = [encodeQuestion(codec, 1, ex[0]!, 0), encodeQuestion(codec, 8, ex[2]!, 0)];
  const B = 3, ep = babiEpisode(codec, items, B);
  assert.equal(ep.T, Math.max(...items.map((i) => i.input.length)));
  for (const [b, it] of items.entries()) {
    const first = it.input.length - it.answer.length;
    for (let t = 0; t < ep.T; t++) {
      const hot = [...ep.input.subarray((t * B + b) * ep.X, (t * B + b + 1) * ep.X)];
      assert.equal(hot.reduce((s, v) => s + v, 0), t < it.input.length ? 1 : 0);
      if (t < it.input.length) assert.equal(hot[it.input[t]!], 1);
      const scored = ep.mask[t * B + b] === 1;
      assert.equal(scored, t >= first && t < it.input.length, `step ${t} of question ${b}`);
      const tgt = [...ep.target.subarray((t * B + b) * ep.Y, (t * B + b + 1) * ep.Y)];
      assert.equal(tgt.reduce((s, v) => s + v, 0), scored ? 1 : 0);
      if (scored) assert.equal(tgt[it.answer[t - first]!], 1);
    }
  }
  for (let t = 0; t < ep.T; t++) assert.equal(ep.mask[t * B + 2], 0, "the empty slot is unscored");
  assert.throws(() => babiEpisode(codec, [...items, ...items], B), /1…3 questions/);
});

Deno.test("answersCorrect() needs every answer word to be the most likely output", () => {
  const items = [encodeQuestion(codec, 1, ex[0]!, 0), encodeQuestion(codec, 8, ex[2]!, 0)];
  const ep = babiEpisode(codec, items, 2);
  const probs = new Float32Array(ep.target.length).fill(0.1);
  // Every output a perfect copy of the target: both right.
  const perfect = ep.target.map((v) => v + 0.1);
  assert.deepEqual(answersCorrect(items, ep, perfect), [true, true]);
  assert.deepEqual(answersCorrect(items, ep, probs), [false, false]);
  // The list answer with its first word right but its second wrong is wrong.
  const half = ep.target.map((v) => v + 0.1);
  const t2 = items[1]!.input.length - 1;
  half[(t2 * 2 + 1) * ep.Y + items[1]!.answer[1]!] = 0;
  assert.deepEqual(answersCorrect(items, ep, half), [true, false]);
});

Deno.test("storyStarts() finds where each story begins, by its context", () => {
  assert.deepEqual(storyStarts(ex), [0, 2, 3]);
});

Deno.test("splitByStory() holds out the last stories of a task whole, never part of one", () => {
  const { train, valid } = splitByStory(ex, 0.34, (_, i) => i);
  assert.deepEqual(train, [0, 1, 2]);
  assert.deepEqual(valid, [3]);
  const none = splitByStory(ex, 0, (_, i) => i);
  assert.deepEqual(none.valid, []);
});

Deno.test("a 10 % split of a real task holds out about 10 % of its questions, in whole stories", async () => {
  const { tasks } = await loadBabi({ set: "en", tasks: [2] });
  const task = tasks[0]!;
  const { train, valid } = splitByStory(task.train, 0.1, (e) => e);
  assert.equal(train.length + valid.length, task.train.length);
  assert.ok(valid.length > 50 && valid.length < 150, `${valid.length} validation questions`);
  // The first validation question starts a story: its context is not the last training one's.
  const starts = new Set(storyStarts(task.train));
  assert.ok(starts.has(train.length));
});
