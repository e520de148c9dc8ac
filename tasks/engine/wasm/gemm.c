/*
 * gemm.c: single-precision GEMM for wasm32 with relaxed-SIMD FMA (f32x4.relaxed_madd).
 *
 *   C[M, N] = op(A)[M, K] · op(B)[K, N]
 *
 * Operands are described by strides, so one function covers A·B, A·Bᵀ, Aᵀ·B and Aᵀ·Bᵀ:
 * element (i, k) of op(A) is a[i * rsa + k * csa], element (k, j) of op(B) is b[k * rsb + j * csb],
 * element (i, j) of C is c[i * ldc + j] (C is written, never read before the first K block).
 *
 * GotoBLAS blocking: K in blocks of KC, N in blocks of NC, M in blocks of MC; each block of op(B)
 * is packed into NR-column panels and each block of op(A) into MR-row panels (zero padded), and a
 * register-blocked 6 x 8 micro-kernel (12 f32x4 accumulators; 4 x 8 and other blockings measured
 * slower) runs over the panels; a last panel of at most 4 or 2 rows runs a 4 x 8 or 2 x 8 one.
 *
 * The module imports its memory (the TF.js wasm backend's heap) and uses no data segment and no
 * shadow stack: every pointer is an argument, the packing buffers included (`scratch`, at least
 * gemm_scratch_floats() floats, 16-byte aligned). gemm_pack_b + gemm_packed split off the packing
 * of op(B), so a caller can pack a right-hand operand it multiplies again (weights) once.
 * Built by build_gemm.sh; see tasks/engine/README.md.
 */
#include <wasm_simd128.h>

#define MR 6
#define NR 8
#define KC 512
#define MC 60
#define NC 1024

typedef unsigned int u32;

#define EXPORT(name) __attribute__((export_name(name), visibility("default")))

/* Packs op(A)[i0 : i0 + mc, p0 : p0 + kc] into MR-row panels: ap[panel][k][r]. */
static void pack_a(const float *a, int rsa, int csa, int mc, int kc, float *ap) {
  for (int i = 0; i < mc; i += MR) {
    int rows = mc - i < MR ? mc - i : MR;
    const float *src = a + i * rsa;
    if (rows == MR && csa == 1) {
      for (int k = 0; k < kc; k++) {
        for (int r = 0; r < MR; r++) ap[r] = src[r * rsa + k];
        ap += MR;
      }
    } else if (rows == MR && rsa == 1) {
      for (int k = 0; k < kc; k++) {
        const float *col = src + k * csa;
        wasm_v128_store(ap, wasm_v128_load(col));
        ap[4] = col[4];
        ap[5] = col[5];
        ap += MR;
      }
    } else {
      for (int k = 0; k < kc; k++) {
        for (int r = 0; r < MR; r++) ap[r] = r < rows ? src[r * rsa + k * csa] : 0.0f;
        ap += MR;
      }
    }
  }
}

/* Writes the 4 x 4 block src[c * stride + r] (c, r < 4) transposed: dst[r * NR + c]. */
static inline void transpose4(const float *src, int stride, float *dst) {
  v128_t x0 = wasm_v128_load(src), x1 = wasm_v128_load(src + stride);
  v128_t x2 = wasm_v128_load(src + 2 * stride), x3 = wasm_v128_load(src + 3 * stride);
  v128_t t0 = wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7);
  v128_t t2 = wasm_i32x4_shuffle(x2, x3, 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(x2, x3, 2, 6, 3, 7);
  wasm_v128_store(dst, wasm_i64x2_shuffle(t0, t2, 0, 2));
  wasm_v128_store(dst + NR, wasm_i64x2_shuffle(t0, t2, 1, 3));
  wasm_v128_store(dst + 2 * NR, wasm_i64x2_shuffle(t1, t3, 0, 2));
  wasm_v128_store(dst + 3 * NR, wasm_i64x2_shuffle(t1, t3, 1, 3));
}

