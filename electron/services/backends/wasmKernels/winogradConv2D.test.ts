import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { setRelaxedSimdEnabled } from './relaxedSimd';
import { setSimdKernelsEnabled, simdModuleBuild } from './simdModules';
import { setWinogradEnabled, winogradStats } from './winogradConv2D';
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
  for (const [winograd, build] of [[true, 'plain'], [true, 'relaxed'], [false, undefined]] as const) {
    it.each(CASES.map((c) => [label(c), c] as const))(`${winograd ? `Winograd (${build} build)` : 'stock path'}: %s`, async (_, c) => {
      await tf.setBackend('cpu');
      const expected = run(c, true);
      await tf.setBackend('wasm');
      setWinogradEnabled(winograd);
      if (build) setRelaxedSimdEnabled(build === 'relaxed');
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
