/*
 * The slice of clang's <wasm_simd128.h> that the simd/ sources use, for compiling those same sources to native code
 * (scripts/build-native-kernels.mjs). Each intrinsic keeps WebAssembly's semantics — unaligned loads and stores,
 * NaN-propagating min/max with -0 < +0, lane orders — written with GCC/clang vector extensions, so the compiler picks
 * the host's instructions (SSE/AVX on x86-64, NEON on arm64). Vectors stay 128 bits wide, as in WebAssembly; wider
 * native paths are written separately under NB_NATIVE_WIDE (see native/README.md).
 * Needs gcc >= 12 or clang >= 12 (__builtin_shufflevector).
 */
#ifndef NB_NATIVE_WASM_SIMD128_H
#define NB_NATIVE_WASM_SIMD128_H
#include <stdint.h>
#include <string.h>

/* Aligned to 4 bytes only: the kernels also read and write vectors through v128_t pointers into the heap (winograd.c's
   scratch tiles), which wasm lets be any float-aligned address (tfjs' allocator gives 8-byte alignment); with the
   natural 16 the compiler would emit aligned moves there, which fault. Values in registers are unaffected. */
typedef int32_t v128_t __attribute__((vector_size(16), aligned(4)));
typedef float nb_f32x4 __attribute__((vector_size(16), aligned(16)));
typedef int32_t nb_i32x4 __attribute__((vector_size(16), aligned(16)));
typedef double nb_f64x2 __attribute__((vector_size(16), aligned(16)));

#define NB_SIMD_FN static inline __attribute__((always_inline, unused))

NB_SIMD_FN v128_t wasm_v128_load(const void* p) { v128_t v; memcpy(&v, p, 16); return v; }
NB_SIMD_FN void wasm_v128_store(void* p, v128_t v) { memcpy(p, &v, 16); }
NB_SIMD_FN v128_t wasm_v128_load32_splat(const void* p) { int32_t x; memcpy(&x, p, 4); return (v128_t){x, x, x, x}; }
NB_SIMD_FN v128_t wasm_v128_load64_zero(const void* p) { v128_t v = {0, 0, 0, 0}; memcpy(&v, p, 8); return v; }

NB_SIMD_FN v128_t wasm_v128_and(v128_t a, v128_t b) { return a & b; }
NB_SIMD_FN v128_t wasm_v128_andnot(v128_t a, v128_t b) { return a & ~b; }
NB_SIMD_FN v128_t wasm_v128_bitselect(v128_t a, v128_t b, v128_t mask) { return (a & mask) | (b & ~mask); }

