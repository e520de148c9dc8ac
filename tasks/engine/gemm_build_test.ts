import { GEMM_WASM_URL } from "./gemm.ts";
import { wasmBuildTests } from "./wasm_build_check.ts";

wasmBuildTests(new URL("./wasm/build_gemm.sh", import.meta.url).pathname, GEMM_WASM_URL, [
  "gemm",
  "gemm_pack_b",
  "gemm_packed",
  "gemm_packed_b_floats",
  "gemm_scratch_floats",
]);
