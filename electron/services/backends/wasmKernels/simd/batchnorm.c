/*
 * Training-mode batch normalisation (float32, channels last: x is [rows, C] with every leading axis folded into rows)
 * in WebAssembly SIMD, run inside the tfjs wasm backend's memory. Built by scripts/build-simd-kernels.mjs; called from
 * ../batchNormTraining.ts. Register-only code: no stack, no globals, no libc (see the build script for why).
 *
 * Accuracy: per-channel sums are taken over blocks of BLOCK rows in float32 and the block totals added into float64 per
 * channel, so a 64x28x28 batch (50 176 rows) sums as accurately as tfjs' cpu backend (which sums in JS doubles)
 * without giving up SIMD. `scratch` is caller-provided memory, 8-byte aligned.
 *
 * Speed: every loop walks one block of rows (in L1) one chunk of channels at a time (NV vectors of 4), keeping the
 * chunk's accumulators and per-channel constants in registers — no accumulator goes through memory per row. Channels
 * past the last multiple of 4 take scalar loops. The forward's variance reads x once (see forward_sums).
 */
#include <wasm_simd128.h>
#include "nb_wide.h"
#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))
#define BLOCK 64
typedef v128_t f4;
#define LD(p) wasm_v128_load(p)
#define ST(p, v) wasm_v128_store(p, v)
#define ADD(a, b) wasm_f32x4_add(a, b)
#define SUB(a, b) wasm_f32x4_sub(a, b)
#define MUL(a, b) wasm_f32x4_mul(a, b)
#define ZERO wasm_f32x4_splat(0.f)
#define MAXV 4

/* Lanes 2h, 2h+1 of v as doubles. */
INLINE v128_t half_f64(f4 v, int h) {
  return wasm_f64x2_promote_low_f32x4(h ? wasm_i32x4_shuffle(v, v, 2, 3, 2, 3) : v);
}

/* d[0..4) += (double)v[0..4). */
INLINE void add_f64(double* d, f4 v) {
  for (int h = 0; h < 2; h++) ST(d + 2 * h, wasm_f64x2_add(LD(d + 2 * h), half_f64(v, h)));
}

/*
 * Forward sums. Σx is the float32 block sums added in double. The centred Σ(x − mean)² needs the whole batch's mean,
 * which a single pass does not have; instead each block is summed a second time while it is in L1, centred on its own
 * float mean mb: Q = Σ(x − mb)², S = Σ(x − mb) (small centred float32 sums), and with d = mb − K (K = row 0 of x, a
 * per-channel reference inside the data's range) the exact identities
 *   Σ_block (x − K)² = Q + 2dS + n·d²,   Σ_block (x − K) = S + n·d
 * accumulate A = Σ(x − K)² and B = Σ(x − K) in double. At the end, with m the float32 mean and e = m − K,
 *   m2 = Σ(x − m)² = A − 2e·B + M·e²
 * (double, all terms of the data's spread around K: no cancellation a float could see). So x is read from memory once
 * for both sums, and the float32 error is that of sums centred within 64-row blocks — at least as accurate as two
 * passes summing (x − m)² in float32 blocks.
 */
INLINE void fwd_block_v(const float* p, const float* K, int n, long C, double* sum, double* A, double* B, const int NV) {
  f4 s0[MAXV], s1[MAXV];
  for (int v = 0; v < NV; v++) s0[v] = s1[v] = ZERO;
  const float* q = p;
  int r = 0;
  for (; r + 2 <= n; r += 2, q += 2 * C) {
    for (int v = 0; v < NV; v++) {
      s0[v] = ADD(s0[v], LD(q + 4 * v));
      s1[v] = ADD(s1[v], LD(q + C + 4 * v));
    }
  }
  if (r < n) for (int v = 0; v < NV; v++) s0[v] = ADD(s0[v], LD(q + 4 * v));
  const f4 invn = wasm_f32x4_splat(1.f / (float)n);
  f4 mb[MAXV];
  for (int v = 0; v < NV; v++) {
    f4 total = ADD(s0[v], s1[v]);
    add_f64(sum + 4 * v, total);
    mb[v] = MUL(total, invn);
  }
  f4 Q[MAXV], S[MAXV];
  for (int v = 0; v < NV; v++) Q[v] = S[v] = ZERO;
  q = p;
  for (r = 0; r < n; r++, q += C) {
    for (int v = 0; v < NV; v++) {
      f4 d = SUB(LD(q + 4 * v), mb[v]);
      S[v] = ADD(S[v], d);
      Q[v] = ADD(Q[v], MUL(d, d));
    }
  }
  const v128_t nd = wasm_f64x2_splat((double)n);
  const v128_t two = wasm_f64x2_splat(2.0);
  for (int v = 0; v < NV; v++) {
    for (int h = 0; h < 2; h++) {
      const int o = 4 * v + 2 * h;
      v128_t d = wasm_f64x2_sub(half_f64(mb[v], h), wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(K + o)));
      v128_t s = half_f64(S[v], h);
      v128_t a = wasm_f64x2_add(half_f64(Q[v], h), wasm_f64x2_mul(wasm_f64x2_mul(two, d), s));
      a = wasm_f64x2_add(a, wasm_f64x2_mul(nd, wasm_f64x2_mul(d, d)));
      ST(A + o, wasm_f64x2_add(LD(A + o), a));
      ST(B + o, wasm_f64x2_add(LD(B + o), wasm_f64x2_add(s, wasm_f64x2_mul(nd, d))));
    }
  }
}

