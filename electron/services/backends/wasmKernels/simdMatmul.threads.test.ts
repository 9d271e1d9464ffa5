import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { simdMatmulWins } from './batchMatMul';
import { KERNEL_BUILDS, useKernelBuild, type KernelBuild } from './kernelVsCpu';
import { setRelaxedSimdEnabled } from './relaxedSimd';
import { simdModuleBuild } from './simdModules';
import { seededUniform } from '../../testing/seededUniform';

const values = (n: number, seed: number): Float32Array => seededUniform(n, seed);

// Its own worker process (the wasm build is chosen once per process): under the threaded build the products run from
// simd/matmul.shared.wasm (and matmul.relaxed.shared.wasm: fused multiply-add) where our kernel wins, and on XNNPACK's multi-threaded GEMM for large a·b / aᵀ·b.
describe('BatchMatMul under multi-threaded wasm', () => {
  it.each([
    ['a·bᵀ (SIMD)', [64, 256], [256, 256], false, true],
    ['aᵀ·b narrow (SIMD)', [64, 3136], [64, 10], true, false],
    ['aᵀ·b large (XNNPACK)', [64, 784], [64, 256], true, false],
    ['a·b large (XNNPACK)', [64, 784], [784, 256], false, false],
    ['a·b tails (SIMD)', [7, 17], [17, 5], false, false],
  ] as const)('%s equals cpu', async (_, aShape, bShape, transposeA, transposeB) => {
    const run = async (backend: 'cpu' | KernelBuild) => {
      if (backend !== 'cpu') {
        const info = await selectBackend('wasm', { wasmThreads: 2 });
        expect(info.threads).toBe(2);
        useKernelBuild(backend);
        expect(simdModuleBuild(tf.backend() as never, 'matmul')).toBe(backend);
      } else await tf.setBackend('cpu');
      return tf.tidy(() => {
        const a = tf.tensor(values(tf.util.sizeFromShape([...aShape]), 1), [...aShape]);
        const b = tf.tensor(values(tf.util.sizeFromShape([...bShape]), 2), [...bShape]);
        return tf.matMul(a, b, transposeA, transposeB).dataSync();
      });
    };
    const cpu = await run('cpu');
    try {
      for (const build of KERNEL_BUILDS) {
        const wasm = await run(build);
        let worst = 0;
        cpu.forEach((c, i) => (worst = Math.max(worst, Math.abs(c - (wasm[i] as number)) / Math.max(1, Math.abs(c)))));
        expect(worst, build).toBeLessThanOrEqual(1e-4);
      }
    } finally {
      setRelaxedSimdEnabled(undefined);
    }
  });

  it('routes large a·b and aᵀ·b to XNNPACK only when it has threads', () => {
    expect(simdMatmulWins('nn', 64, 784, 256, 2)).toBe(false);
    expect(simdMatmulWins('tn', 784, 64, 256, 2)).toBe(false);
    expect(simdMatmulWins('nt', 64, 256, 256, 2)).toBe(true);
    expect(simdMatmulWins('nn', 64, 3136, 10, 2)).toBe(true);
    expect(simdMatmulWins('nn', 64, 784, 256, 1)).toBe(true);
  });
});
