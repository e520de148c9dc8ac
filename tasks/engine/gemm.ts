/**
 * The relaxed-SIMD GEMM (`wasm/gemm.c`, built to `wasm/gemm.wasm` by `wasm/build_gemm.sh`) as a
 * function over a WebAssembly memory: C = op(A)·op(B) for operands given by byte offsets and
 * element strides, so A·B, A·Bᵀ, Aᵀ·B and Aᵀ·Bᵀ need no transposes.
 *
 * The module imports its memory, so one instance per memory computes in place on that heap (the
 * TF.js wasm backend's, see `gemm_kernel.ts`); it has no data segment and no stack, and takes its
 * packing buffer (`scratchFloats` floats) as an argument.
 *
 * @module
 */

/**
 * A module of one function using `f32x4.relaxed_madd` (0xfd 0x105), assembled by wabt's
 * `wat2wasm --enable-relaxed-simd` from
 * `(module (func (result v128) (f32x4.relaxed_madd (v128.const f32x4 0 0 0 0) ×3)))`.
 */
const PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b,
  0x03,
  0x02,
  0x01,
  0x00,
  0x0a,
  0x3d,
  0x01,
  0x3b,
  0x00,
  ...[0, 1, 2].flatMap(() => [
    0xfd,
    0x0c,
    ...new Array<number>(16).fill(0),
  ]),
  0xfd,
  0x85,
  0x02,
  0x0b,
]);

/** Whether this runtime's WebAssembly has relaxed SIMD (`WebAssembly.validate` of a probe). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(PROBE);
}

/** The GEMM of one memory. */
export interface Gemm {
  /**
   * C[m, n] = op(A)·op(B): element (i, k) of op(A) at float index `i·rsa + k·csa` from byte
   * offset `a`, (k, j) of op(B) at `k·rsb + j·csb` from `b`, (i, j) of C at `i·ldc + j` from `c`;
   * `scratch`: byte offset of `scratchFloats` floats (16-byte aligned) the call may overwrite.
   */
  gemm(
    m: number,
    n: number,
    k: number,
    a: number,
    rsa: number,
    csa: number,
    b: number,
    rsb: number,
    csb: number,
    c: number,
    ldc: number,
    scratch: number,
  ): void;
  /** Floats of scratch one call needs. */
  scratchFloats: number;
  /** Packs op(B) `[k, n]` (strides as in {@link Gemm.gemm}) whole, at byte offset `dst`. */
  packB(k: number, n: number, b: number, rsb: number, csb: number, dst: number): void;
  /** Floats {@link Gemm.packB} writes for `[k, n]`. */
  packedBFloats(k: number, n: number): number;
  /** {@link Gemm.gemm} with op(B) packed by {@link Gemm.packB} at byte offset `packedB`. */
  gemmPacked(
    m: number,
    n: number,
    k: number,
    a: number,
    rsa: number,
    csa: number,
    packedB: number,
    c: number,
    ldc: number,
    scratch: number,
  ): void;
}

let compiled: WebAssembly.Module | null = null;
const instances = new WeakMap<WebAssembly.Memory, Gemm>();

/** The committed binary's location (read once, compiled once per process). */
export const GEMM_WASM_URL = new URL("./wasm/gemm.wasm", import.meta.url);

/**
 * The GEMM instantiated on `memory` (cached per memory). Throws when relaxed SIMD is absent (the
 * module does not compile); check {@link relaxedSimdSupported} first.
 */
export function gemmOn(memory: WebAssembly.Memory): Gemm {
  const hit = instances.get(memory);
  if (hit) return hit;
  compiled ??= new WebAssembly.Module(Deno.readFileSync(GEMM_WASM_URL));
  const exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports as {
    gemm: Gemm["gemm"];
    gemm_scratch_floats: () => number;
    gemm_pack_b: Gemm["packB"];
    gemm_packed_b_floats: Gemm["packedBFloats"];
    gemm_packed: Gemm["gemmPacked"];
  };
  const made: Gemm = {
    gemm: exports.gemm,
    scratchFloats: exports.gemm_scratch_floats(),
    packB: exports.gemm_pack_b,
    packedBFloats: exports.gemm_packed_b_floats,
    gemmPacked: exports.gemm_packed,
  };
  instances.set(memory, made);
  return made;
}
