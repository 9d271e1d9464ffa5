/*
 * Fused optimizer updates (float32) in WebAssembly SIMD, run inside the tfjs wasm backend's memory.
 * Built by scripts/build-simd-kernels.mjs; called from ../optimizerUpdate.ts. Register-only code: no stack, no
 * globals, no libc (see the build script for why).
 *
 * Each function does, in ONE pass over a weight, what tfjs' optimizer does with ~10 separate ops (each a kernel call
 * and a full pass over the weight). The arithmetic is tfjs' own, operation for operation and in the same order, in
 * float32 with no fused multiply-add (the build passes -ffp-contract=off): the results are bit-identical to the stock
 * optimizer on the cpu and wasm backends. The scalar tail uses the same operations as the vector body.
 * Outputs are separate buffers (tfjs tensors are immutable; the caller assigns them to the variables).
 */
#include <wasm_simd128.h>
#define EXPORT(name) __attribute__((export_name(#name)))
typedef v128_t f4;

/*
 * tfjs AdamOptimizer.applyGradients for one weight:
 *   m' = m*b1 + g*(1-b1)            v' = v*b2 + (g*g)*(1-b2)
 *   x' = ((m'/(1-b1^t)) / (sqrt(v'/(1-b2^t)) + eps)) * (-lr) + x
 * then, when `decay` is set (AdamW's decoupled weight decay, applied after the step as before), x'' = x' * factor.
 *
 * `ftz`: m' and v' that come out subnormal (0 < |y| < 2^-126) are stored as 0 and x' is computed from that 0.
 * Why: a weight whose gradient is exactly 0 (a dead ReLU unit) has its m decay by b1 every step into the subnormal
 * range, where x86 runs every multiply, divide and square root on it through a microcode assist (~100x slower;
 * WebAssembly has no flush-to-zero mode). Measured: a 100k-weight call 0.18 ms with normal m, 4.2 ms with subnormal
 * m; the reference autoencoder and MLP reach that range after ~750 steps, when 25 % of some layers' m were subnormal.
 * Flushed, each value crosses once (one assist) and then stays an exact 0. The result differs from tfjs only there:
 * m', v' by < 2^-126, x' by less than ~1e-30 (a step from a subnormal moment), i.e. not at all unless |x| is as tiny.
 * The test for subnormal uses integer compares on the bits (no floating-point operation on a subnormal).
 */
static inline __attribute__((always_inline)) f4 flush_subnormal(f4 y) {
  const v128_t a = wasm_v128_and(y, wasm_i32x4_splat(0x7fffffff));
  const v128_t sub = wasm_v128_and(wasm_i32x4_gt(a, wasm_i32x4_splat(0)), wasm_i32x4_lt(a, wasm_i32x4_splat(0x00800000)));
  return wasm_v128_andnot(y, sub);
}
static inline __attribute__((always_inline)) float flush_subnormal1(float y) {
  return wasm_f32x4_extract_lane(flush_subnormal(wasm_f32x4_splat(y)), 0);
}

static inline __attribute__((always_inline)) void adam_body(
    const float* x, const float* m, const float* v, const float* g, float* xo, float* mo, float* vo, int n, float b1,
    float omb1, float b2, float omb2, float omab1, float omab2, float eps, float neglr, int decay, float factor, int ftz) {
  const f4 B1 = wasm_f32x4_splat(b1), OMB1 = wasm_f32x4_splat(omb1), B2 = wasm_f32x4_splat(b2);
  const f4 OMB2 = wasm_f32x4_splat(omb2), OMAB1 = wasm_f32x4_splat(omab1), OMAB2 = wasm_f32x4_splat(omab2);
  const f4 EPS = wasm_f32x4_splat(eps), NEGLR = wasm_f32x4_splat(neglr), F = wasm_f32x4_splat(factor);
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    f4 g0 = wasm_v128_load(g + i), g1 = wasm_v128_load(g + i + 4);
    f4 m0 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), B1), wasm_f32x4_mul(g0, OMB1));
    f4 m1 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i + 4), B1), wasm_f32x4_mul(g1, OMB1));
    f4 v0 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), B2), wasm_f32x4_mul(wasm_f32x4_mul(g0, g0), OMB2));
    f4 v1 = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i + 4), B2), wasm_f32x4_mul(wasm_f32x4_mul(g1, g1), OMB2));
    if (ftz) { m0 = flush_subnormal(m0); m1 = flush_subnormal(m1); v0 = flush_subnormal(v0); v1 = flush_subnormal(v1); }
    wasm_v128_store(mo + i, m0); wasm_v128_store(mo + i + 4, m1);
    wasm_v128_store(vo + i, v0); wasm_v128_store(vo + i + 4, v1);
    f4 d0 = wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(v0, OMAB2)), EPS);
    f4 d1 = wasm_f32x4_add(wasm_f32x4_sqrt(wasm_f32x4_div(v1, OMAB2)), EPS);
    f4 x0 = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_div(wasm_f32x4_div(m0, OMAB1), d0), NEGLR), wasm_v128_load(x + i));
    f4 x1 = wasm_f32x4_add(wasm_f32x4_mul(wasm_f32x4_div(wasm_f32x4_div(m1, OMAB1), d1), NEGLR), wasm_v128_load(x + i + 4));
    if (decay) { x0 = wasm_f32x4_mul(x0, F); x1 = wasm_f32x4_mul(x1, F); }
    wasm_v128_store(xo + i, x0); wasm_v128_store(xo + i + 4, x1);
  }
  for (; i < n; i++) {
    float gi = g[i];
    float mi = m[i] * b1 + gi * omb1;
    float vi = v[i] * b2 + (gi * gi) * omb2;
    if (ftz) { mi = flush_subnormal1(mi); vi = flush_subnormal1(vi); }
    mo[i] = mi;
    vo[i] = vi;
    float xi = ((mi / omab1) / (__builtin_sqrtf(vi / omab2) + eps)) * neglr + x[i];
    xo[i] = decay ? xi * factor : xi;
  }
}

