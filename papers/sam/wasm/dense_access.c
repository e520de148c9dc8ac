/*
 * dense_access.c: the O(H·N·W) loops of the NTM / DAM dense memory access (dense_access.ts)
 * for one batch element and one step, in wasm SIMD (f32x4 over the word's W floats):
 *
 *   cosines          kn[h] = sqrt(eps + |k_h|^2), mn[i] = sqrt(eps + |M_i|^2),
 *                    cos[h, i] = k_h . M_i / (kn[h] mn[i])
 *   read             r[h, :] = sum_i w[h, i] M_i
 *   read_backward    dw[h, i] = (extra ? extra[h, i] : 0) + dr_h . M_i,
 *                    dM[i, :] += sum_h w[h, i] dr_h
 *   cosine_backward  dk[h, :] += sum_i f1[h, i] M_i - gk[h] k_h,
 *                    dM[i, :] += sum_h f1[h, i] k_h - gm[i] M_i
 *   ntm_write        M1[i, j] = M0[i, j] (1 - w[i] e[j]) + w[i] a[j]
 *   ntm_write_backward  given dM = dL/dM1 (overwritten in place by dL/dM0 = dM (1 - w e)):
 *                    dw[i] = sum_j dM[i, j] (a[j] - M0[i, j] e[j]),
 *                    de[j] -= sum_i dM[i, j] w[i] M0[i, j], da[j] += sum_i dM[i, j] w[i]
 *   dam_write        M1[i, :] = (i == lru ? 0 : M0[i, :]) + w[i] a
 *   dam_write_backward  dw[i] = dM[i, :] . a, da += sum_i dM[i, :] w[i], then in place
 *                    dM[lru, :] = 0 (dL/dM0)
 *
 * The O(H·N) parts (softmax, its backward, the coefficients f1, gk, gm) stay in JS. The module
 * imports its memory and has no data segment and no shadow stack: every pointer is an argument.
 * Built by build_dense_access.sh; see papers/sam/README.md.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(name), visibility("default")))

static float hsum(v128_t v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
         wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}

/* a . b over W floats */
static float dot(const float *a, const float *b, int W) {
  v128_t acc = wasm_f32x4_splat(0.0f);
  int j = 0;
  for (; j + 4 <= W; j += 4) {
    acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(a + j), wasm_v128_load(b + j)));
  }
  float s = hsum(acc);
  for (; j < W; j++) s += a[j] * b[j];
  return s;
}

/* y += a x over W floats */
static void axpy(float a, const float *x, float *y, int W) {
  v128_t va = wasm_f32x4_splat(a);
  int j = 0;
  for (; j + 4 <= W; j += 4) {
    v128_t v = wasm_f32x4_add(wasm_v128_load(y + j), wasm_f32x4_mul(va, wasm_v128_load(x + j)));
    wasm_v128_store(y + j, v);
  }
  for (; j < W; j++) y[j] += a * x[j];
}

EXPORT("cosines")
void cosines(const float *k, const float *M, int H, int N, int W, float eps, float *kn, float *mn,
             float *cos) {
  for (int i = 0; i < N; i++) mn[i] = __builtin_sqrtf(eps + dot(M + i * W, M + i * W, W));
  for (int h = 0; h < H; h++) {
    const float *kh = k + h * W;
    float n = kn[h] = __builtin_sqrtf(eps + dot(kh, kh, W));
    for (int i = 0; i < N; i++) cos[h * N + i] = dot(kh, M + i * W, W) / (n * mn[i]);
  }
}

EXPORT("read")
void read(const float *w, const float *M, int H, int N, int W, float *r) {
  for (int h = 0; h < H; h++) {
    float *rh = r + h * W;
    for (int j = 0; j < W; j++) rh[j] = 0.0f;
    for (int i = 0; i < N; i++) axpy(w[h * N + i], M + i * W, rh, W);
  }
}

EXPORT("read_backward")
void read_backward(const float *w, const float *M, const float *dr, const float *extra,
                   int hasExtra, int H, int N, int W, float *dw, float *dM) {
  for (int i = 0; i < N; i++) {
    const float *mi = M + i * W;
    float *dmi = dM + i * W;
    for (int h = 0; h < H; h++) {
      const float *drh = dr + h * W;
      dw[h * N + i] = (hasExtra ? extra[h * N + i] : 0.0f) + dot(drh, mi, W);
      axpy(w[h * N + i], drh, dmi, W);
    }
  }
}

