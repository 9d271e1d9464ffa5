import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { fusedMatMulStats, setFusedMatMulEnabled } from './fusedMatMul';
import { KERNEL_BUILDS, useKernelBuild } from './kernelVsCpu';
import { setRelaxedSimdEnabled } from './relaxedSimd';
import { setSimdKernelsEnabled, simdModuleBuild } from './simdModules';
import { seededUniform } from '../../testing/seededUniform';

/**
 * _FusedMatMul (fusedMatMul.ts → simd/matmul.c fused_matmul_*: product, bias and activation in one call) against tfjs'
 * cpu backend on the plain and relaxed SIMD builds, and the stock kernel's path (SIMD off, or NB_FUSED_MATMUL off),
 * with a counter proving which path ran. Also a Dense layer's gradients through tf.fused.matMul (linear: the training
 * case) and one shape per tile tail.
 */

const values = (n: number, seed: number): Float32Array => {
  // Centred on 0 so relu/relu6/leakyrelu see both signs (and values above 6 after scaling).
  const u = seededUniform(n, seed);
  return u.map((x) => (x - 0.5) * 8);
};

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    worst = Math.max(worst, Math.abs((actual[i] as number) - e) / Math.max(1, Math.abs(e)));
  }
  expect(worst, what).toBeLessThanOrEqual(1e-4);
}

interface Case {
  name: string;
  aShape: number[];
  bShape: number[];
  biasShape?: number[];
  transposeA: boolean;
  transposeB: boolean;
  activation: 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'elu' | 'sigmoid';
  leakyreluAlpha?: number;
  /** Whether our SIMD path takes it (else the stock kernel runs). */
  simd: boolean;
  stockWrong?: boolean;
}

// tfjs-core's fused.matMul hands the kernel rank-3 operands and a rank-1 bias (the stock wasm kernel needs exactly that).
const CASES: Case[] = [
  { name: 'autoencoder output 64x128·128x784 + bias, linear', aShape: [1, 64, 128], bShape: [1, 128, 784], biasShape: [784], transposeA: false, transposeB: false, activation: 'linear', simd: true },
  { name: 'MLP head 64x256·256x10 + bias', aShape: [1, 64, 256], bShape: [1, 256, 10], biasShape: [10], transposeA: false, transposeB: false, activation: 'linear', simd: true },
  { name: 'relu, tails 7x17·17x21', aShape: [1, 7, 17], bShape: [1, 17, 21], biasShape: [21], transposeA: false, transposeB: false, activation: 'relu', simd: true },
  { name: 'relu6 aᵀ·b 17x5ᵀ·17x19', aShape: [1, 17, 5], bShape: [1, 17, 19], biasShape: [19], transposeA: true, transposeB: false, activation: 'relu6', simd: true },
  { name: 'leakyrelu a·bᵀ 5x7·3x7ᵀ', aShape: [1, 5, 7], bShape: [1, 3, 7], biasShape: [3], transposeA: false, transposeB: true, activation: 'leakyrelu', leakyreluAlpha: 0.3, simd: true, stockWrong: true },
  { name: 'linear a·bᵀ 64x256·10x256ᵀ', aShape: [1, 64, 256], bShape: [1, 10, 256], biasShape: [10], transposeA: false, transposeB: true, activation: 'linear', simd: true, stockWrong: true },
  { name: 'no bias, relu, N = 1', aShape: [1, 9, 33], bShape: [1, 33, 1], transposeA: false, transposeB: false, activation: 'relu', simd: true },
  // tfjs 4.22's stock wasm kernel is wrong against cpu for transposed b, aᵀ·bᵀ and batches > 1 (stockWrong: only our
  // SIMD paths are compared there; the stock path's error was 0.4-1.06 here).
  { name: 'batch 3, bias [N]', aShape: [3, 6, 10], bShape: [3, 10, 13], biasShape: [13], transposeA: false, transposeB: false, activation: 'relu', simd: true, stockWrong: true },
  { name: 'batch 3 · batch-1 b, bias [N]', aShape: [3, 6, 10], bShape: [1, 10, 13], biasShape: [13], transposeA: false, transposeB: false, activation: 'relu', simd: true, stockWrong: true },
  { name: 'aᵀ·bᵀ (b transposed, then aᵀ·b)', aShape: [1, 6, 4], bShape: [1, 5, 6], biasShape: [5], transposeA: true, transposeB: true, activation: 'relu', simd: true, stockWrong: true },
  { name: 'elu (stock)', aShape: [1, 4, 6], bShape: [1, 6, 5], biasShape: [5], transposeA: false, transposeB: false, activation: 'elu', simd: false },
  { name: 'sigmoid (stock)', aShape: [1, 4, 6], bShape: [1, 6, 5], biasShape: [5], transposeA: false, transposeB: false, activation: 'sigmoid', simd: false },
];

