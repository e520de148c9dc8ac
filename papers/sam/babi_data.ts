/**
 * The bAbI data of one run: the 20 tasks loaded once per process, each task's training file split
 * by story into training and validation questions, the test file held out, every question encoded
 * with one vocabulary; and the per-task error of a model on a set of questions.
 * @module
 */
import { loadBabi, type Task3TenK } from "../../datasets/babi/mod.ts";
import {
  answersCorrect,
  type BabiCodec,
  babiCodec,
  babiEpisode,
  type BabiItem,
  encodeQuestion,
  splitByStory,
} from "./babi_episodes.ts";
import type { SequenceModel } from "./model.ts";

/** What to load and how to cut it. */
export interface BabiDataOptions {
  set: "en-10k" | "en";
  task3TenK: Task3TenK;
  tasks: readonly number[];
  /** Fraction of each task's training stories held out for validation. */
  validFraction: number;
  /** Most recent statements kept per question (0 = the whole story). */
  maxSentences: number;
  /** First questions of each task's validation / test split used (0 = all). */
  validPerTask: number;
  testPerTask: number;
}

/** Encoded questions of one run. */
export interface BabiData {
  codec: BabiCodec;
  train: BabiItem[];
  valid: BabiItem[];
  test: BabiItem[];
  /** Questions per task in each split (task order of the options). */
  counts: { task: number; train: number; valid: number; test: number }[];
  /** Mean steps of the training questions fed with their whole story (what maxSentences = 0 costs). */
  wholeStorySteps: number;
  /** The loader's notes (e.g. task 3's 1k training file), which the result must carry. */
  notes: string[];
}

const loads = new Map<string, ReturnType<typeof loadBabi>>();

/** Load, split and encode (the parsed files are cached per set and task-3 mode). */
export async function babiData(o: BabiDataOptions): Promise<BabiData> {
  const key = `${o.set}/${o.task3TenK}`;
  let load = loads.get(key);
  if (!load) {
    load = loadBabi({ set: o.set, task3TenK: o.task3TenK });
    loads.set(key, load);
    load.catch(() => loads.delete(key));
  }
  const { tasks, vocab, notes } = await load;
  const codec = babiCodec(vocab);
  const out: BabiData = {
    codec,
    train: [],
    valid: [],
    test: [],
    counts: [],
    wholeStorySteps: 0,
    notes,
  };
  let words = 0, questions = 0;
  const head = <T>(xs: T[], n: number) => (n > 0 ? xs.slice(0, n) : xs);
  for (const k of o.tasks) {
    const t = tasks.find((x) => x.task === k);
    if (!t) continue; // task 3 left out ("omit"): the loader's note says so
    const enc = (e: (typeof t.train)[number]) => encodeQuestion(codec, k, e, o.maxSentences);
    const split = splitByStory(t.train, o.validFraction, enc);
    const valid = head(split.valid, o.validPerTask);
    const test = head(t.test.map(enc), o.testPerTask);
    out.train.push(...split.train);
    out.valid.push(...valid);
    out.test.push(...test);
    for (const e of t.train) {
      words += e.context.reduce((n, c) => n + c.length, 0) + e.question.length +
        2 * e.answer.length;
      questions += 1;
    }
    out.counts.push({ task: k, train: split.train.length, valid: valid.length, test: test.length });
  }
  out.wholeStorySteps = questions > 0 ? words / questions : 0;
  return out;
}

/**
 * Error % per task of `model` on `items` (forward passes in minibatches of B, in order), and the
 * number of questions per task.
 */
export function taskErrors(
  model: SequenceModel,
  codec: BabiCodec,
  items: readonly BabiItem[],
  B: number,
): Map<number, { errors: number; questions: number }> {
  const per = new Map<number, { errors: number; questions: number }>();
  for (let i = 0; i < items.length; i += B) {
    const batch = items.slice(i, i + B);
    const ep = babiEpisode(codec, batch, B);
    const res = model.run(ep, false);
    answersCorrect(batch, ep, res.probs).forEach((ok, b) => {
      const task = batch[b]!.task;
      const p = per.get(task) ?? { errors: 0, questions: 0 };
      p.questions += 1;
      if (!ok) p.errors += 1;
      per.set(task, p);
    });
  }
  return per;
}
