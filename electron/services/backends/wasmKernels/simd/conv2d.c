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

/*
 * col2im scatter of a convolution's input gradient (../col2imBackpropInput.ts): G[p][(fh, fw, c)] (p = (n, oh, ow),
 * from simd/matmul.c's dy . W^T) is added into dx[n][oh*sh + fh - pt][ow*sw + fw - pl][c]; taps that land in the
 * padding are dropped. dx is written whole (zeroed first). Taps are added in (p, fh, fw) order, as the JavaScript loop
 * it replaces did, so results are the same bits.
 */
EXPORT(col2im_scatter)
void col2im_scatter(const float* g, float* dx, int batch, int inH, int inW, int ci, int outH, int outW, int kh, int kw,
                    int sh, int sw, int pt, int pl) {
  const int total = batch * inH * inW * ci;
  const f4 zero = wasm_f32x4_splat(0);
  int i = 0;
  for (; i + 4 <= total; i += 4) wasm_v128_store(dx + i, zero);
  for (; i < total; i++) dx[i] = 0.f;
  const int cols = kh * kw * ci;
  const int ci4 = ci & ~3;
  const float* src = g;
  for (int n = 0; n < batch; n++) {
    float* image = dx + n * inH * inW * ci;
    for (int oh = 0; oh < outH; oh++) {
      const int ih0 = oh * sh - pt;
      for (int ow = 0; ow < outW; ow++, src += cols) {
        const int iw0 = ow * sw - pl;
        const float* s = src;
        for (int fh = 0; fh < kh; fh++) {
          const int ih = ih0 + fh;
          if (ih < 0 || ih >= inH) { s += kw * ci; continue; }
          float* row = image + ih * inW * ci;
          for (int fw = 0; fw < kw; fw++, s += ci) {
            const int iw = iw0 + fw;
            if (iw < 0 || iw >= inW) continue;
            float* d = row + iw * ci;
            int c = 0;
            for (; c < ci4; c += 4) wasm_v128_store(d + c, wasm_f32x4_add(wasm_v128_load(d + c), wasm_v128_load(s + c)));
            for (; c < ci; c++) d[c] += s[c];
          }
        }
      }
    }
  }
}

/*
 * Direct forward convolution, any stride / dilation / padding (../convForward.ts), for the layers Winograd does not
 * take: strided 3x3 and 1x1 convolutions (ResNet's downsampling and projections) and first layers with 1-3 input
 * channels. out[n][oh][ow][o] = act(bias[o] + sum_{fh,fw,c} x[n][oh*sh+fh*dh-pt][ow*sw+fw*dwl-pl][c] * w[fh][fw][c][o]).
 * Register tiles: 2 neighbouring output pixels x 16 output channels (8 accumulators; per input channel 2 splats of x
 * and 4 loads of w feed 8 multiply-adds) where both pixels see every filter column inside the image, else 1 pixel with
 * its own checks; 4-channel and single-channel tiles for the last output channels. Per output row the 16-channel
 * slice of w is reused by every pixel (stays in L1). bias may be 0; relu 0/1.
 */
#define TAPS_PAIR(...)                                                                                            \
  for (int fh = 0; fh < kh; fh++) {                                                                               \
    const int ih = ih0 + fh * dh;                                                                                 \
    if (ih < 0 || ih >= inH) continue;                                                                            \
    const float* xrow = ximg + ih * inW * ci;                                                                     \
    for (int fw = 0; fw < kw; fw++) {                                                                             \
      const float* p0 = xrow + (iw0 + fw * dwl) * ci;                                                             \
      const float* p1 = p0 + sw * ci;                                                                             \
      const float* wp = w + (fh * kw + fw) * ci * co + o0;                                                        \
      for (int c = 0; c < ci; c++, wp += co) { __VA_ARGS__ }                                                             \
    }                                                                                                             \
  }
#define TAPS_ONE(...)                                                                                             \
  for (int fh = 0; fh < kh; fh++) {                                                                               \
    const int ih = ih0 + fh * dh;                                                                                 \
    if (ih < 0 || ih >= inH) continue;                                                                            \
    const float* xrow = ximg + ih * inW * ci;                                                                     \
    for (int fw = 0; fw < kw; fw++) {                                                                             \
      const int iw = iw0 + fw * dwl;                                                                              \
      if (iw < 0 || iw >= inW) continue;                                                                          \
      const float* p0 = xrow + iw * ci;                                                                           \
      const float* wp = w + (fh * kw + fw) * ci * co + o0;                                                        \
      for (int c = 0; c < ci; c++, wp += co) { __VA_ARGS__ }                                                             \
    }                                                                                                             \
  }

