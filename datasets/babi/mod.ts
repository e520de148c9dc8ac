/**
 * bAbI QA tasks v1.2 (Weston et al. 2015; CC BY 3.0, Facebook), English, `en-10k/` and `en/`.
 *
 * Files are read with sha256 checks from `$PAPERS_REPRO_DATA/babi/`, `../shared/data/babi/` or
 * the cache (see `../_files.ts`). On a user's machine `deno task data babi` downloads the official
 * release archive `tasks_1-20_v1-2.tar.gz` once, gunzips it with the web-standard
 * DecompressionStream, reads the tar with `./_tar.ts`, and checks each file.
 *
 * The shared copy lacks `en-10k/qa3_three-supporting-facts_train.txt` (its README), so that file is
 * not in {@link BABI}'s list (the data step would otherwise fail here): it is verified by its git
 * blob id instead, cached whenever the archive is downloaded, and a loader that needs it and finds
 * none fails, unless the caller asks for the 1k file or to leave task 3 out (and says so).
 *
 * @example
 * ```ts
 * import { loadBabi } from "./datasets/babi/mod.ts";
 * const { tasks, vocab, notes } = await loadBabi({ set: "en-10k", task3TenK: "use-1k" });
 * ```
 * @module
 */
import { writeAtomic } from "../../tasks/core/json.ts";
import {
  cacheRoot,
  type DatasetSpec,
  fetchBytes,
  gunzip,
  readVerified,
  searchDirs,
} from "../_files.ts";
import { BABI_SHA256 } from "./_checksums.ts";
import { untar } from "./_tar.ts";
import { type BabiExample, parseBabi, Vocabulary } from "./parse.ts";

export { type BabiExample, parseBabi, tokenize, Vocabulary } from "./parse.ts";

/** The release archive the bAbI project page links to. */
export const BABI_ARCHIVE_URL =
  "http://www.thespermwhale.com/jaseweston/babi/tasks_1-20_v1-2.tar.gz";

/** The 20 tasks' file stems, task k at index k − 1. */
export const BABI_TASKS: readonly string[] = [
  "qa1_single-supporting-fact",
  "qa2_two-supporting-facts",
  "qa3_three-supporting-facts",
  "qa4_two-arg-relations",
  "qa5_three-arg-relations",
  "qa6_yes-no-questions",
  "qa7_counting",
  "qa8_lists-sets",
  "qa9_simple-negation",
  "qa10_indefinite-knowledge",
  "qa11_basic-coreference",
  "qa12_conjunction",
  "qa13_compound-coreference",
  "qa14_time-reasoning",
  "qa15_basic-deduction",
  "qa16_basic-induction",
  "qa17_positional-reasoning",
  "qa18_size-reasoning",
  "qa19_path-finding",
  "qa20_agents-motivations",
];

/** The file the shared copy lacks, and its git blob id (sha1 of `"blob <n>\0"` + content). */
export const QA3_TENK_TRAIN = {
  name: "en-10k/qa3_three-supporting-facts_train.txt",
  gitBlob: "9b2b35ca4357ea8ee44692c71ec71892edf51399",
} as const;

/** Folder of both sets inside the archive. */
const ARCHIVE_ROOT = "tasks_1-20_v1-2";

const archives = new Map<string, Promise<Map<string, Uint8Array>>>();

/**
 * Download the release archive (once per process and URL) and return its `en-10k/` and `en/`
 * files by name; also caches {@link QA3_TENK_TRAIN} when the archive holds it.
 * @throws Error when the archive's {@link QA3_TENK_TRAIN} has another git blob id (nothing cached).
 */
export function babiArchive(url = BABI_ARCHIVE_URL): Promise<Map<string, Uint8Array>> {
  const known = archives.get(url);
  if (known) return known;
  const archive = (async () => {
    const all = untar(await gunzip(await fetchBytes(url)));
    const files = new Map<string, Uint8Array>();
    for (const [path, bytes] of all) {
      const name = path.replace(/^(\.\/)?/, "").replace(`${ARCHIVE_ROOT}/`, "");
      if (/^(en|en-10k)\/[^/]+\.txt$/.test(name)) files.set(name, bytes);
    }
    const qa3 = files.get(QA3_TENK_TRAIN.name);
    if (qa3) {
      const got = await gitBlobId(qa3);
      if (got !== QA3_TENK_TRAIN.gitBlob) {
        throw new Error(
          `the bAbI archive ${url} holds ${QA3_TENK_TRAIN.name} with git blob ${got}, expected ` +
            `${QA3_TENK_TRAIN.gitBlob}; not cached.`,
        );
      }
      await writeAtomic(`${cacheRoot()}/babi/${QA3_TENK_TRAIN.name}`, qa3);
    }
    return files;
  })();
  archives.set(url, archive);
  archive.catch(() => archives.delete(url)); // a failed download may be retried
  return archive;
}

