/*
 * 3x3 stride-1 convolution by Winograd F(2x2, 3x3) (NHWC, float32), run inside the tfjs wasm backend's memory.
 * Built by scripts/build-simd-kernels.mjs; called from ../winogradConv2D.ts for the forward pass and, with the filter
 * flipped and transposed, for the input gradient. Register-only code: no stack, no globals, no libc; scratch memory
 * comes from the caller (tfjs' allocator).
 *
 * Each 2x2 output tile needs 16 x ci x co multiplies instead of 36 x ci x co: the 4x4 input patch is transformed
 * (V = Bt d B), multiplied element-wise-per-frequency with the transformed filter (U = G g Gt) as 16 small products
 * over the channels, and transformed back (Y = At M A). Transform coefficients are 0, +-1 and 1/2, so the rounding
 * stays close to the direct sum (tests compare with the cpu backend).
 *
 * winograd_filter_f4 / winograd_conv3x3_f4 (below): F(4x4, 3x3), 36 multiplies per 4x4 output tile, for the layers
 * ../winogradConv2D.ts picks (winogradF4Pays).
 */
#include <wasm_simd128.h>
#include "nb_madd.h"
#include "nb_wide.h"
#ifdef NB_WIDE
/* The native wide builds' unaligned vector (winograd_wide_begin.inc). */
typedef float nb_wvu __attribute__((vector_size(NB_WV_LANES * 4), aligned(4)));
#endif
#define EXPORT(name) __attribute__((export_name(#name)))
typedef v128_t f4;
/*
 * The plane stride of the transformed filters U (winograd_filter*, read by the convolutions) and of the filter
 * gradients' sums M: ci*co floats plus one cache line. Unpadded, the 16 or 36 planes (and the 9 of w or dw) of a layer
 * whose ci*co is a multiple of 1024 (32x32, 64x64 channels) lie a multiple of 4 KB apart, all in one L1 set (12
 * ways), and the transforms that walk them all at once missed on every access: winograd_filter_f4 took 74 us at
 * 32x32 and 308 us at 64x64 (as long as the convolution it feeds), 26 us at 60x64; padded, 8 and 30 us (blocking
 * the transform by cache lines as well made no further difference). Callers allocate planes * NB_PLANE.
 */
#define NB_PLANE(cc) ((cc) + 16)
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul

/* U[k][c][o] (k = 4*xi + nu) = (G g Gt)[xi][nu] for the 3x3 slice g = w[.][.][c][o]; w is [3][3][ci][co], co % 4 == 0. */
EXPORT(winograd_filter)
void winograd_filter(const float* w, float* U, int ci, int co) {
  const int cc = ci * co, P = NB_PLANE(cc);
  const f4 half = wasm_f32x4_splat(0.5f);
  for (int i = 0; i < cc; i += 4) {
    f4 g00 = wasm_v128_load(w + 0 * cc + i), g01 = wasm_v128_load(w + 1 * cc + i), g02 = wasm_v128_load(w + 2 * cc + i);
    f4 g10 = wasm_v128_load(w + 3 * cc + i), g11 = wasm_v128_load(w + 4 * cc + i), g12 = wasm_v128_load(w + 5 * cc + i);
    f4 g20 = wasm_v128_load(w + 6 * cc + i), g21 = wasm_v128_load(w + 7 * cc + i), g22 = wasm_v128_load(w + 8 * cc + i);
    /* rows of G g (4 x 3) */
    f4 r00 = g00, r01 = g01, r02 = g02;
    f4 r10 = MUL(ADD(ADD(g00, g10), g20), half), r11 = MUL(ADD(ADD(g01, g11), g21), half), r12 = MUL(ADD(ADD(g02, g12), g22), half);
    f4 r20 = MUL(ADD(SUB(g00, g10), g20), half), r21 = MUL(ADD(SUB(g01, g11), g21), half), r22 = MUL(ADD(SUB(g02, g12), g22), half);
    f4 r30 = g20, r31 = g21, r32 = g22;
#define ROW(k, a, b, c)                                                          \
    wasm_v128_store(U + (k + 0) * P + i, a);                                    \
    wasm_v128_store(U + (k + 1) * P + i, MUL(ADD(ADD(a, b), c), half));         \
    wasm_v128_store(U + (k + 2) * P + i, MUL(ADD(SUB(a, b), c), half));         \
    wasm_v128_store(U + (k + 3) * P + i, c);
    ROW(0, r00, r01, r02)
    ROW(4, r10, r11, r12)
    ROW(8, r20, r21, r22)
    ROW(12, r30, r31, r32)
#undef ROW
  }
}

static inline f4 load_or_zero(const float* p, int ok) { return ok ? wasm_v128_load(p) : wasm_f32x4_splat(0); }

/*
 * The filter gradients' channel products, for one chunk of T tiles: M[k][c][o] += sum_t V[k][t][c] W[k][t][o] for the
 * `planes` frequencies (16 for F(2x2), 36 for F(4x4)), in 4 x 8 register tiles. Each chunk's sum starts from zero and
 * is added to M after (blocked summation): rounding grows with chunk + chunks rather than with every tile of the batch.
 */
static inline void filter_grad_products(const float* Vs, const float* Ws, float* Ms, int planes, int vplane, int wplane,
                                        int ci, int co, int T) {
  const f4 zero = wasm_f32x4_splat(0);
  for (int k = 0; k < planes; k++) {
    const float* vk = Vs + k * vplane;
    const float* wk = Ws + k * wplane;
    float* mk = Ms + k * NB_PLANE(ci * co);
#ifdef NB_WIDE
    if (co % 16 == 0) { /* native: rows c of V's columns, 16 columns o of W at a time, added to M (nb_wide.h) */
      for (int o0 = 0; o0 < co; o0 += 16) nb_wide_strip(vk, 1, ci, wk + o0, co, mk + o0, co, ci, T, 16, 1);
      continue;
    }
#endif
    for (int c0 = 0; c0 < ci; c0 += 4) {
      for (int o0 = 0; o0 < co; o0 += 8) {
        float* m = mk + c0 * co + o0;
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
        wasm_v128_store(m + co, ADD(wasm_v128_load(m + co), a10));
        wasm_v128_store(m + co + 4, ADD(wasm_v128_load(m + co + 4), a11));
        wasm_v128_store(m + 2 * co, ADD(wasm_v128_load(m + 2 * co), a20));
        wasm_v128_store(m + 2 * co + 4, ADD(wasm_v128_load(m + 2 * co + 4), a21));
        wasm_v128_store(m + 3 * co, ADD(wasm_v128_load(m + 3 * co), a30));
        wasm_v128_store(m + 3 * co + 4, ADD(wasm_v128_load(m + 3 * co + 4), a31));
      }
    }
  }
}

/*
 * out = act(bias + conv3x3(x, w)) with stride 1, any padding (pt, pl), given U from winograd_filter.
 * ci % 4 == 0, co % 16 == 0. Vs: 32*ci floats and Ms: 32*co floats of scratch. bias may be 0; relu 0/1.
 */