async function run(backendName: 'cpu' | 'wasm', c: Case) {
  await tf.setBackend(backendName);
  return tf.tidy(() => {
    const a = tf.tensor(values(tf.util.sizeFromShape(c.aShape), 5), c.aShape);
    const b = tf.tensor(values(tf.util.sizeFromShape(c.bShape), 6), c.bShape);
    const inputs: Record<string, tf.Tensor> = { a, b };
    if (c.biasShape) inputs['bias'] = tf.tensor(values(tf.util.sizeFromShape(c.biasShape), 7), c.biasShape);
    const attrs = { transposeA: c.transposeA, transposeB: c.transposeB, activation: c.activation, leakyreluAlpha: c.leakyreluAlpha ?? 0.2 };
    const out = tf.engine().runKernel('_FusedMatMul', inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    return { shape: out.shape, data: Float32Array.from(out.dataSync()) };
  });
}

describe('_FusedMatMul on wasm (SIMD epilogue and stock) equals cpu', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterAll(async () => {
    setSimdKernelsEnabled(true);
    setRelaxedSimdEnabled(undefined);
    setFusedMatMulEnabled(true);
    await tf.setBackend('wasm');
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const cpu = await run('cpu', c);
    const paths = [
      ...KERNEL_BUILDS.map((build) => ({ simd: true, build, fused: true }) as const),
      { simd: false, build: undefined, fused: true },
      { simd: true, build: 'plain', fused: false },
    ] as const;
    for (const path of paths) {
      if (c.stockWrong && !(path.simd && path.fused)) continue;
      setSimdKernelsEnabled(path.simd);
      useKernelBuild(path.build ?? 'plain');
      setFusedMatMulEnabled(path.fused);
      await tf.setBackend('wasm');
      expect(simdModuleBuild(tf.backend() as BackendWasm, 'matmul')).toBe(path.build);
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const ids = backend.numDataIds();
      const before = fusedMatMulStats.calls;
      const wasm = await run('wasm', c);
      const what = `simd ${path.simd} ${path.build ?? ''} fused ${path.fused}`;
      expect(fusedMatMulStats.calls - before, `${what}: our path ran`).toBe(c.simd && path.simd && path.fused ? 1 : 0);
      expect(backend.numDataIds(), 'no leaked intermediates').toBe(ids);
      expect(wasm.shape).toEqual(cpu.shape);
      expectClose(wasm.data, cpu.data, what);
    }
    setSimdKernelsEnabled(true);
    setRelaxedSimdEnabled(undefined);
    setFusedMatMulEnabled(true);
  });

  it('gradients of a linear Dense layer (tf.fused.matMul, the training case) equal cpu', async () => {
    const grads = async (backendName: 'cpu' | 'wasm') => {
      await tf.setBackend(backendName);
      return tf.tidy(() => {
        const x = tf.tensor(values(64 * 128, 11), [64, 128]);
        const w = tf.tensor(values(128 * 30, 12), [128, 30]);
        const bias = tf.tensor(values(30, 13), [30]);
        const dy = tf.tensor(values(64 * 30, 14), [64, 30]);
        const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.fused.matMul({ a: xx as tf.Tensor2D, b: ww as tf.Tensor2D, bias: bb, activation: 'linear' });
        const [gx, gw, gb] = tf.grads(f)([x, w, bias], dy);
        return [gx!, gw!, gb!].map((g) => Float32Array.from(g.dataSync()));
      });
    };
    const cpu = await grads('cpu');
    for (const build of KERNEL_BUILDS) {
      useKernelBuild(build);
      const before = fusedMatMulStats.calls;
      const wasm = await grads('wasm');
      expect(fusedMatMulStats.calls - before, 'forward ran on our kernel').toBe(1);
      wasm.forEach((g, i) => expectClose(g, cpu[i]!, `${build} gradient ${i}`));
    }
    setRelaxedSimdEnabled(undefined);
  });
});
