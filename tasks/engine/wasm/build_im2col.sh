#!/usr/bin/env bash
# Rebuilds im2col.wasm from im2col.c, byte for byte (build_wasm.sh: Debian's clang 19 and lld 19),
# plain SIMD128. Usage: build_im2col.sh [OUT] (default: im2col.wasm beside this script).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/build_wasm.sh" "$here/im2col.c" "${1:-$here/im2col.wasm}" -msimd128
