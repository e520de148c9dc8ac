import assert from "node:assert/strict";
import type { ResultFile } from "../core/experiment.ts";
import {
  experimentCodeHash,
  hashFiles,
  relativeImports,
  sourceClosure,
  staleness,
} from "./code_hash.ts";

async function tree(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "code_hash_" });
  for (const [p, text] of Object.entries(files)) {
    await Deno.mkdir(`${root}/${p.slice(0, p.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeTextFile(`${root}/${p}`, text);
  }
  return root + "/";
}

const FILES = {
  "papers/x/experiments/e.ts": [
    'import { a } from "../a.ts";',
    'import data from "../table.json" with { type: "json" };',
    'import * as tf from "@tensorflow/tfjs";',
    '// import { gone } from "../commented.ts";',
    'export const w = () => new Worker(new URL("../worker.ts", import.meta.url));',
    'const root = new URL("..", import.meta.url);',
  ].join("\n"),
  "papers/x/a.ts": 'export { b } from "../../tasks/core/b.ts";\nexport const a = 1;',
  "papers/x/table.json": "{}",
  "papers/x/worker.ts": 'import "./a.ts";',
  "tasks/core/b.ts": "export const b = 2;",
  "papers/x/unrelated.ts": "export const u = 3;",
};

Deno.test("sourceClosure() follows relative imports, JSON, re-exports and worker URLs", async () => {
  const root = await tree(FILES);
  assert.deepEqual(await sourceClosure("papers/x/experiments/e.ts", root), [
    "papers/x/a.ts",
    "papers/x/experiments/e.ts",
    "papers/x/table.json",
    "papers/x/worker.ts",
    "tasks/core/b.ts",
  ]);
  assert.deepEqual(relativeImports('import x from "npm:y";\nimport "./z.ts";'), ["./z.ts"]);
});

Deno.test("the code hash changes with any reached file and names it", async () => {
  const root = await tree(FILES);
  const before = (await experimentCodeHash("x", "e", root))!;
  await Deno.writeTextFile(`${root}papers/x/unrelated.ts`, "export const u = 4;");
  assert.equal((await experimentCodeHash("x", "e", root))!.hash, before.hash);
  await Deno.writeTextFile(`${root}tasks/core/b.ts`, "export const b = 3;");
  const after = (await experimentCodeHash("x", "e", root))!;
  assert.notEqual(after.hash, before.hash);
  const r = { code: before } as unknown as ResultFile;
  const s = staleness(r, after);
  assert.equal(s.stale, true);
  assert.deepEqual(s.changed, ["tasks/core/b.ts"]);
  assert.match(s.reason!, /tasks\/core\/b\.ts/);
  assert.deepEqual(staleness({ code: after } as unknown as ResultFile, after).stale, false);
});

Deno.test("a result without a code hash is stale; a fixture without a module is not hashed", async () => {
  const root = await tree(FILES);
  const now = await hashFiles(["tasks/core/b.ts"], root);
  assert.match(staleness({} as ResultFile, now).reason!, /no code hash/);
  assert.equal(await experimentCodeHash("x", "missing", root), null);
  assert.equal(staleness({} as ResultFile, null).stale, false);
});

Deno.test("the closure of a real experiment covers what deno info reports", async () => {
  const entry = "papers/draw/experiments/elbo_mnist.ts";
  const mine = new Set(await sourceClosure(entry));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    stdout: "piped",
    stderr: "null",
  }).output();
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  const root = new URL("../../", import.meta.url).href;
  const local = info.modules.map((m) => m.specifier).filter((s) => s.startsWith(root))
    .map((s) => s.slice(root.length));
  assert.ok(local.length > 5, "deno info lists the graph");
  assert.deepEqual(local.filter((p) => !mine.has(p)), []);
  assert.ok(mine.has("papers/draw/replica_worker.ts"), "the Web Worker script is hashed too");
  const h = (await experimentCodeHash("bptt", "cost_curves"))!;
  assert.ok("tasks/engine/install.ts" in h.files, "the engine is part of every experiment's code");
});
