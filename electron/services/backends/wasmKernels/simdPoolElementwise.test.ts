import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { compareKernelWithCpu, type KernelInput } from './kernelVsCpu';
import { setSimdKernelsEnabled, simdModule } from './simdModules';
import { seededUniform } from '../../testing/seededUniform';

/**
 * The SIMD kernels of simd/pool.c (MaxPool, MaxPoolGrad) and simd/elementwise.c (broadcasting binary ops, Tile) against tfjs' cpu
 * backend, each case once on the SIMD kernel and once on the fallback path (setSimdKernelsEnabled(false)).
 * Channel counts like 5 and 19 leave SIMD tails; sizes are ≥ 2^12 elements where the SIMD path should run.
 */

const values = (n: number, seed: number): Float32Array => seededUniform(n, seed);

/**
 * Same shape and values (≤ 1e-4, or bit-exact with `exact`; NaN where cpu has NaN), and no tensor leaked by the wasm
 * kernel. One float32 add/sub/mul/div rounds to the same value as the cpu backend's double op rounded to float32, so
 * those must match exactly: that catches a reordered operation (b − a, a · (1/b)).
 */
async function expectSameAsCpu(kernel: string, inputs: Record<string, KernelInput>, attrs: object = {}, exact = false): Promise<void> {
  const r = await compareKernelWithCpu(kernel, inputs, attrs, 11);
  expect(r.leakedDataIds).toBe(0);
  expect(r.wasm).toEqual(r.cpu);
  expect(r.nanMismatches).toBe(0);
  expect(r.maxDiff).toBeLessThanOrEqual(exact ? 0 : 1e-4);
}

type Pad = 'same' | 'valid' | number;
const POOL_CASES: [string, number[], number | [number, number], number | [number, number], Pad][] = [
  ['2×2/2 valid, 16 channels (the CNN)', [2, 8, 8, 16], 2, 2, 'valid'],
  ['2×2/2 valid, 19 channels (SIMD tail)', [2, 8, 6, 19], 2, 2, 'valid'],
  ['2×2/2 valid, odd size (uncovered last row/column)', [2, 7, 9, 5], 2, 2, 'valid'],
  ['2×2/2 same, odd size (clipped windows)', [2, 7, 5, 5], 2, 2, 'same'],
  ['2×2/2 same, 3 channels (scalar path only)', [3, 5, 7, 3], 2, 2, 'same'],
  ['3×3/2 same (overlapping windows)', [2, 9, 8, 19], 3, 2, 'same'],
  ['3×3/1 same (overlapping windows)', [1, 6, 7, 8], 3, 1, 'same'],
  ['3×2 stride [2,1] valid (overlap along width)', [3, 8, 5, 5], [3, 2], [2, 1], 'valid'],
  ['2×2 stride 3 valid (gaps between windows)', [2, 8, 8, 8], 2, 3, 'valid'],
  ['3×3/3 explicit padding 1', [2, 7, 8, 12], 3, 3, 1],
  ['1×1/1 valid', [1, 4, 4, 9], 1, 1, 'valid'],
];

/** Pool input with many exact ties: values on a coarse grid. */
function tiedValues(n: number): number[] {
  return Array.from(values(n, 3), (v) => Math.round(v * 2) / 2);
}

