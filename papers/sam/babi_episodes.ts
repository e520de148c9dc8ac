/**
 * bAbI questions as episodes for the sequence models (Rae et al. 2016 §4.4, Supp. G): one-hot
 * word input and output over one vocabulary of all 20 tasks, the story's words fed one per step,
 * then the question's words, then one answer step per answer word (input: the answer marker),
 * whose target is that answer word. Only the answer steps are scored, with a softmax over the
 * vocabulary (the episode's `loss: "classes"`).
 *
 * Each question is its own sequence: the statements of its story before it (optionally only the
 * most recent `maxSentences`, as MemN2N's 50-sentence limit), then the question. A question is
 * answered correctly when every one of its answer steps has the target word as its most likely
 * output (tasks 8 and 19 have 2–3 answer words).
 *
 * The validation split is taken from the training file by story (never splitting a story): the
 * last `fraction` of each task's stories; the test file is held out.
 * @module
 */
import type { BabiExample, Vocabulary } from "../../datasets/babi/mod.ts";
import { emptyEpisode, type Episode } from "../../datasets/synthetic/mod.ts";

/** One question, encoded: its input word ids and its answer word ids. */
export interface BabiItem {
  /** Task 1…20. */
  task: number;
  /** Input ids, one per step: context words, question words, then one answer marker per answer word. */
  input: number[];
  /** Answer word ids (the targets of the last `answer.length` steps). */
  answer: number[];
}

/** Input and output widths, and the answer marker, of a vocabulary. */
export interface BabiCodec {
  vocab: Vocabulary;
  /** Input width: the vocabulary plus the answer marker. */
  X: number;
  /** Output width: the vocabulary (a one-hot word). */
  Y: number;
  /** Input id of the answer marker (= vocab.size). */
  marker: number;
}

/** The codec of a vocabulary (id 0 is its padding word, never an input or a target). */
export function babiCodec(vocab: Vocabulary): BabiCodec {
  return { vocab, X: vocab.size + 1, Y: vocab.size, marker: vocab.size };
}

/**
 * Encode one question.
 * @param maxSentences most recent statements kept (0 = the whole story so far)
 */
export function encodeQuestion(
  codec: BabiCodec,
  task: number,
  e: BabiExample,
  maxSentences: number,
): BabiItem {
  const ctx = maxSentences > 0 ? e.context.slice(-maxSentences) : e.context;
  const words = [...ctx.flat(), ...e.question];
  const answer = codec.vocab.encode(e.answer);
  return {
    task,
    input: [...codec.vocab.encode(words), ...answer.map(() => codec.marker)],
    answer,
  };
}

/**
 * Indices of the first question of each story: a question starts a story unless the previous
 * question's context is a prefix of its own (the same story, read further).
 */
export function storyStarts(examples: readonly BabiExample[]): number[] {
  const starts: number[] = [];
  examples.forEach((e, i) => {
    const prev = examples[i - 1];
    const same = prev !== undefined && prev.context.length <= e.context.length &&
      prev.context.every((s, k) =>
        s.length === e.context[k]!.length && s.every((w, j) => w === e.context[k]![j])
      );
    if (!same) starts.push(i);
  });
  return starts;
}

/**
 * Split one task's training questions by story: the last `fraction` of its stories (at least
 * one when `fraction` > 0 and there are two or more) are validation, the rest training.
 */
export function splitByStory<T>(
  examples: readonly BabiExample[],
  fraction: number,
  pick: (e: BabiExample, i: number) => T,
): { train: T[]; valid: T[] } {
  const starts = storyStarts(examples);
  let nValid = Math.round(starts.length * fraction);
  if (fraction > 0 && nValid === 0 && starts.length > 1) nValid = 1;
  const cut = nValid > 0 ? starts[starts.length - nValid]! : examples.length;
  return {
    train: examples.slice(0, cut).map((e, i) => pick(e, i)),
    valid: examples.slice(cut).map((e, i) => pick(e, cut + i)),
  };
}

/** Steps of the longest of `items`. */
export function maxSteps(items: readonly BabiItem[]): number {
  return items.reduce((m, it) => Math.max(m, it.input.length), 0);
}

/**
 * A minibatch of B sequences [T, B, X] (T = the longest; shorter ones padded after their answer
 * with zero, unscored steps). Slots past `items.length` are all padding, scored nowhere.
 */
export function babiEpisode(codec: BabiCodec, items: readonly BabiItem[], B: number): Episode {
  if (items.length === 0 || items.length > B) {
    throw new RangeError(`babiEpisode() needs 1…${B} questions, got ${items.length}`);
  }
  const T = maxSteps(items);
  const ep: Episode = { ...emptyEpisode(T, B, codec.X, codec.Y), loss: "classes" };
  items.forEach((it, b) => {
    const first = it.input.length - it.answer.length;
    it.input.forEach((id, t) => (ep.input[(t * B + b) * codec.X + id] = 1));
    it.answer.forEach((id, j) => {
      const t = first + j;
      ep.target[(t * B + b) * codec.Y + id] = 1;
      ep.mask[t * B + b] = 1;
    });
  });
  return ep;
}

/**
 * Per question of `items` (in order): true when every answer step's most likely output word
 * (argmax of `probs` [T, B, Y], the padding word excluded) is its target.
 */
export function answersCorrect(
  items: readonly BabiItem[],
  ep: Episode,
  probs: Float32Array,
): boolean[] {
  const { B, Y } = ep;
  return items.map((it, b) => {
    const first = it.input.length - it.answer.length;
    return it.answer.every((id, j) => {
      const o = ((first + j) * B + b) * Y;
      let best = 1;
      for (let y = 2; y < Y; y++) if (probs[o + y]! > probs[o + best]!) best = y;
      return best === id;
    });
  });
}
