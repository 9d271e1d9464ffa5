import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KERNEL_BUILDS, useKernelBuild } from './kernelVsCpu';
import { setRelaxedSimdEnabled } from './relaxedSimd';
import { setSimdKernelsEnabled, simdModuleBuild } from './simdModules';
import { setWinogradEnabled, setWinogradF4, setWinogradF4Small, winogradF4Pays, winogradF4SmallApplies, winogradStats } from './winogradConv2D';
import { seededUniform } from '../../testing/seededUniform';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

const values = (n: number, seed: number): Float32Array => seededUniform(n, seed);

interface Case { x: [number, number, number, number]; co: number; pad: Pad; relu: boolean }

// Odd and even sizes (partial 2×2 tiles at the bottom/right edge, an odd number of tiles per row), 'same', 'valid'
// and explicit padding, 4/8/16/32 channels, with and without bias/ReLU — the shapes Winograd takes.
const CASES: Case[] = [
  { x: [2, 28, 28, 16], co: 16, pad: 'same', relu: false },
  { x: [3, 7, 9, 4], co: 16, pad: 'same', relu: true },
  { x: [2, 8, 5, 8], co: 32, pad: 'valid', relu: false },
  { x: [1, 6, 7, 16], co: 16, pad: [[0, 0], [2, 0], [0, 1], [0, 0]], relu: true },
  { x: [1, 1, 1, 4], co: 16, pad: 'same', relu: false },
  { x: [2, 3, 3, 32], co: 48, pad: 'valid', relu: false },
];

function label(c: Case): string {
  return `x=${c.x} co=${c.co} pad=${typeof c.pad === 'string' ? c.pad : 'explicit'} relu=${c.relu}`;
}

/** Forward (fused conv with bias/activation) and both gradients, on one backend. */
function run(c: Case, bias: boolean): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.x.reduce((a, b) => a * b, 1), 11), c.x);
    const w = tf.tensor4d(values(9 * c.x[3] * c.co, 12), [3, 3, c.x[3], c.co]);
    const b = bias ? tf.tensor1d(values(c.co, 13)) : undefined;
    const y = tf.fused.conv2d({ x, filter: w, bias: b, strides: 1, pad: c.pad, activation: c.relu ? 'relu' : 'linear' });
    const plain = tf.conv2d(x, w, 1, c.pad);
    const dy = tf.tensor(values(plain.size, 14), plain.shape);
    // The input gradient goes through Conv2DBackpropInput, which runs a stride-1 convolution with the flipped filter.
    const [gx, gw] = tf.grads((a: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, f as tf.Tensor4D, 1, c.pad), dy)))([x, w]);
    return [y, plain, gx!, gw!].map((t) => Float32Array.from(t.dataSync()));
  });
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
  return max;
}

describe('Winograd F(2×2,3×3) convolutions on wasm match the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  // Winograd on winograd.wasm (multiply, add) and winograd.relaxed.wasm (fused multiply-add), and XNNPACK's path.
  for (const [winograd, build] of [...KERNEL_BUILDS.map((b) => [true, b] as const), [false, undefined] as const]) {
    it.each(CASES.map((c) => [label(c), c] as const))(`${winograd ? `Winograd (${build} build)` : 'stock path'}: %s`, async (_, c) => {
      await tf.setBackend('cpu');
      const expected = run(c, true);
      await tf.setBackend('wasm');
      setWinogradEnabled(winograd);
      setWinogradF4('never');
      if (build) useKernelBuild(build);
      try {
        if (build) expect(simdModuleBuild(tf.backend() as BackendWasm, 'winograd')).toBe(build);
        const before = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
        const calls = winogradStats.calls;
        const got = run(c, true);
        expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(before); // scratch freed
        // Forward with bias, forward without, the forward inside tf.grads and (16 input channels) the input gradient.
        expect(winogradStats.calls - calls).toBe(winograd ? (c.x[3] % 16 === 0 ? 4 : 3) : 0);
        expected.forEach((values, i) => expect(maxRelDiff(values, got[i]!), `output ${i}`).toBeLessThanOrEqual(1e-4));
      } finally {
        setWinogradEnabled(true);
        setWinogradF4('auto');
        setRelaxedSimdEnabled(undefined);
      }
    });
  }

  it('agrees with XNNPACK (SIMD modules off) on the bench CNN layer', async () => {
    await tf.setBackend('wasm');
    // With the SIMD modules off the same shapes take XNNPACK: the two paths must agree too.
    const c = CASES[0]!;
    const withWinograd = run(c, false);
    setSimdKernelsEnabled(false);
    try {
      const without = run(c, false);
      withWinograd.forEach((values, i) => expect(maxRelDiff(values, without[i]!), `output ${i}`).toBeLessThanOrEqual(1e-4));
    } finally {
      setSimdKernelsEnabled(true);
    }
  });
});

