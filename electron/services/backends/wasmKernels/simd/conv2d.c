/*
 * 2-D convolution kernels (NHWC, float32) in WebAssembly SIMD, run inside the tfjs wasm backend's memory.
 * Built by scripts/build-simd-kernels.mjs; called from ../conv2DBackpropFilter.ts. Register-only code: no stack, no
 * globals, no libc (see the build script for why).
 */
#include <wasm_simd128.h>
#include "nb_madd.h"
#define EXPORT(name) __attribute__((export_name(#name)))
typedef v128_t f4;


/*
 * Filter gradient, any stride / dilation / padding:
 * dw[fh][fw][ci][co] = sum_{n,oh,ow} x[n][oh*sh+fh*dh-pt][ow*sw+fw*dw-pl][ci] * dy[n][oh][ow][co]  (NHWC)
 * For every (image, output row, tap) the valid output columns form one range, so the inner loop is a plain walk over
 * contiguous dy rows and (stride-spaced) x pixels with no bounds checks. Tiles of 4 input x 8 output channels keep the
 * 8 accumulators in registers for the whole row; they are added into dw (9 KB for a 3x3x16x16 filter: stays in L1).
 */
EXPORT(conv2d_backprop_filter)
void conv2d_backprop_filter(const float* x, const float* dy, float* dw, int batch, int inH, int inW, int ci,
                            int outH, int outW, int co, int kh, int kw, int sh, int sw, int dh, int dwl, int pt, int pl) {
  int total = kh * kw * ci * co;
  for (int i = 0; i < total; i++) dw[i] = 0.f;
  for (int n = 0; n < batch; n++) {
    for (int oh = 0; oh < outH; oh++) {
      const float* dyrow = dy + ((n * outH + oh) * outW) * co;
      for (int fh = 0; fh < kh; fh++) {
        int ih = oh * sh + fh * dh - pt;
        if (ih < 0 || ih >= inH) continue;
        const float* xrow = x + ((n * inH + ih) * inW) * ci;
        for (int fw = 0; fw < kw; fw++) {
          int off = fw * dwl - pl; /* iw = ow*sw + off */
          int lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
          int hi = (inW - 1 - off) < 0 ? 0 : (inW - 1 - off) / sw + 1;
          if (hi > outW) hi = outW;
          if (lo >= hi) continue;
          float* tap = dw + ((fh * kw + fw) * ci) * co;
          const int xs = sw * ci;
          int c0 = 0;
          for (; c0 + 4 <= ci; c0 += 4) {
            int o0 = 0;
            for (; o0 + 8 <= co; o0 += 8) {
              f4 a00 = wasm_f32x4_splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
              const float* xp = xrow + (lo * sw + off) * ci + c0;
              const float* dp = dyrow + lo * co + o0;
              for (int ow = lo; ow < hi; ow++, xp += xs, dp += co) {
                f4 d0 = wasm_v128_load(dp), d1 = wasm_v128_load(dp + 4);
                f4 x0 = wasm_v128_load32_splat(xp), x1 = wasm_v128_load32_splat(xp + 1);
                f4 x2 = wasm_v128_load32_splat(xp + 2), x3 = wasm_v128_load32_splat(xp + 3);
                a00 = NB_MADD(x0, d0, a00); a01 = NB_MADD(x0, d1, a01);
                a10 = NB_MADD(x1, d0, a10); a11 = NB_MADD(x1, d1, a11);
                a20 = NB_MADD(x2, d0, a20); a21 = NB_MADD(x2, d1, a21);
                a30 = NB_MADD(x3, d0, a30); a31 = NB_MADD(x3, d1, a31);
              }
              float* t = tap + c0 * co + o0;
              wasm_v128_store(t, wasm_f32x4_add(wasm_v128_load(t), a00)); wasm_v128_store(t + 4, wasm_f32x4_add(wasm_v128_load(t + 4), a01)); t += co;
              wasm_v128_store(t, wasm_f32x4_add(wasm_v128_load(t), a10)); wasm_v128_store(t + 4, wasm_f32x4_add(wasm_v128_load(t + 4), a11)); t += co;
              wasm_v128_store(t, wasm_f32x4_add(wasm_v128_load(t), a20)); wasm_v128_store(t + 4, wasm_f32x4_add(wasm_v128_load(t + 4), a21)); t += co;
              wasm_v128_store(t, wasm_f32x4_add(wasm_v128_load(t), a30)); wasm_v128_store(t + 4, wasm_f32x4_add(wasm_v128_load(t + 4), a31));
            }
            for (; o0 < co; o0++) {
              float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
              const float* xp = xrow + (lo * sw + off) * ci + c0;
              const float* dp = dyrow + lo * co + o0;
              for (int ow = lo; ow < hi; ow++, xp += xs, dp += co) { float d = *dp; s0 += xp[0] * d; s1 += xp[1] * d; s2 += xp[2] * d; s3 += xp[3] * d; }
              float* t = tap + c0 * co + o0; t[0] += s0; t[co] += s1; t[2 * co] += s2; t[3 * co] += s3;
            }
          }
          for (; c0 < ci; c0++) {
            int o0 = 0;
            for (; o0 + 16 <= co; o0 += 16) {
              f4 a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
              const float* xp = xrow + (lo * sw + off) * ci + c0;
              const float* dp = dyrow + lo * co + o0;
              for (int ow = lo; ow < hi; ow++, xp += xs, dp += co) {
                f4 xv = wasm_v128_load32_splat(xp);
                a0 = NB_MADD(xv, wasm_v128_load(dp), a0);
                a1 = NB_MADD(xv, wasm_v128_load(dp + 4), a1);
                a2 = NB_MADD(xv, wasm_v128_load(dp + 8), a2);
                a3 = NB_MADD(xv, wasm_v128_load(dp + 12), a3);
              }
              float* t = tap + c0 * co + o0;
              wasm_v128_store(t, wasm_f32x4_add(wasm_v128_load(t), a0)); wasm_v128_store(t + 4, wasm_f32x4_add(wasm_v128_load(t + 4), a1));
              wasm_v128_store(t + 8, wasm_f32x4_add(wasm_v128_load(t + 8), a2)); wasm_v128_store(t + 12, wasm_f32x4_add(wasm_v128_load(t + 12), a3));
            }
            for (; o0 < co; o0++) {
              float s = 0;
              const float* xp = xrow + (lo * sw + off) * ci + c0;
              const float* dp = dyrow + lo * co + o0;
              for (int ow = lo; ow < hi; ow++, xp += xs, dp += co) s += *xp * *dp;
              tap[c0 * co + o0] += s;
            }
          }
        }
      }
    }
  }
}
