#!/usr/bin/env bash
# Rebuilds gemm.wasm from gemm.c, byte for byte, with Debian's clang 19 and lld 19
# (`apt-get install -y clang-19 lld-19`; bookworm's default `clang`/`lld` are 14, older than
# the final relaxed-SIMD encoding). Usage: build_gemm.sh [OUT] (default: gemm.wasm beside this
# script). CLANG overrides the compiler path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/gemm.wasm}"
clang="${CLANG:-$(command -v clang-19 || echo /usr/lib/llvm-19/bin/clang)}"
[ -x "$clang" ] || command -v "$clang" >/dev/null || { echo "build_gemm.sh: clang-19 not found (apt-get install -y clang-19 lld-19)" >&2; exit 2; }
tmp="$out.tmp.$$"
# -ffile-prefix-map and --strip-all keep paths and names out of the binary; no data, no stack.
"$clang" --target=wasm32 -O3 -msimd128 -mrelaxed-simd -nostdlib -ffreestanding -fno-builtin \
  -Wall -Werror -ffile-prefix-map="$here"=. \
  -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all \
  -o "$tmp" "$here/gemm.c"
mv "$tmp" "$out"
