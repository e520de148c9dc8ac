import assert from "node:assert/strict";
import { type DatasetSpec, readVerified, sha256Hex } from "./_files.ts";

async function gzipBytes(b: Uint8Array): Promise<Uint8Array> {
  const s = new Blob([b as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(s).arrayBuffer());
}

Deno.test("readVerified() reads a good file and names the fix for missing or corrupt files", async () => {
  const root = await Deno.makeTempDir();
  const prev = Deno.env.get("PAPERS_REPRO_DATA");
  Deno.env.set("PAPERS_REPRO_DATA", root);
  try {
    const good = new TextEncoder().encode("hello data");
    const spec: DatasetSpec = {
      name: "tiny_set",
      description: "test",
      files: [
        { name: "a.bin", sha256: await sha256Hex(good) },
        { name: "b.bin", sha256: await sha256Hex(good) },
        { name: "c.gz", sha256: await sha256Hex(good), gzip: true },
      ],
    };
    await Deno.mkdir(`${root}/tiny_set`);
    await Deno.writeFile(`${root}/tiny_set/a.bin`, good);
    await Deno.writeFile(`${root}/tiny_set/b.bin`, new TextEncoder().encode("hello dat4"));
    await Deno.writeFile(`${root}/tiny_set/c.gz`, await gzipBytes(good));
    assert.deepEqual(await readVerified(spec, "a.bin"), good);
    assert.ok((await readVerified(spec, "c.gz")).length > 0);
    await assert.rejects(readVerified(spec, "b.bin"), /corrupt.*deno task data tiny_set/);
    const missing = { ...spec, name: "absent_set" };
    await assert.rejects(readVerified(missing, "a.bin"), /not found.*deno task data absent_set/);
  } finally {
    if (prev === undefined) Deno.env.delete("PAPERS_REPRO_DATA");
    else Deno.env.set("PAPERS_REPRO_DATA", prev);
    await Deno.remove(root, { recursive: true });
  }
});
