/*
 * 2-D convolution kernels (NHWC, float32) in WebAssembly SIMD, run inside the tfjs wasm backend's memory.
 * Built by scripts/build-simd-kernels.mjs; called from ../conv2DBackpropFilter.ts, ../convForward.ts,
 * ../col2imBackpropInput.ts and ../conv2DBackpropInput.ts. Register-only code: no stack, no globals, no libc (see the
 * build script for why); scratch (packed filters) comes from the caller.
 */
#include <wasm_simd128.h>
#include "nb_madd.h"
#include "nb_wide.h"
#define EXPORT(name) __attribute__((export_name(#name)))
typedef v128_t f4;

/*
 * The filter gradient's 4 input x 8 output channel tile: one output position's step (4 splats of x, 2 vectors of dy
 * into the 8 accumulators a00..a31), and adding the tile into dw at t. Shared by the per-row and whole-image walks.
 */
#define DW_STEP_4X8(xp, dp)                                                                                          \
  {                                                                                                                \
    f4 d0 = wasm_v128_load(dp), d1 = wasm_v128_load((dp) + 4);                                                     \
    f4 x0 = wasm_v128_load32_splat(xp), x1 = wasm_v128_load32_splat((xp) + 1);                                     \
    f4 x2 = wasm_v128_load32_splat((xp) + 2), x3 = wasm_v128_load32_splat((xp) + 3);                               \
    a00 = NB_MADD(x0, d0, a00); a01 = NB_MADD(x0, d1, a01);                                                       \
    a10 = NB_MADD(x1, d0, a10); a11 = NB_MADD(x1, d1, a11);                                                       \
    a20 = NB_MADD(x2, d0, a20); a21 = NB_MADD(x2, d1, a21);                                                       \
    a30 = NB_MADD(x3, d0, a30); a31 = NB_MADD(x3, d1, a31);                                                       \
  }
#define DW_ADD_4X8(at)                                                                                               \
  {                                                                                                                \
    float* t = (at);                                                                                               \
    wasm_v128_store(t, wasm_f32x4_add(wasm_v128_load(t), a00)); wasm_v128_store(t + 4, wasm_f32x4_add(wasm_v128_load(t + 4), a01)); t += co; \
    wasm_v128_store(t, wasm_f32x4_add(wasm_v128_load(t), a10)); wasm_v128_store(t + 4, wasm_f32x4_add(wasm_v128_load(t + 4), a11)); t += co; \
    wasm_v128_store(t, wasm_f32x4_add(wasm_v128_load(t), a20)); wasm_v128_store(t + 4, wasm_f32x4_add(wasm_v128_load(t + 4), a21)); t += co; \
    wasm_v128_store(t, wasm_f32x4_add(wasm_v128_load(t), a30)); wasm_v128_store(t + 4, wasm_f32x4_add(wasm_v128_load(t + 4), a31)); \
  }
/* The single-output-channel tail of a 4-channel tile (scalar sums s0..s3), and its add into dw. */
#define DW_STEP_4X1(xp, dp)                                                                                          \
  {                                                                                                                \
    float d = *(dp);                                                                                               \
    s0 += (xp)[0] * d; s1 += (xp)[1] * d; s2 += (xp)[2] * d; s3 += (xp)[3] * d;                                   \
  }
#define DW_ADD_4X1(at)                                                                                               \
  {                                                                                                                \
    float* t = (at);                                                                                               \
    t[0] += s0; t[co] += s1; t[2 * co] += s2; t[3 * co] += s3;                                                     \
  }
/* One input channel (ci % 4 tail) x 16 output channels: accumulators a0..a3. */
#define DW_STEP_1X16(xp, dp)                                                                                         \
  {                                                                                                                \
    f4 xv = wasm_v128_load32_splat(xp);                                                                            \
    a0 = NB_MADD(xv, wasm_v128_load(dp), a0);                                                                      \
    a1 = NB_MADD(xv, wasm_v128_load((dp) + 4), a1);                                                                \
    a2 = NB_MADD(xv, wasm_v128_load((dp) + 8), a2);                                                                \
    a3 = NB_MADD(xv, wasm_v128_load((dp) + 12), a3);                                                               \
  }
#define DW_ADD_1X16(at)                                                                                              \
  {                                                                                                                \
    float* t = (at);                                                                                               \
    wasm_v128_store(t, wasm_f32x4_add(wasm_v128_load(t), a0)); wasm_v128_store(t + 4, wasm_f32x4_add(wasm_v128_load(t + 4), a1)); \
    wasm_v128_store(t + 8, wasm_f32x4_add(wasm_v128_load(t + 8), a2)); wasm_v128_store(t + 12, wasm_f32x4_add(wasm_v128_load(t + 12), a3)); \
  }


