import assert from "node:assert/strict";
import { IM2COL_WASM_URL } from "./im2col.ts";
import { assertRebuildsCommitted, clang19, IN_CI, sectionIds } from "./wasm_build_check.ts";

const SCRIPT = new URL("./wasm/build_im2col.sh", import.meta.url).pathname;

Deno.test({
  name: "build_im2col.sh rebuilds the committed im2col.wasm byte for byte",
  ignore: !clang19() && !IN_CI,
  fn: () => assertRebuildsCommitted(SCRIPT, IM2COL_WASM_URL),
});

Deno.test("the committed im2col.wasm imports only a memory, exports its three loops and has no data", async () => {
  const bytes = await Deno.readFile(IM2COL_WASM_URL);
  const mod = new WebAssembly.Module(bytes);
  assert.deepEqual(WebAssembly.Module.imports(mod), [
    { module: "env", name: "memory", kind: "memory" },
  ]);
  assert.deepEqual(WebAssembly.Module.exports(mod).map((e) => e.name).sort(), [
    "accumulate",
    "col2im",
    "im2col",
  ]);
  // 11: data, 12: data count. Data would land on the importer's heap at instantiation.
  const ids = sectionIds(bytes);
  assert.ok(!ids.includes(11) && !ids.includes(12), `sections ${ids}`);
});