EXPORT(winograd_conv3x3)
void winograd_conv3x3(const float* x, const float* U, const float* bias, float* out, float* Vs, float* Ms, int batch,
                      int inH, int inW, int ci, int outH, int outW, int co, int pt, int pl, int relu) {
  const int cc = ci * co;
  const int tilesH = (outH + 1) / 2, tilesW = (outW + 1) / 2;
  const f4 zero = wasm_f32x4_splat(0);
  for (int n = 0; n < batch; n++) {
    const float* ximg = x + n * inH * inW * ci;
    float* oimg = out + n * outH * outW * co;
    for (int ty = 0; ty < tilesH; ty++) {
      const int iy0 = 2 * ty - pt;
      const int ok0 = iy0 >= 0 && iy0 < inH, ok1 = iy0 + 1 >= 0 && iy0 + 1 < inH;
      const int ok2 = iy0 + 2 >= 0 && iy0 + 2 < inH, ok3 = iy0 + 3 >= 0 && iy0 + 3 < inH;
      for (int tx = 0; tx < tilesW; tx += 2) {
        /* 1. input transform of two tiles (the second may be past the edge: zeros, not stored) */
        for (int t = 0; t < 2; t++) {
          const int ix0 = 2 * (tx + t) - pl;
          const int c0ok = ix0 >= 0 && ix0 < inW, c1ok = ix0 + 1 >= 0 && ix0 + 1 < inW;
          const int c2ok = ix0 + 2 >= 0 && ix0 + 2 < inW, c3ok = ix0 + 3 >= 0 && ix0 + 3 < inW;
          for (int c = 0; c < ci; c += 4) {
            const float* p0 = ximg + (iy0 * inW + ix0) * ci + c;
            const float* p1 = p0 + inW * ci;
            const float* p2 = p1 + inW * ci;
            const float* p3 = p2 + inW * ci;
            f4 d[4][4];
            if (ok0 && ok1 && ok2 && ok3 && c0ok && c3ok) { /* interior tile: no checks (most tiles) */
              d[0][0] = wasm_v128_load(p0); d[0][1] = wasm_v128_load(p0 + ci); d[0][2] = wasm_v128_load(p0 + 2 * ci); d[0][3] = wasm_v128_load(p0 + 3 * ci);
              d[1][0] = wasm_v128_load(p1); d[1][1] = wasm_v128_load(p1 + ci); d[1][2] = wasm_v128_load(p1 + 2 * ci); d[1][3] = wasm_v128_load(p1 + 3 * ci);
              d[2][0] = wasm_v128_load(p2); d[2][1] = wasm_v128_load(p2 + ci); d[2][2] = wasm_v128_load(p2 + 2 * ci); d[2][3] = wasm_v128_load(p2 + 3 * ci);
              d[3][0] = wasm_v128_load(p3); d[3][1] = wasm_v128_load(p3 + ci); d[3][2] = wasm_v128_load(p3 + 2 * ci); d[3][3] = wasm_v128_load(p3 + 3 * ci);
            } else {
            d[0][0] = load_or_zero(p0, ok0 && c0ok); d[0][1] = load_or_zero(p0 + ci, ok0 && c1ok);
            d[0][2] = load_or_zero(p0 + 2 * ci, ok0 && c2ok); d[0][3] = load_or_zero(p0 + 3 * ci, ok0 && c3ok);
            d[1][0] = load_or_zero(p1, ok1 && c0ok); d[1][1] = load_or_zero(p1 + ci, ok1 && c1ok);
            d[1][2] = load_or_zero(p1 + 2 * ci, ok1 && c2ok); d[1][3] = load_or_zero(p1 + 3 * ci, ok1 && c3ok);
            d[2][0] = load_or_zero(p2, ok2 && c0ok); d[2][1] = load_or_zero(p2 + ci, ok2 && c1ok);
            d[2][2] = load_or_zero(p2 + 2 * ci, ok2 && c2ok); d[2][3] = load_or_zero(p2 + 3 * ci, ok2 && c3ok);
            d[3][0] = load_or_zero(p3, ok3 && c0ok); d[3][1] = load_or_zero(p3 + ci, ok3 && c1ok);
            d[3][2] = load_or_zero(p3 + 2 * ci, ok3 && c2ok); d[3][3] = load_or_zero(p3 + 3 * ci, ok3 && c3ok);
            }
            for (int j = 0; j < 4; j++) { /* Bt d: rows */
              f4 a = d[0][j], b = d[1][j], e = d[2][j], f = d[3][j];
              d[0][j] = SUB(a, e); d[1][j] = ADD(b, e); d[2][j] = SUB(e, b); d[3][j] = SUB(b, f);
            }
            for (int r = 0; r < 4; r++) { /* (Bt d) B: columns */
              f4 a = d[r][0], b = d[r][1], e = d[r][2], f = d[r][3];
              float* v = Vs + ((4 * r) * 2 + t) * ci + c;
              wasm_v128_store(v, SUB(a, e));
              wasm_v128_store(v + 2 * ci, ADD(b, e));
              wasm_v128_store(v + 4 * ci, SUB(e, b));
              wasm_v128_store(v + 6 * ci, SUB(b, f));
            }
          }
        }
        /* 2. sixteen products over the channels, both tiles at once: M[k][t][o] = sum_c V[k][t][c] U[k][c][o] */
        for (int k = 0; k < 16; k++) {
          const float* v0 = Vs + (k * 2) * ci;
          const float* v1 = v0 + ci;
          const float* uk = U + k * NB_PLANE(cc);
          for (int o0 = 0; o0 < co; o0 += 16) {
            f4 a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
            const float* up = uk + o0;
            for (int c = 0; c < ci; c++, up += co) {
              f4 u0 = wasm_v128_load(up), u1 = wasm_v128_load(up + 4), u2 = wasm_v128_load(up + 8), u3 = wasm_v128_load(up + 12);
              f4 s = wasm_v128_load32_splat(v0 + c), q = wasm_v128_load32_splat(v1 + c);
              a0 = NB_MADD(s, u0, a0); a1 = NB_MADD(s, u1, a1); a2 = NB_MADD(s, u2, a2); a3 = NB_MADD(s, u3, a3);
              b0 = NB_MADD(q, u0, b0); b1 = NB_MADD(q, u1, b1); b2 = NB_MADD(q, u2, b2); b3 = NB_MADD(q, u3, b3);
            }
            float* m0 = Ms + (k * 2) * co + o0;
            float* m1 = m0 + co;
            wasm_v128_store(m0, a0); wasm_v128_store(m0 + 4, a1); wasm_v128_store(m0 + 8, a2); wasm_v128_store(m0 + 12, a3);
            wasm_v128_store(m1, b0); wasm_v128_store(m1 + 4, b1); wasm_v128_store(m1 + 8, b2); wasm_v128_store(m1 + 12, b3);
          }
        }
        /* 3. output transform Y = At M A, bias, ReLU, store the in-range outputs */
        for (int t = 0; t < 2 && tx + t < tilesW; t++) {
          const int oy = 2 * ty, ox = 2 * (tx + t);
          const int rows = oy + 1 < outH ? 2 : 1, cols = ox + 1 < outW ? 2 : 1;
          for (int o = 0; o < co; o += 4) {
            f4 m[4][4];
            for (int k = 0; k < 16; k++) m[k >> 2][k & 3] = wasm_v128_load(Ms + (k * 2 + t) * co + o);
            f4 s0[4], s1[4];
            for (int j = 0; j < 4; j++) {
              s0[j] = ADD(ADD(m[0][j], m[1][j]), m[2][j]);
              s1[j] = SUB(SUB(m[1][j], m[2][j]), m[3][j]);
            }
            const f4 bv = bias ? wasm_v128_load(bias + o) : zero;
            f4 y00 = ADD(ADD(ADD(s0[0], s0[1]), s0[2]), bv), y01 = ADD(SUB(SUB(s0[1], s0[2]), s0[3]), bv);
            f4 y10 = ADD(ADD(ADD(s1[0], s1[1]), s1[2]), bv), y11 = ADD(SUB(SUB(s1[1], s1[2]), s1[3]), bv);
            if (relu) { y00 = wasm_f32x4_max(y00, zero); y01 = wasm_f32x4_max(y01, zero); y10 = wasm_f32x4_max(y10, zero); y11 = wasm_f32x4_max(y11, zero); }
            float* q = oimg + (oy * outW + ox) * co + o;
            wasm_v128_store(q, y00);
            if (cols == 2) wasm_v128_store(q + co, y01);
            if (rows == 2) {
              wasm_v128_store(q + outW * co, y10);
              if (cols == 2) wasm_v128_store(q + outW * co + co, y11);
            }
          }
        }
      }
    }
  }
}

