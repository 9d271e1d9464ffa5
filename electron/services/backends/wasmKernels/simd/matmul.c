/*
 * Float32 matrix products in WebAssembly SIMD, run inside the tfjs wasm backend's memory. Called from ../batchMatMul.ts.
 * Register-only code: no stack, no globals, no libc (see scripts/build-simd-kernels.mjs for why).
 *
 * Why not tfjs' own BatchMatMul: it goes through XNNPACK's fully-connected operator, which packs the right-hand matrix
 * on every call — in training every weight is new each step, so the packing is never reused — and it has no transposed
 * layouts (our old wrapper copied the operand through a Transpose first: 0.2 ms for 256x256). Here each layout reads
 * its operands where they are:
 *   NN  C[M,N] = A[M,K]  . B[K,N]
 *   TN  C[M,N] = A[K,M]' . B[K,N]   (a Dense weight gradient: the reduction runs over the batch)
 *   NT  C[M,N] = A[M,K]  . B[N,K]'  (a Dense input gradient)
 * Every export takes `batch` products of the same shape; strideA/strideB (in floats) step the operands between them,
 * 0 repeats one operand for the whole batch (tfjs' broadcast of a batch of 1). C is written, never read.
 * Summation order differs from XNNPACK's, so results differ in the last bits. Multiply-adds are NB_MADD (nb_madd.h):
 * separate multiply and add in matmul.wasm, fused (relaxed SIMD) in matmul.relaxed.wasm.
 */
#include <wasm_simd128.h>
#include "nb_madd.h"
#include "nb_wide.h"
#define EXPORT(name) __attribute__((export_name(#name)))
typedef v128_t f4;
#define ADD wasm_f32x4_add
#define MUL wasm_f32x4_mul
#define SPLAT(p) wasm_v128_load32_splat(p)

/*
 * NN and TN share one kernel: A(i,k) is at A[i*sai + k*sak] (NN: sai = K, sak = 1; TN: sai = 1, sak = M), B(k,j) at
 * B[k*N + j]. Register tiles of 2 rows x 16 columns, then 4 x 8, 4 x 4 and 4 rows x 1-3 columns for the last
 * columns: per k, splats of A times vectors of B feed 8 accumulators. Columns run outside rows so a strip of B
 * (K x 16) is reused from cache by every row tile.
 * Inlined into each export with sai or sak constant (TN reads its 4 splats at constant offsets from one pointer).
 */
