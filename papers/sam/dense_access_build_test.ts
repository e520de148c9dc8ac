import assert from "node:assert/strict";
import { DENSE_ACCESS_WASM_URL } from "./dense_access.ts";

const SCRIPT = new URL("./wasm/build_dense_access.sh", import.meta.url).pathname;

/** Debian's clang 19, where installed. */
function clang19(): string | null {
  for (const p of ["/usr/bin/clang-19", "/usr/lib/llvm-19/bin/clang"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* not here */ }
  }
  return null;
}

const compiler = clang19();
const inCi = Deno.env.get("CI") === "true";

Deno.test({
  name: "build_dense_access.sh rebuilds the committed dense_access.wasm byte for byte",
  ignore: !compiler && !inCi,
  fn: async () => {
    assert.ok(compiler, "CI: clang-19 missing; .ci/run should have installed clang-19 and lld-19");
    const dir = await Deno.makeTempDir();
    try {
      const out = `${dir}/dense_access.wasm`;
      const r = await new Deno.Command("bash", { args: [SCRIPT, out], stderr: "piped" }).output();
      assert.equal(
        r.code,
        0,
        `build_dense_access.sh failed: ${new TextDecoder().decode(r.stderr)}`,
      );
      const built = await Deno.readFile(out),
        committed = await Deno.readFile(DENSE_ACCESS_WASM_URL);
      assert.equal(built.length, committed.length, "rebuilt size differs from the committed one");
      assert.ok(built.every((x, i) => x === committed[i]), "rebuilt bytes differ");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("dense_access.wasm imports only its memory and exports the four loops", async () => {
  const mod = new WebAssembly.Module(await Deno.readFile(DENSE_ACCESS_WASM_URL));
  assert.deepEqual(WebAssembly.Module.imports(mod), [
    { module: "env", name: "memory", kind: "memory" },
  ]);
  assert.deepEqual(
    WebAssembly.Module.exports(mod).map((e) => e.name).sort(),
    ["cosine_backward", "cosines", "read", "read_backward"],
  );
});
