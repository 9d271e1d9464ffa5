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
 */
#include <wasm_simd128.h>
#include "nb_madd.h"
#define EXPORT(name) __attribute__((export_name(#name)))
typedef v128_t f4;
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul

/* U[k][c][o] (k = 4*xi + nu) = (G g Gt)[xi][nu] for the 3x3 slice g = w[.][.][c][o]; w is [3][3][ci][co], co % 4 == 0. */
EXPORT(winograd_filter)
void winograd_filter(const float* w, float* U, int ci, int co) {
  const int cc = ci * co;
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
    wasm_v128_store(U + (k + 0) * cc + i, a);                                    \
    wasm_v128_store(U + (k + 1) * cc + i, MUL(ADD(ADD(a, b), c), half));         \
    wasm_v128_store(U + (k + 2) * cc + i, MUL(ADD(SUB(a, b), c), half));         \
    wasm_v128_store(U + (k + 3) * cc + i, c);
    ROW(0, r00, r01, r02)
    ROW(4, r10, r11, r12)
    ROW(8, r20, r21, r22)
    ROW(12, r30, r31, r32)
#undef ROW
  }
}

static inline f4 load_or_zero(const float* p, int ok) { return ok ? wasm_v128_load(p) : wasm_f32x4_splat(0); }

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
          const float* uk = U + k * cc;
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
 * their transforms Vs (16*chunk*ci floats) and Ws (16*chunk*co) stay in cache while the products read them; Ms
 * (16*ci*co) holds the sums. ci % 4 == 0, co % 8 == 0; any padding (pt, pl). dw is written whole.
 */
EXPORT(winograd_filter_grad)
void winograd_filter_grad(const float* x, const float* dy, float* dw, float* Vs, float* Ws, float* Ms, int batch,
                          int inH, int inW, int ci, int outH, int outW, int co, int pt, int pl, int chunk) {
  const int cc = ci * co;
  const int tilesH = (outH + 1) / 2, tilesW = (outW + 1) / 2;
  const int tilesImg = tilesH * tilesW, tiles = batch * tilesImg;
  const f4 zero = wasm_f32x4_splat(0), half = wasm_f32x4_splat(0.5f);
  for (int i = 0; i < 16 * cc; i += 4) wasm_v128_store(Ms + i, zero);
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
    /* 2. M[k][c][o] += sum_t V[k][t][c] W[k][t][o], 4 x 8 register tiles */
    for (int k = 0; k < 16; k++) {
      const float* vk = Vs + k * vplane;
      const float* wk = Ws + k * wplane;
      float* mk = Ms + k * cc;
      for (int c0 = 0; c0 < ci; c0 += 4) {
        for (int o0 = 0; o0 < co; o0 += 8) {
          float* m = mk + c0 * co + o0;
          f4 a00 = wasm_v128_load(m), a01 = wasm_v128_load(m + 4);
          f4 a10 = wasm_v128_load(m + co), a11 = wasm_v128_load(m + co + 4);
          f4 a20 = wasm_v128_load(m + 2 * co), a21 = wasm_v128_load(m + 2 * co + 4);
          f4 a30 = wasm_v128_load(m + 3 * co), a31 = wasm_v128_load(m + 3 * co + 4);
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
          wasm_v128_store(m, a00); wasm_v128_store(m + 4, a01);
          wasm_v128_store(m + co, a10); wasm_v128_store(m + co + 4, a11);
          wasm_v128_store(m + 2 * co, a20); wasm_v128_store(m + 2 * co + 4, a21);
          wasm_v128_store(m + 3 * co, a30); wasm_v128_store(m + 3 * co + 4, a31);
        }
      }
    }
  }
  /* 3. dw = Gt M G: rows [m0 + (m1+m2)/2, (m1-m2)/2, (m1+m2)/2 + m3], then the same on columns */
  for (int i = 0; i < cc; i += 4) {
    f4 m[4][4];
    for (int k = 0; k < 16; k++) m[k >> 2][k & 3] = wasm_v128_load(Ms + k * cc + i);
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
