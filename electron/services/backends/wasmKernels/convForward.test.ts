import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../selectBackend';
import { directConvPays, directConvStats, setDirectConvEnabled, setDirectConvPackEnabled } from './convForward';
import { NATIVE_KERNELS_BUILT, useKernelBuild } from './kernelVsCpu';
import { setRelaxedSimdEnabled } from './relaxedSimd';
import { setSimdKernelsEnabled, simdModuleBuild } from './simdModules';
import { seededUniform } from '../../testing/seededUniform';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface Case { x: [number, number, number, number]; k: [number, number]; co: number; strides: [number, number]; dilations?: [number, number]; pad: Pad }

// ResNet-20's layers the direct kernel takes (1-channel stem, stride-2 3×3 and 1×1 projections; 'same' on an even size
// pads bottom/right only), batch 1, odd sizes, 'valid' and explicit asymmetric padding, stride (2, 1) and 3, a
// dilated 2-channel layer, output channels that are not multiples of 16 or 4 (the 4-wide and single-channel tiles),
// 1×1 stride 1 and a 1×1 image (every pixel on the edge path).
const CASES: Case[] = [
  { x: [1, 28, 28, 1], k: [3, 3], co: 16, strides: [1, 1], pad: 'same' },
  // One input channel, 3x3 (the kernel's specialised stem): strided, unpadded, output channels 16 + 4 + 1.
  { x: [2, 9, 10, 1], k: [3, 3], co: 21, strides: [2, 1], pad: 'valid' },
  { x: [2, 6, 5, 1], k: [3, 3], co: 5, strides: [1, 1], pad: [[0, 0], [2, 0], [1, 2], [0, 0]] },
  { x: [2, 28, 28, 16], k: [3, 3], co: 32, strides: [2, 2], pad: 'same' },
  { x: [2, 14, 14, 32], k: [1, 1], co: 64, strides: [2, 2], pad: 'same' },
  { x: [3, 7, 9, 6], k: [3, 3], co: 21, strides: [2, 2], pad: 'same' },
  { x: [2, 9, 7, 17], k: [3, 2], co: 5, strides: [2, 1], pad: 'valid' },
  { x: [1, 10, 11, 3], k: [3, 3], co: 16, strides: [3, 3], pad: [[0, 0], [2, 1], [0, 2], [0, 0]] },
  { x: [2, 5, 6, 3], k: [1, 1], co: 7, strides: [1, 1], pad: 'same' },
  { x: [2, 9, 8, 2], k: [3, 3], co: 20, strides: [1, 1], dilations: [2, 2], pad: 'same' },
  { x: [1, 1, 1, 16], k: [3, 3], co: 4, strides: [2, 2], pad: 'same' },
  // Packed filter strips (co >= 16) next to in-place 4-wide tails, odd sizes; input channels past a 16-wide strip
  // for the gradients' direct kernels (20: 4 left, 24: 8), wide asymmetric padding, stride 3 across.
  { x: [2, 14, 14, 32], k: [3, 3], co: 64, strides: [2, 2], pad: 'same' },
  { x: [2, 11, 10, 24], k: [3, 3], co: 40, strides: [2, 2], pad: 'same' },
  { x: [1, 9, 9, 20], k: [3, 3], co: 48, strides: [2, 3], pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { x: [2, 7, 9, 16], k: [1, 1], co: 36, strides: [2, 2], pad: 'valid' },
];

const label = (c: Case) =>
  `x=${c.x} k=${c.k} co=${c.co} strides=${c.strides} dilations=${c.dilations ?? [1, 1]} pad=${typeof c.pad === 'string' ? c.pad : 'explicit'}`;

/** Fused conv (bias + ReLU), plain conv, and the forward inside tf.grads with both gradients (no dilation), on one backend. */
function run(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(seededUniform(c.x.reduce((a, b) => a * b, 1), 21), c.x);
    const w = tf.tensor4d(seededUniform(c.k[0] * c.k[1] * c.x[3] * c.co, 22), [c.k[0], c.k[1], c.x[3], c.co]);
    const b = tf.tensor1d(seededUniform(c.co, 23));
    const dilations = c.dilations ?? [1, 1];
    const fused = tf.fused.conv2d({ x, filter: w, bias: b, strides: c.strides, pad: c.pad, dilations, activation: 'relu' });
    const plain = tf.conv2d(x, w, c.strides, c.pad, 'NHWC', dilations);
    // tfjs' Conv2D gradient refuses dilations (dilatedConvTraining.ts handles those): forwards only.
    if (c.dilations) return [fused, plain].map((t) => Float32Array.from(t.dataSync()));
    const dy = tf.tensor(seededUniform(plain.size, 24), plain.shape);
    const [gx, gw] = tf.grads((a: tf.Tensor, f: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad, 'NHWC', dilations), dy)))([x, w]);
    return [fused, plain, gx!, gw!].map((t) => Float32Array.from(t.dataSync()));
  });
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
  return max;
}

