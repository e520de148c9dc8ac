#!/usr/bin/env bash
# Rebuilds dense_access.wasm from dense_access.c, byte for byte, with the engine's
# tasks/engine/wasm/build_wasm.sh (Debian's clang 19 and lld 19), plain SIMD128.
# Usage: build_dense_access.sh [OUT] (default: dense_access.wasm beside this script).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../../../tasks/engine/wasm/build_wasm.sh" "$here/dense_access.c" \
  "${1:-$here/dense_access.wasm}" -msimd128
