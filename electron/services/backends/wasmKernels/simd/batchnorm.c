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
 * Forward: mean[c] = Σx/M, variance[c] = Σ(x − mean)²/M (biased, two passes like tf.moments), then
 * y = (x − mean)·k + beta with k = gamma/√(variance + eps). scratch: C doubles + C floats.
 */
EXPORT(bn_train_forward)
void bn_train_forward(const float* x, const float* gamma, const float* beta, float* y, float* mean, float* variance,
                      void* scratch, int rows, int C, float eps) {
  double* total = (double*)scratch;
  float* acc = (float*)(total + C);
  const double inv = 1.0 / (double)rows;
  for (int pass = 0; pass < 2; pass++) {
    for (int c = 0; c < C; c++) total[c] = 0.0;
    for (int r0 = 0; r0 < rows; r0 += BLOCK) {
      int r1 = r0 + BLOCK < rows ? r0 + BLOCK : rows;
      block_sum(x, pass == 0 ? 0 : mean, acc, r0, r1, C);
      for (int c = 0; c < C; c++) total[c] += (double)acc[c];
    }
    float* out = pass == 0 ? mean : variance;
    for (int c = 0; c < C; c++) out[c] = (float)(total[c] * inv);
  }
  float* k = acc; /* the block sums are done with */
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
 * Backward, closed form with x̂ = (x − mean)·r, r = 1/√(variance + eps), M = rows:
 *   dbeta = Σdy,  dgamma = Σdy·x̂ = r·S with S = Σdy·(x − mean),
 *   dx = gamma·r·(dy − Σdy/M − x̂·(Σdy·x̂)/M) = a·dy + b·(x − mean) + s
 *   with a = gamma·r, b = −gamma·r³·S/M, s = −gamma·r·Σdy/M.
 * One pass for both sums, one for dx. scratch: 2C doubles + 3C floats.
 */
EXPORT(bn_train_backward)
void bn_train_backward(const float* dy, const float* x, const float* gamma, const float* mean, const float* variance,
                       float* dx, float* dgamma, float* dbeta, void* scratch, int rows, int C, float eps) {
  double* sumDy = (double*)scratch;
  double* sumDyX = sumDy + C;
  float* accDy = (float*)(sumDyX + C);
  float* accDyX = accDy + C;
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
  const double inv = 1.0 / (double)rows;
  float* a = accDy; /* the block sums are done with */
  float* b = accDyX;
  float* s = accDyX + C;
  for (int c = 0; c < C; c++) {
    double r = 1.0 / __builtin_sqrt((double)variance[c] + (double)eps);
    double g = (double)gamma[c];
    double sdy = sumDy[c], sdyx = sumDyX[c];
    dbeta[c] = (float)sdy;
    dgamma[c] = (float)(r * sdyx);
    a[c] = (float)(g * r);
    b[c] = (float)(-g * r * r * r * sdyx * inv);
    s[c] = (float)(-g * r * sdy * inv);
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
