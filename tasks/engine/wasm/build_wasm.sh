#!/usr/bin/env bash
# Builds one freestanding wasm32 module from one C file, byte for byte, with Debian's clang 19 and
# lld 19 (`apt-get install -y clang-19 lld-19`; bookworm's default `clang`/`lld` are 14, older than
# the final relaxed-SIMD encoding). Shared by build_gemm.sh, build_im2col.sh and papers/sam's
# build_dense_access.sh. Usage: build_wasm.sh SRC.c OUT.wasm [CLANG FLAGS...] (e.g. -msimd128).
# CLANG overrides the compiler path.
set -euo pipefail
[ $# -ge 2 ] || { echo "build_wasm.sh: usage: build_wasm.sh SRC.c OUT.wasm [clang flags]" >&2; exit 2; }
src="$1" out="$2"
shift 2
dir="$(cd "$(dirname "$src")" && pwd)"
clang="${CLANG:-$(command -v clang-19 || echo /usr/lib/llvm-19/bin/clang)}"
[ -x "$clang" ] || command -v "$clang" >/dev/null || { echo "build_wasm.sh: clang-19 not found (apt-get install -y clang-19 lld-19)" >&2; exit 2; }
tmp="$out.tmp.$$"
# The module imports its memory; -ffile-prefix-map and --strip-all keep paths and names out of the
# binary; no libc, no data, no stack.
"$clang" --target=wasm32 -O3 "$@" -nostdlib -ffreestanding -fno-builtin \
  -Wall -Werror -ffile-prefix-map="$dir"=. \
  -Wl,--no-entry -Wl,--import-memory -Wl,--strip-all \
  -o "$tmp" "$dir/$(basename "$src")"
mv "$tmp" "$out"
