import type { TrainerBackend } from '../../../shared/contracts/trainer';

/** What each native kernel build targets (wasmKernels/native). */
const NATIVE_LEVELS: Record<string, string> = { base: 'baseline CPU', v3: 'AVX2 + FMA', v4: 'AVX-512' };

/**
 * The backend badge's tooltip: what really trained the run and, when it is not the best backend, why — e.g.
 * "wasm · tfjs 4.22.0 · 1 thread · SIMD kernels · 2 data-parallel workers — tensorflow: tfjs-node native bindings are
 * not installed…".
 */
export function describeBackend(backend: TrainerBackend, workers?: number): string {
  const parts = [backend.label ?? backend.name];
  if (backend.tfjsVersion) parts.push(`tfjs ${backend.tfjsVersion}`);
  if (backend.threads !== undefined) parts.push(`${backend.threads} thread${backend.threads === 1 ? '' : 's'}`);
  if (backend.simdKernels !== undefined) {
    parts.push(
      !backend.simdKernels
        ? 'without SIMD kernels (slower)'
        : backend.nativeKernels
          ? `SIMD kernels (native, ${NATIVE_LEVELS[backend.nativeKernels] ?? backend.nativeKernels})`
          : backend.relaxedSimd
            ? 'SIMD kernels (relaxed SIMD: fused multiply-add)'
            : 'SIMD kernels',
    );
  }
  if (workers !== undefined && workers > 1) parts.push(`${workers} data-parallel workers`);
  const text = parts.join(' · ');
  return backend.fallbackReason ? `${text} — ${backend.fallbackReason}` : text;
}