describe('direct SIMD forward convolution (conv2d_forward) on wasm matches the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => {
    setDirectConvEnabled(true);
    setDirectConvPackEnabled(true);
    setSimdKernelsEnabled(true);
    setRelaxedSimdEnabled(undefined);
  });

  // The kernel from conv2d.wasm (multiply, add) and conv2d.relaxed.wasm (fused multiply-add), the relaxed one reading
  // the filter in place (no packed strips), XNNPACK with the kernel off, and no SIMD modules at all.
  // And the native build of the same kernel where it is built (native/nativeKernels.ts).
  const paths = [
    'plain build', 'relaxed build', 'relaxed build, filter in place', ...(NATIVE_KERNELS_BUILT ? (['native build'] as const) : []),
    'direct kernel off', 'no SIMD modules',
  ] as const;
  for (const path of paths) {
    it.each(CASES.map((c) => [label(c), c] as const))(`${path}: %s`, async (_, c) => {
      await tf.setBackend('cpu');
      const expected = run(c);
      await tf.setBackend('wasm');
      const kernel = path === 'plain build' || path === 'native build' || path.startsWith('relaxed build');
      setDirectConvEnabled(path !== 'direct kernel off');
      setDirectConvPackEnabled(path !== 'relaxed build, filter in place');
      setSimdKernelsEnabled(path !== 'no SIMD modules');
      if (kernel) {
        const build = path === 'plain build' ? 'plain' : path === 'native build' ? 'native' : 'relaxed';
        useKernelBuild(build);
        expect(simdModuleBuild(tf.backend() as BackendWasm, 'conv2d')).toBe(build);
      }
      const before = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
      const calls = directConvStats.calls;
      const packed = directConvStats.packed;
      const got = run(c);
      expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(before);
      // Fused forward, plain forward and the forward inside tf.grads ran on the kernel (and only when it is on).
      expect(directConvPays([...c.k, c.x[3], c.co], c.strides)).toBe(true);
      const runs = kernel ? (c.dilations ? 2 : 3) : 0;
      expect(directConvStats.calls - calls).toBe(runs);
      // Packed strips for >= 16 output channels, except 1×1 filters and the one-channel 3×3 stem the kernel specialises.
      const stem = c.x[3] === 1 && c.k[0] === 3 && c.k[1] === 3 && !c.dilations;
      const packs = c.co >= 16 && !stem && c.k[0] * c.k[1] > 1 && path !== 'relaxed build, filter in place';
      expect(directConvStats.packed - packed).toBe(packs ? runs : 0);
      expected.forEach((values, i) => expect(maxRelDiff(values, got[i]!), `output ${i}`).toBeLessThanOrEqual(1e-4));
    });
  }

  it('takes strided, 1×1 and < 4-channel layers and leaves stride-1 3×3 ones to Winograd/XNNPACK', () => {
    expect(directConvPays([3, 3, 16, 32], [2, 2])).toBe(true);
    expect(directConvPays([1, 1, 16, 16], [1, 1])).toBe(true);
    expect(directConvPays([3, 3, 1, 16], [1, 1])).toBe(true);
    expect(directConvPays([3, 3, 16, 16], [1, 1])).toBe(false);
    expect(directConvPays([5, 5, 8, 16], [1, 1])).toBe(false);
  });
});
