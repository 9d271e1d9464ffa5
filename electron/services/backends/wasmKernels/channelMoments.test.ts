import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { seededUniform } from '../../testing/seededUniform';
import { hasChannelMomentsKernel, NB_CHANNEL_MOMENTS, setChannelMomentsEnabled } from './channelMoments';

/** Per-channel means and the mean / biased variance of all values, in double. */
function reference(x: Float32Array, channels: number) {
  const rows = x.length / channels;
  const unit = new Float64Array(channels);
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    unit[i % channels] = unit[i % channels]! + x[i]!;
    total += x[i]!;
  }
  const mean = total / x.length;
  let squares = 0;
  for (let i = 0; i < x.length; i++) squares += (x[i]! - mean) ** 2;
  return { unitMeans: Array.from(unit, (s) => s / rows), mean, variance: squares / x.length };
}

const close = (actual: number, expected: number, scale: number, what: string) =>
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(2e-6 * Math.max(scale, 1e-30));

describe.each(['wasm', 'cpu'] as const)('NbChannelMoments on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
    expect(hasChannelMomentsKernel(backend)).toBe(true);
  });
  afterAll(() => setChannelMomentsEnabled(true));

  // [shape, offset]: a conv activation (channels not a multiple of 4), a ReLU-like one with dead channels, a far-off
  // mean (the variance must not cancel), rank 2 and a single row.
  const cases: [number[], number][] = [
    [[8, 7, 7, 13], 0],
    [[64, 256], 0],
    [[16, 5, 5, 32], 1000],
    [[1, 9], 0],
    [[3, 4, 1], -2],
  ];
  it.each(cases)('%j offset %d: unit means, mean and variance of a double reference', (shape, offset) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const channels = shape[shape.length - 1]!;
    const x = seededUniform(n, n + channels, -1, 1).map((v, i) => (i % channels < 3 && offset === 0 && shape[0] === 64 ? 0 : Math.max(0, v) + offset));
    const ref = reference(x, channels);
    const [unit, moments] = tf.engine().runKernel(NB_CHANNEL_MOMENTS, { x: tf.tensor(x, shape) }) as [tf.Tensor, tf.Tensor];
    expect(unit.shape).toEqual([channels]);
    const u = unit.dataSync();
    const [mean, variance] = moments.dataSync();
    const spread = Math.sqrt(ref.variance) + Math.abs(ref.mean);
    ref.unitMeans.forEach((m, c) => close(u[c]!, m, spread, `unit ${c}`));
    if (shape[0] === 64) for (let c = 0; c < 3; c++) expect(u[c]).toBe(0);
    close(mean!, ref.mean, spread, 'mean');
    close(variance!, ref.variance, ref.variance + ref.mean ** 2 * 1e-6, 'variance');
    tf.dispose([unit, moments]);
  });
});