/*
 * Filter gradient of a 3x3 stride-1 convolution in the Winograd domain (../conv2DBackpropFilter.ts). With the forward
 * transform y = At [(G g) . (Bt d)] the gradient with respect to g is dg = Gt [(A dy) . (Bt d)] (the transpose of
 * the same bilinear map), in 2-D per 2x2 output tile: dw += Gt [(A dY At) . (Bt D B)] G, where D is the tile's 4x4
 * input patch and dY its 2x2 output gradient (outside the output: zeros). Summed over all tiles first, so the 16
 * element-wise products become 16 channel products M[k][c][o] = sum_tiles V[k][t][c] W[k][t][o] (16 instead of 36
 * multiplies per tile and channel pair), and Gt M G is applied once at the end. Tiles run in chunks of `chunk`:
 * their transforms Vs (16*chunk*ci floats) and Ws (16*chunk*co) stay in cache while the products read them
 * (filter_grad_products, summed per chunk); Ms (16*ci*co) holds the sums. ci % 4 == 0, co % 8 == 0; any padding (pt,
 * pl). dw is written whole.
 */
EXPORT(winograd_filter_grad)
void winograd_filter_grad(const float* x, const float* dy, float* dw, float* Vs, float* Ws, float* Ms, int batch,
                          int inH, int inW, int ci, int outH, int outW, int co, int pt, int pl, int chunk) {
  const int cc = ci * co;
  const int tilesH = (outH + 1) / 2, tilesW = (outW + 1) / 2;
  const int tilesImg = tilesH * tilesW, tiles = batch * tilesImg;
  const f4 zero = wasm_f32x4_splat(0), half = wasm_f32x4_splat(0.5f);
  for (int i = 0; i < 16 * NB_PLANE(cc); i += 4) wasm_v128_store(Ms + i, zero);
  /* Plane strides padded by a cache line: with chunk*ci a multiple of 1024 the 16 planes aliased in L1 (measured 2x). */
  const int vplane = chunk * ci + 16, wplane = chunk * co + 16;
  for (int t0 = 0; t0 < tiles; t0 += chunk) {
    const int T = t0 + chunk < tiles ? chunk : tiles - t0;
    /* 1. transforms of the chunk's tiles */
    for (int t = 0; t < T; t++) {
      const int g = t0 + t, n = g / tilesImg, rest = g - n * tilesImg, ty = rest / tilesW, tx = rest - ty * tilesW;
      const float* ximg = x + n * inH * inW * ci;
      const int iy0 = 2 * ty - pt, ix0 = 2 * tx - pl;
      const int ok0 = iy0 >= 0 && iy0 < inH, ok1 = iy0 + 1 >= 0 && iy0 + 1 < inH;
      const int ok2 = iy0 + 2 >= 0 && iy0 + 2 < inH, ok3 = iy0 + 3 >= 0 && iy0 + 3 < inH;
      const int c0ok = ix0 >= 0 && ix0 < inW, c1ok = ix0 + 1 >= 0 && ix0 + 1 < inW;
      const int c2ok = ix0 + 2 >= 0 && ix0 + 2 < inW, c3ok = ix0 + 3 >= 0 && ix0 + 3 < inW;
      const int interior = ok0 && ok1 && ok2 && ok3 && c0ok && c3ok;
      for (int c = 0; c < ci; c += 4) {
        const float* p0 = ximg + (iy0 * inW + ix0) * ci + c;
        const float* p1 = p0 + inW * ci;
        const float* p2 = p1 + inW * ci;
        const float* p3 = p2 + inW * ci;
        f4 d[4][4];
        if (interior) {
          d[0][0] = wasm_v128_load(p0); d[0][1] = wasm_v128_load(p0 + ci); d[0][2] = wasm_v128_load(p0 + 2 * ci); d[0][3] = wasm_v128_load(p0 + 3 * ci);
          d[1][0] = wasm_v128_load(p1); d[1][1] = wasm_v128_load(p1 + ci); d[1][2] = wasm_v128_load(p1 + 2 * ci); d[1][3] = wasm_v128_load(p1 + 3 * ci);
          d[2][0] = wasm_v128_load(p2); d[2][1] = wasm_v128_load(p2 + ci); d[2][2] = wasm_v128_load(p2 + 2 * ci); d[2][3] = wasm_v128_load(p2 + 3 * ci);
          d[3][0] = wasm_v128_load(p3); d[3][1] = wasm_v128_load(p3 + ci); d[3][2] = wasm_v128_load(p3 + 2 * ci); d[3][3] = wasm_v128_load(p3 + 3 * ci);
        } else {
          d[0][0] = load_or_zero(p0, ok0 && c0ok); d[0][1] = load_or_zero(p0 + ci, ok0 && c1ok);
          d[0][2] = load_or_zero(p0 + 2 * ci, ok0 && c2ok); d[0][3] = load_or_zero(p0 + 3 * ci, ok0 && c3ok);
          d[1][0] = load_or_zero(p1, ok1 && c0ok); d[1][1] = load_or_zero(p1 + ci, ok1 && c1ok);
          d[1][2] = load_or_zero(p1 + 2 * ci, ok1 && c2ok); d[1][3] = load_or_zero(p1 + 3 * ci, ok1 && c3ok);
          d[2][0] = load_or_zero(p2, ok2 && c0ok); d[2][1] = load_or_zero(p2 + ci, ok2 && c1ok);
          d[2][2] = load_or_zero(p2 + 2 * ci, ok2 && c2ok); d[2][3] = load_or_zero(p2 + 3 * ci, ok2 && c3ok);
          d[3][0] = load_or_zero(p3, ok3 && c0ok); d[3][1] = load_or_zero(p3 + ci, ok3 && c1ok);
          d[3][2] = load_or_zero(p3 + 2 * ci, ok3 && c2ok); d[3][3] = load_or_zero(p3 + 3 * ci, ok3 && c3ok);
        }
        for (int j = 0; j < 4; j++) { /* Bt d: rows */
          f4 a = d[0][j], b = d[1][j], e = d[2][j], f = d[3][j];
          d[0][j] = SUB(a, e); d[1][j] = ADD(b, e); d[2][j] = SUB(e, b); d[3][j] = SUB(b, f);
        }
        for (int r = 0; r < 4; r++) { /* (Bt d) B: columns */
          f4 a = d[r][0], b = d[r][1], e = d[r][2], f = d[r][3];
          float* v = Vs + (4 * r) * vplane + t * ci + c;
          wasm_v128_store(v, SUB(a, e));
          wasm_v128_store(v + vplane, ADD(b, e));
          wasm_v128_store(v + 2 * vplane, SUB(e, b));
          wasm_v128_store(v + 3 * vplane, SUB(b, f));
        }
      }
      /* A dY At of the 2x2 output-gradient tile (rows/columns past the output are zeros) */
      const int oy = 2 * ty, ox = 2 * tx;
      const int r1 = oy + 1 < outH, q1 = ox + 1 < outW;
      const float* g0 = dy + ((n * outH + oy) * outW + ox) * co;
      const float* g1 = g0 + outW * co;
      for (int o = 0; o < co; o += 4) {
        f4 a = wasm_v128_load(g0 + o), b = q1 ? wasm_v128_load(g0 + co + o) : zero;
        f4 e = r1 ? wasm_v128_load(g1 + o) : zero, f = r1 && q1 ? wasm_v128_load(g1 + co + o) : zero;
        /* rows of A dY: [a b], [a+e b+f], [a-e b-f], [-e -f]; then each row [u v] -> [u, u+v, u-v, -v] */
        f4 rows[4][2] = {{a, b}, {ADD(a, e), ADD(b, f)}, {SUB(a, e), SUB(b, f)}, {SUB(zero, e), SUB(zero, f)}};
        for (int r = 0; r < 4; r++) {
          f4 u = rows[r][0], v = rows[r][1];
          float* w = Ws + (4 * r) * wplane + t * co + o;
          wasm_v128_store(w, u);
          wasm_v128_store(w + wplane, ADD(u, v));
          wasm_v128_store(w + 2 * wplane, SUB(u, v));
          wasm_v128_store(w + 3 * wplane, SUB(zero, v));
        }
      }
    }
    /* 2. M[k][c][o] += sum_t V[k][t][c] W[k][t][o] */
    filter_grad_products(Vs, Ws, Ms, 16, vplane, wplane, ci, co, T);
  }
  /* 3. dw = Gt M G: rows [m0 + (m1+m2)/2, (m1-m2)/2, (m1+m2)/2 + m3], then the same on columns */
  for (int i = 0; i < cc; i += 4) {
    f4 m[4][4];
    for (int k = 0; k < 16; k++) m[k >> 2][k & 3] = wasm_v128_load(Ms + k * NB_PLANE(cc) + i);
    f4 r[3][4];
    for (int j = 0; j < 4; j++) {
      f4 s = MUL(ADD(m[1][j], m[2][j]), half);
      r[0][j] = ADD(m[0][j], s);
      r[1][j] = MUL(SUB(m[1][j], m[2][j]), half);
      r[2][j] = ADD(s, m[3][j]);
    }
    for (int a = 0; a < 3; a++) {
      f4 s = MUL(ADD(r[a][1], r[a][2]), half);
      wasm_v128_store(dw + (3 * a + 0) * cc + i, ADD(r[a][0], s));
      wasm_v128_store(dw + (3 * a + 1) * cc + i, MUL(SUB(r[a][1], r[a][2]), half));
      wasm_v128_store(dw + (3 * a + 2) * cc + i, ADD(s, r[a][3]));
    }
  }
}

