#!/usr/bin/env bash
# Rebuilds dense_access.wasm from dense_access.c, byte for byte, with Debian's clang 19 and lld 19
# (`apt-get install -y clang-19 lld-19`; the same toolchain as tasks/engine/wasm/build_gemm.sh).
# Usage: build_dense_access.sh [OUT] (default: dense_access.wasm beside this script). CLANG
# overrides the compiler path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/dense_access.wasm}"
clang="${CLANG:-$(command -v clang-19 || echo /usr/lib/llvm-19/bin/clang)}"
[ -x "$clang" ] || command -v "$clang" >/dev/null || { echo "build_dense_access.sh: clang-19 not found (apt-get install -y clang-19 lld-19)" >&2; exit 2; }
tmp="$out.tmp.$$"
# -ffile-prefix-map and --strip-all keep paths and names out of the binary; no data, no stack.
"$clang" --target=wasm32 -O3 -msimd128 -nostdlib -ffreestanding -fno-builtin \
  -Wall -Werror -ffile-prefix-map="$here"=. \
  -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all \
  -o "$tmp" "$here/dense_access.c"
mv "$tmp" "$out"