describe.each([
  ['SIMD kernel', true],
  ['fallback', false],
])('MaxPoolGrad (%s) matches the cpu backend', (_, simd) => {
  beforeAll(async () => {
    await selectBackend('wasm');
    setSimdKernelsEnabled(simd);
  });
  afterAll(() => setSimdKernelsEnabled(true));

  it('the pool module loads in this engine', () => {
    const module = simdModule(tf.findBackend('wasm') as never, 'pool');
    if (simd) expect(module).toBeDefined();
    else expect(module).toBeUndefined();
  });

  it.each(POOL_CASES)('%s', async (_, xShape, filterSize, strides, pad) => {
    const info = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], filterSize, strides, 1, pad);
    const inputs = { dy: { shape: info.outShape }, input: { shape: xShape }, output: { shape: info.outShape } };
    await expectSameAsCpu('MaxPoolGrad', inputs, { filterSize, strides, pad });
    // Same windows again with many ties: the first maximum (rows, then columns) must get the gradient.
    const size = xShape.reduce((a, b) => a * b, 1);
    await expectSameAsCpu('MaxPoolGrad', { ...inputs, input: { shape: xShape, data: tiedValues(size) } }, { filterSize, strides, pad });
  });

  it.each([
    ['2×2/2 valid', 2, 2, 'valid'],
    ['3×3/1 same', 3, 1, 'same'],
    ['2×2/1 valid', 2, 1, 'valid'],
  ] as const)('-Infinity and NaN windows give no gradient, ties go first (%s)', async (_, filterSize, strides, pad) => {
    // 4×4 image, 5 channels (one SIMD block + a tail); each channel a different mix of -Inf, NaN, ties and plain values.
    const patterns = [
      [-Infinity, -Infinity, -Infinity, -Infinity, NaN, NaN, 2, 2, NaN, NaN, 2, 2, 0, -1, NaN, 4],
      [NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, 1, 1, 1, 1, 1, 1, 1, 1],
      [-Infinity, NaN, 3, 3, NaN, -Infinity, 3, 3, 5, 5, -Infinity, NaN, 5, 5, NaN, NaN],
      [0, 0, 0, 0, 0, 0, 0, 0, -0, 0, -0, 0, 7, 7, 7, 7],
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
    ];
    const C = patterns.length;
    const data = Array.from({ length: 16 * C }, (_, i) => patterns[i % C]![Math.floor(i / C)]!);
    const info = tf.backend_util.computePool2DInfo([1, 4, 4, C], filterSize, strides, 1, pad);
    const dy = Array.from({ length: tf.util.sizeFromShape(info.outShape) }, (_, i) => i + 1);
    await expectSameAsCpu(
      'MaxPoolGrad',
      { dy: { shape: info.outShape, data: dy }, input: { shape: [1, 4, 4, C], data }, output: { shape: info.outShape } },
      { filterSize, strides, pad },
    );
  });
});

describe.each([
  ['SIMD kernel', true],
  ['stock kernel', false],
])('MaxPool (%s) matches the cpu backend', (_, simd) => {
  beforeAll(async () => {
    await selectBackend('wasm');
    setSimdKernelsEnabled(simd);
  });
  afterAll(() => setSimdKernelsEnabled(true));

  it.each(POOL_CASES)('%s', async (_, xShape, filterSize, strides, pad) => {
    await expectSameAsCpu('MaxPool', { x: { shape: xShape } }, { filterSize, strides, pad }, true);
  });
});

it('SIMD MaxPool: NaN is never the maximum and an all -Infinity/NaN window gives -Infinity, like the cpu backend', async () => {
  await selectBackend('wasm');
  const patterns = [
    [-Infinity, -Infinity, -Infinity, -Infinity, NaN, NaN, 2, 2, NaN, NaN, 2, 2, 0, -1, NaN, 4],
    [NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, 1, 1, 1, 1, 1, 1, 1, 1],
    [-Infinity, NaN, 3, 3, NaN, -Infinity, 3, 3, 5, 5, -Infinity, NaN, 5, 5, NaN, NaN],
    [NaN, 1, 2, NaN, 1, NaN, NaN, 3, 1, 2, 3, 4, 5, 6, 7, 8],
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
  ];
  const C = patterns.length;
  const data = Array.from({ length: 16 * C }, (_, i) => patterns[i % C]![Math.floor(i / C)]!);
  for (const [filterSize, strides, pad] of [[2, 2, 'valid'], [3, 1, 'same'], [2, 1, 'valid']] as const) {
    await expectSameAsCpu('MaxPool', { x: { shape: [1, 4, 4, C], data } }, { filterSize, strides, pad }, true);
  }
});