/* The same for one channel (C % 4 tail). */
INLINE void fwd_block_s(const float* p, float K, int n, long C, double* sum, double* A, double* B) {
  float total = 0.f;
  for (int r = 0; r < n; r++) total += p[r * C];
  *sum += (double)total;
  float mb = total * (1.f / (float)n);
  float Q = 0.f, S = 0.f;
  for (int r = 0; r < n; r++) {
    float d = p[r * C] - mb;
    S += d;
    Q += d * d;
  }
  double d = (double)mb - (double)K;
  *A += (double)Q + 2.0 * d * (double)S + (double)n * d * d;
  *B += (double)S + (double)n * d;
}

#ifdef NB_WIDE
/*
 * Native wide builds only (nb_wide.h): the blocks above for 16 channels at a time in the host's widest vectors (one
 * 512-bit or two 256-bit per row). Each channel sees the same float32 operations in the same order, and the per-block
 * double arithmetic is the same expressions lane by lane (scalar here; no contraction: -ffp-contract=off), so the
 * same bits as the 128-bit blocks. W: the vectors of a 16-channel strip.
 */
#define W NB_WV_PER_STRIP
#define WL NB_WV_LANES
/* t[0..16) = the strip's lanes. */
INLINE void strip_out(float* t, const nb_wv* v) {
  for (int w = 0; w < W; w++) NB_WV_STORE(t + w * WL, v[w]);
}
/* d[0..16) += (double)v[0..16). */
INLINE void add_f64_w(double* d, const nb_wv* v) {
  float t[16];
  strip_out(t, v);
  for (int j = 0; j < 16; j++) d[j] = d[j] + (double)t[j];
}
INLINE void fwd_block_w(const float* p, const float* K, int n, long C, double* sum, double* A, double* B) {
  nb_wv s0[W], s1[W];
  for (int w = 0; w < W; w++) s0[w] = s1[w] = NB_WV_ZERO();
  const float* q = p;
  int r = 0;
  for (; r + 2 <= n; r += 2, q += 2 * C) {
    for (int w = 0; w < W; w++) {
      s0[w] = NB_WV_ADD(s0[w], NB_WV_LOAD(q + WL * w));
      s1[w] = NB_WV_ADD(s1[w], NB_WV_LOAD(q + C + WL * w));
    }
  }
  if (r < n) for (int w = 0; w < W; w++) s0[w] = NB_WV_ADD(s0[w], NB_WV_LOAD(q + WL * w));
  const nb_wv invn = NB_WV_SET1(1.f / (float)n);
  nb_wv total[W], mb[W];
  for (int w = 0; w < W; w++) {
    total[w] = NB_WV_ADD(s0[w], s1[w]);
    mb[w] = NB_WV_MUL(total[w], invn);
  }
  add_f64_w(sum, total);
  nb_wv Q[W], S[W];
  for (int w = 0; w < W; w++) Q[w] = S[w] = NB_WV_ZERO();
  q = p;
  for (r = 0; r < n; r++, q += C) {
    for (int w = 0; w < W; w++) {
      nb_wv d = NB_WV_SUB(NB_WV_LOAD(q + WL * w), mb[w]);
      S[w] = NB_WV_ADD(S[w], d);
      Q[w] = NB_WV_ADD(Q[w], NB_WV_MUL(d, d));
    }
  }
  float mbt[16], St[16], Qt[16];
  strip_out(mbt, mb);
  strip_out(St, S);
  strip_out(Qt, Q);
  const double nd = (double)n;
  for (int o = 0; o < 16; o++) {
    const double d = (double)mbt[o] - (double)K[o];
    const double sd = (double)St[o];
    double a = (double)Qt[o] + (2.0 * d) * sd;
    a = a + nd * (d * d);
    A[o] = A[o] + a;
    B[o] = B[o] + (sd + nd * d);
  }
}
INLINE void norm_block_w(const float* x, float* y, const float* m, const float* k, const float* beta, int n, long C) {
  nb_wv mv[W], kv[W], bv[W];
  for (int w = 0; w < W; w++) { mv[w] = NB_WV_LOAD(m + WL * w); kv[w] = NB_WV_LOAD(k + WL * w); bv[w] = NB_WV_LOAD(beta + WL * w); }
  for (int r = 0; r < n; r++, x += C, y += C)
    for (int w = 0; w < W; w++)
      NB_WV_STORE(y + WL * w, NB_WV_ADD(NB_WV_MUL(NB_WV_SUB(NB_WV_LOAD(x + WL * w), mv[w]), kv[w]), bv[w]));
}
INLINE void bwd_block_w(const float* dy, const float* x, const float* m, int n, long C, double* sumDy, double* sumDyX) {
  nb_wv g0[W], h0[W], g1[W], h1[W], mv[W];
  for (int w = 0; w < W; w++) { g0[w] = h0[w] = g1[w] = h1[w] = NB_WV_ZERO(); mv[w] = NB_WV_LOAD(m + WL * w); }
  int r = 0;
  for (; r + 2 <= n; r += 2, dy += 2 * C, x += 2 * C) {
    for (int w = 0; w < W; w++) {
      nb_wv ga = NB_WV_LOAD(dy + WL * w), gb = NB_WV_LOAD(dy + C + WL * w);
      g0[w] = NB_WV_ADD(g0[w], ga);
      g1[w] = NB_WV_ADD(g1[w], gb);
      h0[w] = NB_WV_ADD(h0[w], NB_WV_MUL(ga, NB_WV_SUB(NB_WV_LOAD(x + WL * w), mv[w])));
      h1[w] = NB_WV_ADD(h1[w], NB_WV_MUL(gb, NB_WV_SUB(NB_WV_LOAD(x + C + WL * w), mv[w])));
    }
  }
  if (r < n) {
    for (int w = 0; w < W; w++) {
      nb_wv ga = NB_WV_LOAD(dy + WL * w);
      g0[w] = NB_WV_ADD(g0[w], ga);
      h0[w] = NB_WV_ADD(h0[w], NB_WV_MUL(ga, NB_WV_SUB(NB_WV_LOAD(x + WL * w), mv[w])));
    }
  }
  nb_wv g[W], h[W];
  for (int w = 0; w < W; w++) { g[w] = NB_WV_ADD(g0[w], g1[w]); h[w] = NB_WV_ADD(h0[w], h1[w]); }
  add_f64_w(sumDy, g);
  add_f64_w(sumDyX, h);
}
INLINE void apply_block_w(const float* dy, const float* x, float* dx, const float* a, const float* b, const float* s,
                          const float* m, int n, long C) {
  nb_wv av[W], bv[W], sv[W], mv[W];
  for (int w = 0; w < W; w++) {
    av[w] = NB_WV_LOAD(a + WL * w); bv[w] = NB_WV_LOAD(b + WL * w); sv[w] = NB_WV_LOAD(s + WL * w); mv[w] = NB_WV_LOAD(m + WL * w);
  }
  for (int r = 0; r < n; r++, dy += C, x += C, dx += C) {
    for (int w = 0; w < W; w++) {
      nb_wv t = NB_WV_ADD(NB_WV_MUL(av[w], NB_WV_LOAD(dy + WL * w)), NB_WV_MUL(bv[w], NB_WV_SUB(NB_WV_LOAD(x + WL * w), mv[w])));
      NB_WV_STORE(dx + WL * w, NB_WV_ADD(t, sv[w]));
    }
  }
}
#undef W
#undef WL
#define WIDE_CHUNKS(body) for (; c + 16 <= C; c += 16) body;
#else
#define WIDE_CHUNKS(body)
#endif