EXPORT(adam_update)
void adam_update(const float* x, const float* m, const float* v, const float* g, float* xo, float* mo, float* vo,
                 int n, float b1, float omb1, float b2, float omb2, float omab1, float omab2, float eps, float neglr,
                 int decay, float factor, int ftz) {
  if (ftz) adam_body(x, m, v, g, xo, mo, vo, n, b1, omb1, b2, omb2, omab1, omab2, eps, neglr, decay, factor, 1);
  else adam_body(x, m, v, g, xo, mo, vo, n, b1, omb1, b2, omb2, omab1, omab2, eps, neglr, decay, factor, 0);
}

/*
 * tfjs MomentumOptimizer.applyGradients for one weight (c = -lr):
 *   a' = mom*a + g;   x' = c*a' + x   (or, Nesterov, x' = c*(g + a'*mom) + x)
 * `ftz` as for Adam: a' that comes out subnormal is stored as 0 and the step uses that 0 (a zero gradient decays a by
 * mom every step into the subnormal range, with the same microcode-assist slowdown).
 */
static inline __attribute__((always_inline)) void momentum_body(const float* x, const float* a, const float* g,
                                                                float* xo, float* ao, int n, float mom, float c,
                                                                int nesterov, int ftz) {
  const f4 MOM = wasm_f32x4_splat(mom), C = wasm_f32x4_splat(c);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    f4 gi = wasm_v128_load(g + i);
    f4 ai = wasm_f32x4_add(wasm_f32x4_mul(MOM, wasm_v128_load(a + i)), gi);
    if (ftz) ai = flush_subnormal(ai);
    wasm_v128_store(ao + i, ai);
    f4 step = nesterov ? wasm_f32x4_add(gi, wasm_f32x4_mul(ai, MOM)) : ai;
    wasm_v128_store(xo + i, wasm_f32x4_add(wasm_f32x4_mul(C, step), wasm_v128_load(x + i)));
  }
  for (; i < n; i++) {
    float gi = g[i];
    float ai = mom * a[i] + gi;
    if (ftz) ai = flush_subnormal1(ai);
    ao[i] = ai;
    float step = nesterov ? gi + ai * mom : ai;
    xo[i] = c * step + x[i];
  }
}

EXPORT(momentum_update)
void momentum_update(const float* x, const float* a, const float* g, float* xo, float* ao, int n, float mom, float c,
                     int nesterov, int ftz) {
  if (ftz) momentum_body(x, a, g, xo, ao, n, mom, c, nesterov, 1);
  else momentum_body(x, a, g, xo, ao, n, mom, c, nesterov, 0);
}

/*
 * tfjs RMSPropOptimizer.applyGradients (not centered) for one weight:
 *   ms' = ms*decay + (g*g)*(1-decay);   mom' = mom*momentum + (g*lr)/sqrt(ms' + eps);   x' = x - mom'
 * `ftz` as for Adam: ms' and mom' that come out subnormal are stored as 0, and mom' and x' use that 0 (a zero
 * gradient decays both by decay / momentum every step into the subnormal range).
 */
static inline __attribute__((always_inline)) void rmsprop_body(
    const float* x, const float* ms, const float* mom, const float* g, float* xo, float* mso, float* momo, int n,
    float decay, float omdecay, float momentum, float lr, float eps, int ftz) {
  const f4 D = wasm_f32x4_splat(decay), OMD = wasm_f32x4_splat(omdecay), MOMENTUM = wasm_f32x4_splat(momentum);
  const f4 LR = wasm_f32x4_splat(lr), EPS = wasm_f32x4_splat(eps);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    f4 gi = wasm_v128_load(g + i);
    f4 s = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(ms + i), D), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), OMD));
    if (ftz) s = flush_subnormal(s);
    f4 p = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(mom + i), MOMENTUM),
                          wasm_f32x4_div(wasm_f32x4_mul(gi, LR), wasm_f32x4_sqrt(wasm_f32x4_add(s, EPS))));
    if (ftz) p = flush_subnormal(p);
    wasm_v128_store(mso + i, s);
    wasm_v128_store(momo + i, p);
    wasm_v128_store(xo + i, wasm_f32x4_sub(wasm_v128_load(x + i), p));
  }
  for (; i < n; i++) {
    float gi = g[i];
    float s = ms[i] * decay + (gi * gi) * omdecay;
    if (ftz) s = flush_subnormal1(s);
    float p = mom[i] * momentum + (gi * lr) / __builtin_sqrtf(s + eps);
    if (ftz) p = flush_subnormal1(p);
    mso[i] = s;
    momo[i] = p;
    xo[i] = x[i] - p;
  }
}

EXPORT(rmsprop_update)
void rmsprop_update(const float* x, const float* ms, const float* mom, const float* g, float* xo, float* mso,
                    float* momo, int n, float decay, float omdecay, float momentum, float lr, float eps, int ftz) {
  if (ftz) rmsprop_body(x, ms, mom, g, xo, mso, momo, n, decay, omdecay, momentum, lr, eps, 1);
  else rmsprop_body(x, ms, mom, g, xo, mso, momo, n, decay, omdecay, momentum, lr, eps, 0);
}
