import assert from "node:assert/strict";
import { GEMM_WASM_URL } from "./gemm.ts";

const SCRIPT = new URL("./wasm/build_gemm.sh", import.meta.url).pathname;

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
if (!compiler && !inCi) {
  console.warn(
    "gemm_build_test: skipping the byte-for-byte rebuild: clang-19 is not installed " +
      "(apt-get install -y clang-19 lld-19; .ci/run installs it)",
  );
}

Deno.test({
  name: "build_gemm.sh rebuilds the committed gemm.wasm byte for byte",
  ignore: !compiler && !inCi,
  fn: async () => {
    assert.ok(compiler, "CI: clang-19 missing; .ci/run should have installed clang-19 and lld-19");
    const dir = await Deno.makeTempDir();
    try {
      const out = `${dir}/gemm.wasm`;
      const r = await new Deno.Command("bash", { args: [SCRIPT, out], stderr: "piped" }).output();
      assert.equal(r.code, 0, `build_gemm.sh failed: ${new TextDecoder().decode(r.stderr)}`);
      const built = await Deno.readFile(out), committed = await Deno.readFile(GEMM_WASM_URL);
      assert.equal(built.length, committed.length, "rebuilt size differs from the committed one");
      assert.ok(built.every((x, i) => x === committed[i]), "rebuilt bytes differ");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** Section ids of a wasm binary (LEB128 sizes). */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let p = 8;
  while (p < bytes.length) {
    const id = bytes[p++]!;
    let size = 0, shift = 0, byte: number;
    do {
      byte = bytes[p++]!;
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    ids.push(id);
    p += size;
  }
  return ids;
}

Deno.test("the committed gemm.wasm imports only a memory and has no data segments to write into it", async () => {
  const bytes = await Deno.readFile(GEMM_WASM_URL);
  const mod = new WebAssembly.Module(bytes);
  assert.deepEqual(WebAssembly.Module.imports(mod), [
    { module: "env", name: "memory", kind: "memory" },
  ]);
  assert.deepEqual(
    WebAssembly.Module.exports(mod).map((e) => e.name).sort(),
    ["gemm", "gemm_pack_b", "gemm_packed", "gemm_packed_b_floats", "gemm_scratch_floats"],
  );
  // 11: data, 12: data count. Data would land on the importer's heap at instantiation.
  const ids = sectionIds(bytes);
  assert.ok(!ids.includes(11) && !ids.includes(12), `sections ${ids}`);
});
