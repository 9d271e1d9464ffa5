import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../selectBackend';
import { compareKernelWithCpu, NATIVE_KERNELS_BUILT, useKernelBuild } from './kernelVsCpu';
import { caseLabel, dyShapeOf, filterGradAttrs, type FilterGradCase } from './filterGradCases';
import { setRelaxedSimdEnabled } from './relaxedSimd';
import { setSimdKernelsEnabled, simdModuleBuild } from './simdModules';
import { setWinogradFilterGradEnabled, winogradFilterGradApplies, winogradFilterGradStats } from './winogradConv2D';
import { setWinogradF4FilterGradEnabled } from './winogradFilterGradF4';


// ResNet-20's 3×3 stride-1 layers (batch 2), batch 1, odd sizes (partial 2×2 tiles at the bottom/right edge),
// 'valid', 'same' and explicit asymmetric padding, 8 output channels (the smallest tile), an image smaller than a tile,
// more tiles than one chunk (NB_WINOGRAD_FILTER_CHUNK, 32) and a last partial chunk, and shapes the Winograd filter
// gradient does not take (5 input channels, 12 output channels: the direct kernel runs instead).
const CASES: FilterGradCase[] = [
  { x: [2, 28, 28, 16], co: 16, pad: 'same' },
  { x: [2, 14, 14, 32], co: 32, pad: 'same' },
  { x: [2, 7, 7, 64], co: 64, pad: 'same' },
  { x: [1, 9, 7, 4], co: 8, pad: 'valid' },
  { x: [3, 5, 6, 8], co: 24, pad: [[0, 0], [2, 0], [0, 1], [0, 0]] },
  { x: [1, 1, 2, 4], co: 8, pad: 'same' },
  { x: [2, 6, 5, 5], co: 16, pad: 'same' },
  { x: [1, 6, 6, 8], co: 12, pad: 'valid' },
];



// F(2×2): F(4×4) (winogradFilterGradF4.test.ts) is turned off here, since it takes most of these shapes first.
describe('Conv2DBackpropFilter in the Winograd domain (winograd_filter_grad) on wasm matches the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  beforeEach(() => setWinogradF4FilterGradEnabled(false));
  afterEach(() => {
    setWinogradF4FilterGradEnabled(true);
    setWinogradFilterGradEnabled(true);
    setSimdKernelsEnabled(true);
    setRelaxedSimdEnabled(undefined);
  });

  for (const path of [
    'plain build', 'relaxed build', ...(NATIVE_KERNELS_BUILT ? (['native build'] as const) : []), 'Winograd off (direct kernel)', 'no SIMD modules',
  ] as const) {
    it.each(CASES.map((c) => [caseLabel(c), c] as const))(`${path}: %s`, async (_, c) => {
      await tf.setBackend('wasm');
      const winograd = path.endsWith(' build');
      setWinogradFilterGradEnabled(path !== 'Winograd off (direct kernel)');
      setSimdKernelsEnabled(path !== 'no SIMD modules');
      if (winograd) {
        const build = path === 'relaxed build' ? 'relaxed' : path === 'native build' ? 'native' : 'plain';
        useKernelBuild(build);
        expect(simdModuleBuild(tf.backend() as BackendWasm, 'winograd')).toBe(build);
      }
      const filterShape = [3, 3, c.x[3], c.co];
      const applies = winogradFilterGradApplies(filterShape, [1, 1], [1, 1]);
      expect(applies).toBe(c.x[3] % 4 === 0 && c.co % 8 === 0);
      const before = winogradFilterGradStats.calls;
      const attrs = filterGradAttrs(c);
      const result = await compareKernelWithCpu('Conv2DBackpropFilter', { x: { shape: c.x }, dy: { shape: dyShapeOf(c) } }, attrs);
      expect(result.wasm.shape).toEqual(filterShape);
      expect(result.maxDiff).toBeLessThanOrEqual(1e-4);
      expect(result.nanMismatches).toBe(0);
      expect(result.leakedDataIds).toBe(0); // scratch freed
      expect(winogradFilterGradStats.calls - before).toBe(winograd && applies ? 1 : 0);
    });
  }

  it('takes 3×3 stride-1 layers with ci % 4 == 0 and co % 8 == 0 only', () => {
    expect(winogradFilterGradApplies([3, 3, 16, 16], [1, 1], [1, 1])).toBe(true);
    expect(winogradFilterGradApplies([3, 3, 16, 16], [2, 2], [1, 1])).toBe(false);
    expect(winogradFilterGradApplies([3, 3, 16, 16], [1, 1], [2, 2])).toBe(false);
    expect(winogradFilterGradApplies([1, 1, 16, 16], [1, 1], [1, 1])).toBe(false);
    expect(winogradFilterGradApplies([3, 3, 1, 16], [1, 1], [1, 1])).toBe(false);
  });
});
