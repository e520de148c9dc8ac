import assert from "node:assert/strict";
import {
  assertRebuildsCommitted,
  clang19,
  IN_CI,
  sectionIds,
} from "../../tasks/engine/wasm_build_check.ts";
import { DENSE_ACCESS_WASM_URL } from "./dense_access.ts";

const SCRIPT = new URL("./wasm/build_dense_access.sh", import.meta.url).pathname;

Deno.test({
  name: "build_dense_access.sh rebuilds the committed dense_access.wasm byte for byte",
  ignore: !clang19() && !IN_CI,
  fn: () => assertRebuildsCommitted(SCRIPT, DENSE_ACCESS_WASM_URL),
});

Deno.test("dense_access.wasm imports only its memory, exports the eight loops and has no data", async () => {
  const bytes = await Deno.readFile(DENSE_ACCESS_WASM_URL);
  const mod = new WebAssembly.Module(bytes);
  assert.deepEqual(WebAssembly.Module.imports(mod), [
    { module: "env", name: "memory", kind: "memory" },
  ]);
  assert.deepEqual(
    WebAssembly.Module.exports(mod).map((e) => e.name).sort(),
    [
      "cosine_backward",
      "cosines",
      "dam_write",
      "dam_write_backward",
      "ntm_write",
      "ntm_write_backward",
      "read",
      "read_backward",
    ],
  );
  // 11: data, 12: data count. Data would land on the importer's memory at instantiation.
  const ids = sectionIds(bytes);
  assert.ok(!ids.includes(11) && !ids.includes(12), `sections ${ids}`);
});