/*
 * Filter gradient, any stride / dilation / padding:
 * dw[fh][fw][ci][co] = sum_{n,oh,ow} x[n][oh*sh+fh*dh-pt][ow*sw+fw*dw-pl][ci] * dy[n][oh][ow][co]  (NHWC)
 * Tiles of 4 input x 8 output channels keep 8 accumulators in registers while they walk dy and (stride-spaced) x pixels
 * with no bounds checks, then are added into dw. Two walks:
 *  - filter_grad_rows, per (image, output row, tap): the valid output columns form one range [lo, hi);
 *  - filter_grad_images, per (image, tap): the valid output pixels form one rectangle (rows [ohLo, ohHi) x columns
 *    [lo, hi)), walked whole, so accumulators are added into dw once per image and tap instead of once per row.
 * Images whose x and dy fit in 40 KB take the second (ResNet-20's 14x14 stride-2 layers: rows of 7 output columns were
 * short); larger ones keep the first, whose few rows stay in L1 (28x28x16 -> 32 stride 2, walked per image, was 5-15 %
 * slower). AMD EPYC (Zen 3), one core, raw export, batch 32, relaxed build, interleaved with the per-row walk, best of
 * 31 (median of the per-alternation ratios): 3x3/2 14x14x32->64 39.4 -> 45.6 GFLOP/s (0.91), 1x1/2 14x14x32->64
 * 38.3 -> 40.9 (0.92), 3x3/2 15x15x20->24 pad 1 44.9 -> 52.4 (0.86); plain build 31.5 -> 32.5, 28.8 -> 30.5.
 */
#ifdef NB_WIDE
/*
 * Native wide builds only (nb_wide.h): the filter gradient's tiles as R input channels x 16 output channels (one
 * 512-bit or two 256-bit vectors of dy per output pixel, R splats of x), R = NB_WIDE_ROWS, then 4, 2, 1, over the
 * same walk (rows x columns of output pixels) as the 128-bit tiles, added into dw at the same point: each element is
 * the same fused multiply-adds in the same order, so the same bits as the 128-bit native build.
 * x: the first pixel's channel c0 of the walk; dy: its output channel o0; t: dw at (c0, o0).
 */
static inline __attribute__((always_inline)) void fg_wide_tile(const int R, const float* xr, const float* dr, int rows,
                                                               int cols, int xs, int co, int xrs, int drs, float* t) {
  nb_wv acc[NB_WIDE_ROWS][NB_WV_PER_STRIP];
  for (int i = 0; i < R; i++)
    for (int v = 0; v < NB_WV_PER_STRIP; v++) acc[i][v] = NB_WV_ZERO();
  for (int r = 0; r < rows; r++, xr += xrs, dr += drs) {
    const float* xp = xr;
    const float* dp = dr;
    for (int q = 0; q < cols; q++, xp += xs, dp += co) {
      nb_wv d[NB_WV_PER_STRIP];
      for (int v = 0; v < NB_WV_PER_STRIP; v++) d[v] = NB_WV_LOAD(dp + v * NB_WV_LANES);
      for (int i = 0; i < R; i++) {
        const nb_wv xv = NB_WV_SPLAT(xp + i);
        for (int v = 0; v < NB_WV_PER_STRIP; v++) acc[i][v] = NB_WV_FMA(xv, d[v], acc[i][v]);
      }
    }
  }
  for (int i = 0; i < R; i++)
    for (int v = 0; v < NB_WV_PER_STRIP; v++) {
      float* p = t + i * co + v * NB_WV_LANES;
      NB_WV_STORE(p, NB_WV_ADD(NB_WV_LOAD(p), acc[i][v]));
    }
}
/* Every input channel of one 16-output-channel strip. */
static __attribute__((noinline)) void fg_wide_strip(const float* xr, const float* dr, int rows, int cols, int xs, int co,
                                                    int xrs, int drs, float* t, int ci) {
  int c0 = 0;
  for (; c0 + NB_WIDE_ROWS <= ci; c0 += NB_WIDE_ROWS)
    fg_wide_tile(NB_WIDE_ROWS, xr + c0, dr, rows, cols, xs, co, xrs, drs, t + c0 * co);
  for (; c0 + 4 <= ci; c0 += 4) fg_wide_tile(4, xr + c0, dr, rows, cols, xs, co, xrs, drs, t + c0 * co);
  if (c0 + 2 <= ci) {
    fg_wide_tile(2, xr + c0, dr, rows, cols, xs, co, xrs, drs, t + c0 * co);
    c0 += 2;
  }
  if (c0 < ci) fg_wide_tile(1, xr + c0, dr, rows, cols, xs, co, xrs, drs, t + c0 * co);
}
/* The output channels the wide strips took (all 16-channel strips); the 128-bit tiles do the rest. */
#define FG_WIDE_STRIPS(xr, dr, rows, cols, xs, xrs, drs, t)                                                        \
  for (; oW + 16 <= co; oW += 16) fg_wide_strip((xr), (dr) + oW, (rows), (cols), (xs), co, (xrs), (drs), (t) + oW, ci);
#else
#define FG_WIDE_STRIPS(xr, dr, rows, cols, xs, xrs, drs, t)
#endif

