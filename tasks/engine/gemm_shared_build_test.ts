import { GEMM_SHARED_WASM_URL } from "./gemm_threads.ts";
import { wasmBuildTests } from "./wasm_build_check.ts";

wasmBuildTests(
  new URL("./wasm/build_gemm_shared.sh", import.meta.url).pathname,
  GEMM_SHARED_WASM_URL,
  ["gemm", "gemm_pack_b", "gemm_packed", "gemm_packed_b_floats", "gemm_scratch_floats"],
);
