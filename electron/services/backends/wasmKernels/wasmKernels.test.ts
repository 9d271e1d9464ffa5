import * as tf from '@tensorflow/tfjs-core';
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { compareKernelWithCpu, type KernelInput, KERNEL_BUILDS, useKernelBuild } from './kernelVsCpu';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { setRelaxedSimdEnabled } from './relaxedSimd';
import { setSimdKernelsEnabled, simdModule, simdModuleBuild } from './simdModules';
import { seededUniform } from '../../testing/seededUniform';

const values = (n: number, seed: number): Float32Array => seededUniform(n, seed);

/** Same shape, dtype and values as the cpu backend (≤ 1e-4), and no intermediate left behind by the wasm kernel. */
async function expectSameAsCpu(kernel: string, inputs: Record<string, KernelInput>, attrs: object): Promise<void> {
  const r = await compareKernelWithCpu(kernel, inputs, attrs, 7);
  expect(r.wasm).toEqual(r.cpu);
  expect(r.nanMismatches).toBe(0);
  expect(r.maxDiff).toBeLessThanOrEqual(1e-4);
  expect(r.leakedDataIds).toBe(0);
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const EXPLICIT: Pad = [[0, 0], [1, 2], [0, 1], [0, 0]];

interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  outChannels: number;
  strides: [number, number];
  pad: Pad;
}

const CONV_CASES: ConvCase[] = [];
// Channel counts cover both Conv2DBackpropFilter strategies: im2col (KH·KW·Ci ≤ 27) and the XNNPACK-conv trick.
for (const x of [[2, 7, 7, 3], [3, 6, 5, 1], [1, 9, 8, 4], [2, 6, 7, 5]] as [number, number, number, number][]) {
  for (const strides of [[1, 1], [2, 2], [1, 2]] as [number, number][]) {
    for (const pad of ['same', 'valid', EXPLICIT] as Pad[]) {
      CONV_CASES.push({ x, k: x[3] === 4 ? [2, 3] : [3, 3], outChannels: x[3] === 1 ? 2 : 5, strides, pad });
    }
  }
}

function label(c: ConvCase): string {
  return `x=${c.x} k=${c.k} co=${c.outChannels} s=${c.strides} pad=${typeof c.pad === 'string' ? c.pad : 'explicit'}`;
}

function convOutShape(c: ConvCase, channels: number, dilations: [number, number] = [1, 1]): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, [c.k[0], c.k[1], c.x[3], channels], c.strides, dilations, c.pad);
  return info.outShape;
}

