/*
 * Filter gradient of a 3x3 stride-1 convolution by Winograd F(4x4, 3x3) (NHWC, float32), run inside the tfjs wasm
 * backend's memory (../winogradFilterGradF4.ts). Built by scripts/build-simd-kernels.mjs; register-only code: no stack,
 * no globals, no libc; scratch memory comes from the caller (tfjs' allocator).
 *
 * The forward F(4x4, 3x3) is Y = At [(G g Gt) . (Bt D B)] A per 4x4 output tile (6x6 input patch D), with the
 * interpolation points 0, 1, -1, 1/2, -2 and infinity that winograd.c's F(4x4) forward uses (its header has the
 * matrices; smaller coefficients than Lavin & Gray's 0, +-1, +-2: here ~25 % less rounding, simulated),
 * so the gradient with respect to g is dg = Gt [(A dY At) . (Bt D B)] G (the transpose of that bilinear map), summed
 * over tiles. As in winograd.c's F(2x2) version (winograd_filter_grad), the sum over tiles is taken first, per
 * frequency: 36 channel products M[k][c][o] = sum_tiles V[k][t][c] W[k][t][o] (36 multiplies per 16 outputs instead of
 * 16 per 4: 1.78x fewer), then Gt M G once at the end. Tiles run in chunks of `chunk`: their transforms Vs
 * (36 * (chunk*ci + 16) floats) and Ws (36 * (chunk*co + 16)) stay in cache while the products read them; Ms (36*ci*co)
 * holds the sums. ci % 4 == 0, co % 8 == 0; any padding (pt, pl); outputs past the edge count as zero gradient.
 * dw is written whole.
 */
#include <wasm_simd128.h>
#include "nb_madd.h"
#define EXPORT(name) __attribute__((export_name(#name)))
typedef v128_t f4;
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul
#define DIV wasm_f32x4_div

static inline f4 load_or_zero(const float* p, int ok) { return ok ? wasm_v128_load(p) : wasm_f32x4_splat(0); }

/* r = Bt d for one column of 6 (see the header): the input transform, applied to columns then to rows. NB_MADD: fused
   on the relaxed build (as in winograd.c's F(4x4) transforms). */
#define BT6(d0, d1, d2, d3, d4, d5, r0, r1, r2, r3, r4, r5)                       \
  do {                                                                               \
    const f4 c_ = SUB(d4, d2), e_ = SUB(d3, d1);                                     \
    r0 = NB_MADD(c15, e_, NB_MADD(mtwo, d2, ADD(d0, d4)));                         \
    r1 = NB_MADD(half, d2, NB_MADD(c25, d3, SUB(d4, d1)));                         \
    r2 = NB_MADD(half, d3, NB_MADD(mc25, d2, ADD(d4, d1)));                        \
    r3 = NB_MADD(two, e_, c_);                                                      \
    r4 = NB_MADD(mhalf, e_, c_);                                                    \
    r5 = NB_MADD(c15, c_, NB_MADD(mtwo, d3, ADD(d1, d5)));                         \
  } while (0)

/* r = A g for a column of 4 (A = At transposed): [g0, g0+g1+g2+g3, g0-g1+g2-g3, g0+g1/2+g2/4+g3/8, g0-2g1+4g2-8g3, g3]. */
#define A4(g0, g1, g2, g3, r0, r1, r2, r3, r4, r5)                                  \
  do {                                                                               \
    f4 s02_ = ADD(g0, g2), s13_ = ADD(g1, g3);                                       \
    r0 = g0; r1 = ADD(s02_, s13_); r2 = SUB(s02_, s13_);                            \
    r3 = NB_MADD(eighth, g3, NB_MADD(quarter, g2, NB_MADD(half, g1, g0)));       \
    r4 = NB_MADD(meight, g3, NB_MADD(four, g2, NB_MADD(mtwo, g1, g0)));            \
    r5 = g3;                                                                         \
  } while (0)

/* r = Gt m for a column of 6 (3 results): G's columns [1 1/3 -1/3 -16/15 1/15 0], [0 1/3 1/3 -8/15 -2/15 0],
   [0 1/3 -1/3 -4/15 4/15 1]. */
#define GT6(m0, m1, m2, m3, m4, m5, r0, r1, r2)                                     \
  do {                                                                               \
    f4 p12_ = ADD(m1, m2), n12_ = SUB(m1, m2);                                       \
    r0 = ADD(ADD(m0, DIV(n12_, three)), DIV(SUB(m4, MUL(sixteen, m3)), fifteen));    \
    r1 = SUB(DIV(p12_, three), DIV(ADD(MUL(eight, m3), MUL(two, m4)), fifteen));     \
    r2 = ADD(ADD(DIV(n12_, three), DIV(MUL(four, SUB(m4, m3)), fifteen)), m5);       \
  } while (0)

