#!/usr/bin/env bash
# Rebuilds gemm_shared.wasm from gemm.c, byte for byte (build_wasm.sh: Debian's clang 19 and lld
# 19): the same GEMM as gemm.wasm, importing a *shared* memory (atomics, up to 4 GiB) so that
# several threads can run it on one heap (gemm_threads.ts). Usage: build_gemm_shared.sh [OUT].
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/build_wasm.sh" "$here/gemm.c" "${1:-$here/gemm_shared.wasm}" -msimd128 -mrelaxed-simd \
  -matomics -mbulk-memory -Wl,--shared-memory -Wl,--max-memory=4294967296