/* Packs op(B)[p0 : p0 + kc, j0 : j0 + nc] into NR-column panels: bp[panel][k][c]. */
static void pack_b(const float *b, int rsb, int csb, int kc, int nc, float *bp) {
  for (int j = 0; j < nc; j += NR) {
    int cols = nc - j < NR ? nc - j : NR;
    const float *src = b + j * csb;
    if (cols == NR && csb == 1) {
      for (int k = 0; k < kc; k++) {
        const float *row = src + k * rsb;
        wasm_v128_store(bp, wasm_v128_load(row));
        wasm_v128_store(bp + 4, wasm_v128_load(row + 4));
        bp += NR;
      }
    } else if (cols == NR && rsb == 1) {
      /* op(B) = Bᵀ of a row-major B: 4 x 4 transposes of 4 k values from each of 8 columns */
      int k = 0;
      for (; k + 4 <= kc; k += 4) {
        transpose4(src + k, csb, bp);
        transpose4(src + 4 * csb + k, csb, bp + 4);
        bp += 4 * NR;
      }
      for (; k < kc; k++) {
        for (int c = 0; c < NR; c++) bp[c] = src[k + c * csb];
        bp += NR;
      }
    } else {
      for (int k = 0; k < kc; k++) {
        for (int c = 0; c < NR; c++) bp[c] = c < cols ? src[k * rsb + c * csb] : 0.0f;
        bp += NR;
      }
    }
  }
}

/* Stores the first `cols` lanes of v at p (cols in 1..4). */
static inline void store_lanes(float *p, v128_t v, int cols) {
  if (cols >= 4) { wasm_v128_store(p, v); return; }
  p[0] = wasm_f32x4_extract_lane(v, 0);
  if (cols > 1) p[1] = wasm_f32x4_extract_lane(v, 1);
  if (cols > 2) p[2] = wasm_f32x4_extract_lane(v, 2);
}

static inline void store_row(float *c, v128_t lo, v128_t hi, int cols, int acc) {
  if (cols == NR) {
    if (acc) {
      lo = wasm_f32x4_add(lo, wasm_v128_load(c));
      hi = wasm_f32x4_add(hi, wasm_v128_load(c + 4));
    }
    wasm_v128_store(c, lo);
    wasm_v128_store(c + 4, hi);
    return;
  }
  float *p = c;
  int n = cols;
  v128_t v = lo;
  for (int half = 0; half < 2 && n > 0; half++) {
    int m = n < 4 ? n : 4;
    if (acc) {
      /* read the valid lanes only: C may end exactly at the end of the heap block */
      for (int l = 0; l < m; l++) {
        float x = l == 0 ? wasm_f32x4_extract_lane(v, 0)
                : l == 1 ? wasm_f32x4_extract_lane(v, 1)
                : l == 2 ? wasm_f32x4_extract_lane(v, 2)
                         : wasm_f32x4_extract_lane(v, 3);
        p[l] += x;
      }
    } else {
      store_lanes(p, v, m);
    }
    p += 4;
    n -= 4;
    v = hi;
  }
}

/* C[rows x cols] (+)= Ap[MR x kc] · Bp[kc x NR]. */
#define ROW(r) v128_t c##r##0 = wasm_f32x4_splat(0.0f), c##r##1 = c##r##0;
#define FMA(r)                                                 \
  {                                                            \
    v128_t a = wasm_v128_load32_splat(ap + r);                 \
    c##r##0 = wasm_f32x4_relaxed_madd(a, b0, c##r##0);         \
    c##r##1 = wasm_f32x4_relaxed_madd(a, b1, c##r##1);         \
  }
#define STORE(r) \
  if (rows > r) store_row(c + r * ldc, c##r##0, c##r##1, cols, acc);
static void micro(int kc, const float *ap, const float *bp, float *c, int ldc, int rows, int cols,
                  int acc) {
  ROW(0) ROW(1) ROW(2) ROW(3) ROW(4) ROW(5)
  for (int k = 0; k < kc; k++) {
    v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    FMA(0) FMA(1) FMA(2) FMA(3) FMA(4) FMA(5)
    ap += MR;
    bp += NR;
  }
  STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5)
}

/* The last panel's rows when it has at most 4 (or 2): the same sums over the same packed panel
   (MR floats per k), without the FMAs of its zero rows. A recurrent step's product (M = batch,
   e.g. 16 = 6 + 6 + 4) spends a third of its time there otherwise. */
static void micro4(int kc, const float *ap, const float *bp, float *c, int ldc, int rows, int cols,
                   int acc) {
  ROW(0) ROW(1) ROW(2) ROW(3)
  for (int k = 0; k < kc; k++) {
    v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    FMA(0) FMA(1) FMA(2) FMA(3)
    ap += MR;
    bp += NR;
  }
  STORE(0) STORE(1) STORE(2) STORE(3)
}