static inline f4 epilogue(f4 v, const float* bias, int o, int relu) {
  if (bias) v = wasm_f32x4_add(v, wasm_v128_load(bias + o));
  if (relu) v = wasm_f32x4_max(v, wasm_f32x4_splat(0));
  return v;
}

static inline __attribute__((always_inline)) void conv2d_forward_body(
    const float* x, const float* w, const float* bias, float* out, int batch, int inH, int inW, int ci, int outH,
    int outW, int co, int kh, int kw, int sh, int sw, int dh, int dwl, int pt, int pl, int relu) {
  /* Output columns [owLo, owHi) see every filter column inside the image: 0 <= ow*sw - pl, ow*sw - pl + (kw-1)*dwl < inW. */
  int owLo = pl <= 0 ? 0 : (pl + sw - 1) / sw;
  const int lastTap = (kw - 1) * dwl - pl;
  int owHi = inW - 1 - lastTap < 0 ? 0 : (inW - 1 - lastTap) / sw + 1;
  if (owHi > outW) owHi = outW;
  if (owLo > owHi) owLo = owHi;
  for (int n = 0; n < batch; n++) {
    const float* ximg = x + n * inH * inW * ci;
    for (int oh = 0; oh < outH; oh++) {
      const int ih0 = oh * sh - pt;
      float* orow = out + ((n * outH + oh) * outW) * co;
      int o0 = 0;
      for (; o0 + 16 <= co; o0 += 16) {
        for (int ow = 0; ow < outW;) {
          const int iw0 = ow * sw - pl;
          if (ow >= owLo && ow + 2 <= owHi) {
            f4 a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            TAPS_PAIR({
              f4 x0 = wasm_v128_load32_splat(p0 + c), x1 = wasm_v128_load32_splat(p1 + c);
              f4 w0 = wasm_v128_load(wp), w1 = wasm_v128_load(wp + 4), w2 = wasm_v128_load(wp + 8), w3 = wasm_v128_load(wp + 12);
              a0 = NB_MADD(x0, w0, a0); a1 = NB_MADD(x0, w1, a1); a2 = NB_MADD(x0, w2, a2); a3 = NB_MADD(x0, w3, a3);
              b0 = NB_MADD(x1, w0, b0); b1 = NB_MADD(x1, w1, b1); b2 = NB_MADD(x1, w2, b2); b3 = NB_MADD(x1, w3, b3);
            })
            float* o = orow + ow * co + o0;
            wasm_v128_store(o, epilogue(a0, bias, o0, relu)); wasm_v128_store(o + 4, epilogue(a1, bias, o0 + 4, relu));
            wasm_v128_store(o + 8, epilogue(a2, bias, o0 + 8, relu)); wasm_v128_store(o + 12, epilogue(a3, bias, o0 + 12, relu));
            o += co;
            wasm_v128_store(o, epilogue(b0, bias, o0, relu)); wasm_v128_store(o + 4, epilogue(b1, bias, o0 + 4, relu));
            wasm_v128_store(o + 8, epilogue(b2, bias, o0 + 8, relu)); wasm_v128_store(o + 12, epilogue(b3, bias, o0 + 12, relu));
            ow += 2;
          } else {
            f4 a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
            TAPS_ONE({
              f4 x0 = wasm_v128_load32_splat(p0 + c);
              a0 = NB_MADD(x0, wasm_v128_load(wp), a0); a1 = NB_MADD(x0, wasm_v128_load(wp + 4), a1);
              a2 = NB_MADD(x0, wasm_v128_load(wp + 8), a2); a3 = NB_MADD(x0, wasm_v128_load(wp + 12), a3);
            })
            float* o = orow + ow * co + o0;
            wasm_v128_store(o, epilogue(a0, bias, o0, relu)); wasm_v128_store(o + 4, epilogue(a1, bias, o0 + 4, relu));
            wasm_v128_store(o + 8, epilogue(a2, bias, o0 + 8, relu)); wasm_v128_store(o + 12, epilogue(a3, bias, o0 + 12, relu));
            ow += 1;
          }
        }
      }
      for (; o0 + 4 <= co; o0 += 4) {
        for (int ow = 0; ow < outW; ow++) {
          const int iw0 = ow * sw - pl;
          f4 a0 = wasm_f32x4_splat(0);
          TAPS_ONE({ a0 = NB_MADD(wasm_v128_load32_splat(p0 + c), wasm_v128_load(wp), a0); })
          wasm_v128_store(orow + ow * co + o0, epilogue(a0, bias, o0, relu));
        }
      }
      for (; o0 < co; o0++) {
        for (int ow = 0; ow < outW; ow++) {
          const int iw0 = ow * sw - pl;
          float s = 0;
          TAPS_ONE({ s += p0[c] * *wp; })
          if (bias) s += bias[o0];
          if (relu && s < 0) s = 0;
          orow[ow * co + o0] = s;
        }
      }
    }
  }
}