// F(4×4,3×3): 6×6 input tiles with larger transform coefficients, so the rounding is worse than F(2×2)'s; these are
// the shapes it is chosen for (ResNet-20's and the bench CNN's 3×3 layers) and edge cases: odd sizes (partial 4×4
// tiles, tiles per row not a multiple of the chunk), every padding, 4–64 channels, bias + ReLU, input gradient.
const F4_CASES: Case[] = [
  { x: [2, 28, 28, 16], co: 16, pad: 'same', relu: true },
  { x: [2, 14, 14, 32], co: 32, pad: 'same', relu: false },
  { x: [3, 7, 7, 64], co: 64, pad: 'same', relu: true },
  { x: [1, 13, 11, 16], co: 32, pad: 'valid', relu: false },
  { x: [3, 9, 10, 4], co: 16, pad: 'same', relu: true },
  { x: [1, 6, 7, 16], co: 16, pad: [[0, 0], [2, 0], [0, 1], [0, 0]], relu: true },
  { x: [1, 1, 1, 4], co: 16, pad: 'same', relu: false },
  { x: [2, 5, 6, 64], co: 32, pad: 'valid', relu: false },
  // 16 → 16 and 32 → 32 take winograd_conv3x3_f4_small (zero-padded band of input rows): odd sizes, partial tiles,
  // asymmetric and 'valid' padding, a tile row narrower than a tile, chunks (16 tiles) starting mid tile row.
  { x: [3, 11, 13, 16], co: 16, pad: [[0, 0], [2, 0], [0, 1], [0, 0]], relu: true },
  { x: [2, 9, 7, 32], co: 32, pad: 'valid', relu: false },
  { x: [5, 6, 5, 16], co: 16, pad: 'same', relu: false },
  { x: [1, 4, 17, 32], co: 32, pad: [[0, 0], [1, 2], [3, 0], [0, 0]], relu: true },
];

describe('Winograd F(4×4,3×3) convolutions on wasm match the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  // small: winograd_conv3x3_f4_small where it has an instance (16 → 16, 32 → 32), off = NB_WINOGRAD_F4_SMALL=0.
  for (const [build, small] of [true, false].flatMap((s) => KERNEL_BUILDS.map((build) => [build, s] as const))) {
    it.each(F4_CASES.map((c) => [label(c), c] as const))(`F(4×4) (${build} build, small kernel ${small ? 'on' : 'off'}): %s`, async (_, c) => {
      await tf.setBackend('cpu');
      const expected = run(c, true);
      await tf.setBackend('wasm');
      setWinogradF4('always');
      setWinogradF4Small(small);
      useKernelBuild(build);
      try {
        expect(simdModuleBuild(tf.backend() as BackendWasm, 'winograd')).toBe(build);
        const before = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
        const calls = winogradStats.calls;
        const f4 = winogradStats.f4Calls;
        const f4Small = winogradStats.f4SmallCalls;
        const got = run(c, true);
        expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(before); // scratch freed
        // Forward with bias, forward without, the forward inside tf.grads and (16+ input channels) the input gradient.
        const n = c.x[3] % 16 === 0 ? 4 : 3;
        expect(winogradStats.calls - calls).toBe(n);
        expect(winogradStats.f4Calls - f4).toBe(n);
        expect(winogradStats.f4SmallCalls - f4Small).toBe(small && winogradF4SmallApplies(c.x[3], c.co) ? n : 0);
        expected.forEach((values, i) => expect(maxRelDiff(values, got[i]!), `output ${i}`).toBeLessThanOrEqual(1e-4));
      } finally {
        setWinogradF4('auto');
        setWinogradF4Small(true);
        setRelaxedSimdEnabled(undefined);
      }
    });
  }

  it('small-channel kernel gives the same bits as winograd_conv3x3_f4 (same arithmetic, rearranged)', async () => {
    await tf.setBackend('wasm');
    setWinogradF4('always');
    try {
      for (const c of F4_CASES.filter((k) => winogradF4SmallApplies(k.x[3], k.co))) {
        setWinogradF4Small(true);
        const small = run(c, true);
        setWinogradF4Small(false);
        const general = run(c, true);
        small.forEach((values, i) => expect(values, `${label(c)} output ${i}`).toEqual(general[i]));
      }
    } finally {
      setWinogradF4('auto');
      setWinogradF4Small(true);
    }
  });

  it('is chosen per layer: F(4×4) for the ResNet-20 and bench CNN 3×3 layers, F(2×2) for tiny maps and wide sums', async () => {
    await tf.setBackend('wasm');
    const layers: [[number, number, number, number], number, boolean][] = [
      [[1, 28, 28, 16], 16, true],
      [[1, 14, 14, 32], 32, true],
      [[1, 7, 7, 64], 64, true],
      [[1, 3, 3, 16], 16, false],
      [[1, 7, 7, 128], 128, false],
    ];
    const conv = (x: [number, number, number, number], co: number) =>
      tf.tidy(() => void tf.conv2d(tf.zeros(x) as tf.Tensor4D, tf.zeros([3, 3, x[3], co]) as tf.Tensor4D, 1, 'same'));
    for (const [x, co, f4] of layers) {
      const calls = winogradStats.calls;
      const f4Calls = winogradStats.f4Calls;
      conv(x, co);
      expect(winogradStats.calls - calls, `${x}`).toBe(1);
      expect(winogradStats.f4Calls - f4Calls, `${x}`).toBe(f4 ? 1 : 0);
      expect(winogradF4Pays(x[1], x[2], x[3])).toBe(f4);
    }
    setWinogradF4('never'); // what NB_WINOGRAD_F4=0 sets
    try {
      const f4Calls = winogradStats.f4Calls;
      conv([1, 28, 28, 16], 16);
      expect(winogradStats.f4Calls - f4Calls).toBe(0);
    } finally {
      setWinogradF4('auto');
    }
  });
});