static inline __attribute__((always_inline)) void gemm_splat(const float* A, int sai, int sak, const float* B,
                                                             float* C, int M, int K, int N) {
  const int M4 = M & ~3;
  int j0 = 0;
  /* Main tile 2 rows x 16 columns (4-6 % faster than 4 x 8 here: 2 splats + 4 loads per 8 multiply-adds). */
  for (; j0 + 16 <= N; j0 += 16) {
    int i0 = 0;
    for (; i0 + 2 <= M; i0 += 2) {
      f4 c00 = wasm_f32x4_splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
      const float* a = A + i0 * sai;
      const float* b = B + j0;
      for (int k = 0; k < K; k++, a += sak, b += N) {
        f4 b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4), b2 = wasm_v128_load(b + 8), b3 = wasm_v128_load(b + 12);
        f4 x0 = SPLAT(a), x1 = SPLAT(a + sai);
        c00 = NB_MADD(x0, b0, c00); c01 = NB_MADD(x0, b1, c01); c02 = NB_MADD(x0, b2, c02); c03 = NB_MADD(x0, b3, c03);
        c10 = NB_MADD(x1, b0, c10); c11 = NB_MADD(x1, b1, c11); c12 = NB_MADD(x1, b2, c12); c13 = NB_MADD(x1, b3, c13);
      }
      float* c = C + i0 * N + j0;
      wasm_v128_store(c, c00); wasm_v128_store(c + 4, c01); wasm_v128_store(c + 8, c02); wasm_v128_store(c + 12, c03); c += N;
      wasm_v128_store(c, c10); wasm_v128_store(c + 4, c11); wasm_v128_store(c + 8, c12); wasm_v128_store(c + 12, c13);
    }
    if (i0 < M) {
      f4 c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
      const float* a = A + i0 * sai;
      const float* b = B + j0;
      for (int k = 0; k < K; k++, a += sak, b += N) {
        f4 x = SPLAT(a);
        c0 = NB_MADD(x, wasm_v128_load(b), c0); c1 = NB_MADD(x, wasm_v128_load(b + 4), c1);
        c2 = NB_MADD(x, wasm_v128_load(b + 8), c2); c3 = NB_MADD(x, wasm_v128_load(b + 12), c3);
      }
      float* c = C + i0 * N + j0;
      wasm_v128_store(c, c0); wasm_v128_store(c + 4, c1); wasm_v128_store(c + 8, c2); wasm_v128_store(c + 12, c3);
    }
  }
  /* 8-15 remaining columns: 4 x 8 tiles (4 splats + 2 loads per 8 multiply-adds). */
  for (; j0 + 8 <= N; j0 += 8) {
    for (int i0 = 0; i0 < M4; i0 += 4) {
      f4 c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      const float* a = A + i0 * sai;
      const float* b = B + j0;
      for (int k = 0; k < K; k++, a += sak, b += N) {
        f4 b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
        f4 x0 = SPLAT(a), x1 = SPLAT(a + sai), x2 = SPLAT(a + 2 * sai), x3 = SPLAT(a + 3 * sai);
        c00 = NB_MADD(x0, b0, c00); c01 = NB_MADD(x0, b1, c01);
        c10 = NB_MADD(x1, b0, c10); c11 = NB_MADD(x1, b1, c11);
        c20 = NB_MADD(x2, b0, c20); c21 = NB_MADD(x2, b1, c21);
        c30 = NB_MADD(x3, b0, c30); c31 = NB_MADD(x3, b1, c31);
      }
      float* c = C + i0 * N + j0;
      wasm_v128_store(c, c00); wasm_v128_store(c + 4, c01); c += N;
      wasm_v128_store(c, c10); wasm_v128_store(c + 4, c11); c += N;
      wasm_v128_store(c, c20); wasm_v128_store(c + 4, c21); c += N;
      wasm_v128_store(c, c30); wasm_v128_store(c + 4, c31);
    }
    for (int i = M4; i < M; i++) {
      f4 c0 = wasm_f32x4_splat(0), c1 = c0;
      const float* a = A + i * sai;
      const float* b = B + j0;
      for (int k = 0; k < K; k++, a += sak, b += N) {
        f4 x = SPLAT(a);
        c0 = NB_MADD(x, wasm_v128_load(b), c0); c1 = NB_MADD(x, wasm_v128_load(b + 4), c1);
      }
      wasm_v128_store(C + i * N + j0, c0); wasm_v128_store(C + i * N + j0 + 4, c1);
    }
  }
  if (j0 + 4 <= N) {
    for (int i0 = 0; i0 < M4; i0 += 4) {
      f4 c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
      const float* a = A + i0 * sai;
      const float* b = B + j0;
      for (int k = 0; k < K; k++, a += sak, b += N) {
        f4 bv = wasm_v128_load(b);
        c0 = NB_MADD(SPLAT(a), bv, c0); c1 = NB_MADD(SPLAT(a + sai), bv, c1);
        c2 = NB_MADD(SPLAT(a + 2 * sai), bv, c2); c3 = NB_MADD(SPLAT(a + 3 * sai), bv, c3);
      }
      float* c = C + i0 * N + j0;
      wasm_v128_store(c, c0); wasm_v128_store(c + N, c1); wasm_v128_store(c + 2 * N, c2); wasm_v128_store(c + 3 * N, c3);
    }
    for (int i = M4; i < M; i++) {
      f4 c0 = wasm_f32x4_splat(0);
      const float* a = A + i * sai;
      const float* b = B + j0;
      for (int k = 0; k < K; k++, a += sak, b += N) c0 = NB_MADD(SPLAT(a), wasm_v128_load(b), c0);
      wasm_v128_store(C + i * N + j0, c0);
    }
    j0 += 4;
  }
  if (j0 < N) {
    /* 1-3 last columns: vectorise over 4 rows instead (A column gathered, B element splatted). */
    const int r = N - j0;
    for (int i0 = 0; i0 < M4; i0 += 4) {
      f4 c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0;
      const float* a = A + i0 * sai;
      const float* b = B + j0;
      for (int k = 0; k < K; k++, a += sak, b += N) {
        f4 av = wasm_f32x4_make(a[0], a[sai], a[2 * sai], a[3 * sai]);
        c0 = NB_MADD(av, SPLAT(b), c0);
        if (r > 1) c1 = NB_MADD(av, SPLAT(b + 1), c1);
        if (r > 2) c2 = NB_MADD(av, SPLAT(b + 2), c2);
      }
      float* c = C + i0 * N + j0;
      c[0] = wasm_f32x4_extract_lane(c0, 0); c[N] = wasm_f32x4_extract_lane(c0, 1);
      c[2 * N] = wasm_f32x4_extract_lane(c0, 2); c[3 * N] = wasm_f32x4_extract_lane(c0, 3);
      if (r > 1) {
        c[1] = wasm_f32x4_extract_lane(c1, 0); c[N + 1] = wasm_f32x4_extract_lane(c1, 1);
        c[2 * N + 1] = wasm_f32x4_extract_lane(c1, 2); c[3 * N + 1] = wasm_f32x4_extract_lane(c1, 3);
      }
      if (r > 2) {
        c[2] = wasm_f32x4_extract_lane(c2, 0); c[N + 2] = wasm_f32x4_extract_lane(c2, 1);
        c[2 * N + 2] = wasm_f32x4_extract_lane(c2, 2); c[3 * N + 2] = wasm_f32x4_extract_lane(c2, 3);
      }
    }
    for (int i = M4; i < M; i++) {
      for (int j = j0; j < N; j++) {
        float s = 0.f;
        const float* a = A + i * sai;
        const float* b = B + j;
        for (int k = 0; k < K; k++, a += sak, b += N) s += *a * *b;
        C[i * N + j] = s;
      }
    }
  }
}


