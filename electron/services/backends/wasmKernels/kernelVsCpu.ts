import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { seededUniform } from '../../testing/seededUniform';
import { nativeKernels } from './native/nativeKernels';
import { setRelaxedSimdEnabled } from './relaxedSimd';

/** Test support: one kernel input — random values in [-1, 1) unless `data` is given. */
export type KernelInput = { shape: number[]; dtype?: 'float32' | 'int32'; data?: ArrayLike<number> };

export interface KernelComparison {
  cpu: { shape: number[]; dtype: string };
  wasm: { shape: number[]; dtype: string };
  /** Largest |cpu − wasm| over elements where cpu is not NaN. */
  maxDiff: number;
  /** Largest |cpu| (finite elements): the scale for kernels whose rounding grows with the values (Winograd F(4×4)). */
  maxAbsCpu: number;
  /** Elements where cpu gave NaN and wasm did not. */
  nanMismatches: number;
  /** Backend data the wasm kernel left behind (intermediates it should have freed). */
  leakedDataIds: number;
}

async function runOn(backend: 'cpu' | 'wasm', kernel: string, inputs: Record<string, KernelInput>, attrs: object, firstSeed: number) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    let seed = firstSeed;
    for (const [name, spec] of Object.entries(inputs)) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      tensors[name] = tf.tensor(spec.data ?? seededUniform(size, seed++), spec.shape, spec.dtype ?? 'float32');
    }
    const out = tf.engine().runKernel(kernel, tensors, attrs as NamedAttrMap) as tf.Tensor;
    return { shape: out.shape, dtype: out.dtype as string, data: Float32Array.from(out.dataSync()) };
  });
}

/**
 * Runs one kernel with the same fresh inputs on the cpu backend and on wasm (leaving wasm active) and says how far
 * apart they are — what our kernel tests assert on.
 */
export async function compareKernelWithCpu(
  kernel: string,
  inputs: Record<string, KernelInput>,
  attrs: object = {},
  firstSeed = 7,
): Promise<KernelComparison> {
  const cpu = await runOn('cpu', kernel, inputs, attrs, firstSeed);
  await tf.setBackend('wasm');
  const backend = tf.backend() as unknown as { numDataIds(): number };
  const idsBefore = backend.numDataIds();
  const wasm = await runOn('wasm', kernel, inputs, attrs, firstSeed);
  const leakedDataIds = backend.numDataIds() - idsBefore;
  let maxDiff = 0;
  let maxAbsCpu = 0;
  let nanMismatches = 0;
  for (let i = 0; i < cpu.data.length; i++) {
    const c = cpu.data[i]!;
    const w = wasm.data[i]!;
    if (Number.isNaN(c)) {
      if (!Number.isNaN(w)) nanMismatches++;
    } else {
      if (Number.isFinite(c)) maxAbsCpu = Math.max(maxAbsCpu, Math.abs(c));
      if (c !== w) maxDiff = Math.max(maxDiff, Math.abs(c - w));
    }
  }
  return { cpu: { shape: cpu.shape, dtype: cpu.dtype }, wasm: { shape: wasm.shape, dtype: wasm.dtype }, maxDiff, maxAbsCpu, nanMismatches, leakedDataIds };
}

/** A build our SIMD kernels run as: WebAssembly with separate multiply and add, with relaxed SIMD, or native. */
export type KernelBuild = 'plain' | 'relaxed' | 'native';
/** Whether the native twin of the kernels is built (and not turned off) here: then kernel tests run it too. */
export const NATIVE_KERNELS_BUILT = nativeKernels() !== undefined;
/** The builds kernel tests run: both wasm builds, and the native one where it is built. */
export const KERNEL_BUILDS: readonly KernelBuild[] = NATIVE_KERNELS_BUILT ? ['plain', 'relaxed', 'native'] : ['plain', 'relaxed'];

/** Makes simdModule() hand out `build` (native is the default where it is built); undefined goes back to the default. */
export function useKernelBuild(build: KernelBuild | undefined): void {
  setRelaxedSimdEnabled(build === undefined || build === 'native' ? undefined : build === 'relaxed');
}
