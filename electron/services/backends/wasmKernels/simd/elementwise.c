/*
 * Full-size elementwise kernels (float32) in WebAssembly SIMD, run inside the tfjs wasm backend's memory.
 * Built by scripts/build-simd-kernels.mjs; called from ../broadcastBinary.ts, ../tile.ts, ../reluGrad.ts, ../tanh.ts,
 * ../sliceConcat.ts and ../lstmGates.ts.
 * Register-only code: no stack, no globals, no libc (see the build script for why).
 *
 * Only broadcasting ops (and Tile) are here, plus ReLU's gradient fused into one pass: same-shape ops, ops with a
 * scalar and Step alone measured no faster than tfjs' own (XNNPACK) kernels on a 64x28x28x16 activation — those are
 * memory-bound either way, so what pays is fewer passes over memory.
 *
 * Every op is the plain IEEE float32 operation in the order the kernel names it (a - b, a / b, never a * (1/b)), so
 * results equal the cpu backend's (which rounds the same double-precision result to float32) — SquaredDifference,
 * rounded once more after the subtraction, within one float ulp.
 */
#include <wasm_simd128.h>
#include "nb_wide.h"
#define EXPORT(name) __attribute__((export_name(#name)))
typedef v128_t f4;

#define V_ADD(a, b) wasm_f32x4_add(a, b)
#define V_SUB(a, b) wasm_f32x4_sub(a, b)
#define V_MUL(a, b) wasm_f32x4_mul(a, b)
#define V_DIV(a, b) wasm_f32x4_div(a, b)
#define V_SQD(a, b) sqd4(a, b)
#define S_ADD(a, b) ((a) + (b))
#define S_SUB(a, b) ((a) - (b))
#define S_MUL(a, b) ((a) * (b))
#define S_DIV(a, b) ((a) / (b))
#define S_SQD(a, b) sqd1(a, b)

static inline f4 sqd4(f4 a, f4 b) {
  f4 d = wasm_f32x4_sub(a, b);
  return wasm_f32x4_mul(d, d);
}
static inline float sqd1(float a, float b) {
  float d = a - b;
  return d * d;
}

/*
 * big op small, where the small operand repeats along the big one with period P: out[i] = big[i] op pat[i mod P].
 * `pat` holds one period; P is a multiple of 4 (the caller repeats a [C] vector 4/gcd(C,4) times when C is not), so
 * the inner loop is whole vectors. A scalar operand is P = 4. `smallFirst` variants compute pat op big (Sub, RealDiv).
 */