/*
 * Forward, first half: this replica's per-channel sums. sum[c] = Σx (double), mean[c] = (float)(Σx/M), then
 * m2[c] = Σ(x − mean[c])² (double, centred on that float mean, like tf.moments' second pass). B: C doubles of scratch.
 * Data-parallel training combines two replicas' halves before normalising (sync BatchNorm).
 */
static void forward_sums(const float* x, float* mean, double* sum, double* m2, double* B, int rows, int C) {
  double* A = m2;
  for (int c = 0; c < C; c++) sum[c] = A[c] = B[c] = 0.0;
  const long LC = C;
  for (int r0 = 0; r0 < rows; r0 += BLOCK) {
    const int n = rows - r0 < BLOCK ? rows - r0 : BLOCK;
    const float* p = x + (long)r0 * LC;
    int c = 0;
    WIDE_CHUNKS(fwd_block_w(p + c, x + c, n, LC, sum + c, A + c, B + c))
    for (; c + 4 * MAXV <= C; c += 4 * MAXV) fwd_block_v(p + c, x + c, n, LC, sum + c, A + c, B + c, MAXV);
    for (; c + 4 <= C; c += 4) fwd_block_v(p + c, x + c, n, LC, sum + c, A + c, B + c, 1);
    for (; c < C; c++) fwd_block_s(p + c, x[c], n, LC, sum + c, A + c, B + c);
  }
  const double inv = 1.0 / (double)rows;
  for (int c = 0; c < C; c++) {
    mean[c] = (float)(sum[c] * inv);
    const double e = (double)mean[c] - (double)x[c];
    const double v = A[c] - 2.0 * e * B[c] + (double)rows * e * e;
    m2[c] = v > 0.0 ? v : 0.0; /* a sum of squares; rounding must not make it negative */
  }
}

