import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { col2imPays } from './conv2DBackpropInput';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { col2imStats, directDxApplies, setCol2imEnabled, setCol2imSimdScatterEnabled, setDirectDxEnabled } from './col2imBackpropInput';
import { compareKernelWithCpu, NATIVE_KERNELS_BUILT, useKernelBuild } from './kernelVsCpu';
import { setRelaxedSimdEnabled } from './relaxedSimd';
import { setSimdKernelsEnabled, simdModuleBuild } from './simdModules';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case { x: [number, number, number, number]; k: number; co: number; strides: [number, number]; pad: Pad }

// ResNet's shapes (1×1 and 3×3 stride-2 projections, 'same' on even sizes pads bottom/right only), odd sizes (the last
// row/column of x gets no tap from some filter rows), 'valid', explicit and asymmetric padding, stride (2, 1) and 3,
// channel counts that are not multiples of 4, and the 1×1 stride-1 case that needs no scatter. The direct kernel
// (strided layers) also gets input channels past a 16-wide strip (17: 1 left, 19: 3, 24: 8), a 5×5 filter,
// stride 3 with 2 wide padding, and pixel classes with an odd count per image (pairs run across rows).
const CASES: Case[] = [
  { x: [2, 28, 28, 16], k: 3, co: 32, strides: [2, 2], pad: 'same' },
  { x: [2, 14, 14, 32], k: 1, co: 64, strides: [2, 2], pad: 'same' },
  { x: [3, 7, 9, 16], k: 3, co: 8, strides: [2, 2], pad: 'same' },
  { x: [2, 9, 7, 17], k: 3, co: 5, strides: [2, 1], pad: 'valid' },
  { x: [1, 10, 11, 16], k: 3, co: 16, strides: [3, 3], pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [2, 5, 6, 3], k: 1, co: 7, strides: [1, 1], pad: 'same' },
  { x: [2, 7, 7, 6], k: 1, co: 4, strides: [2, 2], pad: 'valid' },
  { x: [1, 1, 1, 16], k: 3, co: 4, strides: [2, 2], pad: 'same' },
  { x: [2, 14, 14, 32], k: 3, co: 64, strides: [2, 2], pad: 'same' },
  { x: [2, 11, 10, 24], k: 5, co: 12, strides: [2, 2], pad: 'same' },
  { x: [1, 9, 8, 19], k: 3, co: 9, strides: [3, 2], pad: [[0, 0], [2, 2], [2, 1], [0, 0]] },
  { x: [2, 5, 13, 16], k: 3, co: 33, strides: [1, 3], pad: 'valid' },
];

const label = (c: Case) => `x=${c.x} k=${c.k} co=${c.co} strides=${c.strides} pad=${typeof c.pad === 'string' ? c.pad : 'explicit'}`;

function dyShape(c: Case): number[] {
  return tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([c.k, c.k, c.x[3], c.co]) as tf.Tensor4D, c.strides, c.pad).shape);
}