/*
 * Packed path: the same 2 x 16 register tile, but B's 16 columns are first copied into a contiguous strip
 * P[k*16 + jj] (scratch from the caller, 16*K floats) that every row tile then reads sequentially.
 *
 * Why: unpacked, a strip's rows sit N floats apart. When N*4 bytes is a multiple of 1 KB (N = 256, 512, ... — the
 * usual layer widths) the K rows of a strip fall into a handful of L1 sets (64 sets x 64 B lines: a 1 KB stride hits
 * only 4 of them), so the strip is evicted between row tiles and streams from L2 for every one. Measured on an AMD
 * EPYC (Zen 3, 32 KB 8-way L1): 64x256.256x256 ran at 22 GFLOP/s against 38 at N = 272, 64x256.256x512 at 12 against
 * 40 at N = 528. Packed, the strip is one contiguous run whatever N is.
 * NT keeps its dot-product tiles (gemm_nt, unpacked: its rows are read along k). Run on this packed splat tile it was
 * 37 -> 43 GFLOP/s at 64x256.256x256, but its sums come out in another order, and a dense network's seeded training
 * then no longer reproduced earlier runs (examples/spirals.nbrick at 40 epochs: 99.7 % -> 88.7 % validation accuracy:
 * the same training, rounded differently, falls into another basin). NN and TN packed keep their bits exactly.
 * The last strip (N % 16 columns) is zero-padded and only its real columns are stored. Per element the sum runs over k
 * in order with one multiply-add each, as in the unpacked NN/TN tiles, so NN and TN give the same bits either way.
 */
#define STRIP 16

/* P[k*16 + jj] = B[k*N + j0 + jj] for jj < w, 0 for w <= jj < 16 (row-major B: NN and TN). */
static inline __attribute__((always_inline)) void pack_rows(const float* B, int N, int K, int j0, int w, float* P) {
  const float* b = B + j0;
  if (w == STRIP) {
    for (int k = 0; k < K; k++, b += N, P += STRIP) {
      wasm_v128_store(P, wasm_v128_load(b)); wasm_v128_store(P + 4, wasm_v128_load(b + 4));
      wasm_v128_store(P + 8, wasm_v128_load(b + 8)); wasm_v128_store(P + 12, wasm_v128_load(b + 12));
    }
    return;
  }
  for (int k = 0; k < K; k++, b += N, P += STRIP) {
    int jj = 0;
    for (; jj < w; jj++) P[jj] = b[jj];
    for (; jj < STRIP; jj++) P[jj] = 0.f;
  }
}

/* Stores the first w (1-16) columns of a 16-wide tile row. */
static inline __attribute__((always_inline)) void store_strip_row(float* c, int w, f4 v0, f4 v1, f4 v2, f4 v3) {
  if (w == STRIP) {
    wasm_v128_store(c, v0); wasm_v128_store(c + 4, v1); wasm_v128_store(c + 8, v2); wasm_v128_store(c + 12, v3);
    return;
  }
  f4 v = v0;
  if (w >= 4) { wasm_v128_store(c, v0); c += 4; w -= 4; v = v1;
    if (w >= 4) { wasm_v128_store(c, v1); c += 4; w -= 4; v = v2;
      if (w >= 4) { wasm_v128_store(c, v2); c += 4; w -= 4; v = v3; } } }
  if (w > 0) c[0] = wasm_f32x4_extract_lane(v, 0);
  if (w > 1) c[1] = wasm_f32x4_extract_lane(v, 1);
  if (w > 2) c[2] = wasm_f32x4_extract_lane(v, 2);
}

/*
 * Zero skipping (I != 0): before the strips, each pair of rows of A gets the list of k where either row is non-zero
 * (I[p*(K+1)] = count, then the k's; the lone last row of an odd M pairs with itself). A pair whose list is shorter
 * than 3/4 of K then runs only those k in its tiles: a term with a(i,k) = 0 adds exactly 0 to its sum (a non-finite
 * B(k,j) there would have made the sum NaN instead; and a sum of only such terms is +0 where it could have been -0).
 * Who has such rows: a first layer's input (MNIST digits are ~80 % zero pixels, one-hot columns, padded sequences)
 * in the forward product (NN: rows = samples) and in its weight gradient (TN: rows = input features over the batch).
 * The scan is one pass over A, shared by all N/16 strips; the caller asks for it only when N >= 64 (batchMatMul.ts),
 * where it costs ~1 % of a dense product.
 */
static inline __attribute__((always_inline)) void nonzero_pairs(const float* A, int sai, int sak, int M, int K, int* I) {
  if (sak == 1) {
    /* NN/NT: a row's values are contiguous; one pair at a time. */
    for (int i0 = 0; i0 < M; i0 += 2, I += K + 1) {
      const float* a0 = A + i0 * sai;
      const float* a1 = i0 + 1 < M ? a0 + sai : a0;
      int* out = I + 1;
      int c = 0;
      for (int k = 0; k < K; k++) {
        out[c] = k; /* always written, kept only when the column is non-zero (no branch) */
        c += (a0[k] != 0.f) | (a1[k] != 0.f);
      }
      I[0] = c;
    }
    return;
  }
  /* TN: row k of A holds every pair's k-th value; walk A in memory order, appending k to each pair's list. */
  const int pairs = (M + 1) >> 1;
  for (int p = 0; p < pairs; p++) I[p * (K + 1)] = 0;
  for (int k = 0; k < K; k++) {
    const float* a = A + k * sak;
    for (int p = 0; p < pairs; p++) {
      int* list = I + p * (K + 1);
      const int i0 = 2 * p;
      const int i1 = i0 + 1 < M ? i0 + 1 : i0;
      const int c = list[0];
      list[1 + c] = k;
      list[0] = c + ((a[i0 * sai] != 0.f) | (a[i1 * sai] != 0.f));
    }
  }
}