/* y = (x − m)·k + beta on n rows of one chunk; the chunk's constants stay in registers. */
INLINE void norm_block_v(const float* x, float* y, const float* m, const float* k, const float* beta, int n, long C,
                         const int NV) {
  f4 mv[MAXV], kv[MAXV], bv[MAXV];
  for (int v = 0; v < NV; v++) { mv[v] = LD(m + 4 * v); kv[v] = LD(k + 4 * v); bv[v] = LD(beta + 4 * v); }
  for (int r = 0; r < n; r++, x += C, y += C) {
    for (int v = 0; v < NV; v++) ST(y + 4 * v, ADD(MUL(SUB(LD(x + 4 * v), mv[v]), kv[v]), bv[v]));
  }
}

/* Forward, second half: y = (x − mean)·k + beta with k = gamma/√(variance + eps). k: C floats of scratch. */
static void normalize(const float* x, const float* gamma, const float* beta, float* y, const float* mean,
                      const float* variance, float* k, int rows, int C, float eps) {
  for (int c = 0; c < C; c++) k[c] = (float)((double)gamma[c] / __builtin_sqrt((double)variance[c] + (double)eps));
  const long LC = C;
  for (int r0 = 0; r0 < rows; r0 += BLOCK) {
    const int n = rows - r0 < BLOCK ? rows - r0 : BLOCK;
    const float* xb = x + (long)r0 * LC;
    float* yb = y + (long)r0 * LC;
    int c = 0;
    WIDE_CHUNKS(norm_block_w(xb + c, yb + c, mean + c, k + c, beta + c, n, LC))
    for (; c + 8 <= C; c += 8) norm_block_v(xb + c, yb + c, mean + c, k + c, beta + c, n, LC, 2);
    for (; c + 4 <= C; c += 4) norm_block_v(xb + c, yb + c, mean + c, k + c, beta + c, n, LC, 1);
    for (; c < C; c++) {
      const float mc = mean[c], kc = k[c], bc = beta[c];
      for (int r = 0; r < n; r++) yb[r * LC + c] = (xb[r * LC + c] - mc) * kc + bc;
    }
  }
}

/*
 * Forward: mean[c] = Σx/M, variance[c] = Σ(x − mean)²/M (biased, centred like tf.moments), then
 * y = (x − mean)·k + beta with k = gamma/√(variance + eps). scratch: 3C doubles.
 */
EXPORT(bn_train_forward)
void bn_train_forward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* variance,
                      void* scratch, int rows, int C, float eps) {
  double* sum = (double*)scratch;
  double* m2 = sum + C;
  double* B = m2 + C;
  forward_sums(x, mean, sum, m2, B, rows, C);
  const double inv = 1.0 / (double)rows;
  for (int c = 0; c < C; c++) variance[c] = (float)(m2[c] * inv);
  normalize(x, gamma, beta, y, mean, variance, (float*)B, rows, C, eps);
}