describe('extra wasm kernels match the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each(CONV_CASES.map((c) => [label(c), c] as const))('Conv2DBackpropFilter %s', async (_, c) => {
    await expectSameAsCpu(
      'Conv2DBackpropFilter',
      { x: { shape: c.x }, dy: { shape: convOutShape(c, c.outChannels) } },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k[0], c.k[1], c.x[3], c.outChannels] },
    );
  });

  // Channel counts that exercise every tile of the SIMD kernel (4×8 main tiles, channel tails, the 1-channel 16-wide
  // path, a scalar co tail); each case runs on the SIMD kernel and on the composed fallback.
  const wideCases: [string, ConvCase][] = [];
  for (const [x, co] of [[[2, 8, 9, 8], 16], [[1, 7, 6, 6], 12], [[2, 6, 6, 1], 16], [[1, 5, 7, 5], 19]] as [ConvCase['x'], number][]) {
    for (const [strides, pad] of [[[1, 1], 'same'], [[2, 2], 'valid'], [[1, 2], EXPLICIT]] as [[number, number], Pad][]) {
      const c: ConvCase = { x, k: [3, 3], outChannels: co, strides, pad };
      wideCases.push([label(c), c]);
    }
  }
  it('the SIMD conv2d module loads in this engine', () => {
    expect(simdModule(tf.findBackend('wasm') as never, 'conv2d')).toBeDefined();
  });
  // The SIMD kernel from conv2d.wasm (multiply, add) and conv2d.relaxed.wasm (fused multiply-add), and the fallback.
  for (const [simd, build] of [...KERNEL_BUILDS.map((b) => [true, b] as const), [false, undefined] as const]) {
    it.each(wideCases)(`Conv2DBackpropFilter (${simd ? `SIMD kernel, ${build} build` : 'composed fallback'}) %s`, async (_, c) => {
      setSimdKernelsEnabled(simd);
      useKernelBuild(build);
      try {
        expect(simdModuleBuild(tf.findBackend('wasm') as BackendWasm, 'conv2d')).toBe(build);
        await expectSameAsCpu(
          'Conv2DBackpropFilter',
          { x: { shape: c.x }, dy: { shape: convOutShape(c, c.outChannels) } },
          { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: [3, 3, c.x[3], c.outChannels] },
        );
      } finally {
        setSimdKernelsEnabled(true);
        setRelaxedSimdEnabled(undefined);
      }
    });
  }

  it.each(CONV_CASES.map((c) => [label(c), c] as const))('Conv2DBackpropInput %s', async (_, c) => {
    await expectSameAsCpu(
      'Conv2DBackpropInput',
      { dy: { shape: convOutShape(c, c.outChannels) }, filter: { shape: [c.k[0], c.k[1], c.x[3], c.outChannels] } },
      { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
    );
  });

  const depthwiseCases: [string, ConvCase, number][] = [];
  const dilatedCases: [string, ConvCase, number][] = [];
  for (const c of CONV_CASES) {
    if (c.strides[0] !== c.strides[1]) continue; // depthwise needs equal strides
    for (const mult of [1, 2]) {
      depthwiseCases.push([`${label(c)} m=${mult}`, c, mult]);
      // tfjs: either strides or dilations must be 1.
      if (c.strides[0] === 1) dilatedCases.push([`${label(c)} d=2 m=${mult}`, c, mult]);
    }
  }

  it.each(depthwiseCases)('DepthwiseConv2dNativeBackpropFilter %s', async (_, c, mult) => {
    const dyShape = convOutShape(c, c.x[3] * mult);
    await expectSameAsCpu(
      'DepthwiseConv2dNativeBackpropFilter',
      { x: { shape: c.x }, dy: { shape: dyShape } },
      { strides: c.strides, dilations: [1, 1], pad: c.pad, filterShape: [c.k[0], c.k[1], c.x[3], mult] },
    );
  });

  it.each(depthwiseCases)('DepthwiseConv2dNativeBackpropInput %s', async (_, c, mult) => {
    const dyShape = convOutShape(c, c.x[3] * mult);
    await expectSameAsCpu(
      'DepthwiseConv2dNativeBackpropInput',
      { dy: { shape: dyShape }, filter: { shape: [c.k[0], c.k[1], c.x[3], mult] } },
      { strides: c.strides, dilations: [1, 1], pad: c.pad, inputShape: c.x },
    );
  });

  // tfjs' cpu kernels ignore dilations (tfjs-core never asks for dilated depthwise gradients), so dilated backprops
  // are checked against the cpu FORWARD op through the adjoint identities
  //   Σ dW ⊙ V = Σ dy ⊙ depthwise(x, V)      and      Σ dx ⊙ U = Σ dy ⊙ depthwise(U, W).
  it.each(dilatedCases)('dilated depthwise backprops satisfy the adjoint identity with the cpu forward op: %s', async (_, c, mult) => {
    const dilations: [number, number] = [2, 2];
    const fShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], mult];
    const dyShape = convOutShape(c, c.x[3] * mult, dilations);
    const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
    const x = values(size(c.x), 11);
    const u = values(size(c.x), 12);
    const w = values(size(fShape), 13);
    const v = values(size(fShape), 14);
    const dy = values(size(dyShape), 15);
    const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
      let sum = 0;
      for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
      return sum;
    };
    await tf.setBackend('cpu');
    const forward = (input: Float32Array, filter: Float32Array): Float32Array =>
      tf.tidy(() =>
        Float32Array.from(
          tf.depthwiseConv2d(tf.tensor4d(input, c.x), tf.tensor4d(filter, fShape), c.strides, c.pad, 'NHWC', dilations).dataSync(),
        ),
      );
    const expectFilter = dot(dy, forward(x, v));
    const expectInput = dot(dy, forward(u, w));
    await tf.setBackend('wasm');
    const attrs = { strides: c.strides, dilations, pad: c.pad };
    const dW = tf.tidy(() =>
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor(x, c.x), dy: tf.tensor(dy, dyShape) }, {
        ...attrs,
        filterShape: fShape,
      } as unknown as NamedAttrMap) as tf.Tensor,
    );
    const dX = tf.tidy(() =>
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor(dy, dyShape), filter: tf.tensor(w, fShape) }, {
        ...attrs,
        inputShape: c.x,
      } as unknown as NamedAttrMap) as tf.Tensor,
    );
    expect(Math.abs(dot(dW.dataSync(), v) - expectFilter)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expectFilter)));
    expect(Math.abs(dot(dX.dataSync(), u) - expectInput)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expectInput)));
    tf.dispose([dW, dX]);
  });

  it.each([
    ['1-D ids over rows', [6, 3], [6], [0, 2, 2, 4, 0, 1], 5],
    ['rows of an embedding table', [6, 4], [6], [1, 0, 3, 3, 3, 1], 4],
    ['out-of-range ids are dropped', [4, 2], [4], [0, -1, 7, 1], 3],
  ] as const)('UnsortedSegmentSum %s', async (_, xShape, idsShape, ids, numSegments) => {
    await expectSameAsCpu(
      'UnsortedSegmentSum',
      { x: { shape: [...xShape] }, segmentIds: { shape: [...idsShape], dtype: 'int32', data: ids } },
      { numSegments },
    );
  });

  it('gradients of a conv → depthwise → embedding chain match cpu through tf.grads', async () => {
    const run = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(values(2 * 8 * 8 * 3, 1), [2, 8, 8, 3]);
        const w = tf.tensor4d(values(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
        const dw = tf.tensor4d(values(3 * 3 * 4 * 2, 3), [3, 3, 4, 2]);
        const table = tf.tensor2d(values(10 * 4, 4), [10, 4]);
        const ids = tf.tensor1d([1, 3, 3, 9], 'int32');
        const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, t: tf.Tensor): tf.Scalar => {
          const y = tf.depthwiseConv2d(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')), c as tf.Tensor4D, 1, 'valid');
          return tf.add(tf.sum(tf.square(y)), tf.sum(tf.gather(t, ids)));
        };
        return tf.grads(f)([x, w, dw, table]).map((g) => Float32Array.from(g.dataSync()));
      });
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    cpu.forEach((g, i) => {
      const other = wasm[i] as Float32Array;
      let maxDiff = 0;
      for (let j = 0; j < g.length; j++) maxDiff = Math.max(maxDiff, Math.abs((g[j] as number) - (other[j] as number)));
      expect(maxDiff, `gradient ${i}`).toBeLessThanOrEqual(1e-3);
    });
  });
});