/* One k of a 2 x 16 tile: row values at a and a + sai times strip row b into the 8 accumulators. */
#define PAIR_STEP(a, b)                                                                                            \
  {                                                                                                              \
    f4 b0 = wasm_v128_load(b), b1 = wasm_v128_load((b) + 4), b2 = wasm_v128_load((b) + 8), b3 = wasm_v128_load((b) + 12); \
    f4 x0 = SPLAT(a), x1 = SPLAT((a) + sai);                                                                     \
    c00 = NB_MADD(x0, b0, c00); c01 = NB_MADD(x0, b1, c01); c02 = NB_MADD(x0, b2, c02); c03 = NB_MADD(x0, b3, c03); \
    c10 = NB_MADD(x1, b0, c10); c11 = NB_MADD(x1, b1, c11); c12 = NB_MADD(x1, b2, c12); c13 = NB_MADD(x1, b3, c13); \
  }
/* One k of a 1 x 16 tile. */
#define ROW_STEP(a, b)                                                                                             \
  {                                                                                                              \
    f4 x = SPLAT(a);                                                                                             \
    c0 = NB_MADD(x, wasm_v128_load(b), c0); c1 = NB_MADD(x, wasm_v128_load((b) + 4), c1);                        \
    c2 = NB_MADD(x, wasm_v128_load((b) + 8), c2); c3 = NB_MADD(x, wasm_v128_load((b) + 12), c3);                 \
  }
/* The k loop of a tile: over the pair's non-zero list when it pays (zero skipping), else over every k. */
#define K_LOOP(STEP)                                                                                               \
  if (list && 4 * list[0] < 3 * K) {                                                                             \
    for (int t = 1; t <= list[0]; t++) STEP(a + list[t] * sak, P + list[t] * STRIP)                              \
  } else {                                                                                                       \
    const float* b = P;                                                                                          \
    for (int k = 0; k < K; k++, a += sak, b += STRIP) STEP(a, b)                                                 \
  }

#ifdef NB_WIDE
/* Native builds only: the packed strip's row tiles in the host's widest vectors (nb_wide.h). */
static void strip_tiles_wide(const float* A, int sai, int sak, const float* P, float* C, int M, int K, int N, int j0,
                             int w) {
  nb_wide_strip(A, sai, sak, P, STRIP, C + j0, N, M, K, w, 0);
}
#endif

/* Columns j0 .. j0+w-1 of C from the packed strip P; A(i,k) at A[i*sai + k*sak]; I: nonzero_pairs' lists or 0. */
static inline __attribute__((always_inline)) void strip_tiles(const float* A, int sai, int sak, const float* P, float* C,
                                                              int M, int K, int N, int j0, int w, const int* I) {
#ifdef NB_WIDE
  if (!I) {
    strip_tiles_wide(A, sai, sak, P, C, M, K, N, j0, w);
    return;
  }
#endif
  int i0 = 0;
  for (; i0 + 2 <= M; i0 += 2) {
    f4 c00 = wasm_f32x4_splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    const float* a = A + i0 * sai;
    const int* list = I ? I + (i0 >> 1) * (K + 1) : 0;
    K_LOOP(PAIR_STEP)
    store_strip_row(C + i0 * N + j0, w, c00, c01, c02, c03);
    store_strip_row(C + (i0 + 1) * N + j0, w, c10, c11, c12, c13);
  }
  if (i0 < M) {
    f4 c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
    const float* a = A + i0 * sai;
    const int* list = I ? I + (i0 >> 1) * (K + 1) : 0;
    K_LOOP(ROW_STEP)
    store_strip_row(C + i0 * N + j0, w, c0, c1, c2, c3);
  }
}
#undef PAIR_STEP
#undef ROW_STEP
#undef K_LOOP

/* Zeros among A's n values (contiguous), 4 lanes at a time. */
static inline __attribute__((always_inline)) int count_zeros(const float* A, int n) {
  v128_t acc = wasm_i32x4_splat(0);
  const f4 zero = wasm_f32x4_splat(0);
  int i = 0;
  for (; i + 4 <= n; i += 4) acc = wasm_i32x4_sub(acc, wasm_f32x4_eq(wasm_v128_load(A + i), zero)); /* eq is -1 */
  int z = wasm_i32x4_extract_lane(acc, 0) + wasm_i32x4_extract_lane(acc, 1) + wasm_i32x4_extract_lane(acc, 2) +
          wasm_i32x4_extract_lane(acc, 3);
  for (; i < n; i++) z += A[i] == 0.f;
  return z;
}

