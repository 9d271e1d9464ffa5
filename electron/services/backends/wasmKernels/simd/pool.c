/*
 * Max pooling and its gradient (NHWC, float32) in WebAssembly SIMD, run inside the tfjs wasm backend's memory.
 * Built by scripts/build-simd-kernels.mjs; called from ../maxPool.ts and ../maxPoolGrad.ts. Register-only code: no
 * stack, no globals, no libc (see the build script for why).
 */
#include <wasm_simd128.h>
#define EXPORT(name) __attribute__((export_name(#name)))
typedef v128_t f4;

static void zero(float* p, int n) {
  int i = 0;
  f4 z = wasm_f32x4_splat(0.f);
  for (; i + 16 <= n; i += 16) {
    wasm_v128_store(p + i, z); wasm_v128_store(p + i + 4, z); wasm_v128_store(p + i + 8, z); wasm_v128_store(p + i + 12, z);
  }
  for (; i + 4 <= n; i += 4) wasm_v128_store(p + i, z);
  for (; i < n; i++) p[i] = 0.f;
}

/*
 * MaxPool gradient: each dy value goes to the FIRST maximum of its window, scanning rows then columns with a strict
 * `>` from -Infinity (the cpu backend's rule). So ties go to the earliest pixel, NaN is never a maximum, and a window
 * of only -Infinity/NaN passes no gradient.
 *
 * Per window and block of 4 channels the running maximum and the pixel offset where it was found stay in registers
 * (compare + two selects per pixel). Then:
 *  - windows that cannot overlap (stride ≥ window in both directions): every input pixel belongs to at most one
 *    window, so the window's dx pixels are written whole with one select each (dy where the pixel is the maximum,
 *    else 0) — no scatter. dx is zeroed first only when the windows do not tile the input exactly (`covered` = 0).
 *  - overlapping windows: dx is zeroed, then the 4 lanes are scattered with +=.
 * Channels past the last multiple of 4 take the same steps one at a time.
 */
EXPORT(max_pool_grad)
void max_pool_grad(const float* x, const float* dy, float* dx, int batch, int inH, int inW, int C, int outH, int outW,
                   int kh, int kw, int sh, int sw, int pt, int pl, int covered) {
  const int disjoint = sh >= kh && sw >= kw;
  if (!(disjoint && covered)) zero(dx, batch * inH * inW * C);
  const f4 ninf = wasm_f32x4_splat(-__builtin_inff());
  const int rowStride = inW * C;
  for (int n = 0; n < batch; n++) {
    const float* xn = x + n * inH * rowStride;
    float* dxn = dx + n * inH * rowStride;
    for (int oh = 0; oh < outH; oh++) {
      int h0 = oh * sh - pt;
      int hs = h0 < 0 ? 0 : h0;
      int he = h0 + kh > inH ? inH : h0 + kh;
      for (int ow = 0; ow < outW; ow++) {
        int w0 = ow * sw - pl;
        int ws = w0 < 0 ? 0 : w0;
        int we = w0 + kw > inW ? inW : w0 + kw;
        const float* g = dy + ((n * outH + oh) * outW + ow) * C;
        int c = 0;
        if (disjoint && he - hs == 2 && we - ws == 2) {
          /* The common 2x2 window, unrolled: same order of comparisons as the general loop below. */
          const int p00 = hs * rowStride + ws * C, p01 = p00 + C, p10 = p00 + rowStride, p11 = p10 + C;
          for (; c + 4 <= C; c += 4) {
            f4 v00 = wasm_v128_load(xn + p00 + c), v01 = wasm_v128_load(xn + p01 + c);
            f4 v10 = wasm_v128_load(xn + p10 + c), v11 = wasm_v128_load(xn + p11 + c);
            v128_t m00 = wasm_f32x4_gt(v00, ninf);
            f4 best = wasm_v128_bitselect(v00, ninf, m00);
            v128_t m01 = wasm_f32x4_gt(v01, best);
            best = wasm_v128_bitselect(v01, best, m01);
            v128_t m10 = wasm_f32x4_gt(v10, best);
            best = wasm_v128_bitselect(v10, best, m10);
            v128_t m11 = wasm_f32x4_gt(v11, best);
            /* The pixel that set the maximum last is the one: a later hit clears the earlier ones. */
            m10 = wasm_v128_andnot(m10, m11);
            m01 = wasm_v128_andnot(wasm_v128_andnot(m01, m11), m10);
            m00 = wasm_v128_andnot(wasm_v128_andnot(wasm_v128_andnot(m00, m11), m10), m01);
            f4 gv = wasm_v128_load(g + c);
            wasm_v128_store(dxn + p00 + c, wasm_v128_and(gv, m00));
            wasm_v128_store(dxn + p01 + c, wasm_v128_and(gv, m01));
            wasm_v128_store(dxn + p10 + c, wasm_v128_and(gv, m10));
            wasm_v128_store(dxn + p11 + c, wasm_v128_and(gv, m11));
          }
        }
        for (; c + 4 <= C; c += 4) {
          f4 best = ninf;
          v128_t at = wasm_i32x4_splat(-1);
          for (int h = hs; h < he; h++) {
            for (int w = ws; w < we; w++) {
              int p = h * rowStride + w * C;
              f4 v = wasm_v128_load(xn + p + c);
              v128_t m = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, m);
              at = wasm_v128_bitselect(wasm_i32x4_splat(p), at, m);
            }
          }
          f4 gv = wasm_v128_load(g + c);
          if (disjoint) {
            for (int h = hs; h < he; h++) {
              for (int w = ws; w < we; w++) {
                int p = h * rowStride + w * C;
                v128_t m = wasm_i32x4_eq(at, wasm_i32x4_splat(p));
                wasm_v128_store(dxn + p + c, wasm_v128_and(gv, m));
              }
            }
          } else {
            int a0 = wasm_i32x4_extract_lane(at, 0), a1 = wasm_i32x4_extract_lane(at, 1);
            int a2 = wasm_i32x4_extract_lane(at, 2), a3 = wasm_i32x4_extract_lane(at, 3);
            if (a0 >= 0) dxn[a0 + c] += g[c];
            if (a1 >= 0) dxn[a1 + c + 1] += g[c + 1];
            if (a2 >= 0) dxn[a2 + c + 2] += g[c + 2];
            if (a3 >= 0) dxn[a3 + c + 3] += g[c + 3];
          }
        }
        for (; c < C; c++) {
          float best = -__builtin_inff();
          int at = -1;
          for (int h = hs; h < he; h++) {
            for (int w = ws; w < we; w++) {
              int p = h * rowStride + w * C + c;
              float v = xn[p];
              if (v > best) { best = v; at = p; }
            }
          }
          if (disjoint) {
            for (int h = hs; h < he; h++) {
              for (int w = ws; w < we; w++) {
                int p = h * rowStride + w * C + c;
                dxn[p] = p == at ? g[c] : 0.f;
              }
            }
          } else if (at >= 0) {
            dxn[at] += g[c];
          }
        }
      }
    }
  }
}