describe('faster replacements of stock wasm kernels match the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each([
    ['a·b', [5, 7], [7, 3], false, false],
    ['aᵀ·b (Dense dW)', [7, 5], [7, 3], true, false],
    ['a·bᵀ (Dense dx)', [5, 7], [3, 7], false, true],
    ['aᵀ·bᵀ', [7, 5], [3, 7], true, true],
    ['batched aᵀ·b', [2, 7, 5], [2, 7, 3], true, false],
    ['batched a·bᵀ, broadcast b', [3, 4, 6], [1, 5, 6], false, true],
  ] as const)('BatchMatMul %s', async (_, aShape, bShape, transposeA, transposeB) => {
    await expectSameAsCpu('BatchMatMul', { a: { shape: [...aShape] }, b: { shape: [...bShape] } }, { transposeA, transposeB });
  });

  it.each([
    ['per-channel vector to activation size (BatchNorm grad)', [1, 1, 1, 5], [4, 3, 7, 1], 'float32'],
    ['every dim repeated', [2, 3, 4], [3, 1, 2], 'float32'],
    ['1-D', [5], [4], 'float32'],
    ['int32', [2, 3], [2, 2], 'int32'],
    ['zero reps', [2, 3], [0, 2], 'float32'],
  ] as const)('Tile %s', async (_, shape, reps, dtype) => {
    const size = shape.reduce((a: number, b: number) => a * b, 1);
    const data = dtype === 'int32' ? Array.from({ length: size }, (_, i) => i * 3 - 4) : undefined;
    await expectSameAsCpu('Tile', { x: { shape: [...shape], dtype, ...(data ? { data } : {}) } }, { reps: [...reps] });
  });

  const poolCases: [string, number[], number | [number, number], number | [number, number], 'same' | 'valid'][] = [
    ['2×2 stride 2 valid, odd size', [2, 7, 7, 3], 2, 2, 'valid'],
    ['2×2 stride 2 valid, even size (register fast path)', [3, 8, 6, 16], 2, 2, 'valid'],
    ['2×2 stride 2 same, odd size', [2, 7, 5, 3], 2, 2, 'same'],
    ['3×3 stride 1 same (overlapping windows)', [1, 6, 6, 4], 3, 1, 'same'],
    ['3×2 stride [2,1] valid', [3, 8, 5, 2], [3, 2], [2, 1], 'valid'],
  ];
  it.each(poolCases)('MaxPoolGrad %s', async (_, xShape, filterSize, strides, pad) => {
    const info = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], filterSize, strides, 1, pad);
    // The kernel only reads dy and the pool input; `output` is passed for API parity with tfjs' MaxPoolGrad.
    await expectSameAsCpu(
      'MaxPoolGrad',
      { dy: { shape: info.outShape }, input: { shape: xShape }, output: { shape: info.outShape } },
      { filterSize, strides, pad },
    );
  });

  it('MaxPoolGrad sends a tie to the first maximum, like the cpu backend', async () => {
    const data = [1, 5, 5, 2, 0, 0, 3, 3, 7, 7, 7, 7, 1, 1, 1, 1];
    await expectSameAsCpu(
      'MaxPoolGrad',
      { dy: { shape: [1, 2, 2, 1], data: [1, 2, 3, 4] }, input: { shape: [1, 4, 4, 1], data }, output: { shape: [1, 2, 2, 1] } },
      { filterSize: 2, strides: 2, pad: 'valid' },
    );
  });

  it('MaxPoolGrad 2×2 fast path: -Infinity and NaN windows give no gradient, ties go first, like the cpu backend', async () => {
    const data = [-Infinity, -Infinity, -Infinity, -Infinity, NaN, NaN, 2, 2, NaN, NaN, 2, 2, 0, -1, NaN, 4];
    await expectSameAsCpu(
      'MaxPoolGrad',
      { dy: { shape: [1, 2, 2, 1], data: [1, 2, 3, 4] }, input: { shape: [1, 4, 4, 1], data }, output: { shape: [1, 2, 2, 1] } },
      { filterSize: 2, strides: 2, pad: 'valid' },
    );
  });

  // Big enough (≥ 2^14 elements) to take the tile-then-same-shape path; the small case checks the stock path.
  it.each([
    ['[N,H,W,C] with [C]', [4, 16, 16, 8], [8]],
    ['[C] with [N,H,W,C] (small operand first)', [8], [4, 16, 16, 8]],
    ['[N,H,W,C] with [1,1,1,C]', [4, 16, 16, 8], [1, 1, 1, 8]],
    ['[N,H,W,C] with [N,1,1,C]', [4, 16, 16, 8], [4, 1, 1, 8]],
    ['[N,H,W,C] with a scalar (stock path)', [4, 16, 16, 8], []],
    ['[N,C] with [C] (stock path)', [256, 128], [128]],
    ['both sides broadcast (stock path)', [4, 1, 16, 8], [4, 16, 1, 8]],
    ['small tensors (stock path)', [2, 3], [3]],
  ] as const)('broadcasting Add/Sub/Multiply/RealDiv/SquaredDifference %s', async (_, aShape, bShape) => {
    for (const kernel of ['Add', 'Sub', 'Multiply', 'RealDiv', 'SquaredDifference']) {
      // RealDiv: keep the divisor away from 0 so the comparison is about the kernel, not float blow-ups.
      const size = bShape.reduce((x: number, y: number) => x * y, 1);
      const b = kernel === 'RealDiv' ? { shape: [...bShape], data: Array.from(values(size, 5), (v) => 1.5 + v) } : { shape: [...bShape] };
      await expectSameAsCpu(kernel, { a: { shape: [...aShape] }, b }, {});
    }
  });

  it('broadcasting int32 Add stays int32 and exact', async () => {
    const a = Array.from({ length: 4 * 16 * 16 * 8 }, (_, i) => (i % 97) - 40);
    await expectSameAsCpu('Add', { a: { shape: [4, 16, 16, 8], dtype: 'int32', data: a }, b: { shape: [8], dtype: 'int32', data: [1, 2, 3, 4, 5, 6, 7, 8] } }, {});
  });

  it('Identity shares the buffer (no copy) and survives disposing the source', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const ids = backend.numDataIds();
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x); // runs the Identity kernel
    expect(backend.numDataIds()).toBe(ids + 1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(backend.numDataIds()).toBe(ids);
  });

  it('Cast to the same dtype shares the buffer (no copy) and survives disposing the source', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const ids = backend.numDataIds();
    const x = tf.tensor([1.5, -2, 3, 4], [2, 2]);
    const y = tf.engine().runKernel('Cast', { x }, { dtype: 'float32' }) as tf.Tensor;
    expect(backend.numDataIds()).toBe(ids + 1);
    x.dispose();
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.dataSync())).toEqual([1.5, -2, 3, 4]);
    y.dispose();
    expect(backend.numDataIds()).toBe(ids);
  });

  it.each([
    ['float32 → int32', 'float32', 'int32', [1.7, -2.2, 3, 0]],
    ['int32 → float32', 'int32', 'float32', [1, -2, 3, 0]],
    ['bool → float32', 'bool', 'float32', [1, 0, 1, 1]],
  ] as const)('Cast %s converts like the cpu backend', async (_, from, to, data) => {
    await expectSameAsCpu('Cast', { x: { shape: [2, 2], dtype: from as 'float32', data: [...data] } }, { dtype: to });
  });

  it.each([
    ['conv activation, [C] statistics', [4, 7, 5, 6], [6], true, true],
    ['dense activation, no offset', [8, 10], [10], false, true],
    ['no scale', [2, 3, 3, 4], [4], true, false],
    ['scalar statistics', [3, 5], [1], true, true],
    ['non-channel statistics (stock path)', [2, 3, 4], [3, 1], true, true],
  ] as const)('FusedBatchNorm %s', async (_, xShape, statShape, withOffset, withScale) => {
    const size = statShape.reduce((a: number, b: number) => a * b, 1);
    const positive = Array.from(values(size, 21), (v) => 0.5 + Math.abs(v));
    const inputs: Record<string, KernelInput> = { x: { shape: [...xShape] }, mean: { shape: [...statShape] }, variance: { shape: [...statShape], data: positive } };
    if (withOffset) inputs.offset = { shape: [...statShape] };
    if (withScale) inputs.scale = { shape: [...statShape] };
    await expectSameAsCpu('FusedBatchNorm', inputs, { varianceEpsilon: 1e-3 });
  });

  it.each([
    ['conv activation over batch×height×width', [4, 8, 8, 16], [0, 1, 2], false],
    ['same with keepDims', [4, 8, 8, 16], [0, 1, 2], true],
    ['negative axes, unsorted', [4, 8, 8, 16], [-2, 0, 1], false],
    ['leading two of three', [32, 32, 17], [0, 1], false],
    ['dense rows', [1024, 20], [0], false],
    ['trailing axes (stock path)', [4, 8, 8, 16], [1, 2], false],
    ['small tensor (stock path)', [3, 4], [0], false],
  ] as const)('Sum and Mean over leading axes: %s', async (_, shape, axis, keepDims) => {
    for (const kernel of ['Sum', 'Mean']) {
      await expectSameAsCpu(kernel, { x: { shape: [...shape] } }, { axis: [...axis], keepDims });
    }
  });
});