/*
 * Winograd F(4x4, 3x3): 6x6 input tiles, 36 channel products per 4x4 output tile, i.e. 2.25 multiplies per output
 * and channel pair instead of F(2x2)'s 4. The transforms have larger coefficients than F(2x2)'s, so the rounding is
 * worse; the interpolation points are 0, 1, -1, 1/2, -2 and infinity rather than Lavin & Gray's 0, +-1, +-2 (wincnn's
 * default): same cost, and on random 64-channel layers the largest error against float64 is about 2.5x smaller
 * (simulated 1.6e-4 -> 5.9e-5, relative to max(1, |y|)), because 1/2 keeps Bt's and At's coefficients small.
 *
 *   Bt = [1 -3/2   -2  3/2    1 0]   G = [    1      0     0]   At = [1  1  1   1  1 0]
 *        [0   -1  1/2  5/2    1 0]       [  1/3    1/3   1/3]        [0  1 -1 1/2 -2 0]
 *        [0    1 -5/2  1/2    1 0]       [ -1/3    1/3  -1/3]        [0  1  1 1/4  4 0]
 *        [0   -2   -1    2    1 0]       [-16/15 -8/15 -4/15]        [0  1 -1 1/8 -8 1]
 *        [0  1/2   -1 -1/2    1 0]       [ 1/15  -2/15  4/15]
 *        [0    1 -3/2   -2  3/2 1]       [    0      0     1]
 *
 * (Y = At [(G g Gt) . (Bt d B)] A is the 4x4 correlation of the 6x6 patch d with the 3x3 filter g; checked exactly
 * in rational arithmetic.) Written with named locals and macros instead of 6x6 arrays so that everything stays in
 * wasm locals (no C stack).
 */

/* (o0..o5) = G (g0, g1, g2); divisions (not reciprocal products) so each coefficient costs one rounding. */
#define G6(g0, g1, g2, o0, o1, o2, o3, o4, o5)                                                    \
  do {                                                                                            \
    const f4 s_ = ADD(g0, g2);                                                                    \
    o0 = g0;                                                                                      \
    o1 = wasm_f32x4_div(ADD(s_, g1), three);                                                      \
    o2 = wasm_f32x4_div(SUB(g1, s_), three);                                                      \
    o3 = wasm_f32x4_div(MUL(four, ADD(ADD(MUL(four, g0), ADD(g1, g1)), g2)), minus15);            \
    o4 = wasm_f32x4_div(ADD(SUB(g0, ADD(g1, g1)), MUL(four, g2)), fifteen);                       \
    o5 = g2;                                                                                      \
  } while (0)