#define PATTERN_KERNEL(name, OPV, OPS, FIRST, SECOND)                                                           \
  EXPORT(name)                                                                                                   \
  void name(const float* big, const float* pat, float* out, int total, int P) {                                  \
    int i = 0;                                                                                                   \
    if (P == 4) {                                                                                                \
      const f4 s = wasm_v128_load(pat);                                                                          \
      for (; i + 16 <= total; i += 16) {                                                                         \
        f4 x0 = wasm_v128_load(big + i), x1 = wasm_v128_load(big + i + 4);                                       \
        f4 x2 = wasm_v128_load(big + i + 8), x3 = wasm_v128_load(big + i + 12);                                  \
        { f4 b_ = x0, s_ = s; wasm_v128_store(out + i, OPV(FIRST, SECOND)); }                                    \
        { f4 b_ = x1, s_ = s; wasm_v128_store(out + i + 4, OPV(FIRST, SECOND)); }                                \
        { f4 b_ = x2, s_ = s; wasm_v128_store(out + i + 8, OPV(FIRST, SECOND)); }                                \
        { f4 b_ = x3, s_ = s; wasm_v128_store(out + i + 12, OPV(FIRST, SECOND)); }                               \
      }                                                                                                          \
    } else if (P % 16 == 0) {                                                                                    \
      for (; i + P <= total; i += P) {                                                                           \
        const float* bp = big + i;                                                                               \
        float* op = out + i;                                                                                     \
        for (int j = 0; j < P; j += 16) {                                                                        \
          { f4 b_ = wasm_v128_load(bp + j), s_ = wasm_v128_load(pat + j); wasm_v128_store(op + j, OPV(FIRST, SECOND)); } \
          { f4 b_ = wasm_v128_load(bp + j + 4), s_ = wasm_v128_load(pat + j + 4); wasm_v128_store(op + j + 4, OPV(FIRST, SECOND)); } \
          { f4 b_ = wasm_v128_load(bp + j + 8), s_ = wasm_v128_load(pat + j + 8); wasm_v128_store(op + j + 8, OPV(FIRST, SECOND)); } \
          { f4 b_ = wasm_v128_load(bp + j + 12), s_ = wasm_v128_load(pat + j + 12); wasm_v128_store(op + j + 12, OPV(FIRST, SECOND)); } \
        }                                                                                                        \
      }                                                                                                          \
    }                                                                                                            \
    for (; i + P <= total; i += P) {                                                                             \
      const float* bp = big + i;                                                                                 \
      float* op = out + i;                                                                                       \
      for (int j = 0; j < P; j += 4) {                                                                           \
        f4 b_ = wasm_v128_load(bp + j), s_ = wasm_v128_load(pat + j);                                            \
        wasm_v128_store(op + j, OPV(FIRST, SECOND));                                                             \
      }                                                                                                          \
    }                                                                                                            \
    for (int j = 0; i < total; i++, j++) {                                                                       \
      float b_ = big[i], s_ = pat[j];                                                                            \
      out[i] = OPS(FIRST, SECOND);                                                                               \
    }                                                                                                            \
  }

PATTERN_KERNEL(bcast_add, V_ADD, S_ADD, b_, s_)
PATTERN_KERNEL(bcast_sub, V_SUB, S_SUB, b_, s_)
PATTERN_KERNEL(bcast_rsub, V_SUB, S_SUB, s_, b_)
PATTERN_KERNEL(bcast_mul, V_MUL, S_MUL, b_, s_)
PATTERN_KERNEL(bcast_div, V_DIV, S_DIV, b_, s_)
PATTERN_KERNEL(bcast_rdiv, V_DIV, S_DIV, s_, b_)
PATTERN_KERNEL(bcast_sqd, V_SQD, S_SQD, b_, s_)

/*
 * Tile of a vector along leading axes ([1,1,1,C] → [N,H,W,C]): out[i] = pat[i mod P], P a multiple of 4. One write
 * pass with the period in registers when it fits (P ≤ 16), else reloaded from L1.
 */
EXPORT(repeat_pattern)
void repeat_pattern(const float* pat, float* out, int total, int P) {
  int i = 0;
  if (P == 4 || P == 8 || P == 16) {
    const f4 p0 = wasm_v128_load(pat), p1 = wasm_v128_load(pat + (P >= 8 ? 4 : 0));
    const f4 p2 = wasm_v128_load(pat + (P == 16 ? 8 : 0)), p3 = wasm_v128_load(pat + (P == 16 ? 12 : P == 8 ? 4 : 0));
    for (; i + 16 <= total; i += 16) {
      wasm_v128_store(out + i, p0); wasm_v128_store(out + i + 4, p1);
      wasm_v128_store(out + i + 8, p2); wasm_v128_store(out + i + 12, p3);
    }
  }
  for (; i + P <= total; i += P) {
    for (int j = 0; j < P; j += 4) wasm_v128_store(out + i + j, wasm_v128_load(pat + j));
  }
  for (int j = 0; i < total; i++, j++) out[i] = pat[j];
}

/*
 * ReLU's input gradient in one pass: out[i] = dy[i] * step(x[i]), step(x) = 1 for x > 0, NaN for NaN, else 0 — the
 * same float32 products as tfjs' `mul(dy, step(x))` (same bits: ±0, NaN and ∞·0 included), reading x and dy once and
 * writing once instead of writing step(x) and reading it back.
 */