const BINARY_OPS = ['Add', 'Sub', 'Multiply', 'RealDiv', 'SquaredDifference'] as const;
const BROADCAST_CASES: [string, number[], number[]][] = [
  ['[N,H,W,16] op [16]', [4, 16, 16, 16], [16]],
  ['[N,H,W,19] op [1,1,1,19] (C not a multiple of 4)', [2, 12, 10, 19], [1, 1, 1, 19]],
  ['[N,H,W,5] op [5]', [4, 16, 13, 5], [5]],
  ['[N,H,W,2] op [1,2]', [8, 16, 16, 2], [1, 2]],
  ['[N,H,W,8] op [W,8] (period over two dims)', [4, 16, 16, 8], [16, 8]],
  ['[N,H,W,3] op [W,3]', [4, 17, 19, 3], [19, 3]],
  ['[N,C] op [C] (Dense bias)', [64, 130], [130]],
  ['size not a multiple of the period', [4099, 3], [3]],
];

describe.each([
  ['SIMD kernel', true],
  ['fallback', false],
])('broadcasting float32 binary ops (%s) match the cpu backend', (_, simd) => {
  beforeAll(async () => {
    await selectBackend('wasm');
    setSimdKernelsEnabled(simd);
  });
  afterAll(() => setSimdKernelsEnabled(true));

  it('the elementwise module loads in this engine', () => {
    const module = simdModule(tf.findBackend('wasm') as never, 'elementwise');
    if (simd) expect(module).toBeDefined();
    else expect(module).toBeUndefined();
  });

  for (const op of BINARY_OPS) {
    it.each(BROADCAST_CASES)(`${op} %s, both operand orders`, async (_, big, small) => {
      const size = small.reduce((a, b) => a * b, 1);
      // RealDiv: keep the divisor away from 0 so the comparison is about the kernel, not float blow-ups.
      const smallInput = op === 'RealDiv' ? { shape: small, data: Array.from(values(size, 5), (v) => 1.5 + v) } : { shape: small };
      const exact = op !== 'SquaredDifference';
      await expectSameAsCpu(op, { a: { shape: big }, b: smallInput }, {}, exact);
      const bigInput = op === 'RealDiv' ? { shape: big, data: Array.from(values(big.reduce((a, b) => a * b, 1), 9), (v) => 1.5 + v) } : { shape: big };
      await expectSameAsCpu(op, { a: { ...smallInput }, b: bigInput }, {}, exact);
    });
  }

  it.each([
    ['same shapes', [4, 16, 16, 8], [4, 16, 16, 8]],
    ['a scalar', [4, 16, 16, 8], []],
    ['a per-sample vector [N,1,1,C]', [4, 16, 16, 8], [4, 1, 1, 8]],
    ['[C,1] against [N,C,W] (not a trailing-dims vector)', [4, 16, 64], [16, 1]],
    ['both sides broadcast', [4, 1, 16, 8], [4, 16, 1, 8]],
    ['small tensors', [2, 3], [3]],
  ])('cases the SIMD path passes on: %s', async (_, aShape, bShape) => {
    for (const op of BINARY_OPS) {
      const size = bShape.reduce((x, y) => x * y, 1);
      const b = op === 'RealDiv' ? { shape: bShape, data: Array.from(values(size, 5), (v) => 1.5 + v) } : { shape: bShape };
      await expectSameAsCpu(op, { a: { shape: aShape }, b });
    }
  });

  it('int32 broadcasting stays int32 and exact', async () => {
    const a = Array.from({ length: 4 * 16 * 16 * 8 }, (_, i) => (i % 97) - 40);
    await expectSameAsCpu('Add', { a: { shape: [4, 16, 16, 8], dtype: 'int32', data: a }, b: { shape: [8], dtype: 'int32', data: [1, 2, 3, 4, 5, 6, 7, 8] } });
    await expectSameAsCpu('Multiply', { a: { shape: [8], dtype: 'int32', data: [1, -2, 3, 4, 5, 6, 7, 8] }, b: { shape: [4, 16, 16, 8], dtype: 'int32', data: a } });
  });

  it('NaN and ±Infinity pass through like on the cpu backend', async () => {
    const big = Array.from(values(64 * 8 * 8 * 6, 4));
    big[0] = NaN;
    big[7] = Infinity;
    big[13] = -Infinity;
    const small = [0, NaN, Infinity, -1, 0.5, -Infinity];
    for (const op of BINARY_OPS) {
      await expectSameAsCpu(op, { a: { shape: [64, 8, 8, 6], data: big }, b: { shape: [6], data: small } });
      await expectSameAsCpu(op, { a: { shape: [6], data: small }, b: { shape: [64, 8, 8, 6], data: big } });
    }
  });
});

