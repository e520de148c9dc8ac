#!/usr/bin/env bash
# Rebuilds gemm.wasm from gemm.c, byte for byte (build_wasm.sh: Debian's clang 19 and lld 19), with
# relaxed SIMD. Usage: build_gemm.sh [OUT] (default: gemm.wasm beside this script).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/build_wasm.sh" "$here/gemm.c" "${1:-$here/gemm.wasm}" -msimd128 -mrelaxed-simd