/*
 * A first layer on one input channel (grayscale images) with a 3x3 filter at dilation 1 is the body with those
 * constants folded in: its per-tap loop over one channel is gone and the nine taps unroll, which the generic body
 * spent most of its time on (ResNet-20's 28x28x1 -> 16 stem at batch 32: ~1.2 ms, 6 GFLOP/s).
 */
EXPORT(conv2d_forward)
void conv2d_forward(const float* x, const float* w, const float* bias, float* out, int batch, int inH, int inW, int ci,
                    int outH, int outW, int co, int kh, int kw, int sh, int sw, int dh, int dwl, int pt, int pl,
                    int relu) {
  if (ci == 1 && kh == 3 && kw == 3 && dh == 1 && dwl == 1)
    conv2d_forward_body(x, w, bias, out, batch, inH, inW, 1, outH, outW, co, 3, 3, sh, sw, 1, 1, pt, pl, relu);
  else
    conv2d_forward_body(x, w, bias, out, batch, inH, inW, ci, outH, outW, co, kh, kw, sh, sw, dh, dwl, pt, pl, relu);
}
#undef TAPS_PAIR
#undef TAPS_ONE

/*
 * Input gradient for layers with few input channels (the ResNet-20 stem: 1), any stride / dilation / padding
 * (../conv2DBackpropInput.ts): dx[n][ih][iw][c] = sum over the taps (fh, fw) whose output pixel
 * (oh, ow) = ((ih + pt - fh*dh) / sh, (iw + pl - fw*dwl) / sw) exists (divides exactly, in range) of
 * dot(dy[n][oh][ow][.], w[fh][fw][c][.]). One gather per input pixel and channel, vectorised over the output channels
 * (4 accumulators per 16 output channels, summed across lanes at the end). Cost is kh*kw*ci*co per input pixel, as
 * the direct sum; the general paths (flipped-filter convolution, col2im) pay for an output of ci < 4 channels.
 */
EXPORT(conv2d_backprop_input_gather)
void conv2d_backprop_input_gather(const float* dy, const float* w, float* dx, int batch, int inH, int inW, int ci,
                                  int outH, int outW, int co, int kh, int kw, int sh, int sw, int dh, int dwl, int pt,
                                  int pl) {
  for (int n = 0; n < batch; n++) {
    for (int ih = 0; ih < inH; ih++) {
      for (int iw = 0; iw < inW; iw++) {
        float* d = dx + ((n * inH + ih) * inW + iw) * ci;
        for (int c = 0; c < ci; c++) {
          f4 a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
          float s = 0;
          for (int fh = 0; fh < kh; fh++) {
            const int t = ih + pt - fh * dh;
            if (t < 0) break; /* t only falls as fh grows */
            const int oh = sh == 1 ? t : t / sh; /* no division on the common stride 1 */
            if (oh * sh != t || oh >= outH) continue;
            for (int fw = 0; fw < kw; fw++) {
              const int u = iw + pl - fw * dwl;
              if (u < 0) break;
              const int ow = sw == 1 ? u : u / sw;
              if (ow * sw != u || ow >= outW) continue;
              const float* dp = dy + ((n * outH + oh) * outW + ow) * co;
              const float* wp = w + ((fh * kw + fw) * ci + c) * co;
              int o = 0;
              for (; o + 16 <= co; o += 16) {
                a0 = NB_MADD(wasm_v128_load(dp + o), wasm_v128_load(wp + o), a0);
                a1 = NB_MADD(wasm_v128_load(dp + o + 4), wasm_v128_load(wp + o + 4), a1);
                a2 = NB_MADD(wasm_v128_load(dp + o + 8), wasm_v128_load(wp + o + 8), a2);
                a3 = NB_MADD(wasm_v128_load(dp + o + 12), wasm_v128_load(wp + o + 12), a3);
              }
              for (; o + 4 <= co; o += 4) a0 = NB_MADD(wasm_v128_load(dp + o), wasm_v128_load(wp + o), a0);
              for (; o < co; o++) s += dp[o] * wp[o];
            }
          }
          f4 a = wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3));
          d[c] = wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1) + wasm_f32x4_extract_lane(a, 2) +
                 wasm_f32x4_extract_lane(a, 3) + s;
        }
      }
    }
  }
}