/* U[k][c][o] (k = 6*xi + nu) = (G g Gt)[xi][nu] for the 3x3 slice g = w[.][.][c][o]; w is [3][3][ci][co], co % 4 == 0.
   Planes NB_PLANE(ci*co) floats apart. */
EXPORT(winograd_filter_f4)
void winograd_filter_f4(const float* w, float* U, int ci, int co) {
  const int cc = ci * co, P = NB_PLANE(cc);
  const f4 four = wasm_f32x4_splat(4.0f), three = wasm_f32x4_splat(3.0f);
  const f4 fifteen = wasm_f32x4_splat(15.0f), minus15 = wasm_f32x4_splat(-15.0f);
  for (int i = 0; i < cc; i += 4) {
    f4 g00 = wasm_v128_load(w + 0 * cc + i), g01 = wasm_v128_load(w + 1 * cc + i), g02 = wasm_v128_load(w + 2 * cc + i);
    f4 g10 = wasm_v128_load(w + 3 * cc + i), g11 = wasm_v128_load(w + 4 * cc + i), g12 = wasm_v128_load(w + 5 * cc + i);
    f4 g20 = wasm_v128_load(w + 6 * cc + i), g21 = wasm_v128_load(w + 7 * cc + i), g22 = wasm_v128_load(w + 8 * cc + i);
    /* G g: column b of g -> column b of the 6x3 product */
    f4 r00, r10, r20, r30, r40, r50, r01, r11, r21, r31, r41, r51, r02, r12, r22, r32, r42, r52;
    G6(g00, g10, g20, r00, r10, r20, r30, r40, r50);
    G6(g01, g11, g21, r01, r11, r21, r31, r41, r51);
    G6(g02, g12, g22, r02, r12, r22, r32, r42, r52);
    /* (G g) Gt: each row of G g */
#define FROW(xi)                                                                                  \
    {                                                                                             \
      f4 u0, u1, u2, u3, u4, u5;                                                                  \
      G6(r##xi##0, r##xi##1, r##xi##2, u0, u1, u2, u3, u4, u5);                                   \
      float* p = U + 6 * xi * P + i;                                                              \
      wasm_v128_store(p, u0); wasm_v128_store(p + P, u1); wasm_v128_store(p + 2 * P, u2);         \
      wasm_v128_store(p + 3 * P, u3); wasm_v128_store(p + 4 * P, u4); wasm_v128_store(p + 5 * P, u5); \
    }
    FROW(0) FROW(1) FROW(2) FROW(3) FROW(4) FROW(5)
#undef FROW
  }
}

/* The F(4x4) constants BT6, IN_TILE and A4 (below) use by name: declared at the start of each F(4x4) kernel. */
#define F4_CONSTANTS                                                                                          \
  const f4 zero = wasm_f32x4_splat(0), two = wasm_f32x4_splat(2.0f), four = wasm_f32x4_splat(4.0f);          \
  const f4 half = wasm_f32x4_splat(0.5f), quarter = wasm_f32x4_splat(0.25f);                                  \
  const f4 eighth = wasm_f32x4_splat(0.125f), c15 = wasm_f32x4_splat(1.5f), c25 = wasm_f32x4_splat(2.5f);     \
  const f4 mtwo = wasm_f32x4_splat(-2.0f), mhalf = wasm_f32x4_splat(-0.5f), mc25 = wasm_f32x4_splat(-2.5f);   \
  const f4 meight = wasm_f32x4_splat(-8.0f);

/* (o0..o5) = Bt (d0..d5); outputs must be other variables than the inputs. NB_MADD: fused on the relaxed build. */
#define BT6(d0, d1, d2, d3, d4, d5, o0, o1, o2, o3, o4, o5)                                       \
  do {                                                                                            \
    const f4 c_ = SUB(d4, d2), e_ = SUB(d3, d1);                                                  \
    o0 = NB_MADD(c15, e_, NB_MADD(mtwo, d2, ADD(d0, d4)));                                        \
    o1 = NB_MADD(half, d2, NB_MADD(c25, d3, SUB(d4, d1)));                                        \
    o2 = NB_MADD(half, d3, NB_MADD(mc25, d2, ADD(d4, d1)));                                       \
    o3 = NB_MADD(two, e_, c_);                                                                    \
    o4 = NB_MADD(mhalf, e_, c_);                                                                  \
    o5 = NB_MADD(c15, c_, NB_MADD(mtwo, d3, ADD(d1, d5)));                                        \
  } while (0)

/* (y0..y3) = At (m0..m5) */
#define AT6(m0, m1, m2, m3, m4, m5, y0, y1, y2, y3)                                               \
  do {                                                                                            \
    const f4 s12_ = ADD(m1, m2), d12_ = SUB(m1, m2);                                              \
    y0 = ADD(ADD(m0, s12_), ADD(m3, m4));                                                         \
    y1 = NB_MADD(mtwo, m4, NB_MADD(half, m3, d12_));                                              \
    y2 = NB_MADD(four, m4, NB_MADD(quarter, m3, s12_));                                           \
    y3 = NB_MADD(meight, m4, NB_MADD(eighth, m3, ADD(d12_, m5)));                                 \
  } while (0)

/*
 * The 6x6 transforms go through memory in two passes (rows, then columns, in place in the V planes) rather than
 * holding the 36 intermediate vectors in locals, which the engine would spill anyway (16 SIMD registers on x64);
 * volatile keeps clang from folding the round trip back into locals.
 */
/* Input row r of a tile: 6 loads (LD(row pointer, column)), times B -> V planes 6*r + j. */
#define IN_ROW(LD, r)                                                                             \
  {                                                                                               \
    const float* pr = p + r * rowStride;                                                          \
    const int okr = (rm >> r) & 1;                                                                \
    (void)okr;                                                                                    \
    const f4 d0 = LD(pr, 0, r), d1 = LD(pr, 1, r), d2 = LD(pr, 2, r);                              \
    const f4 d3 = LD(pr, 3, r), d4 = LD(pr, 4, r), d5 = LD(pr, 5, r);                              \
    f4 w0, w1, w2, w3, w4, w5;                                                                    \
    BT6(d0, d1, d2, d3, d4, d5, w0, w1, w2, w3, w4, w5);                                          \
    volatile f4* vr = (volatile f4*)(v + 6 * r * vplane);                                         \
    vr[0] = w0; vr[vq] = w1; vr[2 * vq] = w2; vr[3 * vq] = w3; vr[4 * vq] = w4; vr[5 * vq] = w5;   \
  }
/* Column j of the row-transformed tile, times Bt -> V planes 6*i + j. */
#define IN_COL(j)                                                                                 \
  {                                                                                               \
    volatile f4* vc = (volatile f4*)(v + j * vplane);                                             \
    const f4 w0 = vc[0], w1 = vc[6 * vq], w2 = vc[12 * vq], w3 = vc[18 * vq], w4 = vc[24 * vq], w5 = vc[30 * vq]; \
    f4 v0, v1, v2, v3, v4, v5;                                                                    \
    BT6(w0, w1, w2, w3, w4, w5, v0, v1, v2, v3, v4, v5);                                          \
    vc[0] = v0; vc[6 * vq] = v1; vc[12 * vq] = v2; vc[18 * vq] = v3; vc[24 * vq] = v4; vc[30 * vq] = v5; \
  }
#define LD_IN(pr, j, r) wasm_v128_load((pr) + (j) * ci)
#define LD_EDGE(pr, j, r) wasm_v128_load((okr & (cm >> (j))) ? (pr) + (j) * ci : zeros)
#define IN_TILE(LD)                                                                               \
  {                                                                                               \
    IN_ROW(LD, 0) IN_ROW(LD, 1) IN_ROW(LD, 2) IN_ROW(LD, 3) IN_ROW(LD, 4) IN_ROW(LD, 5)           \
    IN_COL(0) IN_COL(1) IN_COL(2) IN_COL(3) IN_COL(4) IN_COL(5)                                   \
  }

/* Output column j: At (m0j..m5j) -> s0j..s3j */
#define OUT_COL(j)                                                                                \
  f4 s0##j, s1##j, s2##j, s3##j;                                                                  \
  {                                                                                               \
    const float* mj = m + j * mplane;                                                             \
    const f4 m0 = wasm_v128_load(mj), m1 = wasm_v128_load(mj + 6 * mplane);                       \
    const f4 m2 = wasm_v128_load(mj + 12 * mplane), m3 = wasm_v128_load(mj + 18 * mplane);        \
    const f4 m4 = wasm_v128_load(mj + 24 * mplane), m5 = wasm_v128_load(mj + 30 * mplane);        \
    AT6(m0, m1, m2, m3, m4, m5, s0##j, s1##j, s2##j, s3##j);                                      \
  }
/* Output row i: (s i0..s i5) At -> 4 outputs, bias, ReLU, stored where inside the output */
#define OUT_ROW(i)                                                                                \
  if (i < rows) {                                                                                 \
    f4 y0, y1, y2, y3;                                                                            \
    AT6(s##i##0, s##i##1, s##i##2, s##i##3, s##i##4, s##i##5, y0, y1, y2, y3);                    \
    y0 = ADD(y0, bv); y1 = ADD(y1, bv); y2 = ADD(y2, bv); y3 = ADD(y3, bv);                       \
    if (relu) { y0 = wasm_f32x4_max(y0, zero); y1 = wasm_f32x4_max(y1, zero); y2 = wasm_f32x4_max(y2, zero); y3 = wasm_f32x4_max(y3, zero); } \
    float* q = qo + i * outW * co;                                                                \
    if (cols == 4) {                                                                              \
      wasm_v128_store(q, y0); wasm_v128_store(q + co, y1); wasm_v128_store(q + 2 * co, y2); wasm_v128_store(q + 3 * co, y3); \
    } else {                                                                                      \
      wasm_v128_store(q, y0);                                                                     \
      if (cols > 1) wasm_v128_store(q + co, y1);                                                  \
      if (cols > 2) wasm_v128_store(q + 2 * co, y2);                                              \
    }                                                                                             \
  }

/*
 * The six input rows of tile row (n, ty) as a zero-padded band: band[r][b][c] = x[n][4*ty - pt + r][b - pl][c], zero
 * outside the input, for the bw = 4*tilesW + 2 columns the row's tiles read. Every tile then loads its 6x6 patch from
 * the band without bounds checks (the per-load selects of edge tiles cost ~20 % of the forward at 28x28, pad 1).
 */
static inline __attribute__((always_inline)) void fill_band(float* band, const float* x, int n, int ty, int inH,
                                                            int inW, int ci, int pt, int pl, int bw) {
  const f4 zero = wasm_f32x4_splat(0);
  const int lo = pl < bw ? pl : bw;                    /* band columns before the input */
  const int hi = pl + inW < bw ? pl + inW : bw;        /* end of the input's columns */
  for (int r = 0; r < 6; r++) {
    const int iy = 4 * ty - pt + r;
    float* br = band + r * bw * ci;
    if (iy < 0 || iy >= inH) {
      for (int i = 0; i < bw * ci; i += 4) wasm_v128_store(br + i, zero);
      continue;
    }
    const float* xr = x + ((n * inH + iy) * inW - pl) * ci;
    for (int i = 0; i < lo * ci; i += 4) wasm_v128_store(br + i, zero);
    for (int i = lo * ci; i < hi * ci; i += 4) wasm_v128_store(br + i, wasm_v128_load(xr + i));
    for (int i = hi * ci; i < bw * ci; i += 4) wasm_v128_store(br + i, zero);
  }
}

/*
 * out = act(bias + conv3x3(x, w)) with stride 1, any padding (pt, pl), given U from winograd_filter_f4.
 * ci % 4 == 0, co % 16 == 0. The 4x4 output tiles of the whole batch (n, ty, tx in order) run in chunks of `chunk`
 * tiles (a multiple of 4): their input transforms go to Vs (36 planes of chunk*ci floats, padded by 16 so the planes
 * do not alias in L1: 36*(chunk*ci+16) floats), the 36 channel products to Ms (36*(chunk*co+16) floats), so each
 * U[k] block loaded for a product is used by all the chunk's tiles while it is in cache. bias may be 0; relu 0/1.
 * block: the products' register block, 2 (2 tiles x 16 output channels) or 4 (4 tiles x 8): same 8 accumulators and 6
 * loads per 8 multiply-adds; 2 x 16 measured equal or faster on ResNet-20's layers (x64, 16 SIMD registers; 3 x 16
 * would need 17). Vs's last plane padding holds four zeros that edge tiles load for taps outside the input.
 */
#define NB_F4_NAME winograd_f4_body
#define NB_F4_LANES 4
#include "winograd_f4.inc"
#undef NB_F4_NAME
#undef NB_F4_LANES
#ifdef NB_WIDE
#include "winograd_wide_begin.inc"
#define NB_F4_NAME winograd_f4_body_wide
#define NB_F4_LANES NB_WV_LANES
#include "winograd_f4.inc"
#undef NB_F4_NAME
#undef NB_F4_LANES
#include "winograd_wide_end.inc"
#endif

EXPORT(winograd_conv3x3_f4)
void winograd_conv3x3_f4(const float* x, const float* U, const float* bias, float* out, float* Vs, float* Ms, int batch,
                         int inH, int inW, int ci, int outH, int outW, int co, int pt, int pl, int relu, int chunk,
                         int block) {
#ifdef NB_WIDE
  if (ci % NB_WV_LANES == 0 && co % 16 == 0) {
    winograd_f4_body_wide(x, U, bias, out, Vs, Ms, batch, inH, inW, ci, outH, outW, co, pt, pl, relu, chunk, block);
    return;
  }
#endif
  winograd_f4_body(x, U, bias, out, Vs, Ms, batch, inH, inW, ci, outH, outW, co, pt, pl, relu, chunk, block);
}

/* The output transform through memory, like IN_TILE: column j of the tile's M (planes 6*i + j) times At back into
   planes 6*i + j (i < 4), then row i (planes 6*i .. 6*i + 5) times At to 4 outputs (OUT_ROW's stores). */
#define OUT_COL_M(j)                                                                              \
  {                                                                                               \
    volatile f4* mc = (volatile f4*)(m + j * mplane);                                             \
    const f4 m0 = mc[0], m1 = mc[6 * mq], m2 = mc[12 * mq], m3 = mc[18 * mq], m4 = mc[24 * mq], m5 = mc[30 * mq]; \
    f4 s0, s1, s2, s3;                                                                            \
    AT6(m0, m1, m2, m3, m4, m5, s0, s1, s2, s3);                                                  \
    mc[0] = s0; mc[6 * mq] = s1; mc[12 * mq] = s2; mc[18 * mq] = s3;                              \
  }
#define OUT_ROW_M(i)                                                                              \
  if (i < rows) {                                                                                 \
    volatile f4* mr = (volatile f4*)(m + 6 * i * mplane);                                         \
    const f4 s0 = mr[0], s1 = mr[mq], s2 = mr[2 * mq], s3 = mr[3 * mq], s4 = mr[4 * mq], s5 = mr[5 * mq]; \
    f4 y0, y1, y2, y3;                                                                            \
    AT6(s0, s1, s2, s3, s4, s5, y0, y1, y2, y3);                                                  \
    y0 = ADD(y0, bv); y1 = ADD(y1, bv); y2 = ADD(y2, bv); y3 = ADD(y3, bv);                       \
    if (relu) { y0 = wasm_f32x4_max(y0, zero); y1 = wasm_f32x4_max(y1, zero); y2 = wasm_f32x4_max(y2, zero); y3 = wasm_f32x4_max(y3, zero); } \
    float* q = qo + i * outW * co;                                                                \
    if (cols == 4) {                                                                              \
      wasm_v128_store(q, y0); wasm_v128_store(q + co, y1); wasm_v128_store(q + 2 * co, y2); wasm_v128_store(q + 3 * co, y3); \
    } else {                                                                                      \
      wasm_v128_store(q, y0);                                                                     \
      if (cols > 1) wasm_v128_store(q + co, y1);                                                  \
      if (cols > 2) wasm_v128_store(q + 2 * co, y2);                                              \
    }                                                                                             \
  }

/*
 * Small-channel F(4x4) forward (winograd_conv3x3_f4_small; ci == co == 16 or 32, the ResNet-20 / bench CNN layers):
 * the same transforms and products as winograd_conv3x3_f4, rearranged for channel counts where the transforms and
 * per-tile overhead weigh as much as the 36 products (K = 16):
 *   - the input rows of a tile row are copied once into a zero-padded band (fill_band), so no tile takes the edge path
 *     (per-load selects; at 28x28, pad 1, 24 of 49 tiles are edge tiles: ~20 % of the forward);
 *   - ci and co are compile-time constants (one instance per channel count and register block);
 *   - the scratch is tile-major, Vs [tile][36][ci] and Ms [tile][36][co] (a tile's 36 planes ci / co floats apart),
 *     so a tile's transforms address one compact block;
 *   - the output transform goes through the tile's M block in two passes (OUT_COL_M, OUT_ROW_M) like the input
 *     transform, instead of 24 column results held in locals (spilled by the engine).
 * Same arithmetic in the same order as winograd_conv3x3_f4 (tests: bit-equal on these shapes). Measured (AMD EPYC Zen 3,
 * raw exports, one process, interleaved, batch 32, 28x28x16->16, relaxed build): see ../winogradConv2D.ts.
 * Scratch: Vs chunk*36*ci + 6*(4*tilesW + 2)*ci floats (tiles, then the band), Ms chunk*36*co floats.
 */
#define NB_TM_NAME conv3x3_f4_tm
#define NB_TM_LANES 4
#include "winograd_f4_tm.inc"
#undef NB_TM_NAME
#undef NB_TM_LANES

#ifdef NB_WIDE
/* Native builds: the same body on the host's widest vectors, 8 (AVX2) or 16 (AVX-512) channels per vector. */
#include "winograd_wide_begin.inc"
#define NB_TM_NAME conv3x3_f4_tm_wide
#define NB_TM_LANES NB_WV_LANES
#include "winograd_f4_tm.inc"
#undef NB_TM_NAME
#undef NB_TM_LANES
#include "winograd_wide_end.inc"
#define CONV3X3_F4_TM conv3x3_f4_tm_wide
#else
#define CONV3X3_F4_TM conv3x3_f4_tm
#endif

#define F4_SMALL_ARGS                                                                                         \
  const float *x, const float *U, const float *bias, float *out, float *Vs, float *Ms, int batch, int inH,    \
      int inW, int outH, int outW, int pt, int pl, int relu, int chunk
#define F4_SMALL(name, C, BLOCK)                                                                              \
  static __attribute__((noinline)) void name(F4_SMALL_ARGS) {                                                 \
    CONV3X3_F4_TM(x, U, bias, out, Vs, Ms, batch, inH, inW, C, outH, outW, C, pt, pl, relu, chunk, BLOCK);    \
  }
F4_SMALL(conv3x3_f4_c16b2, 16, 2)
F4_SMALL(conv3x3_f4_c16b4, 16, 4)
F4_SMALL(conv3x3_f4_c32b2, 32, 2)
F4_SMALL(conv3x3_f4_c32b4, 32, 4)

/* ci == co == 16 or 32 (else nothing is written); same arguments and scratch sizes as winograd_conv3x3_f4. */
EXPORT(winograd_conv3x3_f4_small)
void winograd_conv3x3_f4_small(const float* x, const float* U, const float* bias, float* out, float* Vs, float* Ms,
                               int batch, int inH, int inW, int ci, int outH, int outW, int co, int pt, int pl,
                               int relu, int chunk, int block) {
  if (ci == 16 && co == 16) {
    if (block == 4) conv3x3_f4_c16b4(x, U, bias, out, Vs, Ms, batch, inH, inW, outH, outW, pt, pl, relu, chunk);
    else conv3x3_f4_c16b2(x, U, bias, out, Vs, Ms, batch, inH, inW, outH, outW, pt, pl, relu, chunk);
  } else if (ci == 32 && co == 32) {
    if (block == 4) conv3x3_f4_c32b4(x, U, bias, out, Vs, Ms, batch, inH, inW, outH, outW, pt, pl, relu, chunk);
    else conv3x3_f4_c32b2(x, U, bias, out, Vs, Ms, batch, inH, inW, outH, outW, pt, pl, relu, chunk);
  }
}

/*
 * Filter gradient of a 3x3 stride-1 convolution by Winograd F(4x4, 3x3) (../winogradFilterGradF4.ts).
 *
 * The forward F(4x4, 3x3) is Y = At [(G g Gt) . (Bt D B)] A per 4x4 output tile (6x6 input patch D), with the
 * interpolation points 0, 1, -1, 1/2, -2 and infinity of the F(4x4) forward above (whose header has the matrices;
 * smaller coefficients than Lavin & Gray's 0, +-1, +-2: here ~25 % less rounding, simulated),
 * so the gradient with respect to g is dg = Gt [(A dY At) . (Bt D B)] G (the transpose of that bilinear map), summed
 * over tiles. As in the F(2x2) version (winograd_filter_grad), the sum over tiles is taken first, per
 * frequency: 36 channel products M[k][c][o] = sum_tiles V[k][t][c] W[k][t][o] (36 multiplies per 16 outputs instead of
 * 16 per 4: 1.78x fewer; filter_grad_products), then Gt M G once at the end. Tiles run in chunks of `chunk`: their
 * transforms Vs (36 * (chunk*ci + 16) floats) and Ws (36 * (chunk*co + 16)) stay in cache while the products read them; Ms (36*ci*co)
 * holds the sums. ci % 4 == 0, co % 8 == 0; any padding (pt, pl); outputs past the edge count as zero gradient.
 * dw is written whole.
 *
 * With `band` 1 (the default, ../winogradFilterGradF4.ts) the transforms are arranged as in the small-channel forward
 * (winograd_conv3x3_f4_small): x's rows come from a zero-padded band (fill_band; Vs then needs 6*(4*tilesW + 2)*ci
 * more floats after its 36 planes), so no tile loads through selects; dY tiles inside the output load without checks;
 * both 6x6 transforms go through their V / W planes in two passes (IN_TILE; A dY then (A dY) At) instead of 36 / 24
 * locals; ci == co == 16 and 32 run instances with the channel counts as constants. Numbers in ../winogradFilterGradF4.ts.
 */
#define DIV wasm_f32x4_div

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

/* dw = Gt M G from the 36 summed planes Ms (plane k = 6*xi + nu, cc = ci*co floats each): Gt on the columns of each
 * 6x6 M, then on the rows of the 3x6 result. Shared by both F(4x4) filter gradients. */
static inline __attribute__((always_inline)) void filter_grad_output_f4(const float* Ms, float* dw, int cc) {
  const int P = NB_PLANE(cc);
  const f4 two = wasm_f32x4_splat(2.f), three = wasm_f32x4_splat(3.f), four = wasm_f32x4_splat(4.f);
  const f4 eight = wasm_f32x4_splat(8.f), fifteen = wasm_f32x4_splat(15.f), sixteen = wasm_f32x4_splat(16.f);
  for (int i = 0; i < cc; i += 4) {
    f4 r[3][6];
    #pragma clang loop unroll(full)
    for (int j = 0; j < 6; j++) {
      GT6(wasm_v128_load(Ms + (0 * 6 + j) * P + i), wasm_v128_load(Ms + (1 * 6 + j) * P + i),
          wasm_v128_load(Ms + (2 * 6 + j) * P + i), wasm_v128_load(Ms + (3 * 6 + j) * P + i),
          wasm_v128_load(Ms + (4 * 6 + j) * P + i), wasm_v128_load(Ms + (5 * 6 + j) * P + i), r[0][j], r[1][j], r[2][j]);
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

/* The filter gradient as it was before fill_band (edge tiles' x and every tile's dY load through selects, 6x6 tiles held
   in locals): run when `band` is 0 (NB_WINOGRAD_F4_FILTER_BAND=0, A/B). */
static __attribute__((noinline))
void filter_grad_f4_edges(const float* x, const float* dy, float* dw, float* Vs, float* Ws, float* Ms, int batch,
                             int inH, int inW, int ci, int outH, int outW, int co, int pt, int pl, int chunk) {
  const int cc = ci * co;
  const int tilesH = (outH + 3) / 4, tilesW = (outW + 3) / 4;
  const int tilesImg = tilesH * tilesW, tiles = batch * tilesImg;
  F4_CONSTANTS
  for (int i = 0; i < 36 * NB_PLANE(cc); i += 4) wasm_v128_store(Ms + i, zero);
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
    /* 2. M[k][c][o] += sum_t V[k][t][c] W[k][t][o] */
    filter_grad_products(Vs, Ws, Ms, 36, vplane, wplane, ci, co, T);
  }
  /* 3. dw = Gt M G */
  filter_grad_output_f4(Ms, dw, cc);
}

#define NB_FG_NAME filter_grad_f4_body_narrow
#define NB_FG_LANES 4
#include "winograd_fg_f4.inc"
#undef NB_FG_NAME
#undef NB_FG_LANES
#ifdef NB_WIDE
#include "winograd_wide_begin.inc"
#define NB_FG_NAME filter_grad_f4_body_wide
#define NB_FG_LANES NB_WV_LANES
#include "winograd_fg_f4.inc"
#undef NB_FG_NAME
#undef NB_FG_LANES
#include "winograd_wide_end.inc"
#endif

static inline __attribute__((always_inline))
void filter_grad_f4_body(const float* x, const float* dy, float* dw, float* Vs, float* Ws, float* Ms, int batch,
                             int inH, int inW, const int ci, int outH, int outW, const int co, int pt, int pl, int chunk) {
#ifdef NB_WIDE
  if (ci % NB_WV_LANES == 0 && co % NB_WV_LANES == 0) {
    filter_grad_f4_body_wide(x, dy, dw, Vs, Ws, Ms, batch, inH, inW, ci, outH, outW, co, pt, pl, chunk);
    return;
  }
#endif
  filter_grad_f4_body_narrow(x, dy, dw, Vs, Ws, Ms, batch, inH, inW, ci, outH, outW, co, pt, pl, chunk);
}

#define FG_ARGS const float* x, const float* dy, float* dw, float* Vs, float* Ws, float* Ms, int batch, int inH, int inW, int outH, int outW, int pt, int pl, int chunk
#define FG_SPEC(name, CI, CO) static __attribute__((noinline)) void name(FG_ARGS) { filter_grad_f4_body(x, dy, dw, Vs, Ws, Ms, batch, inH, inW, CI, outH, outW, CO, pt, pl, chunk); }
FG_SPEC(filter_grad_f4_c16, 16, 16)
FG_SPEC(filter_grad_f4_c32, 32, 32)
EXPORT(winograd_filter_grad_f4)
void winograd_filter_grad_f4(const float* x, const float* dy, float* dw, float* Vs, float* Ws, float* Ms, int batch,
                             int inH, int inW, int ci, int outH, int outW, int co, int pt, int pl, int chunk,
                             int band) {
  if (!band) filter_grad_f4_edges(x, dy, dw, Vs, Ws, Ms, batch, inH, inW, ci, outH, outW, co, pt, pl, chunk);
  else if (ci == 16 && co == 16) filter_grad_f4_c16(x, dy, dw, Vs, Ws, Ms, batch, inH, inW, outH, outW, pt, pl, chunk);
  else if (ci == 32 && co == 32) filter_grad_f4_c32(x, dy, dw, Vs, Ws, Ms, batch, inH, inW, outH, outW, pt, pl, chunk);
  else filter_grad_f4_body(x, dy, dw, Vs, Ws, Ms, batch, inH, inW, ci, outH, outW, co, pt, pl, chunk);
}
