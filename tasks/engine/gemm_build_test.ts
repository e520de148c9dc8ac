import assert from "node:assert/strict";
import { GEMM_WASM_URL } from "./gemm.ts";
import { assertRebuildsCommitted, clang19, IN_CI, sectionIds } from "./wasm_build_check.ts";

const SCRIPT = new URL("./wasm/build_gemm.sh", import.meta.url).pathname;

if (!clang19() && !IN_CI) {
  console.warn(
    "gemm_build_test: skipping the byte-for-byte rebuild: clang-19 is not installed " +
      "(apt-get install -y clang-19 lld-19; .ci/run installs it)",
  );
}

Deno.test({
  name: "build_gemm.sh rebuilds the committed gemm.wasm byte for byte",
  ignore: !clang19() && !IN_CI,
  fn: () => assertRebuildsCommitted(SCRIPT, GEMM_WASM_URL),
});

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