EXPORT(relu_grad)
void relu_grad(const float* x, const float* dy, float* out, int total) {
  const f4 one = wasm_f32x4_splat(1.f);
  int i = 0;
#ifdef NB_WIDE
  { /* native wide builds (nb_wide.h): the same lane operations on the widest vectors (vector extensions) */
    typedef float vf __attribute__((vector_size(NB_WV_LANES * 4), aligned(4)));
    typedef int vi __attribute__((vector_size(NB_WV_LANES * 4), aligned(4)));
    const vf zero = {0}, onev = zero + 1.f;
    for (; i + NB_WV_LANES <= total; i += NB_WV_LANES) {
      const vf xv = *(const vf*)(x + i);
      vi sv = (xv > zero) & (vi)onev;  /* 1 or +0 */
      const vi nan = xv != xv;
      sv = (nan & (vi)xv) | (~nan & sv); /* NaN stays NaN */
      *(vf*)(out + i) = *(const vf*)(dy + i) * (vf)sv;
    }
  }
#endif
  for (; i + 4 <= total; i += 4) {
    f4 xv = wasm_v128_load(x + i);
    f4 s = wasm_v128_and(wasm_f32x4_gt(xv, wasm_f32x4_splat(0.f)), one);     /* 1 or +0 */
    s = wasm_v128_bitselect(xv, s, wasm_f32x4_ne(xv, xv));                    /* NaN stays NaN */
    wasm_v128_store(out + i, wasm_f32x4_mul(wasm_v128_load(dy + i), s));
  }
  for (; i < total; i++) {
    float xs = x[i];
    float s = xs > 0.f ? 1.f : (xs != xs ? xs : 0.f);
    out[i] = dy[i] * s;
  }
}

/*
 * tanh (../tanh.ts). tfjs' wasm Tanh calls libm's tanhf per element, ~25 ns each: 0.83 ms for one 64x512 LSTM gate
 * block, 12 % of an LSTM training step. This is Eigen's rational approximation (generic_fast_tanh_float, the one
 * TensorFlow's CPU kernels use): x clamped to +-7.90531110763549805 (beyond it tanh rounds to +-1 in float32), then
 * x p(x^2) / q(x^2) with p of degree 6 and q of degree 3, and x itself where |x| < 0.0004 (there tanh(x) = x in
 * float32). Plain multiplies and adds (no fused multiply-add), so the scalar tail gives the same bits as the vector
 * body. NaN stays NaN (the clamps keep their first operand when a comparison is false), -0 stays -0. Within 3.6e-7
 * of float64 tanh (../tanh.test.ts).
 */
#define TANH_COEFFICIENTS                                                                                        \
  X(a1, 4.89352455891786e-03f) X(a3, 6.37261928875436e-04f) X(a5, 1.48572235717979e-05f)                           \
  X(a7, 5.12229709037114e-08f) X(a9, -8.60467152213735e-11f) X(a11, 2.00018790482477e-13f)                         \
  X(a13, -2.76076847742355e-16f) X(b0, 4.89352518554385e-03f) X(b2, 2.26843463243900e-03f)                         \
  X(b4, 1.18534705686654e-04f) X(b6, 1.19825839466702e-06f)
#define TANH_CLAMP 7.90531110763549805f
#define TANH_TINY 0.0004f

static inline __attribute__((always_inline)) float tanh1(float x) {
#define X(name, value) const float name = value;
  TANH_COEFFICIENTS
#undef X
  if (x < TANH_TINY && x > -TANH_TINY) return x;
  float c = TANH_CLAMP < x ? TANH_CLAMP : x;  /* pmin: keeps x when x is NaN */
  c = c < -TANH_CLAMP ? -TANH_CLAMP : c;      /* pmax */
  const float x2 = c * c;
  float p = x2 * a13 + a11;
  p = x2 * p + a9;
  p = x2 * p + a7;
  p = x2 * p + a5;
  p = x2 * p + a3;
  p = x2 * p + a1;
  p = c * p;
  float q = x2 * b6 + b4;
  q = x2 * q + b2;
  q = x2 * q + b0;
  return p / q;
}