/* The packed product (B(k,j) at B[k*N + j]: NN and TN). I: zero-skipping lists or 0. */
static inline __attribute__((always_inline)) void gemm_packed(const float* A, int sai, int sak, const float* B, float* C,
                                                              int M, int K, int N, float* P, int* I) {
  /* Lists only when at least 1/8 of A is zero: a dense A then costs one vector pass (~10 us for 64x784), not the
     list building (+5-10 % of a dense product). */
  if (I && 8 * count_zeros(A, M * K) < M * K) I = 0;
  if (I) nonzero_pairs(A, sai, sak, M, K, I);
  for (int j0 = 0; j0 < N; j0 += STRIP) {
    const int w = N - j0 < STRIP ? N - j0 : STRIP;
    pack_rows(B, N, K, j0, w, P);
    strip_tiles(A, sai, sak, P, C, M, K, N, j0, w, I);
  }
}

/*
 * Packing pays once a strip serves two or more row tiles and is at least one strip wide (N = 10: the padded strip
 * wastes 6 of 16 columns; 20 vs 29 GFLOP/s unpacked at 64x256.256x10). batchMatMul.ts passes P only then
 * (packedScratchFloats); the test here keeps a caller's P from being read otherwise.
 */
#define PACKS(P, M, N) ((P) != 0 && (M) >= 4 && (N) >= STRIP)

EXPORT(matmul_nn)
void matmul_nn(const float* A, const float* B, float* C, int batch, int M, int K, int N, int strideA, int strideB,
               float* P, int* I) {
  for (int n = 0; n < batch; n++, A += strideA, B += strideB, C += M * N) {
    if (PACKS(P, M, N)) gemm_packed(A, K, 1, B, C, M, K, N, P, I);
    else gemm_splat(A, K, 1, B, C, M, K, N);
  }
}

EXPORT(matmul_tn)
void matmul_tn(const float* A, const float* B, float* C, int batch, int M, int K, int N, int strideA, int strideB,
               float* P, int* I) {
  for (int n = 0; n < batch; n++, A += strideA, B += strideB, C += M * N) {
    if (PACKS(P, M, N)) gemm_packed(A, 1, M, B, C, M, K, N, P, I);
    else gemm_splat(A, 1, M, B, C, M, K, N);
  }
}

/* [sum(x0), sum(x1), sum(x2), sum(x3)] */
static inline f4 hsum4(f4 x0, f4 x1, f4 x2, f4 x3) {
  f4 a = ADD(wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5), wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7));
  f4 b = ADD(wasm_i32x4_shuffle(x2, x3, 0, 4, 1, 5), wasm_i32x4_shuffle(x2, x3, 2, 6, 3, 7));
  return ADD(wasm_i32x4_shuffle(a, b, 0, 1, 4, 5), wasm_i32x4_shuffle(a, b, 2, 3, 6, 7));
}
static inline float hsum(f4 x) {
  f4 s = ADD(x, wasm_i32x4_shuffle(x, x, 2, 3, 0, 1));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1);
}

/*
 * NT: both operands are contiguous along k, so the tile is dot products vectorised over k: 2 rows of A x 4 rows of B
 * (8 accumulators, 6 vector loads per 8 multiply-adds), reduced once per tile into one vector per row of C.
 */
