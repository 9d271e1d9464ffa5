import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { seededUniform } from '../../testing/seededUniform';
import { clipGradStats, NB_CLIP_GRAD, setClipGradEnabled } from './clipByValueGrad';

/** x with the bounds themselves, their float32 neighbours, ±0, NaN and ±∞ first, then random values around them. */
function inputs(n: number, lo: number, hi: number): { x: Float32Array; dy: Float32Array } {
  const x = seededUniform(n, 31, lo - 1, hi + 1);
  const dy = seededUniform(n, 32, -3, 3);
  const up = (v: number) => v + Math.abs(v) * 2 ** -22 + 1e-45;
  const special = [lo, hi, Math.fround(lo), Math.fround(hi), up(Math.fround(hi)), -up(-Math.fround(lo)), 0, -0, NaN, Infinity, -Infinity];
  for (let i = 0; i < Math.min(n, special.length); i++) x[i] = special[i]!;
  if (n > 12) {
    x[12] = (lo + hi) / 2;
    dy[12] = NaN; // NaN passes through where x is inside
  }
  return { x, dy };
}

function clipGradOf(x: Float32Array, dy: Float32Array, shape: number[], lo: number, hi: number): Float32Array {
  return tf.tidy(() => {
    const up = tf.tensor(dy, shape);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(a, lo, hi), up)))(tf.tensor(x, shape));
    return Float32Array.from(g.dataSync());
  });
}

const firstMismatch = (a: Float32Array, b: Float32Array): number => a.findIndex((v, i) => !Object.is(v, b[i]));

// hard sigmoid's [0, 1], bounds that are not float32 values, and the sizes of an LSTM gate ([64, 128]) and odd ones.
const CASES: [number[], number, number][] = [
  [[64, 128], 0, 1],
  [[13], -0.3, 0.7],
  [[3, 5, 7], -1e-3, 6],
];

describe('ClipByValue gradient as one kernel (NbClipByValueGrad) on wasm matches tfjs’ composition on cpu bit for bit', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => setClipGradEnabled(true));

  for (const fused of [true, false]) {
    it.each(CASES.map((c) => [`${c[0].join('×')} in [${c[1]}, ${c[2]}]`, c] as const))(`${fused ? 'one kernel' : 'tfjs composition'}: %s`, async (_, [shape, lo, hi]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const { x, dy } = inputs(n, lo, hi);
      await tf.setBackend('cpu');
      expect(tf.getKernel(NB_CLIP_GRAD, 'cpu')).toBeUndefined();
      const expected = clipGradOf(x, dy, shape, lo, hi);
      await tf.setBackend('wasm');
      setClipGradEnabled(fused);
      const before = clipGradStats.calls;
      const actual = clipGradOf(x, dy, shape, lo, hi);
      expect(firstMismatch(expected, actual)).toBe(-1);
      expect(clipGradStats.calls - before).toBe(fused ? 1 : 0);
    });
  }

  it('the bounds and NaNs are really exercised (inside → dy, outside and NaN x → +0, NaN dy inside → NaN)', async () => {
    await tf.setBackend('cpu');
    const { x, dy } = inputs(13, 0, 1);
    const g = clipGradOf(x, dy, [13], 0, 1);
    expect(g[0]).toBe(dy[0]); // x = min
    expect(g[1]).toBe(dy[1]); // x = max
    expect(Object.is(g[4], 0)).toBe(true); // just above max
    expect(Object.is(g[8], 0)).toBe(true); // x NaN
    expect(Number.isNaN(g[12])).toBe(true);
  });

  it('names the problem when called with tensors of different shapes', async () => {
    await tf.setBackend('wasm');
    expect(() => tf.engine().runKernel(NB_CLIP_GRAD, { x: tf.zeros([2, 3]), dy: tf.zeros([3, 2]) }, { clipValueMin: 0, clipValueMax: 1 })).toThrow(
      /NbClipByValueGrad: x and dy must be float32 tensors of one shape/,
    );
  });
});