describe('Conv2DBackpropInput by matmul + scatter (col2im) on wasm matches the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => {
    setCol2imEnabled(true);
    setCol2imSimdScatterEnabled(true);
    setDirectDxEnabled(true);
    setSimdKernelsEnabled(true);
    setRelaxedSimdEnabled(undefined);
  });

  // Strided layers with a filter > 1×1 on the direct kernel (conv2d.c's conv2d_backprop_input) from conv2d.wasm
  // (multiply, add) and conv2d.relaxed.wasm (fused multiply-add), 1×1 ones on matmul + SIMD scatter; then every
  // layer on col2im on the SIMD matmul with the SIMD scatter (conv2d.c) and with the JavaScript scatter, then with
  // col2im off (the zero-insertion path), then without SIMD modules at all.
  const paths = [
    'direct, plain build', 'direct, relaxed build', ...(NATIVE_KERNELS_BUILT ? (['direct, native build'] as const) : []),
    'col2im', 'col2im, JavaScript scatter', 'zero insertion', 'no SIMD modules',
  ] as const;
  for (const path of paths) {
    it.each(CASES.map((c) => [label(c), c] as const))(`${path}: %s`, async (_, c) => {
      await tf.setBackend('wasm');
      const direct = path.startsWith('direct');
      setCol2imEnabled(path.startsWith('col2im') || direct);
      // 'always': the direct kernel also takes the input channel counts it leaves to the matmul by default.
      setDirectDxEnabled(direct ? 'always' : false);
      setCol2imSimdScatterEnabled(path !== 'col2im, JavaScript scatter');
      setSimdKernelsEnabled(path !== 'no SIMD modules');
      if (direct) {
        const build = path === 'direct, relaxed build' ? 'relaxed' : path === 'direct, native build' ? 'native' : 'plain';
        useKernelBuild(build);
        expect(simdModuleBuild(tf.backend() as BackendWasm, 'conv2d')).toBe(build);
      }
      const before = col2imStats.calls;
      const beforeDirect = col2imStats.direct;
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined, inputShape: c.x };
      const result = await compareKernelWithCpu('Conv2DBackpropInput', { dy: { shape: dyShape(c) }, filter: { shape: [c.k, c.k, c.x[3], c.co] } }, attrs);
      expect(result.wasm.shape).toEqual(c.x);
      expect(result.maxDiff).toBeLessThanOrEqual(1e-4);
      expect(result.nanMismatches).toBe(0);
      expect(result.leakedDataIds).toBe(0);
      // The path meant to run really ran (the selection rule takes every case above).
      expect(col2imPays(c.k, c.k, c.strides[0], c.strides[1], c.x[3])).toBe(true);
      expect(col2imStats.calls - before).toBe(path.startsWith('col2im') || direct ? 1 : 0);
      const strided = c.strides[0] > 1 || c.strides[1] > 1;
      expect(col2imStats.direct - beforeDirect).toBe(direct && strided ? 1 : 0);
    });
  }

  it('sends strided layers with input channels % 16 = 0 to the direct kernel, the rest to matmul + scatter', () => {
    expect(directDxApplies(3, 3, 2, 2, 16)).toBe(true);
    expect(directDxApplies(3, 3, 2, 2, 32)).toBe(true);
    expect(directDxApplies(3, 3, 1, 2, 64)).toBe(true);
    expect(directDxApplies(3, 3, 2, 2, 24)).toBe(false);
    expect(directDxApplies(1, 1, 2, 2, 32)).toBe(true);
    expect(directDxApplies(1, 1, 1, 1, 32)).toBe(false);
    expect(directDxApplies(3, 3, 1, 1, 32)).toBe(false);
    setDirectDxEnabled('always');
    expect(directDxApplies(3, 3, 2, 2, 24)).toBe(true);
    setDirectDxEnabled(false);
    expect(directDxApplies(3, 3, 2, 2, 32)).toBe(false);
  });

  it('keeps stride-1 3×3 layers on the convolution path and takes 1×1 and strided ≥ 16-channel ones', () => {
    expect(col2imPays(3, 3, 1, 1, 16)).toBe(false);
    expect(col2imPays(3, 3, 2, 2, 8)).toBe(false);
    expect(col2imPays(3, 3, 2, 2, 16)).toBe(true);
    expect(col2imPays(1, 1, 1, 1, 1)).toBe(true);
  });

  it('gives the same gradient through tf.grads as the cpu backend (a ResNet projection: 1×1 stride 2, then 3×3 stride 2)', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.randomUniform([2, 12, 12, 16], -1, 1, 'float32', 3) as tf.Tensor4D;
        const w1 = tf.randomUniform([1, 1, 16, 8], -1, 1, 'float32', 4) as tf.Tensor4D;
        const w3 = tf.randomUniform([3, 3, 16, 8], -1, 1, 'float32', 5) as tf.Tensor4D;
        const [gx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, w1, 2, 'same'), tf.conv2d(a as tf.Tensor4D, w3, 2, 'same'))))([x]);
        return Float32Array.from(gx!.dataSync());
      });
    await tf.setBackend('cpu');
    const expected = run();
    await tf.setBackend('wasm');
    const before = col2imStats.calls;
    const beforeDirect = col2imStats.direct;
    const actual = run();
    expect(col2imStats.calls - before).toBe(2);
    expect(col2imStats.direct - beforeDirect).toBe(2);
    let max = 0;
    for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(expected[i]! - actual[i]!));
    expect(max).toBeLessThanOrEqual(1e-4);
  });
});
