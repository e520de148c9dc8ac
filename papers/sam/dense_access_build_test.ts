import { wasmBuildTests } from "../../tasks/engine/wasm_build_check.ts";
import { DENSE_ACCESS_WASM_URL } from "./dense_access.ts";

wasmBuildTests(
  new URL("./wasm/build_dense_access.sh", import.meta.url).pathname,
  DENSE_ACCESS_WASM_URL,
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