/* The two halves of bn_train_forward, exported for synchronised BatchNorm (scratch as there; sum, m2 read by JS). */
EXPORT(bn_forward_sums)
void bn_forward_sums(const float* x, float* mean, void* scratch, int rows, int C) {
  double* sum = (double*)scratch;
  forward_sums(x, mean, sum, sum + C, sum + 2 * C, rows, C);
}

/* scratch: C floats. */
EXPORT(bn_normalize)
void bn_normalize(const float* x, const float* gamma, const float* beta, float* y, const float* mean,
                  const float* variance, void* scratch, int rows, int C, float eps) {
  normalize(x, gamma, beta, y, mean, variance, (float*)scratch, rows, C, eps);
}

/*
 * Backward, closed form with x̂ = (x − mean)·r, r = 1/√(variance + eps), M = rows:
 *   dbeta = Σdy,  dgamma = Σdy·x̂ = r·S with S = Σdy·(x − mean),
 *   dx = gamma·r·(dy − Σdy/M − x̂·(Σdy·x̂)/M) = a·dy + b·(x − mean) + s
 *   with a = gamma·r, b = −gamma·r³·S/M, s = −gamma·r·Σdy/M.
 * One pass for both sums, one for dx. scratch: 2C doubles + 3C floats.
 *
 * Synchronised BatchNorm splits it: bn_backward_sums gives this replica's Σdy and S, JS combines both replicas', and
 * bn_backward_apply takes the sums for dgamma/dbeta (this replica's) apart from those for dx (the combined ones, with
 * `inv` the divisor; see ../batchNormTraining.ts).
 */
INLINE void bwd_block_v(const float* dy, const float* x, const float* m, int n, long C, double* sumDy, double* sumDyX,
                        const int NV) {
  f4 g0[MAXV], h0[MAXV], g1[MAXV], h1[MAXV], mv[MAXV];
  for (int v = 0; v < NV; v++) { g0[v] = h0[v] = g1[v] = h1[v] = ZERO; mv[v] = LD(m + 4 * v); }
  int r = 0;
  for (; r + 2 <= n; r += 2, dy += 2 * C, x += 2 * C) {
    for (int v = 0; v < NV; v++) {
      f4 ga = LD(dy + 4 * v), gb = LD(dy + C + 4 * v);
      g0[v] = ADD(g0[v], ga);
      g1[v] = ADD(g1[v], gb);
      h0[v] = ADD(h0[v], MUL(ga, SUB(LD(x + 4 * v), mv[v])));
      h1[v] = ADD(h1[v], MUL(gb, SUB(LD(x + C + 4 * v), mv[v])));
    }
  }
  if (r < n) {
    for (int v = 0; v < NV; v++) {
      f4 ga = LD(dy + 4 * v);
      g0[v] = ADD(g0[v], ga);
      h0[v] = ADD(h0[v], MUL(ga, SUB(LD(x + 4 * v), mv[v])));
    }
  }
  for (int v = 0; v < NV; v++) {
    add_f64(sumDy + 4 * v, ADD(g0[v], g1[v]));
    add_f64(sumDyX + 4 * v, ADD(h0[v], h1[v]));
  }
}

static void backward_sums(const float* dy, const float* x, const float* mean, double* sumDy, double* sumDyX, int rows,
                          int C) {
  for (int c = 0; c < C; c++) sumDy[c] = sumDyX[c] = 0.0;
  const long LC = C;
  for (int r0 = 0; r0 < rows; r0 += BLOCK) {
    const int n = rows - r0 < BLOCK ? rows - r0 : BLOCK;
    const float* dyb = dy + (long)r0 * LC;
    const float* xb = x + (long)r0 * LC;
    int c = 0;
    WIDE_CHUNKS(bwd_block_w(dyb + c, xb + c, mean + c, n, LC, sumDy + c, sumDyX + c))
    for (; c + 8 <= C; c += 8) bwd_block_v(dyb + c, xb + c, mean + c, n, LC, sumDy + c, sumDyX + c, 2);
    for (; c + 4 <= C; c += 4) bwd_block_v(dyb + c, xb + c, mean + c, n, LC, sumDy + c, sumDyX + c, 1);
    for (; c < C; c++) {
      const float mc = mean[c];
      float g = 0.f, h = 0.f;
      for (int r = 0; r < n; r++) {
        float d = dyb[r * LC + c];
        g += d;
        h += d * (xb[r * LC + c] - mc);
      }
      sumDy[c] += (double)g;
      sumDyX[c] += (double)h;
    }
  }
}