static inline __attribute__((always_inline)) void gemm_nt(const float* A, const float* B, float* C, int M, int K, int N) {
  const int K4 = K & ~3;
  const int N4 = N & ~3;
  /* Columns in blocks of JB rows of B (~16 KB) that every pair of rows of A then reuses from L1; without the blocks
     each pair streamed all of B from L2 (64x256.256x256: 3x slower than NN). Each tile's sums are unchanged. */
  int JB = (4096 / (K > 0 ? K : 1)) & ~3;
  if (JB < 4) JB = 4;
  const int M2 = M & ~1;
  for (int jb = 0; jb < N4; jb += JB) {
    const int je = jb + JB < N4 ? jb + JB : N4;
    for (int i0 = 0; i0 < M2; i0 += 2) {
      const float* a0 = A + i0 * K;
      const float* a1 = a0 + K;
      for (int j0 = jb; j0 < je; j0 += 4) {
        const float* b0 = B + j0 * K;
        const float* b1 = b0 + K;
        const float* b2 = b1 + K;
        const float* b3 = b2 + K;
        f4 c00 = wasm_f32x4_splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        for (int k = 0; k < K4; k += 4) {
          f4 x0 = wasm_v128_load(a0 + k), x1 = wasm_v128_load(a1 + k);
          f4 y = wasm_v128_load(b0 + k);
          c00 = NB_MADD(x0, y, c00); c10 = NB_MADD(x1, y, c10);
          y = wasm_v128_load(b1 + k);
          c01 = NB_MADD(x0, y, c01); c11 = NB_MADD(x1, y, c11);
          y = wasm_v128_load(b2 + k);
          c02 = NB_MADD(x0, y, c02); c12 = NB_MADD(x1, y, c12);
          y = wasm_v128_load(b3 + k);
          c03 = NB_MADD(x0, y, c03); c13 = NB_MADD(x1, y, c13);
        }
        f4 r0 = hsum4(c00, c01, c02, c03), r1 = hsum4(c10, c11, c12, c13);
        if (K4 < K) {
          f4 t0 = wasm_f32x4_splat(0), t1 = t0;
          for (int k = K4; k < K; k++) {
            f4 y = wasm_f32x4_make(b0[k], b1[k], b2[k], b3[k]);
            t0 = NB_MADD(SPLAT(a0 + k), y, t0); t1 = NB_MADD(SPLAT(a1 + k), y, t1);
          }
          r0 = ADD(r0, t0); r1 = ADD(r1, t1);
        }
        wasm_v128_store(C + i0 * N + j0, r0); wasm_v128_store(C + (i0 + 1) * N + j0, r1);
      }
    }
  }
  for (int i0 = 0; i0 < M2; i0 += 2) {
    const float* a0 = A + i0 * K;
    const float* a1 = a0 + K;
    for (int j = N4; j < N; j++) {
      const float* b = B + j * K;
      f4 c0 = wasm_f32x4_splat(0), c1 = c0;
      for (int k = 0; k < K4; k += 4) {
        f4 y = wasm_v128_load(b + k);
        c0 = NB_MADD(wasm_v128_load(a0 + k), y, c0); c1 = NB_MADD(wasm_v128_load(a1 + k), y, c1);
      }
      float s0 = hsum(c0), s1 = hsum(c1);
      for (int k = K4; k < K; k++) { s0 += a0[k] * b[k]; s1 += a1[k] * b[k]; }
      C[i0 * N + j] = s0; C[(i0 + 1) * N + j] = s1;
    }
  }
  if (M2 < M) {
    const int i0 = M2;
    const float* a0 = A + i0 * K;
    for (int j0 = 0; j0 < N4; j0 += 4) {
      const float* b0 = B + j0 * K;
      const float* b1 = b0 + K;
      const float* b2 = b1 + K;
      const float* b3 = b2 + K;
      f4 c0 = wasm_f32x4_splat(0), c1 = c0, c2 = c0, c3 = c0;
      for (int k = 0; k < K4; k += 4) {
        f4 x = wasm_v128_load(a0 + k);
        c0 = NB_MADD(x, wasm_v128_load(b0 + k), c0); c1 = NB_MADD(x, wasm_v128_load(b1 + k), c1);
        c2 = NB_MADD(x, wasm_v128_load(b2 + k), c2); c3 = NB_MADD(x, wasm_v128_load(b3 + k), c3);
      }
      f4 r = hsum4(c0, c1, c2, c3);
      if (K4 < K) {
        f4 t = wasm_f32x4_splat(0);
        for (int k = K4; k < K; k++) t = NB_MADD(SPLAT(a0 + k), wasm_f32x4_make(b0[k], b1[k], b2[k], b3[k]), t);
        r = ADD(r, t);
      }
      wasm_v128_store(C + i0 * N + j0, r);
    }
    for (int j = N4; j < N; j++) {
      const float* b = B + j * K;
      f4 c = wasm_f32x4_splat(0);
      for (int k = 0; k < K4; k += 4) c = NB_MADD(wasm_v128_load(a0 + k), wasm_v128_load(b + k), c);
      float s = hsum(c);
      for (int k = K4; k < K; k++) s += a0[k] * b[k];
      C[i0 * N + j] = s;
    }
  }
}

/*
 * Native builds only (../native/README.md): NT on the packed path. Each 16-row block of B (N x K, contiguous along k)
 * is packed transposed into the strip NN packs (P[k*16 + jj] = B[(j0+jj)*K + k], zeros past N), and the strip's row
 * tiles — the host's widest vectors (nb_wide.h) — do the rest. The dot-product tiles above stay 128-bit: at the LSTM's
 * 64x512 . (128x512)^T they ran at ~16 GFLOP/s, the packed NN product at ~150. Per element the sum runs over k in
 * order with one fused multiply-add each (as NN's), so a native NT gives the bits of a native NN on B transposed, in
 * the wide and the 128-bit native builds alike; the WebAssembly modules keep the dot products (their bits unchanged).
 */
#ifdef NB_NATIVE
#define NT_PACKS(P, M, N) PACKS(P, M, N)
static inline __attribute__((always_inline)) void pack_cols(const float* B, int K, int j0, int w, float* P) {
  for (int jj = 0; jj < STRIP; jj++) {
    float* p = P + jj;
    if (jj < w) {
      const float* b = B + (j0 + jj) * K;
      for (int k = 0; k < K; k++) p[k * STRIP] = b[k];
    } else {
      for (int k = 0; k < K; k++) p[k * STRIP] = 0.f;
    }
  }
}
/* Columns [j0, j1) of C = A . B^T, all M rows (j0 a multiple of 16). */
static void gemm_nt_packed(const float* A, const float* B, float* C, int M, int K, int N, int j0, int j1, float* P) {
  for (int s = j0; s < j1; s += STRIP) {
    const int w = N - s < STRIP ? N - s : STRIP;
    pack_cols(B, K, s, w, P);
    strip_tiles(A, K, 1, P, C, M, K, N, s, w, 0);
  }
}
#else
#define NT_PACKS(P, M, N) 0
#define gemm_nt_packed(A, B, C, M, K, N, j0, j1, P) ((void)(P))
#endif