static __attribute__((noinline)) void filter_grad_rows(
    const float* x, const float* dy, float* dw, int batch, int inH, int inW, int ci, int outH, int outW, int co, int kh,
    int kw, int sh, int sw, int dh, int dwl, int pt, int pl) {
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
          int oW = 0;
          FG_WIDE_STRIPS(xrow + (lo * sw + off) * ci, dyrow + lo * co, 1, hi - lo, xs, 0, 0, tap)
          int c0 = 0;
          for (; c0 + 4 <= ci; c0 += 4) {
            int o0 = oW;
            for (; o0 + 8 <= co; o0 += 8) {
              f4 a00 = wasm_f32x4_splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
              const float* xp = xrow + (lo * sw + off) * ci + c0;
              const float* dp = dyrow + lo * co + o0;
              for (int ow = lo; ow < hi; ow++, xp += xs, dp += co) DW_STEP_4X8(xp, dp)
              DW_ADD_4X8(tap + c0 * co + o0)
            }
            for (; o0 < co; o0++) {
              float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
              const float* xp = xrow + (lo * sw + off) * ci + c0;
              const float* dp = dyrow + lo * co + o0;
              for (int ow = lo; ow < hi; ow++, xp += xs, dp += co) DW_STEP_4X1(xp, dp)
              DW_ADD_4X1(tap + c0 * co + o0)
            }
          }
          for (; c0 < ci; c0++) {
            int o0 = oW;
            for (; o0 + 16 <= co; o0 += 16) {
              f4 a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
              const float* xp = xrow + (lo * sw + off) * ci + c0;
              const float* dp = dyrow + lo * co + o0;
              for (int ow = lo; ow < hi; ow++, xp += xs, dp += co) DW_STEP_1X16(xp, dp)
              DW_ADD_1X16(tap + c0 * co + o0)
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

static __attribute__((noinline)) void filter_grad_images(
    const float* x, const float* dy, float* dw, int batch, int inH, int inW, int ci, int outH, int outW, int co, int kh,
    int kw, int sh, int sw, int dh, int dwl, int pt, int pl) {
  for (int n = 0; n < batch; n++) {
    const float* ximg = x + n * inH * inW * ci;
    const float* dyimg = dy + n * outH * outW * co;
    for (int fh = 0; fh < kh; fh++) {
      /* output rows whose input row oh*sh + fh*dh - pt is inside the image */
      const int offh = fh * dh - pt;
      const int ohLo = offh >= 0 ? 0 : (-offh + sh - 1) / sh;
      int ohHi = (inH - 1 - offh) < 0 ? 0 : (inH - 1 - offh) / sh + 1;
      if (ohHi > outH) ohHi = outH;
      if (ohLo >= ohHi) continue;
      for (int fw = 0; fw < kw; fw++) {
        int off = fw * dwl - pl; /* iw = ow*sw + off */
        int lo = off >= 0 ? 0 : (-off + sw - 1) / sw;
        int hi = (inW - 1 - off) < 0 ? 0 : (inW - 1 - off) / sw + 1;
        if (hi > outW) hi = outW;
        if (lo >= hi) continue;
        float* tap = dw + ((fh * kw + fw) * ci) * co;
        const int xs = sw * ci;
        const float* x0row = ximg + ((ohLo * sh + offh) * inW + lo * sw + off) * ci; /* first pixel read */
        const float* d0row = dyimg + (ohLo * outW + lo) * co;
        const int xrs = sh * inW * ci, drs = outW * co; /* per output row */
        const int rows = ohHi - ohLo;
        int oW = 0;
        FG_WIDE_STRIPS(x0row, d0row, rows, hi - lo, xs, xrs, drs, tap)
        int c0 = 0;
        for (; c0 + 4 <= ci; c0 += 4) {
          int o0 = oW;
          for (; o0 + 8 <= co; o0 += 8) {
            f4 a00 = wasm_f32x4_splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            const float* xr = x0row + c0;
            const float* dr = d0row + o0;
            for (int r = 0; r < rows; r++, xr += xrs, dr += drs) {
              const float* xp = xr;
              const float* dp = dr;
              for (int ow = lo; ow < hi; ow++, xp += xs, dp += co) DW_STEP_4X8(xp, dp)
            }
            DW_ADD_4X8(tap + c0 * co + o0)
          }
          for (; o0 < co; o0++) {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            const float* xr = x0row + c0;
            const float* dr = d0row + o0;
            for (int r = 0; r < rows; r++, xr += xrs, dr += drs) {
              const float* xp = xr;
              const float* dp = dr;
              for (int ow = lo; ow < hi; ow++, xp += xs, dp += co) DW_STEP_4X1(xp, dp)
            }
            DW_ADD_4X1(tap + c0 * co + o0)
          }
        }
        for (; c0 < ci; c0++) {
          int o0 = oW;
          for (; o0 + 16 <= co; o0 += 16) {
            f4 a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
            const float* xr = x0row + c0;
            const float* dr = d0row + o0;
            for (int r = 0; r < rows; r++, xr += xrs, dr += drs) {
              const float* xp = xr;
              const float* dp = dr;
              for (int ow = lo; ow < hi; ow++, xp += xs, dp += co) DW_STEP_1X16(xp, dp)
            }
            DW_ADD_1X16(tap + c0 * co + o0)
          }
          for (; o0 < co; o0++) {
            float s = 0;
            const float* xr = x0row + c0;
            const float* dr = d0row + o0;
            for (int r = 0; r < rows; r++, xr += xrs, dr += drs) {
              const float* xp = xr;
              const float* dp = dr;
              for (int ow = lo; ow < hi; ow++, xp += xs, dp += co) s += *xp * *dp;
            }
            tap[c0 * co + o0] += s;
          }
        }
      }
    }
  }
}

EXPORT(conv2d_backprop_filter)
void conv2d_backprop_filter(const float* x, const float* dy, float* dw, int batch, int inH, int inW, int ci,
                            int outH, int outW, int co, int kh, int kw, int sh, int sw, int dh, int dwl, int pt, int pl) {
  int total = kh * kw * ci * co;
  for (int i = 0; i < total; i++) dw[i] = 0.f;
  if ((inH * inW * ci + outH * outW * co) * 4 <= 40960)
    filter_grad_images(x, dy, dw, batch, inH, inW, ci, outH, outW, co, kh, kw, sh, sw, dh, dwl, pt, pl);
  else
    filter_grad_rows(x, dy, dw, batch, inH, inW, ci, outH, outW, co, kh, kw, sh, sw, dh, dwl, pt, pl);
}

/*
 * The flipped, transposed filter with which ../conv2DBackpropInput.ts computes an input gradient as a forward
 * convolution: wf[y][x][o][c] = w[kh-1-y][kw-1-x][c][o]. 8x8 blocks of (c, o), so reads and writes both stay on a few
 * cache lines (a JavaScript loop did this per call: ~1 % of a ResNet-20 step).
 */
EXPORT(conv2d_flip_filter)
void conv2d_flip_filter(const float* w, float* wf, int kh, int kw, int ci, int co) {
  for (int y = 0; y < kh; y++) {
    for (int x = 0; x < kw; x++) {
      const float* src = w + ((kh - 1 - y) * kw + (kw - 1 - x)) * ci * co;
      float* dst = wf + (y * kw + x) * co * ci;
      for (int c0 = 0; c0 < ci; c0 += 8) {
        const int c1 = c0 + 8 < ci ? c0 + 8 : ci;
        for (int o0 = 0; o0 < co; o0 += 8) {
          const int o1 = o0 + 8 < co ? o0 + 8 : co;
          for (int c = c0; c < c1; c++)
            for (int o = o0; o < o1; o++) dst[o * ci + c] = src[c * co + o];
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
 * slice of w is reused by every pixel. bias may be 0; relu 0/1.
 * pack (0 = none): scratch of (co & ~15) * kh*kw*ci floats; the 16-channel slices are first copied there as contiguous
 * strips [o0/16][fh][fw][c][16]. Read in place, a slice's kh*kw*ci rows sit co floats apart: at co = 64 (256 B) they
 * fall into 16 of L1's 64 sets (128 lines) while 3x3x32 needs 288, so the slice streamed from L2 for every row. Same
 * products in the same order (same bits). AMD EPYC (Zen 3), one core, raw export, batch 32, relaxed build,
 * interleaved with the in-place read, best of 11-41 alternations in three runs on a loaded machine: 3x3/2
 * 14x14x32->64 41-46 -> 45-48 GFLOP/s; 28x28x16->32 and the 1x1 projections unchanged within noise.
 * Tried and dropped: pairing pixels across row ends (no single-pixel tail at 7 columns) with a zero row for taps in
 * the padding: 1x1 projections 7 % slower, the rest even.
 */
#define TAPS_PAIR(...)                                                                                            \
  for (int fh = 0; fh < kh; fh++) {                                                                               \
    const int ih = ih0 + fh * dh;                                                                                 \
    if (ih < 0 || ih >= inH) continue;                                                                            \
    const float* xrow = ximg + ih * inW * ci;                                                                     \
    for (int fw = 0; fw < kw; fw++) {                                                                             \
      const float* p0 = xrow + (iw0 + fw * dwl) * ci;                                                             \
      const float* p1 = p0 + sw * ci;                                                                             \
      const float* wp = wbase + (fh * kw + fw) * ci * wstride;                                                    \
      for (int c = 0; c < ci; c++, wp += wstride) { __VA_ARGS__ }                                                 \
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
      const float* wp = wbase + (fh * kw + fw) * ci * wstride;                                                    \
      for (int c = 0; c < ci; c++, wp += wstride) { __VA_ARGS__ }                                                 \
    }                                                                                                             \
  }

static inline f4 epilogue(f4 v, const float* bias, int o, int relu) {
  if (bias) v = wasm_f32x4_add(v, wasm_v128_load(bias + o));
  if (relu) v = wasm_f32x4_max(v, wasm_f32x4_splat(0));
  return v;
}

#ifdef NB_WIDE
/*
 * Native wide builds only (nb_wide.h): R neighbouring output pixels of one row (ow .. ow+R-1, all seeing every filter
 * column inside the image) x 16 output channels, one 512-bit or two 256-bit accumulators per pixel: per input channel
 * one load of the 16-channel filter slice and R splats of x. Same products in the same order, same epilogue, so the
 * same bits as the 128-bit pair tiles. o: out at (pixel ow, channel o0); bias: at o0 (or 0).
 */
static inline __attribute__((always_inline)) void forward_wide_tile(
    const int R, const float* ximg, int ih0, int iw0, int inH, int inW, int ci, int kh, int kw, int sw, int dh, int dwl,
    const float* wbase, int wstride, float* o, int co, const float* bias, int relu) {
  nb_wv acc[NB_WIDE_ROWS][NB_WV_PER_STRIP];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NB_WV_PER_STRIP; v++) acc[r][v] = NB_WV_ZERO();
  const int ps = sw * ci;
  for (int fh = 0; fh < kh; fh++) {
    const int ih = ih0 + fh * dh;
    if (ih < 0 || ih >= inH) continue;
    const float* xrow = ximg + ih * inW * ci;
    for (int fw = 0; fw < kw; fw++) {
      const float* p0 = xrow + (iw0 + fw * dwl) * ci;
      const float* wp = wbase + (fh * kw + fw) * ci * wstride;
      for (int c = 0; c < ci; c++, wp += wstride) {
        nb_wv wv[NB_WV_PER_STRIP];
        for (int v = 0; v < NB_WV_PER_STRIP; v++) wv[v] = NB_WV_LOAD(wp + v * NB_WV_LANES);
        for (int r = 0; r < R; r++) {
          const nb_wv xv = NB_WV_SPLAT(p0 + r * ps + c);
          for (int v = 0; v < NB_WV_PER_STRIP; v++) acc[r][v] = NB_WV_FMA(xv, wv[v], acc[r][v]);
        }
      }
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NB_WV_PER_STRIP; v++) {
      nb_wv y = acc[r][v];
      if (bias) y = NB_WV_ADD(y, NB_WV_LOAD(bias + v * NB_WV_LANES));
      if (relu) y = NB_WV_RELU(y);
      NB_WV_STORE(o + r * co + v * NB_WV_LANES, y);
    }
}
#endif

static inline __attribute__((always_inline)) void conv2d_forward_body(
    const float* x, const float* w, const float* bias, float* out, int batch, int inH, int inW, int ci, int outH,
    int outW, int co, int kh, int kw, int sh, int sw, int dh, int dwl, int pt, int pl, int relu, float* pack) {
  const int rowsW = kh * kw * ci;
  if (pack) {
    for (int o0 = 0; o0 + 16 <= co; o0 += 16) {
      float* dst = pack + o0 * rowsW;
      const float* src = w + o0;
      for (int r = 0; r < rowsW; r++, dst += 16, src += co) {
        wasm_v128_store(dst, wasm_v128_load(src)); wasm_v128_store(dst + 4, wasm_v128_load(src + 4));
        wasm_v128_store(dst + 8, wasm_v128_load(src + 8)); wasm_v128_store(dst + 12, wasm_v128_load(src + 12));
      }
    }
  }
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
        const float* wbase = pack ? pack + o0 * rowsW : w + o0;
        const int wstride = pack ? 16 : co;
        for (int ow = 0; ow < outW;) {
          const int iw0 = ow * sw - pl;
#ifdef NB_WIDE
          if (ow >= owLo && ow + 2 <= owHi) {
            float* o = orow + ow * co + o0;
            const float* b = bias ? bias + o0 : 0;
            const int left = owHi - ow;
            const int R = left >= NB_WIDE_ROWS ? NB_WIDE_ROWS : left >= 4 ? 4 : 2;
            if (R == NB_WIDE_ROWS)
              forward_wide_tile(NB_WIDE_ROWS, ximg, ih0, iw0, inH, inW, ci, kh, kw, sw, dh, dwl, wbase, wstride, o, co, b, relu);
            else if (R == 4)
              forward_wide_tile(4, ximg, ih0, iw0, inH, inW, ci, kh, kw, sw, dh, dwl, wbase, wstride, o, co, b, relu);
            else
              forward_wide_tile(2, ximg, ih0, iw0, inH, inW, ci, kh, kw, sw, dh, dwl, wbase, wstride, o, co, b, relu);
            ow += R;
            continue;
          }
#endif
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
        const float* wbase = w + o0;
        const int wstride = co;
        for (int ow = 0; ow < outW; ow++) {
          const int iw0 = ow * sw - pl;
          f4 a0 = wasm_f32x4_splat(0);
          TAPS_ONE({ a0 = NB_MADD(wasm_v128_load32_splat(p0 + c), wasm_v128_load(wp), a0); })
          wasm_v128_store(orow + ow * co + o0, epilogue(a0, bias, o0, relu));
        }
      }
      for (; o0 < co; o0++) {
        const float* wbase = w + o0;
        const int wstride = co;
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
 * 1x1 filters (ResNet's projections) get their own copy too, without the tap loops: raw export, batch 32, relaxed
 * build, interleaved, best of 31 (median per-alternation ratio): 1x1/2 28x28x16->32 31.9 -> 34.9 GFLOP/s (0.92),
 * 14x14x32->64 36.4 -> 38.1 (0.95).
 */
/* Each copy is its own function, so V8 allocates registers for it alone. */
static __attribute__((noinline)) void forward_stem(const float* x, const float* w, const float* bias, float* out,
                                                   int batch, int inH, int inW, int outH, int outW, int co, int sh,
                                                   int sw, int pt, int pl, int relu) {
  conv2d_forward_body(x, w, bias, out, batch, inH, inW, 1, outH, outW, co, 3, 3, sh, sw, 1, 1, pt, pl, relu, 0);
}
static __attribute__((noinline)) void forward_1x1(const float* x, const float* w, const float* bias, float* out,
                                                  int batch, int inH, int inW, int ci, int outH, int outW, int co, int sh,
                                                  int sw, int pt, int pl, int relu, float* pack) {
  conv2d_forward_body(x, w, bias, out, batch, inH, inW, ci, outH, outW, co, 1, 1, sh, sw, 1, 1, pt, pl, relu, pack);
}
static __attribute__((noinline)) void forward_any(const float* x, const float* w, const float* bias, float* out,
                                                  int batch, int inH, int inW, int ci, int outH, int outW, int co, int kh,
                                                  int kw, int sh, int sw, int dh, int dwl, int pt, int pl, int relu,
                                                  float* pack) {
  conv2d_forward_body(x, w, bias, out, batch, inH, inW, ci, outH, outW, co, kh, kw, sh, sw, dh, dwl, pt, pl, relu, pack);
}

EXPORT(conv2d_forward)
void conv2d_forward(const float* x, const float* w, const float* bias, float* out, int batch, int inH, int inW, int ci,
                    int outH, int outW, int co, int kh, int kw, int sh, int sw, int dh, int dwl, int pt, int pl,
                    int relu, float* pack) {
  if (ci == 1 && kh == 3 && kw == 3 && dh == 1 && dwl == 1)
    forward_stem(x, w, bias, out, batch, inH, inW, outH, outW, co, sh, sw, pt, pl, relu);
  else if (kh == 1 && kw == 1)
    forward_1x1(x, w, bias, out, batch, inH, inW, ci, outH, outW, co, sh, sw, pt, pl, relu, pack);
  else
    forward_any(x, w, bias, out, batch, inH, inW, ci, outH, outW, co, kh, kw, sh, sw, dh, dwl, pt, pl, relu, pack);
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

/*
 * Input gradient of strided convolutions (dilation 1) as a direct gather: no G matrix, no scatter
 * (../col2imBackpropInput.ts): dx[n][ih][iw][c] = sum over the taps (fh, fw) with oh = (ih + pt - fh) / sh and
 * ow = (iw + pl - fw) / sw exact and in range of dot(dy[n][oh][ow][.], w[fh][fw][c][.]). dx is written whole.
 * The filter is first packed (transposed per tap) into `pack` as [ci/16 strips][kh][kw][co][16] (zero-padded past ci),
 * followed by co zeros, which a tap whose output pixel is outside dy reads instead. The input pixels of one residue
 * class (ih mod sh, iw mod sw) all see the same taps (fh = fh0, fh0 + sh, ...; fw likewise) at output pixels that move
 * by one per pixel, so each image's class is walked in row-major pairs: per tap and output channel 2 splats of dy and
 * 4 loads of the packed filter feed 8 multiply-adds (2 pixels x 16 input channels), as in conv2d_forward; no division
 * per tap. Classes no tap reaches (e.g. odd pixels of a 1x1 stride-2 layer) are zero-filled.
 * 3x3 and 1x1 filters at stride 2 run copies with those constants folded in (loop bounds, no division by the stride):
 * 3x3/2 28x28x16->32 36.5 -> 41.7 GFLOP/s (per-alternation ratio 0.88), 14x14x32->64 42.8 -> 45.3 (0.91), raw export,
 * batch 32, relaxed build, best of 31. The last strip computes all 16 lanes, so ci % 16 != 0 wastes up to 15/16 of it
 * (15x15x20->24: 1.1x the matmul's time); ../col2imBackpropInput.ts only sends ci % 16 == 0 here.
 * pack: ceil(ci/16)*16*kh*kw*co + co floats.
 */
static inline void store16(float* d, f4 a0, f4 a1, f4 a2, f4 a3, int n) {
  if (n >= 16) {
    wasm_v128_store(d, a0); wasm_v128_store(d + 4, a1); wasm_v128_store(d + 8, a2); wasm_v128_store(d + 12, a3);
    return;
  }
  f4 v = a0;
  for (int j = 0; j < n; j += 4) {
    if (j == 4) v = a1; else if (j == 8) v = a2; else if (j == 12) v = a3;
    if (n - j >= 4) { wasm_v128_store(d + j, v); continue; }
    d[j] = wasm_f32x4_extract_lane(v, 0);
    if (n - j > 1) d[j + 1] = wasm_f32x4_extract_lane(v, 1);
    if (n - j > 2) d[j + 2] = wasm_f32x4_extract_lane(v, 2);
  }
}

#define DX_TAPS(...)                                                                                              \
  for (int fh = fh0, ohA = ohA0, ohB = ohB0; fh < kh; fh += sh, ohA--, ohB--) {                                   \
    const int rowA = (unsigned)ohA < (unsigned)outH, rowB = (unsigned)ohB < (unsigned)outH;                       \
    if (!rowA && !rowB) continue;                                                                                 \
    for (int fw = fw0, owA = owA0, owB = owB0; fw < kw; fw += sw, owA--, owB--) {                                 \
      const float* pA = rowA && (unsigned)owA < (unsigned)outW ? dyimg + (ohA * outW + owA) * co : zero;          \
      const float* pB = rowB && (unsigned)owB < (unsigned)outW ? dyimg + (ohB * outW + owB) * co : zero;          \
      if (pA == zero && pB == zero) continue;                                                                     \
      const float* wp = wstrip + (fh * kw + fw) * tapFloats;                                                      \
      for (int o = 0; o < co; o++, wp += 16) { __VA_ARGS__ }                                                      \
    }                                                                                                             \
  }

#ifdef NB_WIDE
/*
 * Native wide builds only (nb_wide.h): R pixels (i, j .. j+R-1) of one row of a residue class x 16 input channels (strip
 * wstrip), one 512-bit or two 256-bit accumulators per pixel: per tap and output channel one load of the packed filter
 * and R splats of dy. Unless `checked`, every pixel's output columns are inside dy (the caller's interior); a checked
 * tile (R = 1) skips the taps whose output pixel is outside, which the 128-bit tiles add as zeros (the same sums).
 * d: dx at pixel (i, j), channel s*16; nc: channels of the strip to store (16, or fewer in the last strip).
 */
static inline __attribute__((always_inline)) void dx_wide_tile(
    const int R, const int checked, const float* dyimg, const float* wstrip, float* d, int dstride, int nc, int oh0,
    int ow0, int fh0, int fw0, int kh, int kw, int sh, int sw, int outH, int outW, int co, int tapFloats) {
  nb_wv acc[NB_WIDE_ROWS][NB_WV_PER_STRIP];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NB_WV_PER_STRIP; v++) acc[r][v] = NB_WV_ZERO();
  for (int fh = fh0, oh = oh0; fh < kh; fh += sh, oh--) {
    if ((unsigned)oh >= (unsigned)outH) continue;
    for (int fw = fw0, ow = ow0; fw < kw; fw += sw, ow--) {
      if (checked && (unsigned)ow >= (unsigned)outW) continue;
      const float* p = dyimg + (oh * outW + ow) * co;
      const float* wp = wstrip + (fh * kw + fw) * tapFloats;
      for (int o = 0; o < co; o++, wp += 16) {
        nb_wv wv[NB_WV_PER_STRIP];
        for (int v = 0; v < NB_WV_PER_STRIP; v++) wv[v] = NB_WV_LOAD(wp + v * NB_WV_LANES);
        for (int r = 0; r < R; r++) {
          const nb_wv xv = NB_WV_SPLAT(p + r * co + o);
          for (int v = 0; v < NB_WV_PER_STRIP; v++) acc[r][v] = NB_WV_FMA(xv, wv[v], acc[r][v]);
        }
      }
    }
  }
  for (int r = 0; r < R; r++) {
    float* dr = d + r * dstride;
    if (nc >= 16) {
      for (int v = 0; v < NB_WV_PER_STRIP; v++) NB_WV_STORE(dr + v * NB_WV_LANES, acc[r][v]);
    } else {
      float t[16];
      for (int v = 0; v < NB_WV_PER_STRIP; v++) NB_WV_STORE(t + v * NB_WV_LANES, acc[r][v]);
      for (int c = 0; c < nc; c++) dr[c] = t[c];
    }
  }
}
#endif

static inline __attribute__((always_inline)) void backprop_input_body(
    const float* dy, const float* w, float* dx, int batch, int inH, int inW, int ci, int outH, int outW, int co, int kh,
    int kw, int sh, int sw, int pt, int pl, float* pack) {
  const int strips = (ci + 15) >> 4;
  const int tapFloats = co * 16;
  const int stripFloats = kh * kw * tapFloats;
  for (int s = 0; s < strips; s++) {
    for (int t = 0; t < kh * kw; t++) {
      float* dst = pack + s * stripFloats + t * tapFloats;
      const float* src = w + t * ci * co;
      for (int o = 0; o < co; o++) {
        for (int j = 0; j < 16; j++) {
          const int c = s * 16 + j;
          dst[o * 16 + j] = c < ci ? src[c * co + o] : 0.f;
        }
      }
    }
  }
  const float* zero = pack + strips * stripFloats;
  for (int o = 0; o < co; o++) pack[strips * stripFloats + o] = 0.f;
  for (int n = 0; n < batch; n++) {
    const float* dyimg = dy + n * outH * outW * co;
    float* dximg = dx + n * inH * inW * ci;
    for (int a = 0; a < sh && a < inH; a++) {
      const int fh0 = (a + pt) % sh, dh0 = (a + pt) / sh;
      const int rows = (inH - a + sh - 1) / sh;
      if (fh0 >= kh) { /* no tap reaches these rows (odd rows of a 1x1 stride-2 layer): whole rows of zeros */
        const f4 z = wasm_f32x4_splat(0);
        const int rowFloats = inW * ci, row4 = rowFloats & ~3;
        for (int ih = a; ih < inH; ih += sh) {
          float* d = dximg + ih * rowFloats;
          int c = 0;
          for (; c < row4; c += 4) wasm_v128_store(d + c, z);
          for (; c < rowFloats; c++) d[c] = 0.f;
        }
        continue;
      }
      for (int b = 0; b < sw && b < inW; b++) {
        const int fw0 = (b + pl) % sw, dw0 = (b + pl) / sw;
        const int cols = (inW - b + sw - 1) / sw;
        if (fw0 >= kw) { /* no tap reaches this class (e.g. odd columns of a 1x1 stride-2 layer) */
          const f4 z = wasm_f32x4_splat(0);
          const int ci4 = ci & ~3;
          for (int ih = a; ih < inH; ih += sh) {
            for (int iw = b; iw < inW; iw += sw) {
              float* d = dximg + (ih * inW + iw) * ci;
              int c = 0;
              for (; c < ci4; c += 4) wasm_v128_store(d + c, z);
              for (; c < ci; c++) d[c] = 0.f;
            }
          }
          continue;
        }
#ifdef NB_WIDE
        /* Row by row: the columns whose every tap reads inside dy in tiles of NB_WIDE_ROWS, 4, 2, 1; the rest checked. */
        {
          const int mwMax = (kw - 1 - fw0) / sw; /* taps fw = fw0 + m*sw read output column j + dw0 - m */
          int jLo = mwMax - dw0 > 0 ? mwMax - dw0 : 0;
          int jHi = outW - dw0 < cols ? outW - dw0 : cols;
          if (jLo > jHi) jLo = jHi;
          const int dstride = sw * ci;
          for (int i = 0; i < rows; i++) {
            const int oh0 = i + dh0;
            for (int s = 0; s < strips; s++) {
              const float* wstrip = pack + s * stripFloats;
              float* drow = dximg + ((a + i * sh) * inW + b) * ci + s * 16;
              const int nc = ci - s * 16;
              for (int j = 0; j < cols;) {
                float* d = drow + j * dstride;
                const int ow0 = j + dw0;
                if (j < jLo || j >= jHi) {
                  dx_wide_tile(1, 1, dyimg, wstrip, d, dstride, nc, oh0, ow0, fh0, fw0, kh, kw, sh, sw, outH, outW, co, tapFloats);
                  j++;
                } else if (jHi - j >= NB_WIDE_ROWS) {
                  dx_wide_tile(NB_WIDE_ROWS, 0, dyimg, wstrip, d, dstride, nc, oh0, ow0, fh0, fw0, kh, kw, sh, sw, outH, outW, co, tapFloats);
                  j += NB_WIDE_ROWS;
                } else if (jHi - j >= 4) {
                  dx_wide_tile(4, 0, dyimg, wstrip, d, dstride, nc, oh0, ow0, fh0, fw0, kh, kw, sh, sw, outH, outW, co, tapFloats);
                  j += 4;
                } else if (jHi - j >= 2) {
                  dx_wide_tile(2, 0, dyimg, wstrip, d, dstride, nc, oh0, ow0, fh0, fw0, kh, kw, sh, sw, outH, outW, co, tapFloats);
                  j += 2;
                } else {
                  dx_wide_tile(1, 0, dyimg, wstrip, d, dstride, nc, oh0, ow0, fh0, fw0, kh, kw, sh, sw, outH, outW, co, tapFloats);
                  j++;
                }
              }
            }
          }
          continue;
        }
#endif
        /* Pixels of class (a, b) in row-major order, two at a time: A = (iA, jA), B the next one. */
        int iA = 0, jA = 0;
        for (int q = 0; q < rows * cols; q += 2) {
          int iB = iA, jB = jA + 1;
          if (jB == cols) { iB++; jB = 0; }
          const int single = q + 1 == rows * cols;
          if (single) { iB = iA; jB = jA; }
          const int ihA = a + iA * sh, iwA = b + jA * sw, ihB = a + iB * sh, iwB = b + jB * sw;
          /* tap m of the class (fh = fh0 + m*sh) reads output row iA + dh0 - m: (ih + pt - fh) / sh, exact */
          const int ohA0 = iA + dh0, ohB0 = iB + dh0, owA0 = jA + dw0, owB0 = jB + dw0;
          float* dA = dximg + (ihA * inW + iwA) * ci;
          float* dB = dximg + (ihB * inW + iwB) * ci;
          for (int s = 0; s < strips; s++) {
            const float* wstrip = pack + s * stripFloats;
            f4 a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            DX_TAPS({
              f4 x0 = wasm_v128_load32_splat(pA + o), x1 = wasm_v128_load32_splat(pB + o);
              f4 w0 = wasm_v128_load(wp), w1 = wasm_v128_load(wp + 4), w2 = wasm_v128_load(wp + 8), w3 = wasm_v128_load(wp + 12);
              a0 = NB_MADD(x0, w0, a0); a1 = NB_MADD(x0, w1, a1); a2 = NB_MADD(x0, w2, a2); a3 = NB_MADD(x0, w3, a3);
              b0 = NB_MADD(x1, w0, b0); b1 = NB_MADD(x1, w1, b1); b2 = NB_MADD(x1, w2, b2); b3 = NB_MADD(x1, w3, b3);
            })
            const int nc = ci - s * 16;
            store16(dA + s * 16, a0, a1, a2, a3, nc);
            if (!single) store16(dB + s * 16, b0, b1, b2, b3, nc);
          }
          iA = iB; jA = jB + 1;
          if (jA == cols) { iA++; jA = 0; }
        }
      }
    }
  }
}

static __attribute__((noinline)) void backprop_input_generic(
    const float* dy, const float* w, float* dx, int batch, int inH, int inW, int ci, int outH, int outW, int co, int kh,
    int kw, int sh, int sw, int pt, int pl, float* pack) {
  backprop_input_body(dy, w, dx, batch, inH, inW, ci, outH, outW, co, kh, kw, sh, sw, pt, pl, pack);
}

static __attribute__((noinline)) void backprop_input_3x3s2(const float* dy, const float* w, float* dx, int batch,
                                                           int inH, int inW, int ci, int outH, int outW, int co, int pt,
                                                           int pl, float* pack) {
  backprop_input_body(dy, w, dx, batch, inH, inW, ci, outH, outW, co, 3, 3, 2, 2, pt, pl, pack);
}
static __attribute__((noinline)) void backprop_input_1x1s2(const float* dy, const float* w, float* dx, int batch,
                                                           int inH, int inW, int ci, int outH, int outW, int co, int pt,
                                                           int pl, float* pack) {
  backprop_input_body(dy, w, dx, batch, inH, inW, ci, outH, outW, co, 1, 1, 2, 2, pt, pl, pack);
}

EXPORT(conv2d_backprop_input)
void conv2d_backprop_input(const float* dy, const float* w, float* dx, int batch, int inH, int inW, int ci, int outH,
                           int outW, int co, int kh, int kw, int sh, int sw, int pt, int pl, float* pack) {
  if (kh == 3 && kw == 3 && sh == 2 && sw == 2)
    backprop_input_3x3s2(dy, w, dx, batch, inH, inW, ci, outH, outW, co, pt, pl, pack);
  else if (kh == 1 && kw == 1 && sh == 2 && sw == 2)
    backprop_input_1x1s2(dy, w, dx, batch, inH, inW, ci, outH, outW, co, pt, pl, pack);
  else
    backprop_input_generic(dy, w, dx, batch, inH, inW, ci, outH, outW, co, kh, kw, sh, sw, pt, pl, pack);
}
#undef DX_TAPS
