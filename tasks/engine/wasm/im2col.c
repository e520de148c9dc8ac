/*
 * im2col.c: the lowering of an NHWC conv2d (dilation 1) to a GEMM, for conv_gemm_kernel.ts:
 *
 *   im2col  col[r, (kh, kw, c)] = x[n, oh*sh - pt + kh, ow*sw - pl + kw, c] (0 outside x),
 *           for the output rows r = (n, oh, ow) in [r0, r1), col holding rows r0.. from its start
 *   col2im  dx[n, ih, iw, c] += dcol[r, (kh, kw, c)] over the same map (dx must be zeroed first)
 *   accumulate  dst[i] += src[i], i < n (sums the filter gradient's per-chunk products)
 *
 * so that y = col . F (F the filter [KH*KW*C, Co] as TF.js stores it), dF = col^T . dy and
 * dx = col2im(dy . F^T). A row's KW taps of one kernel row are one contiguous run of KW*C floats in
 * both x and col when they all fall inside x, so those copy in one pass. The module imports its
 * memory and has no data segment and no shadow stack: every pointer is an argument.
 * Built by build_im2col.sh; see tasks/engine/README.md.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name), visibility("default")))

static void copy(const float *src, float *dst, int n) {
  int j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(dst + j, wasm_v128_load(src + j));
  for (; j < n; j++) dst[j] = src[j];
}

static void zero(float *dst, int n) {
  int j = 0;
  for (; j + 4 <= n; j += 4) wasm_v128_store(dst + j, wasm_f32x4_splat(0.0f));
  for (; j < n; j++) dst[j] = 0.0f;
}

static void add(const float *src, float *dst, int n) {
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    wasm_v128_store(dst + j, wasm_f32x4_add(wasm_v128_load(dst + j), wasm_v128_load(src + j)));
  }
  for (; j < n; j++) dst[j] += src[j];
}

EXPORT("im2col")
void im2col(const float *x, int H, int W, int C, int KH, int KW, int sh, int sw, int pt, int pl,
            int Ho, int Wo, int r0, int r1, float *col) {
  const int K = KH * KW * C, run = KW * C;
  for (int r = r0; r < r1; r++) {
    const int n = r / (Ho * Wo), oh = (r / Wo) % Ho, ow = r % Wo;
    float *row = col + (long)(r - r0) * K;
    const int iw0 = ow * sw - pl;
    for (int kh = 0; kh < KH; kh++) {
      const int ih = oh * sh - pt + kh;
      float *dst = row + kh * run;
      if (ih < 0 || ih >= H) {
        zero(dst, run);
        continue;
      }
      const float *src = x + ((long)(n * H + ih) * W) * C;
      if (iw0 >= 0 && iw0 + KW <= W) {
        copy(src + (long)iw0 * C, dst, run);
        continue;
      }
      for (int kw = 0; kw < KW; kw++) {
        const int iw = iw0 + kw;
        if (iw < 0 || iw >= W) zero(dst + kw * C, C);
        else copy(src + (long)iw * C, dst + kw * C, C);
      }
    }
  }
}

EXPORT("col2im")
void col2im(const float *col, int H, int W, int C, int KH, int KW, int sh, int sw, int pt, int pl,
            int Ho, int Wo, int r0, int r1, float *dx) {
  const int K = KH * KW * C, run = KW * C;
  for (int r = r0; r < r1; r++) {
    const int n = r / (Ho * Wo), oh = (r / Wo) % Ho, ow = r % Wo;
    const float *row = col + (long)(r - r0) * K;
    const int iw0 = ow * sw - pl;
    for (int kh = 0; kh < KH; kh++) {
      const int ih = oh * sh - pt + kh;
      if (ih < 0 || ih >= H) continue;
      const float *src = row + kh * run;
      float *dst = dx + ((long)(n * H + ih) * W) * C;
      if (iw0 >= 0 && iw0 + KW <= W) {
        add(src, dst + (long)iw0 * C, run);
        continue;
      }
      for (int kw = 0; kw < KW; kw++) {
        const int iw = iw0 + kw;
        if (iw >= 0 && iw < W) add(src + kw * C, dst + (long)iw * C, C);
      }
    }
  }
}

EXPORT("accumulate")
void accumulate(const float *src, float *dst, int n) { add(src, dst, n); }
