import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { seededUniform } from '../../testing/seededUniform';
import { setSimdTanhEnabled, tanhStats } from './tanh';
import { setSimdKernelsEnabled } from './simdModules';

/** Every float32 region tanh treats differently: ±0, NaN, ±∞, the tiny path, the clamp, saturation, then random. */
function inputs(n: number): Float32Array {
  const x = seededUniform(n, 31, -6, 6);
  const special = [0, -0, NaN, Infinity, -Infinity, 3e-4, -3e-4, 4e-4, 1e-8, -1e-30, 7.9, -7.9, 7.91, 20, -20, 0.5, -1];
  for (let i = 0; i < Math.min(n, special.length); i++) x[i] = special[i]!;
  return x;
}

function tanhOn(x: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => Float32Array.from(tf.tanh(tf.tensor(x, shape)).dataSync()));
}

describe('Tanh on wasm by the SIMD kernel (simd/elementwise.c tanh_f32)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => {
    setSimdKernelsEnabled(true);
    setSimdTanhEnabled(true);
  });

  // Lengths around the 8-lane body and its scalar tail.
  it.each([[1], [7], [8], [17], [64, 512]])('within 4e-7 of float64 tanh and of the cpu backend, specials exact: %s', async (...shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = inputs(n);
    await tf.setBackend('cpu');
    const cpu = tanhOn(x, shape);
    await tf.setBackend('wasm');
    const before = tanhStats.simdCalls;
    const ours = tanhOn(x, shape);
    expect(tanhStats.simdCalls - before).toBe(1);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      const exact = Math.tanh(x[i]!);
      if (Number.isNaN(exact)) {
        expect(ours[i]).toBeNaN();
        continue;
      }
      worst = Math.max(worst, Math.abs(ours[i]! - exact), Math.abs(ours[i]! - cpu[i]!));
      // Odd, bounded, and exact where float32 tanh is: 0 keeps its sign, the tiny path returns x, saturation gives ±1.
      if (Math.abs(x[i]!) < Math.fround(4e-4)) expect(Object.is(ours[i], x[i])).toBe(true);
      if (Math.abs(x[i]!) >= 9) expect(ours[i]).toBe(Math.sign(x[i]!));
      expect(Math.abs(ours[i]!)).toBeLessThanOrEqual(1);
    }
    expect(worst).toBeLessThan(4e-7);
  });

  it('relative error stays small near 0, where tanh(x) ≈ x (no 1 − 2/(e^2x + 1) cancellation)', async () => {
    await tf.setBackend('wasm');
    const x = Float32Array.from({ length: 2000 }, (_, i) => (i % 2 ? -1 : 1) * 4e-4 * 1.003 ** i);
    const ours = tanhOn(x, [x.length]);
    for (let i = 0; i < x.length; i++) {
      const exact = Math.tanh(x[i]!);
      expect(Math.abs(ours[i]! - exact) / Math.abs(exact)).toBeLessThan(1e-6);
    }
  });

  it('the same bits whatever the position (vector body and scalar tail agree)', async () => {
    await tf.setBackend('wasm');
    const x = inputs(1024);
    const whole = tanhOn(x, [1024]);
    for (const offset of [1, 3, 5]) {
      const part = tanhOn(x.subarray(offset, offset + 13), [13]);
      for (let i = 0; i < 13; i++) expect(Object.is(part[i], whole[offset + i])).toBe(true);
    }
  });

  it('NB_SIMD_TANH=0 or no SIMD module: the stock kernel (libm tanhf), within 1e-6 of ours', async () => {
    await tf.setBackend('wasm');
    const x = inputs(4096);
    const ours = tanhOn(x, [4096]);
    for (const off of ['switch', 'modules'] as const) {
      if (off === 'switch') setSimdTanhEnabled(false);
      else setSimdKernelsEnabled(false);
      const before = tanhStats.simdCalls;
      const stock = tanhOn(x, [4096]);
      expect(tanhStats.simdCalls).toBe(before);
      for (let i = 0; i < x.length; i++) {
        if (Number.isNaN(stock[i])) expect(ours[i]).toBeNaN();
        else expect(Math.abs(stock[i]! - ours[i]!)).toBeLessThan(1e-6);
      }
      setSimdTanhEnabled(true);
      setSimdKernelsEnabled(true);
    }
  });

  it('trains: the gradient through Tanh matches the cpu backend', async () => {
    const x = seededUniform(256, 41, -3, 3);
    const grad = () => tf.tidy(() => Float32Array.from(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.tanh(a), a)))(tf.tensor(x, [16, 16])).dataSync()));
    await tf.setBackend('cpu');
    const cpu = grad();
    await tf.setBackend('wasm');
    const ours = grad();
    for (let i = 0; i < x.length; i++) expect(Math.abs(ours[i]! - cpu[i]!)).toBeLessThan(1e-5);
  });
});