/* dx = a·dy + b·(x − m) + s on n rows of one chunk, constants in registers. */
INLINE void apply_block_v(const float* dy, const float* x, float* dx, const float* a, const float* b, const float* s,
                          const float* m, int n, long C, const int NV) {
  f4 av[MAXV], bv[MAXV], sv[MAXV], mv[MAXV];
  for (int v = 0; v < NV; v++) { av[v] = LD(a + 4 * v); bv[v] = LD(b + 4 * v); sv[v] = LD(s + 4 * v); mv[v] = LD(m + 4 * v); }
  for (int r = 0; r < n; r++, dy += C, x += C, dx += C) {
    for (int v = 0; v < NV; v++) {
      f4 t = ADD(MUL(av[v], LD(dy + 4 * v)), MUL(bv[v], SUB(LD(x + 4 * v), mv[v])));
      ST(dx + 4 * v, ADD(t, sv[v]));
    }
  }
}

/* coef: 3C floats of scratch (a, b, s). */
static void backward_apply(const float* dy, const float* x, const float* gamma, const float* mean,
                           const float* variance, float* dx, float* dgamma, float* dbeta, const double* sumDy,
                           const double* sumDyX, const double* cDy, const double* cDyX, double inv, float* coef,
                           int rows, int C, float eps) {
  float* a = coef;
  float* b = coef + C;
  float* s = coef + 2 * C;
  for (int c = 0; c < C; c++) {
    double r = 1.0 / __builtin_sqrt((double)variance[c] + (double)eps);
    double g = (double)gamma[c];
    dbeta[c] = (float)sumDy[c];
    dgamma[c] = (float)(r * sumDyX[c]);
    a[c] = (float)(g * r);
    b[c] = (float)(-g * r * r * r * cDyX[c] * inv);
    s[c] = (float)(-g * r * cDy[c] * inv);
  }
  const long LC = C;
  for (int r0 = 0; r0 < rows; r0 += BLOCK) {
    const int n = rows - r0 < BLOCK ? rows - r0 : BLOCK;
    const long o = (long)r0 * LC;
    int c = 0;
    WIDE_CHUNKS(apply_block_w(dy + o + c, x + o + c, dx + o + c, a + c, b + c, s + c, mean + c, n, LC))
    for (; c + 8 <= C; c += 8) apply_block_v(dy + o + c, x + o + c, dx + o + c, a + c, b + c, s + c, mean + c, n, LC, 2);
    for (; c + 4 <= C; c += 4) apply_block_v(dy + o + c, x + o + c, dx + o + c, a + c, b + c, s + c, mean + c, n, LC, 1);
    for (; c < C; c++) {
      const float ac = a[c], bc = b[c], sc = s[c], mc = mean[c];
      for (int r = 0; r < n; r++) {
        const long i = o + r * LC + c;
        dx[i] = ac * dy[i] + bc * (x[i] - mc) + sc;
      }
    }
  }
}

EXPORT(bn_train_backward)
void bn_train_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* variance,
                       float* dx, float* dgamma, float* dbeta, void* scratch, int rows, int C, float eps) {
  double* sumDy = (double*)scratch;
  double* sumDyX = sumDy + C;
  backward_sums(dy, x, mean, sumDy, sumDyX, rows, C);
  backward_apply(dy, x, gamma, mean, variance, dx, dgamma, dbeta, sumDy, sumDyX, sumDy, sumDyX, 1.0 / (double)rows,
                 (float*)(sumDyX + C), rows, C, eps);
}

/* scratch: 2C doubles (Σdy, S, read by JS). */
EXPORT(bn_backward_sums)
void bn_backward_sums(const float* dy, const float* x, const float* mean, void* scratch, int rows, int C) {
  double* sumDy = (double*)scratch;
  backward_sums(dy, x, mean, sumDy, sumDy + C, rows, C);
}

/* sums: this replica's Σdy, S (2C doubles), then the combined ones (2C doubles); scratch: 3C floats. */
EXPORT(bn_backward_apply)
void bn_backward_apply(const float* dy, const float* x, const float* gamma, const float* mean, const float* variance,
                       float* dx, float* dgamma, float* dbeta, const void* sums, double inv, void* scratch, int rows,
                       int C, float eps) {
  const double* s = (const double*)sums;
  backward_apply(dy, x, gamma, mean, variance, dx, dgamma, dbeta, s, s + C, s + 2 * C, s + 3 * C, inv, (float*)scratch,
                 rows, C, eps);
}
