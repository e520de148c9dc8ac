#!/usr/bin/env bash
# Rebuilds im2col.wasm from im2col.c, byte for byte, with Debian's clang 19 and lld 19
# (`apt-get install -y clang-19 lld-19`; the same toolchain as build_gemm.sh, plain SIMD128 here).
# Usage: build_im2col.sh [OUT] (default: im2col.wasm beside this script). CLANG overrides the
# compiler path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/im2col.wasm}"
clang="${CLANG:-$(command -v clang-19 || echo /usr/lib/llvm-19/bin/clang)}"
[ -x "$clang" ] || command -v "$clang" >/dev/null || { echo "build_im2col.sh: clang-19 not found (apt-get install -y clang-19 lld-19)" >&2; exit 2; }
tmp="$out.tmp.$$"
# -ffile-prefix-map and --strip-all keep paths and names out of the binary; no data, no stack.
"$clang" --target=wasm32 -O3 -msimd128 -nostdlib -ffreestanding -fno-builtin \
  -Wall -Werror -ffile-prefix-map="$here"=. \
  -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all \
  -o "$tmp" "$here/im2col.c"
mv "$tmp" "$out"