/** Every file of bAbI v1.2 en-10k and en that the shared copy holds (79 of 80), with sha256. */
export const BABI: DatasetSpec = {
  name: "babi",
  description: `bAbI QA tasks v1.2, English en-10k + en, 79 of 80 files (${BABI_ARCHIVE_URL})`,
  files: BABI_SHA256.map(([name, sha256]) => ({ name, sha256 })),
  download: async (file) => {
    const bytes = (await babiArchive()).get(file.name);
    if (!bytes) throw new Error(`the bAbI archive ${BABI_ARCHIVE_URL} has no ${file.name}`);
    return bytes;
  },
};

/** git's blob id of bytes: sha1 of `"blob <length>\0"` followed by the bytes, lower-case hex. */
export async function gitBlobId(bytes: Uint8Array): Promise<string> {
  const head = new TextEncoder().encode(`blob ${bytes.length}\0`);
  const all = new Uint8Array(head.length + bytes.length);
  all.set(head);
  all.set(bytes, head.length);
  const digest = await crypto.subtle.digest("SHA-1", all);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What the 10k set does for task 3, whose training file the shared copy lacks. */
export type Task3TenK = "require" | "use-1k" | "omit";

/**
 * Read the 10k task 3 training file, checked by its git blob id.
 * @throws Error naming the searched folders and the fixes when it is absent, or when a copy's
 *   blob id differs.
 */
export async function readQa3TenKTrain(): Promise<Uint8Array> {
  const dirs = searchDirs(BABI);
  for (const dir of dirs) {
    const path = `${dir}/${QA3_TENK_TRAIN.name}`;
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw e;
    }
    const got = await gitBlobId(bytes);
    if (got !== QA3_TENK_TRAIN.gitBlob) {
      throw new Error(
        `Cannot load dataset "babi": file ${path} is corrupt (git blob ${got}, expected ` +
          `${QA3_TENK_TRAIN.gitBlob}). Delete it and run "deno task data babi".`,
      );
    }
    return bytes;
  }
  throw new Error(
    `Cannot load dataset "babi": ${QA3_TENK_TRAIN.name} is not in ${dirs.join(", ")} (the shared ` +
      `copy lacks it, see its README). Pass task3TenK "use-1k" or "omit" and say so in the result, ` +
      `or cache it from the release archive: PAPERS_REPRO_DATA=/nonexistent deno task data babi.`,
  );
}

/** One task's examples. */
export interface BabiTask {
  /** Task number 1…20. */
  task: number;
  train: BabiExample[];
  test: BabiExample[];
  /** Training file read (`en-10k/...` or, for task 3 with `"use-1k"`, `en/...`). */
  trainFile: string;
}

/** Options of {@link loadBabi}. */
export interface LoadBabiOptions {
  /** `"en-10k"` (10,000 training questions per task; the paper's) or `"en"` (1,000). */
  set: "en-10k" | "en";
  /** Task numbers (default 1…20). */
  tasks?: readonly number[];
  /**
   * For `en-10k` when its task 3 training file is absent: `"require"` (default) fails naming the
   * fix, `"use-1k"` reads `en/` task 3 training file, `"omit"` leaves task 3 out; each of the last
   * two adds a line to `notes`.
   */
  task3TenK?: Task3TenK;
}

/**
 * Load and parse bAbI tasks, with a vocabulary of every word of the loaded train and test files.
 * @returns the tasks (in the order asked), the vocabulary and notes on any substitution, which a
 *   result must carry.
 */
export async function loadBabi(
  opts: LoadBabiOptions,
): Promise<{ tasks: BabiTask[]; vocab: Vocabulary; notes: string[] }> {
  const wanted = opts.tasks ?? BABI_TASKS.map((_, i) => i + 1);
  const notes: string[] = [];
  const tasks: BabiTask[] = [];
  const dec = new TextDecoder();
  for (const task of wanted) {
    const stem = BABI_TASKS[task - 1];
    if (!Number.isInteger(task) || stem === undefined) {
      throw new Error(`bAbI has tasks 1…20, not ${task}`);
    }
    let trainFile = `${opts.set}/${stem}_train.txt`;
    let trainBytes: Uint8Array;
    if (trainFile === QA3_TENK_TRAIN.name) {
      try {
        trainBytes = await readQa3TenKTrain();
      } catch (e) {
        const mode = opts.task3TenK ?? "require";
        if (!(e instanceof Error) || !/is not in/.test(e.message) || mode === "require") throw e;
        if (mode === "omit") {
          notes.push(`task 3 left out: ${QA3_TENK_TRAIN.name} is not on this machine`);
          continue;
        }
        trainFile = `en/${stem}_train.txt`;
        trainBytes = await readVerified(BABI, trainFile);
        notes.push(
          `task 3 trained on the 1k file ${trainFile} (1,000 questions, not 10,000): ` +
            `${QA3_TENK_TRAIN.name} is not on this machine`,
        );
      }
    } else {
      trainBytes = await readVerified(BABI, trainFile);
    }
    const testFile = `${opts.set}/${stem}_test.txt`;
    tasks.push({
      task,
      train: parseBabi(dec.decode(trainBytes), trainFile),
      test: parseBabi(dec.decode(await readVerified(BABI, testFile)), testFile),
      trainFile,
    });
  }
  const vocab = Vocabulary.of(tasks.flatMap((t) => [...t.train, ...t.test]));
  return { tasks, vocab, notes };
}
