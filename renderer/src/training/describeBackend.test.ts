import { describe, expect, it } from 'vitest';
import { describeBackend } from './describeBackend';

describe('describeBackend', () => {
  it('names the backend, its threads, the SIMD kernels and the workers', () => {
    expect(describeBackend({ name: 'wasm', label: 'wasm', tfjsVersion: '4.22.0', threads: 1, simdKernels: true }, 2)).toBe(
      'wasm · tfjs 4.22.0 · 1 thread · SIMD kernels · 2 data-parallel workers',
    );
  });

  it('says when the SIMD kernels run their relaxed-SIMD (fused multiply-add) builds', () => {
    expect(describeBackend({ name: 'wasm', label: 'wasm', threads: 1, simdKernels: true, relaxedSimd: true })).toBe(
      'wasm · 1 thread · SIMD kernels (relaxed SIMD: fused multiply-add)',
    );
    expect(describeBackend({ name: 'wasm', label: 'wasm', threads: 1, simdKernels: true, relaxedSimd: false })).toBe('wasm · 1 thread · SIMD kernels');
  });

  it('says when the SIMD kernels run natively, and for which CPU', () => {
    expect(describeBackend({ name: 'wasm', label: 'wasm', threads: 1, simdKernels: true, relaxedSimd: true, nativeKernels: 'v4' })).toBe(
      'wasm · 1 thread · SIMD kernels (native, AVX-512)',
    );
    expect(describeBackend({ name: 'wasm', threads: 1, simdKernels: true, nativeKernels: 'v3' })).toBe('wasm · 1 thread · SIMD kernels (native, AVX2 + FMA)');
    expect(describeBackend({ name: 'wasm', threads: 1, simdKernels: true, nativeKernels: 'arm9' })).toBe('wasm · 1 thread · SIMD kernels (native, arm9)');
  });

  it('says why a better backend was skipped and when the SIMD kernels are missing', () => {
    expect(
      describeBackend({ name: 'wasm', threads: 2, simdKernels: false, fallbackReason: 'tensorflow: native bindings are not installed' }, 1),
    ).toBe('wasm · 2 threads · without SIMD kernels (slower) — tensorflow: native bindings are not installed');
  });

  it('falls back to the plain name', () => {
    expect(describeBackend({ name: 'cpu' })).toBe('cpu');
  });
});
