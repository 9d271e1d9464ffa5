/*
 * Training-mode batch normalisation (float32, channels last: x is [rows, C] with every leading axis folded into rows)
 * in WebAssembly SIMD, run inside the tfjs wasm backend's memory. Built by scripts/build-simd-kernels.mjs; called from
 * ../batchNormTraining.ts. Register-only code: no stack, no globals, no libc (see the build script for why).
 *
 * Per-channel sums are taken over blocks of BLOCK rows in float32 (in a C-float scratch row, SIMD across channels) and
 * the block totals added into float64 per channel, so a 64x28x28 batch (50 176 rows) sums as accurately as tfjs' cpu
 * backend (which sums in JS doubles) without giving up SIMD. `scratch` is caller-provided memory, 8-byte aligned.
 */
#include <wasm_simd128.h>
#define EXPORT(name) __attribute__((export_name(#name)))
#define BLOCK 64
typedef v128_t f4;

/* acc[c] = sum over rows [r0, r1) of x[r][c] (or of (x[r][c] - m[c])^2 when m is given). */
static inline void block_sum(const float* x, const float* m, float* acc, int r0, int r1, int C) {
  for (int c = 0; c < C; c++) acc[c] = 0.f;
  for (int r = r0; r < r1; r++) {
    const float* xr = x + (long)r * C;
    int c = 0;
    if (m) {
      for (; c + 4 <= C; c += 4) {
        f4 d = wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(m + c));
        wasm_v128_store(acc + c, wasm_f32x4_add(wasm_v128_load(acc + c), wasm_f32x4_mul(d, d)));
      }
      for (; c < C; c++) { float d = xr[c] - m[c]; acc[c] += d * d; }
    } else {
      for (; c + 4 <= C; c += 4) wasm_v128_store(acc + c, wasm_f32x4_add(wasm_v128_load(acc + c), wasm_v128_load(xr + c)));
      for (; c < C; c++) acc[c] += xr[c];
    }
  }
}

/*
 * Forward, first half: this replica's per-channel sums. sum[c] = Σx (double), mean[c] = (float)(Σx/M), then
 * m2[c] = Σ(x − mean[c])² (double, centred on that float mean: the second of tf.moments' two passes).
 * acc: C floats of scratch. Data-parallel training combines two replicas' halves before normalising (sync BatchNorm).
 */
static inline void forward_sums(const float* x, float* mean, double* sum, double* m2, float* acc, int rows, int C) {
  const double inv = 1.0 / (double)rows;
  for (int pass = 0; pass < 2; pass++) {
    double* total = pass == 0 ? sum : m2;
    for (int c = 0; c < C; c++) total[c] = 0.0;
    for (int r0 = 0; r0 < rows; r0 += BLOCK) {
      int r1 = r0 + BLOCK < rows ? r0 + BLOCK : rows;
      block_sum(x, pass == 0 ? 0 : mean, acc, r0, r1, C);
      for (int c = 0; c < C; c++) total[c] += (double)acc[c];
    }
    if (pass == 0) for (int c = 0; c < C; c++) mean[c] = (float)(total[c] * inv);
  }
}

/* Forward, second half: y = (x − mean)·k + beta with k = gamma/√(variance + eps). k: C floats of scratch. */
static inline void normalize(const float* x, const float* gamma, const float* beta, float* y, const float* mean,
                             const float* variance, float* k, int rows, int C, float eps) {
  for (int c = 0; c < C; c++) k[c] = (float)((double)gamma[c] / __builtin_sqrt((double)variance[c] + (double)eps));
  for (int r = 0; r < rows; r++) {
    const float* xr = x + (long)r * C;
    float* yr = y + (long)r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      f4 d = wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c));
      wasm_v128_store(yr + c, wasm_f32x4_add(wasm_f32x4_mul(d, wasm_v128_load(k + c)), wasm_v128_load(beta + c)));
    }
    for (; c < C; c++) yr[c] = (xr[c] - mean[c]) * k[c] + beta[c];
  }
}

/*
 * Forward: mean[c] = Σx/M, variance[c] = Σ(x − mean)²/M (biased, two passes like tf.moments), then
 * y = (x − mean)·k + beta with k = gamma/√(variance + eps). scratch: 2C doubles + C floats.
 */