/*
 * MaxPool forward with the cpu backend's rule: strict `>` from -Infinity, so NaN never wins and a window of only
 * NaN/-Infinity gives -Infinity. 4 channels per vector; full 2x2 windows unrolled.
 */
EXPORT(max_pool)
void max_pool(const float* x, float* y, int batch, int inH, int inW, int C, int outH, int outW, int kh, int kw, int sh,
              int sw, int pt, int pl) {
  const f4 ninf = wasm_f32x4_splat(-__builtin_inff());
  const int rowStride = inW * C;
  for (int n = 0; n < batch; n++) {
    const float* xn = x + n * inH * rowStride;
    for (int oh = 0; oh < outH; oh++) {
      int h0 = oh * sh - pt;
      int hs = h0 < 0 ? 0 : h0;
      int he = h0 + kh > inH ? inH : h0 + kh;
      for (int ow = 0; ow < outW; ow++) {
        int w0 = ow * sw - pl;
        int ws = w0 < 0 ? 0 : w0;
        int we = w0 + kw > inW ? inW : w0 + kw;
        float* out = y + ((n * outH + oh) * outW + ow) * C;
        int c = 0;
        if (he - hs == 2 && we - ws == 2) {
          const float* p00 = xn + hs * rowStride + ws * C;
          const float* p01 = p00 + C;
          const float* p10 = p00 + rowStride;
          const float* p11 = p10 + C;
          for (; c + 4 <= C; c += 4) {
            f4 best = ninf, v;
            v = wasm_v128_load(p00 + c); best = wasm_v128_bitselect(v, best, wasm_f32x4_gt(v, best));
            v = wasm_v128_load(p01 + c); best = wasm_v128_bitselect(v, best, wasm_f32x4_gt(v, best));
            v = wasm_v128_load(p10 + c); best = wasm_v128_bitselect(v, best, wasm_f32x4_gt(v, best));
            v = wasm_v128_load(p11 + c); best = wasm_v128_bitselect(v, best, wasm_f32x4_gt(v, best));
            wasm_v128_store(out + c, best);
          }
        }
        for (; c + 4 <= C; c += 4) {
          f4 best = ninf;
          for (int h = hs; h < he; h++) {
            const float* row = xn + h * rowStride + c;
            for (int w = ws; w < we; w++) {
              f4 v = wasm_v128_load(row + w * C);
              best = wasm_v128_bitselect(v, best, wasm_f32x4_gt(v, best));
            }
          }
          wasm_v128_store(out + c, best);
        }
        for (; c < C; c++) {
          float best = -__builtin_inff();
          for (int h = hs; h < he; h++) {
            for (int w = ws; w < we; w++) {
              float v = xn[h * rowStride + w * C + c];
              if (v > best) best = v;
            }
          }
          out[c] = best;
        }
      }
    }
  }
}
