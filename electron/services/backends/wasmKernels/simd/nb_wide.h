/*
 * Native builds only (../native/README.md; empty in the WebAssembly builds): C = A . B over one strip of 16 columns
 * in the host's widest vectors, for the compute-bound loops of matmul.c and winograd.c. A strip row is one 512-bit
 * vector (AVX-512) or two 256-bit ones (AVX2). Row tiles of 12 (AVX-512: 12 accumulators of the 32 registers) or 6 rows
 * (AVX2: 12 of 16), then 4, 2 and 1 for the last rows. Per element the sum runs over k in order with one fused
 * multiply-add each — the operations of the 128-bit tiles these replace in the same native build, so the same bits.
 */
#ifndef NB_WIDE_H
#define NB_WIDE_H
#if defined(NB_NATIVE) && defined(__AVX2__) && defined(__FMA__) && !defined(NB_NO_WIDE) /* NB_NO_WIDE: A/B builds */
#include <immintrin.h>
#define NB_WIDE 1
#if defined(__AVX512F__)
typedef __m512 nb_wv;
#define NB_WV_PER_STRIP 1
#define NB_WIDE_ROWS 12
#define NB_WV_LOAD(p) _mm512_loadu_ps(p)
#define NB_WV_STORE(p, v) _mm512_storeu_ps((p), (v))
#define NB_WV_ADD(a, b) _mm512_add_ps((a), (b))
#define NB_WV_SUB(a, b) _mm512_sub_ps((a), (b))
#define NB_WV_MUL(a, b) _mm512_mul_ps((a), (b))
#define NB_WV_SPLAT(p) _mm512_set1_ps(*(p))
#define NB_WV_FMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define NB_WV_ZERO() _mm512_setzero_ps()
#define NB_WV_SET1(x) _mm512_set1_ps(x)
#define NB_WV_MAX(a, b) _mm512_max_ps((a), (b))
#define NB_WV_LANES 16
#else
typedef __m256 nb_wv;
#define NB_WV_PER_STRIP 2
#define NB_WIDE_ROWS 6
#define NB_WV_LOAD(p) _mm256_loadu_ps(p)
#define NB_WV_STORE(p, v) _mm256_storeu_ps((p), (v))
#define NB_WV_ADD(a, b) _mm256_add_ps((a), (b))
#define NB_WV_SUB(a, b) _mm256_sub_ps((a), (b))
#define NB_WV_MUL(a, b) _mm256_mul_ps((a), (b))
#define NB_WV_SPLAT(p) _mm256_broadcast_ss(p)
#define NB_WV_FMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define NB_WV_ZERO() _mm256_setzero_ps()
#define NB_WV_SET1(x) _mm256_set1_ps(x)
#define NB_WV_MAX(a, b) _mm256_max_ps((a), (b))
#define NB_WV_LANES 8
#endif

/* WebAssembly's f32x4.max(v, 0) (a ReLU): NaN stays NaN (maxps returns its second operand when either is NaN), and
   -0 becomes +0 (maxps returns the second operand for equal lanes too; adding +0 turns -0 into +0, nothing else). */
#define NB_WV_RELU(v) NB_WV_ADD(NB_WV_MAX(NB_WV_ZERO(), (v)), NB_WV_ZERO())

/* R rows (a constant after inlining): C[r*ldc + j] (accumulate: +=) sum_k A[r*sai + k*sak] B[k*ldb + j], j < w <= 16. */
static inline __attribute__((always_inline)) void nb_wide_tile(const int R, const float* A, int sai, int sak,
                                                               const float* B, int ldb, float* C, int ldc, int K, int w,
                                                               int accumulate) {
  nb_wv acc[NB_WIDE_ROWS][NB_WV_PER_STRIP];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < NB_WV_PER_STRIP; v++) acc[r][v] = NB_WV_ZERO();
  const float* a = A;
  const float* b = B;
  for (int k = 0; k < K; k++, a += sak, b += ldb) {
    nb_wv bv[NB_WV_PER_STRIP];
    for (int v = 0; v < NB_WV_PER_STRIP; v++) bv[v] = NB_WV_LOAD(b + v * NB_WV_LANES);
    for (int r = 0; r < R; r++) {
      const nb_wv x = NB_WV_SPLAT(a + r * sai);
      for (int v = 0; v < NB_WV_PER_STRIP; v++) acc[r][v] = NB_WV_FMA(x, bv[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; r++) {
    float* c = C + r * ldc;
    if (w == 16) {
      for (int v = 0; v < NB_WV_PER_STRIP; v++) {
        nb_wv y = accumulate ? NB_WV_ADD(NB_WV_LOAD(c + v * NB_WV_LANES), acc[r][v]) : acc[r][v];
        NB_WV_STORE(c + v * NB_WV_LANES, y);
      }
    } else {
      float t[16];
      for (int v = 0; v < NB_WV_PER_STRIP; v++) NB_WV_STORE(t + v * NB_WV_LANES, acc[r][v]);
      for (int j = 0; j < w; j++) c[j] = accumulate ? c[j] + t[j] : t[j];
    }
  }
}

/* All M rows of one strip (w of its 16 columns stored): nb_wide_tile in row tiles. B must have 16 readable columns. */
static __attribute__((noinline, unused)) void nb_wide_strip(const float* A, int sai, int sak, const float* B, int ldb,
                                                            float* C, int ldc, int M, int K, int w, int accumulate) {
  int i = 0;
  for (; i + NB_WIDE_ROWS <= M; i += NB_WIDE_ROWS)
    nb_wide_tile(NB_WIDE_ROWS, A + i * sai, sai, sak, B, ldb, C + i * ldc, ldc, K, w, accumulate);
  for (; i + 4 <= M; i += 4) nb_wide_tile(4, A + i * sai, sai, sak, B, ldb, C + i * ldc, ldc, K, w, accumulate);
  if (i + 2 <= M) {
    nb_wide_tile(2, A + i * sai, sai, sak, B, ldb, C + i * ldc, ldc, K, w, accumulate);
    i += 2;
  }
  if (i < M) nb_wide_tile(1, A + i * sai, sai, sak, B, ldb, C + i * ldc, ldc, K, w, accumulate);
}
#endif
#endif