EXPORT(winograd_filter_grad_f4)
void winograd_filter_grad_f4(const float* x, const float* dy, float* dw, float* Vs, float* Ws, float* Ms, int batch,
                             int inH, int inW, int ci, int outH, int outW, int co, int pt, int pl, int chunk) {
  const int cc = ci * co;
  const int tilesH = (outH + 3) / 4, tilesW = (outW + 3) / 4;
  const int tilesImg = tilesH * tilesW, tiles = batch * tilesImg;
  const f4 zero = wasm_f32x4_splat(0);
  const f4 half = wasm_f32x4_splat(0.5f), mhalf = wasm_f32x4_splat(-0.5f), quarter = wasm_f32x4_splat(0.25f);
  const f4 eighth = wasm_f32x4_splat(0.125f), two = wasm_f32x4_splat(2.f), mtwo = wasm_f32x4_splat(-2.f);
  const f4 four = wasm_f32x4_splat(4.f), eight = wasm_f32x4_splat(8.f), meight = wasm_f32x4_splat(-8.f);
  const f4 three = wasm_f32x4_splat(3.f);
  const f4 c15 = wasm_f32x4_splat(1.5f), c25 = wasm_f32x4_splat(2.5f), mc25 = wasm_f32x4_splat(-2.5f);
  const f4 fifteen = wasm_f32x4_splat(15.f), sixteen = wasm_f32x4_splat(16.f);
  for (int i = 0; i < 36 * cc; i += 4) wasm_v128_store(Ms + i, zero);
  /* Plane strides padded by a cache line, as in the F(2x2) kernel (planes a multiple of 1024 floats apart alias in L1). */
  const int vplane = chunk * ci + 16, wplane = chunk * co + 16;
  for (int t0 = 0; t0 < tiles; t0 += chunk) {
    const int T = t0 + chunk < tiles ? chunk : tiles - t0;
    /* 1. transforms of the chunk's tiles */
    for (int t = 0; t < T; t++) {
      const int g = t0 + t, n = g / tilesImg, rest = g - n * tilesImg, ty = rest / tilesW, tx = rest - ty * tilesW;
      const float* ximg = x + n * inH * inW * ci;
      const int iy0 = 4 * ty - pt, ix0 = 4 * tx - pl;
      int rok[6], cok[6];
      #pragma clang loop unroll(full)
      for (int i = 0; i < 6; i++) {
        rok[i] = iy0 + i >= 0 && iy0 + i < inH;
        cok[i] = ix0 + i >= 0 && ix0 + i < inW;
      }
      const int interior = iy0 >= 0 && iy0 + 5 < inH && ix0 >= 0 && ix0 + 5 < inW;
      for (int c = 0; c < ci; c += 4) {
        const float* p = ximg + (iy0 * inW + ix0) * ci + c;
        f4 d[6][6];
        if (interior) {
          #pragma clang loop unroll(full)
          for (int i = 0; i < 6; i++)
            #pragma clang loop unroll(full)
            for (int j = 0; j < 6; j++) d[i][j] = wasm_v128_load(p + (i * inW + j) * ci);
        } else {
          #pragma clang loop unroll(full)
          for (int i = 0; i < 6; i++)
            #pragma clang loop unroll(full)
            for (int j = 0; j < 6; j++) d[i][j] = load_or_zero(p + (i * inW + j) * ci, rok[i] && cok[j]);
        }
        #pragma clang loop unroll(full)
        for (int j = 0; j < 6; j++) { /* Bt d: columns of the patch */
          f4 r0, r1, r2, r3, r4, r5;
          BT6(d[0][j], d[1][j], d[2][j], d[3][j], d[4][j], d[5][j], r0, r1, r2, r3, r4, r5);
          d[0][j] = r0; d[1][j] = r1; d[2][j] = r2; d[3][j] = r3; d[4][j] = r4; d[5][j] = r5;
        }
        #pragma clang loop unroll(full)
        for (int r = 0; r < 6; r++) { /* (Bt d) B: rows */
          f4 v0, v1, v2, v3, v4, v5;
          BT6(d[r][0], d[r][1], d[r][2], d[r][3], d[r][4], d[r][5], v0, v1, v2, v3, v4, v5);
          float* v = Vs + (6 * r) * vplane + t * ci + c;
          wasm_v128_store(v, v0);
          wasm_v128_store(v + vplane, v1);
          wasm_v128_store(v + 2 * vplane, v2);
          wasm_v128_store(v + 3 * vplane, v3);
          wasm_v128_store(v + 4 * vplane, v4);
          wasm_v128_store(v + 5 * vplane, v5);
        }
      }
      /* A dY At of the 4x4 output-gradient tile (rows/columns past the output are zeros) */
      const int oy = 4 * ty, ox = 4 * tx;
      int yok[4], xok[4];
      #pragma clang loop unroll(full)
      for (int i = 0; i < 4; i++) {
        yok[i] = oy + i < outH;
        xok[i] = ox + i < outW;
      }
      const float* gp = dy + ((n * outH + oy) * outW + ox) * co;
      for (int o = 0; o < co; o += 4) {
        f4 e[6][4];
        #pragma clang loop unroll(full)
        for (int j = 0; j < 4; j++) { /* A dY: columns of the tile */
          f4 g0 = load_or_zero(gp + (0 * outW + j) * co + o, yok[0] && xok[j]);
          f4 g1 = load_or_zero(gp + (1 * outW + j) * co + o, yok[1] && xok[j]);
          f4 g2 = load_or_zero(gp + (2 * outW + j) * co + o, yok[2] && xok[j]);
          f4 g3 = load_or_zero(gp + (3 * outW + j) * co + o, yok[3] && xok[j]);
          A4(g0, g1, g2, g3, e[0][j], e[1][j], e[2][j], e[3][j], e[4][j], e[5][j]);
        }
        #pragma clang loop unroll(full)
        for (int r = 0; r < 6; r++) { /* (A dY) At: rows */
          f4 w0, w1, w2, w3, w4, w5;
          A4(e[r][0], e[r][1], e[r][2], e[r][3], w0, w1, w2, w3, w4, w5);
          float* w = Ws + (6 * r) * wplane + t * co + o;
          wasm_v128_store(w, w0);
          wasm_v128_store(w + wplane, w1);
          wasm_v128_store(w + 2 * wplane, w2);
          wasm_v128_store(w + 3 * wplane, w3);
          wasm_v128_store(w + 4 * wplane, w4);
          wasm_v128_store(w + 5 * wplane, w5);
        }
      }
    }
    /* 2. M[k][c][o] += sum_t V[k][t][c] W[k][t][o], 4 x 8 register tiles */
    for (int k = 0; k < 36; k++) {
      const float* vk = Vs + k * vplane;
      const float* wk = Ws + k * wplane;
      float* mk = Ms + k * cc;
      for (int c0 = 0; c0 < ci; c0 += 4) {
        for (int o0 = 0; o0 < co; o0 += 8) {
          float* m = mk + c0 * co + o0;
          /* The chunk's sum starts from zero and is added to M after: blocked summation, so rounding grows with
             chunk + tiles/chunk terms rather than with all the batch's tiles (F(4x4)'s large transform values make
             that rounding visible). */
          f4 a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
          const float* vp = vk + c0;
          const float* wp = wk + o0;
          for (int t = 0; t < T; t++, vp += ci, wp += co) {
            f4 w0 = wasm_v128_load(wp), w1 = wasm_v128_load(wp + 4);
            f4 x0 = wasm_v128_load32_splat(vp), x1 = wasm_v128_load32_splat(vp + 1);
            f4 x2 = wasm_v128_load32_splat(vp + 2), x3 = wasm_v128_load32_splat(vp + 3);
            a00 = NB_MADD(x0, w0, a00); a01 = NB_MADD(x0, w1, a01);
            a10 = NB_MADD(x1, w0, a10); a11 = NB_MADD(x1, w1, a11);
            a20 = NB_MADD(x2, w0, a20); a21 = NB_MADD(x2, w1, a21);
            a30 = NB_MADD(x3, w0, a30); a31 = NB_MADD(x3, w1, a31);
          }
          wasm_v128_store(m, ADD(wasm_v128_load(m), a00)); wasm_v128_store(m + 4, ADD(wasm_v128_load(m + 4), a01));
          wasm_v128_store(m + co, ADD(wasm_v128_load(m + co), a10)); wasm_v128_store(m + co + 4, ADD(wasm_v128_load(m + co + 4), a11));
          wasm_v128_store(m + 2 * co, ADD(wasm_v128_load(m + 2 * co), a20));
          wasm_v128_store(m + 2 * co + 4, ADD(wasm_v128_load(m + 2 * co + 4), a21));
          wasm_v128_store(m + 3 * co, ADD(wasm_v128_load(m + 3 * co), a30));
          wasm_v128_store(m + 3 * co + 4, ADD(wasm_v128_load(m + 3 * co + 4), a31));
        }
      }
    }
  }
  /* 3. dw = Gt M G: Gt on the columns of each 6x6 M, then on the rows of the 3x6 result */
  for (int i = 0; i < cc; i += 4) {
    f4 r[3][6];
    #pragma clang loop unroll(full)
    for (int j = 0; j < 6; j++) {
      GT6(wasm_v128_load(Ms + (0 * 6 + j) * cc + i), wasm_v128_load(Ms + (1 * 6 + j) * cc + i),
          wasm_v128_load(Ms + (2 * 6 + j) * cc + i), wasm_v128_load(Ms + (3 * 6 + j) * cc + i),
          wasm_v128_load(Ms + (4 * 6 + j) * cc + i), wasm_v128_load(Ms + (5 * 6 + j) * cc + i), r[0][j], r[1][j], r[2][j]);
    }
    #pragma clang loop unroll(full)
    for (int a = 0; a < 3; a++) {
      f4 o0, o1, o2;
      GT6(r[a][0], r[a][1], r[a][2], r[a][3], r[a][4], r[a][5], o0, o1, o2);
      wasm_v128_store(dw + (3 * a + 0) * cc + i, o0);
      wasm_v128_store(dw + (3 * a + 1) * cc + i, o1);
      wasm_v128_store(dw + (3 * a + 2) * cc + i, o2);
    }
  }
}
