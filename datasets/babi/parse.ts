/**
 * Parsing bAbI story files into question examples, and a word vocabulary.
 *
 * A file is a run of stories; each line is `<id> <sentence>` and the id restarts at 1 with each
 * story. A question line is `<id> <question>\t<answer>\t<supporting ids>`; the answer is one word
 * or a comma-separated list (tasks 8 and 19). Each question becomes one {@link BabiExample} whose
 * context is every statement of its story before it (questions are not part of the context).
 *
 * @module
 */

/** One question with its story so far. */
export interface BabiExample {
  /** The story's statements before the question, each as lower-case words. */
  context: string[][];
  /** The question as lower-case words (no "?"). */
  question: string[];
  /** The answer words (one, or several for list and path answers). */
  answer: string[];
  /** Indices into `context` of the supporting facts, in the file's order. */
  supporting: number[];
}

/** Lower-case words of a sentence, without the full stop, question mark or commas. */
export function tokenize(sentence: string): string[] {
  return sentence.toLowerCase().replace(/[.?!,]/g, " ").split(/\s+/).filter((w) => w !== "");
}

/**
 * Parse one bAbI file.
 * @param text the file's content
 * @param where its name, for errors
 * @throws Error naming `where:line` on a malformed line or a supporting id that is not a statement
 *   of the story before the question.
 */
export function parseBabi(text: string, where: string): BabiExample[] {
  const out: BabiExample[] = [];
  let story: string[][] = [];
  let lineToContext = new Map<number, number>();
  let lastId = 0;
  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const at = `${where}:${i + 1}`;
    const m = /^(\d+) (.*)$/.exec(line);
    if (!m) throw new Error(`bAbI ${at}: expected "<id> <sentence>", got "${line.slice(0, 60)}"`);
    const id = Number(m[1]);
    if (id === 1) {
      story = [];
      lineToContext = new Map();
    } else if (id !== lastId + 1) {
      throw new Error(`bAbI ${at}: line id ${id} follows ${lastId}`);
    }
    lastId = id;
    const parts = m[2]!.split("\t");
    if (parts.length === 1) {
      lineToContext.set(id, story.length);
      story.push(tokenize(parts[0]!));
      return;
    }
    if (parts.length !== 3) throw new Error(`bAbI ${at}: a question needs 3 tab-separated fields`);
    const supporting = parts[2]!.trim().split(/\s+/).map((s) => {
      const k = lineToContext.get(Number(s));
      if (k === undefined) throw new Error(`bAbI ${at}: supporting id ${s} is not a statement`);
      return k;
    });
    out.push({
      context: story.slice(),
      question: tokenize(parts[0]!),
      answer: parts[1]!.split(",").map((w) => w.trim().toLowerCase()),
      supporting,
    });
  });
  return out;
}

/** Words ↔ ids; id 0 is reserved for padding. */
export class Vocabulary {
  readonly words: string[] = ["<pad>"];
  readonly #ids = new Map<string, number>([["<pad>", 0]]);

  /** A vocabulary of every word (context, question, answer) of these examples, sorted. */
  static of(examples: Iterable<BabiExample>): Vocabulary {
    const set = new Set<string>();
    for (const e of examples) {
      for (const s of e.context) for (const w of s) set.add(w);
      for (const w of e.question) set.add(w);
      for (const w of e.answer) set.add(w);
    }
    const v = new Vocabulary();
    for (const w of [...set].sort()) v.add(w);
    return v;
  }

  /** Number of ids, padding included. */
  get size(): number {
    return this.words.length;
  }

  /** Add a word (no-op if known); returns its id. */
  add(word: string): number {
    const known = this.#ids.get(word);
    if (known !== undefined) return known;
    this.#ids.set(word, this.words.length);
    this.words.push(word);
    return this.words.length - 1;
  }

  /** @throws Error naming the word when it is not in the vocabulary. */
  id(word: string): number {
    const id = this.#ids.get(word);
    if (id === undefined) throw new Error(`bAbI vocabulary has no word "${word}"`);
    return id;
  }

  /** Ids of words. */
  encode(words: readonly string[]): number[] {
    return words.map((w) => this.id(w));
  }
}
