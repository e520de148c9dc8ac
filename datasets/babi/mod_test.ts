import assert from "node:assert/strict";
import { sharedDataRoot } from "../_files.ts";
import { BABI, BABI_TASKS, babiArchive, gitBlobId, loadBabi, QA3_TENK_TRAIN } from "./mod.ts";

const SHARED = `${sharedDataRoot()}/babi`;

/** Question counts per file from the shared copy's counts.tsv: `en-10k/<stem>_train.txt` → n. */
async function counts(): Promise<Map<string, number>> {
  const rows = (await Deno.readTextFile(`${SHARED}/counts.tsv`)).trim().split("\n").slice(1);
  const out = new Map<string, number>();
  for (const row of rows) {
    const [stem, a, b, c, d] = row.split("\t");
    out.set(`en-10k/${stem}_train.txt`, Number(a));
    out.set(`en-10k/${stem}_test.txt`, Number(b));
    out.set(`en/${stem}_train.txt`, Number(c));
    out.set(`en/${stem}_test.txt`, Number(d));
  }
  return out;
}

/** Run `body` with PAPERS_REPRO_DATA / PAPERS_REPRO_CACHE pointing at fresh folders. */
async function withFolders(
  body: (data: string, cache: string) => Promise<void>,
): Promise<void> {
  const data = await Deno.makeTempDir({ prefix: "babi-data-" });
  const cache = await Deno.makeTempDir({ prefix: "babi-cache-" });
  const before = [Deno.env.get("PAPERS_REPRO_DATA"), Deno.env.get("PAPERS_REPRO_CACHE")];
  Deno.env.set("PAPERS_REPRO_DATA", data);
  Deno.env.set("PAPERS_REPRO_CACHE", cache);
  try {
    await body(data, cache);
  } finally {
    for (const [k, v] of [["PAPERS_REPRO_DATA", before[0]], ["PAPERS_REPRO_CACHE", before[1]]]) {
      if (v === undefined) Deno.env.delete(k!);
      else Deno.env.set(k!, v);
    }
    await Deno.remove(data, { recursive: true });
    await Deno.remove(cache, { recursive: true });
  }
}

/** Copy shared bAbI files into `<data>/babi/`, optionally under another name. */
async function copy(data: string, files: [string, string?][]): Promise<void> {
  for (const [from, to] of files) {
    const dest = `${data}/babi/${to ?? from}`;
    await Deno.mkdir(dest.replace(/\/[^/]+$/, ""), { recursive: true });
    await Deno.copyFile(`${SHARED}/${from}`, dest);
  }
}

const QA3 = BABI_TASKS[2]!;

Deno.test("loadBabi() reads all 20 tasks of the 1k set with every file's question count, valid supporting facts and a vocabulary holding every answer", async () => {
  const n = await counts();
  const { tasks, vocab, notes } = await loadBabi({ set: "en" });
  assert.deepEqual(tasks.map((t) => t.task), BABI_TASKS.map((_, i) => i + 1));
  assert.deepEqual(notes, []);
  for (const t of tasks) {
    const stem = BABI_TASKS[t.task - 1]!;
    assert.equal(t.train.length, n.get(`en/${stem}_train.txt`), `task ${t.task} train`);
    assert.equal(t.test.length, n.get(`en/${stem}_test.txt`), `task ${t.task} test`);
    for (const e of [...t.train, ...t.test]) {
      assert.ok(e.supporting.length > 0 && e.supporting.every((k) => k < e.context.length));
      for (const w of e.answer) vocab.id(w);
    }
  }
  assert.ok(vocab.size > 100 && vocab.size < 250, `joint vocabulary of ${vocab.size} words`);
});

Deno.test("loadBabi() reads the 10k set's present files with 10,000 training questions per task", async () => {
  const n = await counts();
  const { tasks } = await loadBabi({ set: "en-10k", tasks: [1, 20] });
  for (const t of tasks) {
    assert.equal(t.train.length, n.get(t.trainFile));
    assert.equal(t.train.length, 10000);
  }
});

Deno.test("without the 10k task 3 training file, loadBabi() fails naming the fixes unless asked to use the 1k file or leave task 3 out, and then says so", async () => {
  await withFolders(async (data) => {
    await copy(data, [[`en/${QA3}_train.txt`], [`en/${QA3}_test.txt`], [`en-10k/${QA3}_test.txt`]]);
    await assert.rejects(
      () => loadBabi({ set: "en-10k", tasks: [3] }),
      /qa3_three-supporting-facts_train\.txt is not in .*"use-1k" or "omit".*deno task data babi/,
    );
    const oneK = await loadBabi({ set: "en-10k", tasks: [3], task3TenK: "use-1k" });
    assert.equal(oneK.tasks[0]!.trainFile, `en/${QA3}_train.txt`);
    assert.equal(oneK.tasks[0]!.train.length, 1000);
    assert.match(oneK.notes.join("\n"), /task 3 trained on the 1k file/);
    const omit = await loadBabi({ set: "en-10k", tasks: [3], task3TenK: "omit" });
    assert.deepEqual(omit.tasks, []);
    assert.match(omit.notes.join("\n"), /task 3 left out/);
  });
});