/* P: packing scratch (16 x K floats) for the native builds' packed path, else unused; I: unused (NN's signature). */
EXPORT(matmul_nt)
void matmul_nt(const float* A, const float* B, float* C, int batch, int M, int K, int N, int strideA, int strideB,
               float* P, int* I) {
  (void)I;
  for (int n = 0; n < batch; n++, A += strideA, B += strideB, C += M * N) {
    if (NT_PACKS(P, M, N)) gemm_nt_packed(A, B, C, M, K, N, 0, N, P);
    else gemm_nt(A, B, C, M, K, N);
  }
}

/*
 * Fused epilogue for _FusedMatMul (../fusedMatMul.ts): C[i, j] = act(C[i, j] + bias[j]) over the M x N product just
 * written, while it is still in cache (one call, no separate Add/activation kernels and passes through tfjs).
 * bias 0 = no bias. act: 0 linear, 1 relu (x < 0 ? 0 : x), 2 relu6 (clip to [0, 6]), 3 leakyrelu (x < 0 ? alpha*x : x)
 * — the cpu backend's rules, NaN passes through as there. Adding the bias is the same single rounding as tfjs' Add.
 */
static inline __attribute__((always_inline)) f4 epilogue4(f4 x, int act, f4 alpha) {
  const f4 zero = wasm_f32x4_splat(0);
  if (act == 1) return wasm_v128_bitselect(zero, x, wasm_f32x4_lt(x, zero));
  if (act == 2) {
    const f4 six = wasm_f32x4_splat(6.f);
    x = wasm_v128_bitselect(six, x, wasm_f32x4_gt(x, six));
    return wasm_v128_bitselect(zero, x, wasm_f32x4_lt(x, zero));
  }
  if (act == 3) return wasm_v128_bitselect(MUL(x, alpha), x, wasm_f32x4_lt(x, zero));
  return x;
}
static inline __attribute__((always_inline)) float epilogue1(float x, int act, float alpha) {
  if (act == 1) return x < 0.f ? 0.f : x;
  if (act == 2) return x > 6.f ? 6.f : x < 0.f ? 0.f : x;
  if (act == 3) return x < 0.f ? alpha * x : x;
  return x;
}
/* rows x N values of C, row stride ldc (N for a whole product, more for a block of columns: matmul_block). */
static inline __attribute__((always_inline)) void epilogue_rows(float* C, const float* bias, int rows, int N, int act,
                                                                float alpha, int ldc) {
  const f4 A = wasm_f32x4_splat(alpha);
  const int N4 = N & ~3;
  for (int i = 0; i < rows; i++, C += ldc) {
    int j = 0;
    if (bias) {
      for (; j < N4; j += 4) wasm_v128_store(C + j, epilogue4(ADD(wasm_v128_load(C + j), wasm_v128_load(bias + j)), act, A));
      for (; j < N; j++) C[j] = epilogue1(C[j] + bias[j], act, alpha);
    } else {
      for (; j < N4; j += 4) wasm_v128_store(C + j, epilogue4(wasm_v128_load(C + j), act, A));
      for (; j < N; j++) C[j] = epilogue1(C[j], act, alpha);
    }
  }
}
static void epilogue_block(float* C, const float* bias, int rows, int N, int act, float alpha, int ldc) {
  switch (act) {
    case 0: if (bias) epilogue_rows(C, bias, rows, N, 0, alpha, ldc); break;
    case 1: epilogue_rows(C, bias, rows, N, 1, alpha, ldc); break;
    case 2: epilogue_rows(C, bias, rows, N, 2, alpha, ldc); break;
    default: epilogue_rows(C, bias, rows, N, 3, alpha, ldc); break;
  }
}
static void epilogue(float* C, const float* bias, int rows, int N, int act, float alpha) {
  epilogue_block(C, bias, rows, N, act, alpha, N);
}

/* The three layouts with the epilogue, applied to each product of the batch right after it is computed. */
EXPORT(fused_matmul_nn)
void fused_matmul_nn(const float* A, const float* B, float* C, int batch, int M, int K, int N, int strideA, int strideB,
                     const float* bias, int act, float alpha, float* P, int* I) {
  for (int n = 0; n < batch; n++, A += strideA, B += strideB, C += M * N) {
    if (PACKS(P, M, N)) gemm_packed(A, K, 1, B, C, M, K, N, P, I);
    else gemm_splat(A, K, 1, B, C, M, K, N);
    epilogue(C, bias, M, N, act, alpha);
  }
}

EXPORT(fused_matmul_tn)
void fused_matmul_tn(const float* A, const float* B, float* C, int batch, int M, int K, int N, int strideA, int strideB,
                     const float* bias, int act, float alpha, float* P, int* I) {
  for (int n = 0; n < batch; n++, A += strideA, B += strideB, C += M * N) {
    if (PACKS(P, M, N)) gemm_packed(A, 1, M, B, C, M, K, N, P, I);
    else gemm_splat(A, 1, M, B, C, M, K, N);
    epilogue(C, bias, M, N, act, alpha);
  }
}

EXPORT(fused_matmul_nt)
void fused_matmul_nt(const float* A, const float* B, float* C, int batch, int M, int K, int N, int strideA, int strideB,
                     const float* bias, int act, float alpha, float* P, int* I) {
  (void)I;
  for (int n = 0; n < batch; n++, A += strideA, B += strideB, C += M * N) {
    if (NT_PACKS(P, M, N)) gemm_nt_packed(A, B, C, M, K, N, 0, N, P);
    else gemm_nt(A, B, C, M, K, N);
    epilogue(C, bias, M, N, act, alpha);
  }
}