static inline __attribute__((always_inline)) f4 tanh4(f4 x) {
#define X(name, value) const f4 name = wasm_f32x4_splat(value);
  TANH_COEFFICIENTS
#undef X
  const f4 hi = wasm_f32x4_splat(TANH_CLAMP), lo = wasm_f32x4_splat(-TANH_CLAMP);
  const f4 c = wasm_f32x4_pmax(wasm_f32x4_pmin(x, hi), lo); /* pmin(a, b) = b < a ? b : a: NaN stays */
  const f4 x2 = V_MUL(c, c);
  f4 p = V_ADD(V_MUL(x2, a13), a11);
  p = V_ADD(V_MUL(x2, p), a9);
  p = V_ADD(V_MUL(x2, p), a7);
  p = V_ADD(V_MUL(x2, p), a5);
  p = V_ADD(V_MUL(x2, p), a3);
  p = V_ADD(V_MUL(x2, p), a1);
  p = V_MUL(c, p);
  f4 q = V_ADD(V_MUL(x2, b6), b4);
  q = V_ADD(V_MUL(x2, q), b2);
  q = V_ADD(V_MUL(x2, q), b0);
  const f4 tiny = wasm_f32x4_lt(wasm_f32x4_abs(x), wasm_f32x4_splat(TANH_TINY));
  return wasm_v128_bitselect(x, V_DIV(p, q), tiny);
}

EXPORT(tanh_f32)
void tanh_f32(const float* x, float* out, int total) {
  int i = 0;
  for (; i + 8 <= total; i += 8) {
    f4 y0 = tanh4(wasm_v128_load(x + i)), y1 = tanh4(wasm_v128_load(x + i + 4));
    wasm_v128_store(out + i, y0);
    wasm_v128_store(out + i + 4, y1);
  }
  for (; i < total; i++) out[i] = tanh1(x[i]);
}

/*
 * A block copy of `rows` runs of `cols` 4-byte values (../sliceConcat.ts: Slice and Concat of float32/int32 tensors):
 * run r reads src + r * srcStride and writes dst + r * dstStride. Integer loads and stores: every bit pattern (NaN
 * payloads included) is copied as is. tfjs' wasm Slice copies its whole input out of the heap first (readSync) and
 * then one subarray per row; Concat sets one subarray per row and input.
 */