static void micro2(int kc, const float *ap, const float *bp, float *c, int ldc, int rows, int cols,
                   int acc) {
  ROW(0) ROW(1)
  for (int k = 0; k < kc; k++) {
    v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    FMA(0) FMA(1)
    ap += MR;
    bp += NR;
  }
  STORE(0) STORE(1)
}

/* Floats of scratch gemm() needs (packed A block + packed B block). */
EXPORT("gemm_scratch_floats") u32 gemm_scratch_floats(void) { return MC * KC + KC * NC; }

static inline int round_up(int x) { return (x + NR - 1) / NR * NR; }

/* Floats of a whole op(B) packed by gemm_pack_b (K x N rounded up to NR columns). */
EXPORT("gemm_packed_b_floats") u32 gemm_packed_b_floats(int k, int n) { return k * round_up(n); }

/* Packs all of op(B)[k, n] block by block, in the order gemm_packed() reads it: block (jc, pc)
   at bp + jc * k + pc * round_up(nc). */
EXPORT("gemm_pack_b")
void gemm_pack_b(int k, int n, const float *b, int rsb, int csb, float *bp) {
  for (int jc = 0; jc < n; jc += NC) {
    int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = k - pc < KC ? k - pc : KC;
      pack_b(b + pc * rsb + jc * csb, rsb, csb, kc, nc, bp + jc * k + pc * round_up(nc));
    }
  }
}

/* C = op(A) · op(B) with op(B) packed by gemm_pack_b (or, with `packed_b` 0, packed here block
   by block into the scratch). */
static void gemm_impl(int m, int n, int k, const float *a, int rsa, int csa, const float *b,
                      int rsb, int csb, const float *packed_b, float *c, int ldc, float *scratch) {
  float *ap = scratch, *bp = scratch + MC * KC;
  if (k == 0) {
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) c[i * ldc + j] = 0.0f;
    return;
  }
  for (int jc = 0; jc < n; jc += NC) {
    int nc = n - jc < NC ? n - jc : NC;
    for (int pc = 0; pc < k; pc += KC) {
      int kc = k - pc < KC ? k - pc : KC;
      const float *bb = bp;
      if (packed_b)
        bb = packed_b + jc * k + pc * round_up(nc);
      else
        pack_b(b + pc * rsb + jc * csb, rsb, csb, kc, nc, bp);
      for (int ic = 0; ic < m; ic += MC) {
        int mc = m - ic < MC ? m - ic : MC;
        pack_a(a + ic * rsa + pc * csa, rsa, csa, mc, kc, ap);
        for (int jr = 0; jr < nc; jr += NR) {
          int cols = nc - jr < NR ? nc - jr : NR;
          for (int ir = 0; ir < mc; ir += MR) {
            int rows = mc - ir < MR ? mc - ir : MR;
            float *cc = c + (ic + ir) * ldc + jc + jr;
            const float *aa = ap + ir * kc, *bk = bb + jr * kc;
            if (rows <= 2)
              micro2(kc, aa, bk, cc, ldc, rows, cols, pc > 0);
            else if (rows <= 4)
              micro4(kc, aa, bk, cc, ldc, rows, cols, pc > 0);
            else
              micro(kc, aa, bk, cc, ldc, rows, cols, pc > 0);
          }
        }
      }
    }
  }
}

/* C = op(A) · op(B) (see the top of this file). */
EXPORT("gemm")
void gemm(int m, int n, int k, const float *a, int rsa, int csa, const float *b, int rsb, int csb,
          float *c, int ldc, float *scratch) {
  gemm_impl(m, n, k, a, rsa, csa, b, rsb, csb, 0, c, ldc, scratch);
}

/* C = op(A) · op(B) with op(B) packed by gemm_pack_b(k, n, ...) into `packed_b`. */
EXPORT("gemm_packed")
void gemm_packed(int m, int n, int k, const float *a, int rsa, int csa, const float *packed_b,
                 float *c, int ldc, float *scratch) {
  gemm_impl(m, n, k, a, rsa, csa, 0, 0, 0, packed_b, c, ldc, scratch);
}