Deno.test("a corrupt bAbI file, or a 10k task 3 file with another git blob id, is an error naming the file and the fix", async () => {
  await withFolders(async (data) => {
    await copy(data, [[`en/${QA3}_train.txt`], [`en/${QA3}_test.txt`]]);
    const path = `${data}/babi/en/${QA3}_test.txt`;
    const bytes = await Deno.readFile(path);
    bytes[100]! ^= 1;
    await Deno.writeFile(path, bytes);
    await assert.rejects(
      () => loadBabi({ set: "en", tasks: [3] }),
      /file .*en\/qa3_three-supporting-facts_test\.txt is corrupt .*"deno task data babi"/,
    );
    await copy(data, [[`en/${QA3}_train.txt`, QA3_TENK_TRAIN.name]]);
    await assert.rejects(
      () => loadBabi({ set: "en-10k", tasks: [3], task3TenK: "use-1k" }),
      /qa3_three-supporting-facts_train\.txt is corrupt \(git blob [0-9a-f]{40}, expected 9b2b35ca/,
    );
  });
});

Deno.test("gitBlobId() agrees with git hash-object", async () => {
  const file = `${SHARED}/en/${BABI_TASKS[0]}_train.txt`;
  const out = await new Deno.Command("git", { args: ["hash-object", file], stdout: "piped" })
    .output();
  assert.equal(
    await gitBlobId(await Deno.readFile(file)),
    new TextDecoder().decode(out.stdout).trim(),
  );
});

/** Serve a tar.gz (made by the system tar) of these shared files under tasks_1-20_v1-2/. */
async function serveArchive(files: [string, string?][]) {
  const root = await Deno.makeTempDir({ prefix: "babi-tar-" });
  await copy(root, files);
  await Deno.rename(`${root}/babi`, `${root}/tasks_1-20_v1-2`);
  const made = await new Deno.Command("tar", {
    args: ["-czf", `${root}/a.tar.gz`, "-C", root, "tasks_1-20_v1-2"],
  }).output();
  assert.equal(made.code, 0, "tar made the archive");
  const body = await Deno.readFile(`${root}/a.tar.gz`);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(body),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/tasks_1-20_v1-2.tar.gz`,
    async close() {
      await server.shutdown();
      await Deno.remove(root, { recursive: true });
    },
  };
}

Deno.test("babiArchive() downloads and unpacks the release archive into files the spec verifies", async () => {
  const stem = BABI_TASKS[0]!;
  const s = await serveArchive([[`en/${stem}_train.txt`], [`en-10k/${stem}_test.txt`]]);
  try {
    await withFolders(async (_data, cache) => {
      const files = await babiArchive(s.url);
      assert.deepEqual([...files.keys()].sort(), [
        `en-10k/${stem}_test.txt`,
        `en/${stem}_train.txt`,
      ]);
      const { sha256Hex } = await import("../_files.ts");
      for (const [name, bytes] of files) {
        assert.equal(await sha256Hex(bytes), BABI.files.find((f) => f.name === name)!.sha256);
      }
      await assert.rejects(() => Deno.stat(`${cache}/babi/${QA3_TENK_TRAIN.name}`));
    });
  } finally {
    await s.close();
  }
});

Deno.test("babiArchive() refuses an archive whose 10k task 3 training file has another git blob id, caching nothing", async () => {
  const s = await serveArchive([[`en/${QA3}_train.txt`, QA3_TENK_TRAIN.name]]);
  try {
    await withFolders(async (_data, cache) => {
      await assert.rejects(
        () => babiArchive(s.url),
        /git blob [0-9a-f]{40}, expected 9b2b35ca.*not cached/,
      );
      assert.deepEqual([...Deno.readDirSync(cache)], []);
    });
  } finally {
    await s.close();
  }
});

Deno.test("the spec lists all 80 files but the 10k task 3 training file, each with a sha256 from the shared SHA256SUMS", async () => {
  const sums = (await Deno.readTextFile(`${SHARED}/SHA256SUMS`)).trim().split("\n")
    .map((l) => l.split(/\s+/)).filter(([, name]) => /^en/.test(name!));
  const expected = new Map(sums.map(([sha, name]) => [name!, sha!]));
  assert.equal(BABI.files.length, 79);
  assert.ok(!BABI.files.some((f) => f.name === QA3_TENK_TRAIN.name));
  for (const f of BABI.files) assert.equal(f.sha256, expected.get(f.name), f.name);
  for (const stem of BABI_TASKS) {
    for (const set of ["en", "en-10k"]) {
      for (const split of ["train", "test"]) {
        const name = `${set}/${stem}_${split}.txt`;
        if (name !== QA3_TENK_TRAIN.name) assert.ok(expected.has(name), name);
      }
    }
  }
});
