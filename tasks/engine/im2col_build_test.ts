import { IM2COL_WASM_URL } from "./im2col.ts";
import { wasmBuildTests } from "./wasm_build_check.ts";

wasmBuildTests(new URL("./wasm/build_im2col.sh", import.meta.url).pathname, IM2COL_WASM_URL, [
  "accumulate",
  "col2im",
  "im2col",
]);
