import assert from "node:assert/strict";
import {
  readJsonOrNull,
  removeStaleTemps,
  stableHash,
  stableJson,
  writeAtomic,
  writeJsonAtomic,
} from "./json.ts";

Deno.test("stableJson() sorts keys at every depth and ends with a newline", () => {
  const text = stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: Number.NaN } });
  assert.equal(
    text,
    '{\n  "a": {\n    "c": null,\n    "d": [\n      3,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1\n}\n',
  );
});

Deno.test("stableHash() ignores key order and sees value changes", async () => {
  assert.equal(await stableHash({ a: 1, b: 2 }), await stableHash({ b: 2, a: 1 }));
  assert.notEqual(await stableHash({ a: 1 }), await stableHash({ a: 2 }));
});

Deno.test("writeAtomic() replaces a file whole and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/sub/x.json`;
  await writeJsonAtomic(path, { v: 1 });
  await writeAtomic(path, "second");
  assert.equal(await Deno.readTextFile(path), "second");
  const names = [...Deno.readDirSync(`${dir}/sub`)].map((e) => e.name);
  assert.deepEqual(names, ["x.json"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("readJsonOrNull() returns null for a missing file and names a corrupt one", async () => {
  const dir = await Deno.makeTempDir();
  assert.equal(await readJsonOrNull(`${dir}/none.json`), null);
  await Deno.writeTextFile(`${dir}/bad.json`, "{ half");
  await assert.rejects(() => readJsonOrNull(`${dir}/bad.json`), /not valid JSON \(.*bad\.json\)/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("removeStaleTemps() removes its own temps, or all in a folder it holds, never others'", async () => {
  const dir = await Deno.makeTempDir();
  const other = `a.json.${Deno.pid + 1}.0123abcd.tmp`, mine = `b.json.${Deno.pid}.0123abcd.tmp`;
  for (const f of [other, mine, "c.tmp"]) await Deno.writeTextFile(`${dir}/${f}`, "x");
  assert.equal(await removeStaleTemps(dir), 1);
  const names = () => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assert.deepEqual(names(), [other, "c.tmp"]);
  assert.equal(await removeStaleTemps(dir, true), 1);
  assert.deepEqual(names(), ["c.tmp"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("writeAtomic() names the path when the folder cannot be written", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/file`, "");
  await assert.rejects(() => writeAtomic(`${dir}/file/x.json`, "v"), (e: Error) => {
    assert.match(e.message, /^cannot write: .*\(.*file\/x\.json\)$/);
    return true;
  });
  await Deno.remove(dir, { recursive: true });
});