EXPORT("cosine_backward")
void cosine_backward(const float *k, const float *M, const float *f1, const float *gk,
                     const float *gm, int H, int N, int W, float *dk, float *dM) {
  for (int h = 0; h < H; h++) {
    const float *kh = k + h * W;
    float *dkh = dk + h * W;
    axpy(-gk[h], kh, dkh, W);
    for (int i = 0; i < N; i++) axpy(f1[h * N + i], M + i * W, dkh, W);
  }
  for (int i = 0; i < N; i++) {
    float *dmi = dM + i * W;
    axpy(-gm[i], M + i * W, dmi, W);
    for (int h = 0; h < H; h++) axpy(f1[h * N + i], k + h * W, dmi, W);
  }
}

EXPORT("ntm_write")
void ntm_write(const float *M0, const float *w, const float *e, const float *a, int N, int W,
               float *M1) {
  for (int i = 0; i < N; i++) {
    const float *m0 = M0 + i * W;
    float *m1 = M1 + i * W;
    float wi = w[i];
    v128_t vw = wasm_f32x4_splat(wi), one = wasm_f32x4_splat(1.0f);
    int j = 0;
    for (; j + 4 <= W; j += 4) {
      v128_t keep = wasm_f32x4_sub(one, wasm_f32x4_mul(vw, wasm_v128_load(e + j)));
      v128_t v = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m0 + j), keep),
                                wasm_f32x4_mul(vw, wasm_v128_load(a + j)));
      wasm_v128_store(m1 + j, v);
    }
    for (; j < W; j++) m1[j] = m0[j] * (1.0f - wi * e[j]) + wi * a[j];
  }
}

EXPORT("ntm_write_backward")
void ntm_write_backward(float *dM, const float *M0, const float *w, const float *e,
                        const float *a, int N, int W, float *dw, float *de, float *da) {
  for (int i = 0; i < N; i++) {
    const float *m0 = M0 + i * W;
    float *g = dM + i * W;
    float wi = w[i];
    v128_t vw = wasm_f32x4_splat(wi), one = wasm_f32x4_splat(1.0f);
    v128_t acc = wasm_f32x4_splat(0.0f);
    int j = 0;
    for (; j + 4 <= W; j += 4) {
      v128_t vg = wasm_v128_load(g + j), vm = wasm_v128_load(m0 + j);
      v128_t ve = wasm_v128_load(e + j), va = wasm_v128_load(a + j);
      acc = wasm_f32x4_add(acc, wasm_f32x4_mul(vg, wasm_f32x4_sub(va, wasm_f32x4_mul(vm, ve))));
      v128_t gw = wasm_f32x4_mul(vg, vw);
      wasm_v128_store(de + j, wasm_f32x4_sub(wasm_v128_load(de + j), wasm_f32x4_mul(gw, vm)));
      wasm_v128_store(da + j, wasm_f32x4_add(wasm_v128_load(da + j), gw));
      wasm_v128_store(g + j, wasm_f32x4_mul(vg, wasm_f32x4_sub(one, wasm_f32x4_mul(vw, ve))));
    }
    float s = hsum(acc);
    for (; j < W; j++) {
      float gj = g[j], mj = m0[j];
      s += gj * (a[j] - mj * e[j]);
      de[j] -= gj * wi * mj;
      da[j] += gj * wi;
      g[j] = gj * (1.0f - wi * e[j]);
    }
    dw[i] = s;
  }
}

EXPORT("dam_write")
void dam_write(const float *M0, const float *w, int lru, const float *a, int N, int W,
               float *M1) {
  for (int i = 0; i < N; i++) {
    const float *m0 = M0 + i * W;
    float *m1 = M1 + i * W;
    float wi = w[i];
    if (i == lru) {
      for (int j = 0; j < W; j++) m1[j] = wi * a[j];
    } else {
      for (int j = 0; j < W; j++) m1[j] = m0[j];
      axpy(wi, a, m1, W);
    }
  }
}

EXPORT("dam_write_backward")
void dam_write_backward(float *dM, const float *w, int lru, const float *a, int N, int W,
                        float *dw, float *da) {
  for (int i = 0; i < N; i++) {
    float *g = dM + i * W;
    dw[i] = dot(g, a, W);
    axpy(w[i], g, da, W);
    if (i == lru) {
      for (int j = 0; j < W; j++) g[j] = 0.0f;
    }
  }
}