describe.each([
  ['SIMD kernel', true],
  ['fallback', false],
])('Tile of a vector along leading axes (%s) matches the cpu backend', (_, simd) => {
  beforeAll(async () => {
    await selectBackend('wasm');
    setSimdKernelsEnabled(simd);
  });
  afterAll(() => setSimdKernelsEnabled(true));

  it.each([
    ['[1,1,1,16] to [N,H,W,16] (period in registers)', [1, 1, 1, 16], [8, 9, 7, 1], 'float32'],
    ['[1,8] (period 8)', [1, 8], [700, 1], 'float32'],
    ['[1,4] int32 (period 4)', [1, 4], [1500, 1], 'int32'],
    ['[1,1,12] (period 12, general loop)', [1, 1, 12], [40, 11, 1], 'float32'],
    ['[1,5,4] (period 20 over two dims)', [1, 5, 4], [300, 1, 1], 'float32'],
    ['[1,1,1,19] (period not a multiple of 4: block copies)', [1, 1, 1, 19], [4, 9, 7, 1], 'float32'],
    ['[2,8] repeated on its real axis (block copies)', [2, 8], [400, 1], 'float32'],
    ['[1,8] repeated on the last axis too (block copies)', [1, 8], [300, 2], 'float32'],
  ] as const)('%s', async (_, shape, reps, dtype) => {
    const size = shape.reduce((a: number, b: number) => a * b, 1);
    const data = dtype === 'int32' ? Array.from({ length: size }, (_, i) => i * 3 - 4) : undefined;
    await expectSameAsCpu('Tile', { x: { shape: [...shape], dtype, ...(data ? { data } : {}) } }, { reps: [...reps] }, true);
  });
});

describe('the SIMD kernels feed gradients', () => {
  it('a conv → BatchNorm-style normalise → relu → maxPool chain has the same gradients on wasm (SIMD) as on cpu', async () => {
    await selectBackend('wasm');
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(values(8 * 11 * 11 * 3, 21), [8, 11, 11, 3]);
        const w = tf.tensor4d(values(3 * 3 * 3 * 7, 22), [3, 3, 3, 7]);
        const bias = tf.tensor1d(values(7, 23));
        const gamma = tf.tensor1d(Array.from(values(7, 24), (v) => 1 + v / 2));
        const f = (w: tf.Tensor4D, bias: tf.Tensor1D, gamma: tf.Tensor1D) => {
          const y = tf.add(tf.conv2d(x, w, 1, 'same'), bias);
          const { mean, variance } = tf.moments(y, [0, 1, 2]);
          const z = tf.mul(tf.div(tf.sub(y, mean), tf.sqrt(tf.add(variance, 1e-3))), gamma) as tf.Tensor4D;
          return tf.mean(tf.square(tf.maxPool(tf.relu(z), 2, 2, 'same')));
        };
        const grads = tf.grads(f as (...args: tf.Tensor[]) => tf.Tensor)([w, bias, gamma]);
        return grads.map((g) => Array.from(g.dataSync()));
      });
    };
    const cpu = await run('cpu');
    const simd = await run('wasm');
    setSimdKernelsEnabled(false);
    const fallback = await run('wasm');
    setSimdKernelsEnabled(true);
    const maxDiff = (x: number[][], y: number[][]) => Math.max(...x.flatMap((g, i) => g.map((v, j) => Math.abs(v - y[i]![j]!))));
    expect(maxDiff(simd, cpu)).toBeLessThanOrEqual(1e-4);
    // The SIMD kernels change nothing but float rounding against the wasm fallback path.
    expect(maxDiff(simd, fallback)).toBeLessThanOrEqual(1e-5);
  });
});