NB_SIMD_FN v128_t wasm_f32x4_splat(float x) { return (v128_t)(nb_f32x4){x, x, x, x}; }
NB_SIMD_FN v128_t wasm_f32x4_make(float a, float b, float c, float d) { return (v128_t)(nb_f32x4){a, b, c, d}; }
#define wasm_f32x4_extract_lane(v, i) (((nb_f32x4)(v))[(i)])
NB_SIMD_FN v128_t wasm_f32x4_add(v128_t a, v128_t b) { return (v128_t)((nb_f32x4)a + (nb_f32x4)b); }
NB_SIMD_FN v128_t wasm_f32x4_sub(v128_t a, v128_t b) { return (v128_t)((nb_f32x4)a - (nb_f32x4)b); }
NB_SIMD_FN v128_t wasm_f32x4_mul(v128_t a, v128_t b) { return (v128_t)((nb_f32x4)a * (nb_f32x4)b); }
NB_SIMD_FN v128_t wasm_f32x4_div(v128_t a, v128_t b) { return (v128_t)((nb_f32x4)a / (nb_f32x4)b); }
NB_SIMD_FN v128_t wasm_f32x4_eq(v128_t a, v128_t b) { return (v128_t)((nb_f32x4)a == (nb_f32x4)b); }
NB_SIMD_FN v128_t wasm_f32x4_ne(v128_t a, v128_t b) { return (v128_t)((nb_f32x4)a != (nb_f32x4)b); }
NB_SIMD_FN v128_t wasm_f32x4_lt(v128_t a, v128_t b) { return (v128_t)((nb_f32x4)a < (nb_f32x4)b); }
NB_SIMD_FN v128_t wasm_f32x4_le(v128_t a, v128_t b) { return (v128_t)((nb_f32x4)a <= (nb_f32x4)b); }
NB_SIMD_FN v128_t wasm_f32x4_gt(v128_t a, v128_t b) { return (v128_t)((nb_f32x4)a > (nb_f32x4)b); }
NB_SIMD_FN v128_t wasm_f32x4_ge(v128_t a, v128_t b) { return (v128_t)((nb_f32x4)a >= (nb_f32x4)b); }
NB_SIMD_FN v128_t wasm_f32x4_abs(v128_t a) { return a & (v128_t){0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff}; }
NB_SIMD_FN v128_t wasm_f32x4_sqrt(v128_t a) {
  nb_f32x4 x = (nb_f32x4)a;
  return (v128_t)(nb_f32x4){__builtin_sqrtf(x[0]), __builtin_sqrtf(x[1]), __builtin_sqrtf(x[2]), __builtin_sqrtf(x[3])};
}
/* WebAssembly's min/max: NaN if either lane is NaN; -0 < +0. */
NB_SIMD_FN v128_t wasm_f32x4_max(v128_t a, v128_t b) {
  nb_f32x4 x = (nb_f32x4)a, y = (nb_f32x4)b;
  v128_t nan = (x != x) | (y != y), eq = x == y, gt = x > y;
  v128_t m = (a & gt) | (b & ~gt);
  m = ((a & b) & eq) | (m & ~eq); /* equal lanes: +0 beats -0 (and keeps equal non-zero values) */
  return ((v128_t)(x + y) & nan) | (m & ~nan);
}
NB_SIMD_FN v128_t wasm_f32x4_min(v128_t a, v128_t b) {
  nb_f32x4 x = (nb_f32x4)a, y = (nb_f32x4)b;
  v128_t nan = (x != x) | (y != y), eq = x == y, lt = x < y;
  v128_t m = (a & lt) | (b & ~lt);
  m = ((a | b) & eq) | (m & ~eq); /* equal lanes: -0 beats +0 */
  return ((v128_t)(x + y) & nan) | (m & ~nan);
}
/* Pseudo-min/max: b < a ? b : a and a < b ? b : a, lane by lane. */
NB_SIMD_FN v128_t wasm_f32x4_pmin(v128_t a, v128_t b) { v128_t c = (nb_f32x4)b < (nb_f32x4)a; return (b & c) | (a & ~c); }
NB_SIMD_FN v128_t wasm_f32x4_pmax(v128_t a, v128_t b) { v128_t c = (nb_f32x4)a < (nb_f32x4)b; return (b & c) | (a & ~c); }

NB_SIMD_FN v128_t wasm_i32x4_splat(int32_t x) { return (v128_t){x, x, x, x}; }
#define wasm_i32x4_extract_lane(v, i) (((nb_i32x4)(v))[(i)])
NB_SIMD_FN v128_t wasm_i32x4_sub(v128_t a, v128_t b) { return (v128_t)((uint32_t __attribute__((vector_size(16))))a - (uint32_t __attribute__((vector_size(16))))b); }
NB_SIMD_FN v128_t wasm_i32x4_eq(v128_t a, v128_t b) { return (v128_t)(a == b); }
NB_SIMD_FN v128_t wasm_i32x4_lt(v128_t a, v128_t b) { return (v128_t)(a < b); }
NB_SIMD_FN v128_t wasm_i32x4_gt(v128_t a, v128_t b) { return (v128_t)(a > b); }
#define wasm_i32x4_shuffle(a, b, c0, c1, c2, c3) \
  ((v128_t)__builtin_shufflevector((nb_i32x4)(a), (nb_i32x4)(b), (c0), (c1), (c2), (c3)))

NB_SIMD_FN v128_t wasm_f64x2_splat(double x) { return (v128_t)(nb_f64x2){x, x}; }
NB_SIMD_FN v128_t wasm_f64x2_add(v128_t a, v128_t b) { return (v128_t)((nb_f64x2)a + (nb_f64x2)b); }
NB_SIMD_FN v128_t wasm_f64x2_sub(v128_t a, v128_t b) { return (v128_t)((nb_f64x2)a - (nb_f64x2)b); }
NB_SIMD_FN v128_t wasm_f64x2_mul(v128_t a, v128_t b) { return (v128_t)((nb_f64x2)a * (nb_f64x2)b); }
NB_SIMD_FN v128_t wasm_f64x2_promote_low_f32x4(v128_t a) {
  nb_f32x4 x = (nb_f32x4)a;
  return (v128_t)(nb_f64x2){(double)x[0], (double)x[1]};
}

#endif