/*
 * A single product (batch 1) cut in blocks for two threads (../kernelHelper.ts, ../batchMatMul.ts): matmul_lists once,
 * then matmul_block for each block, on either thread. Every element is computed exactly as the whole call computes it
 * — the same tiles, k order, zero-skipping decision (counted over all of A) and pair lists — so the blocks give the
 * bits of one call, provided row blocks start and end at multiples of 4 (or at M: row pairs and 4-row tiles stay
 * whole) and column blocks, on the packed path, at multiples of 16 (whole strips).
 *
 * matmul_lists: NN/TN on the packed path: the zero-skipping lists of all of A into I (sized as for the whole call),
 * shared read-only by every block; returns 0 when the call would not skip zeros (then pass I = 0 to the blocks).
 */
EXPORT(matmul_lists)
int matmul_lists(int layout, const float* A, int M, int K, int* I) {
  if (layout == 2 || 8 * count_zeros(A, M * K) < M * K) return 0;
  if (layout == 0) nonzero_pairs(A, K, 1, M, K, I);
  else nonzero_pairs(A, 1, M, M, K, I);
  return 1;
}

/*
 * Rows [i0, i1) and columns [j0, j1) of C = op(A) . op(B) (layout 0 NN, 1 TN, 2 NT) with the epilogue. Column blocks
 * only on the packed path (P != 0: NN/TN, and NT in the native builds); the dot-product NT and the unpacked path take
 * row blocks (j0 = 0, j1 = N). P: this thread's
 * packing scratch (16 x K floats); I: matmul_lists' lists of the whole product, or 0.
 */
EXPORT(matmul_block)
void matmul_block(int layout, const float* A, const float* B, float* C, int M, int K, int N, int i0, int i1, int j0,
                  int j1, const float* bias, int act, float alpha, float* P, const int* I) {
  const int rows = i1 - i0;
  if (rows <= 0 || j1 <= j0) return;
  if (layout == 2) {
    if (NT_PACKS(P, M, N)) { /* native: column blocks too, each packing only its own strips of B */
      const int jend = j1 < N ? j1 : N;
      gemm_nt_packed(A + i0 * K, B, C + i0 * N, rows, K, N, j0, jend, P);
      epilogue_block(C + i0 * N + j0, bias ? bias + j0 : 0, rows, jend - j0, act, alpha, N);
      return;
    }
    gemm_nt(A + i0 * K, B, C + i0 * N, rows, K, N);
    epilogue(C + i0 * N, bias, rows, N, act, alpha);
    return;
  }
  float* c = C + i0 * N;
  if (PACKS(P, M, N)) {
    const int* lists = I ? I + (i0 >> 1) * (K + 1) : 0;
    for (int s = j0; s < j1; s += STRIP) {
      const int w = N - s < STRIP ? N - s : STRIP;
      pack_rows(B, N, K, s, w, P);
      if (layout == 0) strip_tiles(A + i0 * K, K, 1, P, c, rows, K, N, s, w, lists);
      else strip_tiles(A + i0, 1, M, P, c, rows, K, N, s, w, lists);
    }
    const int jend = j1 < N ? j1 : N;
    epilogue_block(c + j0, bias ? bias + j0 : 0, rows, jend - j0, act, alpha, N);
    return;
  }
  if (layout == 0) gemm_splat(A + i0 * K, K, 1, B, c, rows, K, N);
  else gemm_splat(A + i0, 1, M, B, c, rows, K, N);
  epilogue(c, bias, rows, N, act, alpha);
}

/*
 * T[c*R + r] = A[r*C + c]: A (R x C) transposed, in 4 x 4 SIMD blocks. For TN products (a Dense weight gradient,
 * A = the layer input [batch, in]): read in place, each pair of its columns walks down the batch at a stride of
 * `in` floats — at power-of-two widths a handful of L1 sets — so ../batchMatMul.ts transposes A once and runs NN on
 * it instead: the same values in the same k order, so the same bits.
 */
EXPORT(transpose_into)
void transpose_into(const float* A, int R, int C, float* T) {
  const int R4 = R & ~3, C4 = C & ~3;
  for (int r = 0; r < R4; r += 4) {
    const float* a = A + r * C;
    int c = 0;
    for (; c < C4; c += 4) {
      f4 x0 = wasm_v128_load(a + c), x1 = wasm_v128_load(a + C + c), x2 = wasm_v128_load(a + 2 * C + c), x3 = wasm_v128_load(a + 3 * C + c);
      f4 t0 = wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(x2, x3, 0, 4, 1, 5);
      f4 t2 = wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(x2, x3, 2, 6, 3, 7);
      float* t = T + c * R + r;
      wasm_v128_store(t, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
      wasm_v128_store(t + R, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
      wasm_v128_store(t + 2 * R, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
      wasm_v128_store(t + 3 * R, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
    }
    for (; c < C; c++) for (int i = 0; i < 4; i++) T[c * R + r + i] = a[i * C + c];
  }
  for (int r = R4; r < R; r++) for (int c = 0; c < C; c++) T[c * R + r] = A[r * C + c];
}
