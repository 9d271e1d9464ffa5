/*
 * NB_MADD(a, b, acc) = a*b + acc on four float32 lanes — the multiply-add of the compute-bound kernels (matmul.c,
 * winograd.c, conv2d.c). A source that uses it is built twice more by scripts/build-simd-kernels.mjs:
 *   - plain (<name>.wasm, <name>.shared.wasm): acc + a*b as a multiply and an add, each rounded (-ffp-contract=off
 *     keeps them apart), exactly the code these kernels had before this macro;
 *   - relaxed (<name>.relaxed.wasm, <name>.relaxed.shared.wasm, built with -mrelaxed-simd): f32x4.relaxed_madd, which
 *     engines with FMA hardware run as one fused multiply-add (one rounding). Results then differ from the plain
 *     modules in the last bits, so only the plain path is bit-for-bit reproducible; both stay within 1e-4 of cpu.
 * simdModules.ts loads the relaxed modules when the engine validates relaxed SIMD (relaxedSimd.ts), else the plain ones.
 *
 * clang >= 16 has wasm_f32x4_relaxed_madd. clang 14/15 (Debian 12) only know the pre-standard f32x4.fma builtin, whose
 * opcode (0xfd 0xaf 0x01) engines no longer accept: the build script renumbers every such instruction to
 * f32x4.relaxed_madd (0xfd 0x85 0x02, same length) and checks the result. Operands are pushed in the call's order
 * (a, b, acc), which relaxed_madd reads as a*b + acc; the kernel-vs-cpu tests would catch any other reading.
 */
#ifndef NB_MADD_H
#define NB_MADD_H
#include <wasm_simd128.h>

#if defined(NB_NATIVE)
/* The same sources compiled to native code (native/README.md): the host's fused multiply-add where the build targets
   one (x86-64-v3 and up, arm64), else a multiply and an add as in the plain wasm build. */
#if defined(__FMA__)
#include <immintrin.h>
#define NB_MADD(a, b, acc) ((v128_t)_mm_fmadd_ps((__m128)(a), (__m128)(b), (__m128)(acc)))
#elif defined(__aarch64__)
#include <arm_neon.h>
#define NB_MADD(a, b, acc) ((v128_t)vfmaq_f32((float32x4_t)(acc), (float32x4_t)(a), (float32x4_t)(b)))
#else
#define NB_MADD(a, b, acc) wasm_f32x4_add((acc), wasm_f32x4_mul((a), (b)))
#endif
#elif defined(__wasm_relaxed_simd__)
#if __has_builtin(__builtin_wasm_relaxed_madd_f32x4)
#define NB_MADD(a, b, acc) wasm_f32x4_relaxed_madd((a), (b), (acc))
#else
#define NB_MADD(a, b, acc) ((v128_t)__builtin_wasm_fma_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(acc)))
#endif
#else
#define NB_MADD(a, b, acc) wasm_f32x4_add((acc), wasm_f32x4_mul((a), (b)))
#endif

#endif
