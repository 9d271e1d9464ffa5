import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../selectBackend';
import { compareKernelWithCpu, KERNEL_BUILDS, useKernelBuild } from './kernelVsCpu';
import { caseLabel, dyShapeOf, filterGradAttrs, type FilterGradCase } from './filterGradCases';
import { setRelaxedSimdEnabled } from './relaxedSimd';
import { simdModuleBuild } from './simdModules';
import { setWinogradFilterGradEnabled, winogradFilterGradStats } from './winogradConv2D';
import { f4FilterGradPays, setWinogradF4FilterGradBand, setWinogradF4FilterGradEnabled, winogradF4FilterGradStats } from './winogradFilterGradF4';
import { seededUniform } from '../../testing/seededUniform';


// ResNet-20's and the bench CNN's 3×3 stride-1 layers (batch 2), partial 4×4 tiles at the bottom/right edge (odd and
// non-multiple-of-4 sizes), 'valid', 'same' and explicit asymmetric padding, 8 output channels, more tiles than one
// chunk (32) with a partial last chunk, and output maps too small for F(4×4) (F(2×2) runs instead).
const CASES: FilterGradCase[] = [
  { x: [2, 28, 28, 16], co: 16, pad: 'same' },
  { x: [2, 14, 14, 32], co: 32, pad: 'same' },
  { x: [2, 7, 7, 64], co: 64, pad: 'same' },
  { x: [1, 11, 9, 4], co: 8, pad: 'valid' },
  { x: [3, 9, 10, 8], co: 24, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { x: [2, 13, 6, 12], co: 16, pad: 'same' },
  { x: [1, 5, 5, 4], co: 8, pad: 'valid' },
  { x: [1, 3, 8, 4], co: 8, pad: 'same' },
  // The instances with 16 → 16 and 32 → 32 channels as constants: odd sizes, partial tiles, asymmetric and 'valid'
  // padding, chunks (32 tiles) starting mid tile row.
  { x: [3, 11, 13, 16], co: 16, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { x: [2, 9, 7, 32], co: 32, pad: 'valid' },
  { x: [1, 4, 17, 32], co: 32, pad: [[0, 0], [1, 2], [3, 0], [0, 0]] },
];




describe('Conv2DBackpropFilter by Winograd F(4×4, 3×3) (winograd_filter_grad_f4) on wasm matches the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => {
    setWinogradF4FilterGradEnabled(true);
    setWinogradF4FilterGradBand(true);
    setWinogradFilterGradEnabled(true);
    setRelaxedSimdEnabled(undefined);
  });

  // band: x through the zero-padded band of input rows (the default); off = NB_WINOGRAD_F4_FILTER_BAND=0.
  for (const [build, band] of [true, false].flatMap((b) => KERNEL_BUILDS.map((build) => [build, b] as const))) {
    it.each(CASES.map((c) => [caseLabel(c), c] as const))(`${build} build, band ${band ? 'on' : 'off'}: %s`, async (_, c) => {
      await tf.setBackend('wasm');
      useKernelBuild(build);
      setWinogradF4FilterGradBand(band);
      expect(simdModuleBuild(tf.backend() as BackendWasm, 'winograd')).toBe(build);
      const [, outH, outW] = dyShapeOf(c);
      const f4 = f4FilterGradPays(outH!, outW!);
      const before = { f4: winogradF4FilterGradStats.calls, band: winogradF4FilterGradStats.bandCalls, f2: winogradFilterGradStats.calls };
      const result = await compareKernelWithCpu('Conv2DBackpropFilter', { x: { shape: c.x }, dy: { shape: dyShapeOf(c) } }, filterGradAttrs(c));
      expect(result.wasm.shape).toEqual([3, 3, c.x[3], c.co]);
      // The bar of every kernel test at these small batches (1e-4 absolute); relative to the largest |dW| it is tighter.
      expect(result.maxDiff).toBeLessThanOrEqual(1e-4);
      expect(result.maxDiff).toBeLessThanOrEqual(5e-6 * Math.max(1, result.maxAbsCpu));
      expect(result.nanMismatches).toBe(0);
      expect(result.leakedDataIds).toBe(0); // scratch freed
      expect(winogradF4FilterGradStats.calls - before.f4).toBe(f4 ? 1 : 0);
      expect(winogradF4FilterGradStats.bandCalls - before.band).toBe(f4 && band ? 1 : 0);
      expect(winogradFilterGradStats.calls - before.f2).toBe(f4 ? 0 : 1);
    });
  }

  // Training batches: dW sums 16 × 28 × 28 products per weight, so values reach ~±100 and every path rounds; F(4×4)'s
  // larger transform coefficients round more than F(2×2) (measured vs a float64 sum at batch 32, both with per-chunk
  // tile sums: F(4×4) 1.1–1.8e-6 of the largest |dW|, F(2×2) 0.3–1.0e-6, the direct kernel 0.6–1.3e-6, cpu ~5e-8).
  // 1e-4 absolute would fail the direct kernel at these magnitudes: bound the error relative to the largest |dW|.
  it.each([
    [[16, 28, 28, 16], 16],
    [[16, 14, 14, 32], 32],
    [[16, 7, 7, 64], 64],
  ] as const)('training batch x=%j co=%d: error relative to max |dW| ≤ 1e-5 (F(2×2) too)', async (xShape, co) => {
    await tf.setBackend('wasm');
    const c: FilterGradCase = { x: [...xShape], co, pad: 'same' };
    const x = tf.tensor(seededUniform(tf.util.sizeFromShape(c.x), 3, -1, 1), c.x);
    const dy = tf.tensor(seededUniform(tf.util.sizeFromShape(dyShapeOf(c)), 4, -1, 1), dyShapeOf(c));
    const run = (backend: 'cpu' | 'wasm', f4: boolean): Float32Array => {
      setWinogradF4FilterGradEnabled(f4);
      return tf.tidy(() => {
        const xb = tf.tensor(x.dataSync(), x.shape);
        const dyb = tf.tensor(dy.dataSync(), dy.shape);
        void backend;
        return tf.engine().runKernel('Conv2DBackpropFilter', { x: xb, dy: dyb }, filterGradAttrs(c) as never) as tf.Tensor;
      }).dataSync() as Float32Array;
    };
    await tf.setBackend('cpu');
    const ref = run('cpu', true);
    await tf.setBackend('wasm');
    const f4Before = winogradF4FilterGradStats.calls;
    const withF4 = run('wasm', true);
    const ranF4 = winogradF4FilterGradStats.calls - f4Before;
    const withF2 = run('wasm', false);
    const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const err = (a: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - ref[i]!)), 0) / scale;
    expect(scale).toBeGreaterThan(10);
    expect(ranF4).toBe(f4FilterGradPays(c.x[1], c.x[2]) ? 1 : 0);
    expect(err(withF4)).toBeLessThanOrEqual(1e-5);
    expect(err(withF2)).toBeLessThanOrEqual(1e-5);
    expect(withF4).not.toEqual(withF2); // two different computations ran
    tf.dispose([x, dy]);
  });

  it('NB_WINOGRAD_FILTER_GRAD=0 (setWinogradFilterGradEnabled(false)) turns F(4×4) off too', async () => {
    await tf.setBackend('wasm');
    setWinogradFilterGradEnabled(false);
    const c = CASES[0]!;
    const before = winogradF4FilterGradStats.calls;
    const result = await compareKernelWithCpu('Conv2DBackpropFilter', { x: { shape: c.x }, dy: { shape: dyShapeOf(c) } }, filterGradAttrs(c));
    expect(result.maxDiff).toBeLessThanOrEqual(1e-4); // the direct kernel
    expect(winogradF4FilterGradStats.calls).toBe(before);
  });
});