EXPORT(copy_rows)
void copy_rows(const int* src, int srcStride, int* dst, int dstStride, int rows, int cols) {
  for (int r = 0; r < rows; r++, src += srcStride, dst += dstStride) {
    int i = 0;
    for (; i + 16 <= cols; i += 16) {
      v128_t a = wasm_v128_load(src + i), b = wasm_v128_load(src + i + 4);
      v128_t c = wasm_v128_load(src + i + 8), d = wasm_v128_load(src + i + 12);
      wasm_v128_store(dst + i, a);
      wasm_v128_store(dst + i + 4, b);
      wasm_v128_store(dst + i + 8, c);
      wasm_v128_store(dst + i + 12, d);
    }
    for (; i + 4 <= cols; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
    for (; i < cols; i++) dst[i] = src[i];
  }
}

/*
 * An LSTM cell's gates (../lstmGates.ts): from the pre-activation z [batch, 4·units] (blocks i, f, g, o) and the carry
 * c [batch, units], h = o·a(c') and c' = f·c + i·g with i, f, o = r(z0, z1, z3) and g = a(z2); backward from dh and
 * dc' (hasDc = 0: c' reaches no loss) to dz and the previous carry's gradient, recomputing the gates from z. Each
 * product and sum is the float32 operation in the order tfjs' composed ops run it; tanh is tanh4 above, sigmoid
 * 0.5 + 0.5·tanh(x/2) (within ~2e-7 of 1 / (1 + e^-x)), hard sigmoid tfjs-layers' clip(0.5 + 0.2·x, 0, 1). Kinds:
 * 0 tanh, 1 sigmoid, 2 relu, 3 linear, 4 hard sigmoid (the numbering ../lstmGates.ts passes).
 */
static inline __attribute__((always_inline)) f4 act4(int kind, f4 x) {
  const f4 zero = wasm_f32x4_splat(0), one = wasm_f32x4_splat(1), half = wasm_f32x4_splat(0.5f);
  switch (kind) {
    case 0: return tanh4(x);
    case 1: return V_ADD(half, V_MUL(half, tanh4(V_MUL(half, x))));
    case 2: return wasm_v128_bitselect(zero, x, wasm_f32x4_lt(x, zero)); /* x < 0 ? 0 : x (NaN stays) */
    case 4: {
      const f4 t = V_ADD(half, V_MUL(wasm_f32x4_splat(0.2f), x));
      const f4 r = wasm_v128_bitselect(one, t, wasm_f32x4_gt(t, one));
      return wasm_v128_bitselect(zero, r, wasm_f32x4_lt(r, zero));
    }
    default: return x;
  }
}

/* d act/dx · dy from the input x and the output y, as tfjs' gradient of each composes it. */
static inline __attribute__((always_inline)) f4 act_grad4(int kind, f4 dy, f4 x, f4 y) {
  const f4 zero = wasm_f32x4_splat(0), one = wasm_f32x4_splat(1);
  switch (kind) {
    case 0: return V_MUL(V_SUB(one, V_MUL(y, y)), dy);
    case 1: return V_MUL(dy, V_MUL(y, V_SUB(one, y)));
    case 2: return wasm_v128_and(dy, wasm_f32x4_gt(x, zero));
    case 4: {
      const f4 t = V_ADD(wasm_f32x4_splat(0.5f), V_MUL(wasm_f32x4_splat(0.2f), x));
      const v128_t inside = wasm_v128_and(wasm_f32x4_ge(t, zero), wasm_f32x4_le(t, one));
      return wasm_v128_and(V_MUL(dy, wasm_f32x4_splat(0.2f)), inside);
    }
    default: return dy;
  }
}

static inline __attribute__((always_inline)) void lstm_forward4(const float* z, const float* c, float* h, float* cn, int u,
                                                                int j, int act, int rec) {
  const f4 i = act4(rec, wasm_v128_load(z + j)), f = act4(rec, wasm_v128_load(z + u + j));
  const f4 g = act4(act, wasm_v128_load(z + 2 * u + j)), o = act4(rec, wasm_v128_load(z + 3 * u + j));
  const f4 cNext = V_ADD(V_MUL(f, wasm_v128_load(c + j)), V_MUL(i, g));
  wasm_v128_store(cn + j, cNext);
  wasm_v128_store(h + j, V_MUL(o, act4(act, cNext)));
}

static inline __attribute__((always_inline)) void lstm_forward_rows(const float* z, const float* c, float* h, float* cn,
                                                                    int batch, int units, int act, int rec) {
  const int u = units;
  for (int b = 0; b < batch; b++, z += 4 * u, c += u, h += u, cn += u) {
    int j = 0;
    for (; j + 4 <= u; j += 4) lstm_forward4(z, c, h, cn, u, j, act, rec);
    for (; j < u; j++) { /* the tail through the same vector code, one lane used */
      float zs[4] = {z[j], z[u + j], z[2 * u + j], z[3 * u + j]};
      const f4 i = act4(rec, wasm_f32x4_splat(zs[0])), f = act4(rec, wasm_f32x4_splat(zs[1]));
      const f4 g = act4(act, wasm_f32x4_splat(zs[2])), o = act4(rec, wasm_f32x4_splat(zs[3]));
      const f4 cNext = V_ADD(V_MUL(f, wasm_f32x4_splat(c[j])), V_MUL(i, g));
      cn[j] = wasm_f32x4_extract_lane(cNext, 0);
      h[j] = wasm_f32x4_extract_lane(V_MUL(o, act4(act, cNext)), 0);
    }
  }
}

/* tfjs' default LSTM (tanh, hard sigmoid) gets its own copy with the activations constant (no switch per vector). */
EXPORT(lstm_gates_forward)
void lstm_gates_forward(const float* z, const float* c, float* h, float* cn, int batch, int units, int act, int rec) {
  if (act == 0 && rec == 4) lstm_forward_rows(z, c, h, cn, batch, units, 0, 4);
  else lstm_forward_rows(z, c, h, cn, batch, units, act, rec);
}

static inline __attribute__((always_inline)) void lstm_backward4(f4 dh, f4 dc, f4 z0, f4 z1, f4 z2, f4 z3, f4 cp, int hasDc,
                                                                 int act, int rec, f4* dz0, f4* dz1, f4* dz2, f4* dz3, f4* dcp) {
  const f4 i = act4(rec, z0), f = act4(rec, z1), g = act4(act, z2), o = act4(rec, z3);
  const f4 cNext = V_ADD(V_MUL(f, cp), V_MUL(i, g));
  const f4 ac = act4(act, cNext);
  const f4 viaH = act_grad4(act, V_MUL(dh, o), cNext, ac);
  const f4 dcTotal = hasDc ? V_ADD(dc, viaH) : viaH;
  *dz0 = act_grad4(rec, V_MUL(dcTotal, g), z0, i);
  *dz1 = act_grad4(rec, V_MUL(dcTotal, cp), z1, f);
  *dz2 = act_grad4(act, V_MUL(dcTotal, i), z2, g);
  *dz3 = act_grad4(rec, V_MUL(dh, ac), z3, o);
  *dcp = V_MUL(dcTotal, f);
}

static inline __attribute__((always_inline)) void lstm_backward_rows(const float* dh, const float* dc, int hasDc, const float* z,
                                                                     const float* c, float* dz, float* dcp, int batch, int units,
                                                                     int act, int rec) {
  const int u = units;
  for (int b = 0; b < batch; b++, dh += u, dc += hasDc ? u : 0, z += 4 * u, c += u, dz += 4 * u, dcp += u) {
    int j = 0;
    f4 d0, d1, d2, d3, dp;
    for (; j + 4 <= u; j += 4) {
      lstm_backward4(wasm_v128_load(dh + j), hasDc ? wasm_v128_load(dc + j) : wasm_f32x4_splat(0), wasm_v128_load(z + j),
                     wasm_v128_load(z + u + j), wasm_v128_load(z + 2 * u + j), wasm_v128_load(z + 3 * u + j),
                     wasm_v128_load(c + j), hasDc, act, rec, &d0, &d1, &d2, &d3, &dp);
      wasm_v128_store(dz + j, d0);
      wasm_v128_store(dz + u + j, d1);
      wasm_v128_store(dz + 2 * u + j, d2);
      wasm_v128_store(dz + 3 * u + j, d3);
      wasm_v128_store(dcp + j, dp);
    }
    for (; j < u; j++) {
      lstm_backward4(wasm_f32x4_splat(dh[j]), wasm_f32x4_splat(hasDc ? dc[j] : 0), wasm_f32x4_splat(z[j]),
                     wasm_f32x4_splat(z[u + j]), wasm_f32x4_splat(z[2 * u + j]), wasm_f32x4_splat(z[3 * u + j]),
                     wasm_f32x4_splat(c[j]), hasDc, act, rec, &d0, &d1, &d2, &d3, &dp);
      dz[j] = wasm_f32x4_extract_lane(d0, 0);
      dz[u + j] = wasm_f32x4_extract_lane(d1, 0);
      dz[2 * u + j] = wasm_f32x4_extract_lane(d2, 0);
      dz[3 * u + j] = wasm_f32x4_extract_lane(d3, 0);
      dcp[j] = wasm_f32x4_extract_lane(dp, 0);
    }
  }
}

EXPORT(lstm_gates_backward)
void lstm_gates_backward(const float* dh, const float* dc, int hasDc, const float* z, const float* c, float* dz, float* dcp,
                         int batch, int units, int act, int rec) {
  if (act == 0 && rec == 4) lstm_backward_rows(dh, dc, hasDc, z, c, dz, dcp, batch, units, 0, 4);
  else lstm_backward_rows(dh, dc, hasDc, z, c, dz, dcp, batch, units, act, rec);
}
