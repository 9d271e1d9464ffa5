import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { seededUniform } from '../../testing/seededUniform';
import { NB_RELU_GRAD, reluGradStats } from './reluGrad';
import { setSimdKernelsEnabled } from './simdModules';

/** x with the values ReLU's gradient must get right: ±0, NaN, ±∞, tiny and huge magnitudes, then random values. */
function inputs(n: number): { x: Float32Array; dy: Float32Array } {
  const x = seededUniform(n, 21);
  const dy = seededUniform(n, 22, -3, 3);
  const special = [0, -0, NaN, Infinity, -Infinity, 1e-38, -1e-38, 3e38, -3e38, 1, -1];
  for (let i = 0; i < Math.min(n, special.length); i++) x[i] = special[i]!;
  // dy = ±∞ where x ≤ 0 (∞ · 0 = NaN in tfjs' composition) and dy = NaN where x > 0.
  if (n > 14) {
    x[12] = -0.5; dy[12] = Infinity;
    x[13] = 0; dy[13] = -Infinity;
    x[14] = 0.5; dy[14] = NaN;
  }
  return { x, dy };
}

/** dx of sum(relu(x) · dy) = dy · step(x), through the registered gradient on the active backend. */
function reluGradOf(x: Float32Array, dy: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => {
    const up = tf.tensor(dy, shape);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), up)))(tf.tensor(x, shape));
    return Float32Array.from(g.dataSync());
  });
}

/** Same bits, NaN where NaN (−0 vs +0 included: Object.is). */
function firstMismatch(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

const SHAPES = [[15], [7, 3], [2, 5, 5, 17], [4, 28, 28, 16]];

describe('ReLU gradient as one kernel (NbReluGrad) on wasm matches tfjs’ mul(dy, step(x)) on cpu bit for bit', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => setSimdKernelsEnabled(true));

  for (const path of ['SIMD', 'JavaScript'] as const) {
    it.each(SHAPES.map((s) => [s.join('×'), s] as const))(`${path} path: %s`, async (_, shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const { x, dy } = inputs(n);
      await tf.setBackend('cpu');
      expect(tf.getKernel(NB_RELU_GRAD, 'cpu')).toBeUndefined(); // the cpu side is tfjs' own composition
      const expected = reluGradOf(x, dy, shape);
      await tf.setBackend('wasm');
      setSimdKernelsEnabled(path === 'SIMD');
      const before = { ...reluGradStats };
      const actual = reluGradOf(x, dy, shape);
      expect(firstMismatch(expected, actual)).toBe(-1);
      expect(reluGradStats.simdCalls - before.simdCalls).toBe(path === 'SIMD' ? 1 : 0);
      expect(reluGradStats.jsCalls - before.jsCalls).toBe(path === 'SIMD' ? 0 : 1);
    });
  }

  it('the special values are really in the test (∞ · 0 gives NaN, −0 stays −0)', async () => {
    await tf.setBackend('cpu');
    const { x, dy } = inputs(15);
    const g = reluGradOf(x, dy, [15]);
    expect(Number.isNaN(g[2])).toBe(true); // x NaN
    expect(Number.isNaN(g[12])).toBe(true); // x < 0, dy = ∞
    expect(Number.isNaN(g[14])).toBe(true); // x > 0, dy = NaN
    expect(g.some((v, i) => Object.is(v, -0) && i < 11)).toBe(true);
  });
});