EXPORT(bn_train_forward)
void bn_train_forward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* variance,
                      void* scratch, int rows, int C, float eps) {
  double* sum = (double*)scratch;
  double* m2 = sum + C;
  float* acc = (float*)(m2 + C);
  forward_sums(x, mean, sum, m2, acc, rows, C);
  const double inv = 1.0 / (double)rows;
  for (int c = 0; c < C; c++) variance[c] = (float)(m2[c] * inv);
  normalize(x, gamma, beta, y, mean, variance, acc, rows, C, eps);
}

/* The two halves of bn_train_forward, exported for synchronised BatchNorm (scratch as there; sums read by JS). */
EXPORT(bn_forward_sums)
void bn_forward_sums(const float* x, float* mean, void* scratch, int rows, int C) {
  double* sum = (double*)scratch;
  forward_sums(x, mean, sum, sum + C, (float*)(sum + 2 * C), rows, C);
}

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
static inline void backward_sums(const float* dy, const float* x, const float* mean, double* sumDy, double* sumDyX,
                                 float* accDy, float* accDyX, int rows, int C) {
  for (int c = 0; c < C; c++) { sumDy[c] = 0.0; sumDyX[c] = 0.0; }
  for (int r0 = 0; r0 < rows; r0 += BLOCK) {
    int r1 = r0 + BLOCK < rows ? r0 + BLOCK : rows;
    for (int c = 0; c < C; c++) { accDy[c] = 0.f; accDyX[c] = 0.f; }
    for (int r = r0; r < r1; r++) {
      const float* dyr = dy + (long)r * C;
      const float* xr = x + (long)r * C;
      int c = 0;
      for (; c + 4 <= C; c += 4) {
        f4 g = wasm_v128_load(dyr + c);
        f4 d = wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c));
        wasm_v128_store(accDy + c, wasm_f32x4_add(wasm_v128_load(accDy + c), g));
        wasm_v128_store(accDyX + c, wasm_f32x4_add(wasm_v128_load(accDyX + c), wasm_f32x4_mul(g, d)));
      }
      for (; c < C; c++) { float g = dyr[c]; accDy[c] += g; accDyX[c] += g * (xr[c] - mean[c]); }
    }
    for (int c = 0; c < C; c++) { sumDy[c] += (double)accDy[c]; sumDyX[c] += (double)accDyX[c]; }
  }
}

/* coef: 3C floats of scratch (a, b, s). */
static inline void backward_apply(const float* dy, const float* x, const float* gamma, const float* mean,
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
  for (int r = 0; r < rows; r++) {
    const float* dyr = dy + (long)r * C;
    const float* xr = x + (long)r * C;
    float* dxr = dx + (long)r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      f4 d = wasm_f32x4_sub(wasm_v128_load(xr + c), wasm_v128_load(mean + c));
      f4 v = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(a + c), wasm_v128_load(dyr + c)),
                            wasm_f32x4_mul(wasm_v128_load(b + c), d));
      wasm_v128_store(dxr + c, wasm_f32x4_add(v, wasm_v128_load(s + c)));
    }
    for (; c < C; c++) dxr[c] = a[c] * dyr[c] + b[c] * (xr[c] - mean[c]) + s[c];
  }
}

EXPORT(bn_train_backward)
void bn_train_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* variance,
                       float* dx, float* dgamma, float* dbeta, void* scratch, int rows, int C, float eps) {
  double* sumDy = (double*)scratch;
  double* sumDyX = sumDy + C;
  float* acc = (float*)(sumDyX + C);
  backward_sums(dy, x, mean, sumDy, sumDyX, acc, acc + C, rows, C);
  backward_apply(dy, x, gamma, mean, variance, dx, dgamma, dbeta, sumDy, sumDyX, sumDy, sumDyX, 1.0 / (double)rows,
                 acc, rows, C, eps);
}

/* scratch: 2C doubles (Σdy, S, read by JS) + 2C floats. */
EXPORT(bn_backward_sums)
void bn_backward_sums(const float* dy, const float* x, const float* mean, void* scratch, int rows, int C) {
  double* sumDy = (double*)scratch;
  float* acc = (float*)(sumDy + 2 * C);
  backward_sums(dy, x, mean, sumDy, sumDy + C, acc, acc + C, rows, C);
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
