/**
 * The conv2d-to-GEMM lowering (`wasm/im2col.c`, built to `wasm/im2col.wasm` by
 * `wasm/build_im2col.sh`) as functions over a WebAssembly memory: `im2col` gathers an NHWC
 * input's patches into the rows of a matrix, `col2im` scatter-adds such a matrix back. Like the
 * GEMM (`gemm.ts`), the module imports its memory, so one instance per memory works in place on
 * that heap (the TF.js wasm backend's, see `conv_gemm_kernel.ts`); it has no data segment.
 *
 * @module
 */

/**
 * One lowering call over output rows [r0, r1): `src` and `dst` are byte offsets, x is `[N, H, W,
 * C]`, the lowered matrix has KH·KW·C floats per row, its row r − r0 at the start of its buffer.
 */
export type LoweringCall = (
  src: number,
  H: number,
  W: number,
  C: number,
  KH: number,
  KW: number,
  sh: number,
  sw: number,
  pt: number,
  pl: number,
  Ho: number,
  Wo: number,
  r0: number,
  r1: number,
  dst: number,
) => void;

/** The lowering of one memory. */
export interface Im2col {
  /**
   * col[r − r0, (kh, kw, c)] = x[n, oh·sh − pt + kh, ow·sw − pl + kw, c] (0 outside x) for
   * r = (n, oh, ow) in [r0, r1): src = x, dst = col.
   */
  im2col: LoweringCall;
  /** The adjoint of {@link Im2col.im2col}: dx[n, ih, iw, c] += col[…]; src = col, dst = dx (zeroed by the caller). */
  col2im: LoweringCall;
  /** dst[i] += src[i] for i < n (byte offsets). */
  accumulate(src: number, dst: number, n: number): void;
}

/** The committed binary's location (read once, compiled once per process). */
export const IM2COL_WASM_URL = new URL("./wasm/im2col.wasm", import.meta.url);

let compiled: WebAssembly.Module | null = null;
const instances = new WeakMap<WebAssembly.Memory, Im2col>();

/** The lowering instantiated on `memory` (cached per memory). */
export function im2colOn(memory: WebAssembly.Memory): Im2col {
  const hit = instances.get(memory);
  if (hit) return hit;
  compiled ??= new WebAssembly.Module(Deno.readFileSync(IM2COL_WASM_URL));
  // the module's exports are exactly the three functions of Im2col (wasm/im2col.c)
  const made = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as Im2col;
  instances.set(memory, made);
  return made;
}
