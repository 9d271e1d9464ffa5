import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../selectBackend';
import { gatherPays, gatherStats, setDxGatherEnabled } from './conv2DBackpropInput';
import { compareKernelWithCpu, NATIVE_KERNELS_BUILT, useKernelBuild } from './kernelVsCpu';
import { setRelaxedSimdEnabled } from './relaxedSimd';
import { setSimdKernelsEnabled, simdModuleBuild } from './simdModules';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case { x: [number, number, number, number]; k: [number, number]; co: number; strides: [number, number]; pad: Pad }

// The ResNet-20 stem (1 channel, batch 2 here), batch 1, 2 and 3 channels, output channels that are not multiples of
// 16 or 4 (the 4-wide and scalar tails), odd sizes, 'valid', 'same' and explicit asymmetric padding, stride 2 and
// (2, 1) (taps whose output pixel does not exist), and layers the kernel does not take (1×1: one matmul; 4 channels).
const CASES: Case[] = [
  { x: [2, 28, 28, 1], k: [3, 3], co: 16, strides: [1, 1], pad: 'same' },
  { x: [1, 9, 7, 3], k: [3, 3], co: 21, strides: [1, 1], pad: 'valid' },
  { x: [2, 8, 9, 2], k: [3, 2], co: 6, strides: [2, 1], pad: 'same' },
  { x: [1, 10, 11, 1], k: [3, 3], co: 32, strides: [2, 2], pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [2, 5, 6, 3], k: [1, 1], co: 3, strides: [1, 1], pad: 'same' },
  { x: [1, 1, 1, 1], k: [3, 3], co: 16, strides: [1, 1], pad: 'same' },
  { x: [1, 6, 6, 4], k: [3, 3], co: 16, strides: [1, 1], pad: 'same' },
];

const label = (c: Case) => `x=${c.x} k=${c.k} co=${c.co} strides=${c.strides} pad=${typeof c.pad === 'string' ? c.pad : 'explicit'}`;

function dyShape(c: Case): number[] {
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([...c.k, c.x[3], c.co]) as tf.Tensor4D, c.strides, c.pad).shape);
}

describe('Conv2DBackpropInput for few input channels (conv2d_backprop_input_gather) on wasm matches the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => {
    setDxGatherEnabled(true);
    setSimdKernelsEnabled(true);
    setRelaxedSimdEnabled(undefined);
  });

  it('takes 1-3 input channels with filters larger than 1×1', () => {
    expect(gatherPays(3, 3, 1)).toBe(true);
    expect(gatherPays(3, 3, 3)).toBe(true);
    expect(gatherPays(1, 3, 2)).toBe(true);
    expect(gatherPays(1, 1, 3)).toBe(false);
    expect(gatherPays(3, 3, 4)).toBe(false);
  });

  for (const path of ['plain build', 'relaxed build', ...(NATIVE_KERNELS_BUILT ? (['native build'] as const) : []), 'gather off', 'no SIMD modules'] as const) {
    it.each(CASES.map((c) => [label(c), c] as const))(`${path}: %s`, async (_, c) => {
      await tf.setBackend('wasm');
      const gather = path.endsWith(' build');
      setDxGatherEnabled(path !== 'gather off');
      setSimdKernelsEnabled(path !== 'no SIMD modules');
      if (gather) {
        const build = path === 'relaxed build' ? 'relaxed' : path === 'native build' ? 'native' : 'plain';
        useKernelBuild(build);
        expect(simdModuleBuild(tf.backend() as BackendWasm, 'conv2d')).toBe(build);
      }
      const before = gatherStats.calls;
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: c.x };
      const result = await compareKernelWithCpu('Conv2DBackpropInput', { dy: { shape: dyShape(c) }, filter: { shape: [...c.k, c.x[3], c.co] } }, attrs);
      expect(result.wasm.shape).toEqual(c.x);
      expect(result.maxDiff).toBeLessThanOrEqual(1e-4);
      expect(result.nanMismatches).toBe(0);
      expect(result.leakedDataIds).toBe(0);
      expect(gatherStats.calls - before).toBe(gather && gatherPays(c.k[0], c.k[1], c.x[3]) ? 1 : 0);
    });
  }
});
