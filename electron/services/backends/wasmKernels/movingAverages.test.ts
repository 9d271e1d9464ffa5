import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { fastBatchNormalization } from '../../compiler/fastBatchNorm';
import { hasMovingAveragesKernel, NB_MOVING_AVERAGES, setMovingAveragesKernelEnabled } from './movingAverages';
import { seededUniform } from '../../testing/seededUniform';

/** tfjs-layers' own update, as its BatchNormalization layer runs it: v − (v − value)·(1 − momentum). */
function stockUpdate(v: tf.Tensor, value: tf.Tensor, momentum: number): Float32Array {
  return tf.tidy(() => tf.sub(v, tf.mul(tf.sub(v, value), 1 - momentum)).dataSync() as Float32Array);
}

describe('NbMovingAverages', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => setMovingAveragesKernelEnabled(true));

  it.each([
    ['wasm', 0.99, 16],
    ['wasm', 0.9, 37],
    ['cpu', 0.99, 64],
    ['cpu', 0.1, 5],
  ] as const)('%s, momentum %d, %d channels: the same bits as tfjs Sub/Multiply/Sub', async (backend, momentum, channels) => {
    await tf.setBackend(backend);
    expect(hasMovingAveragesKernel(backend)).toBe(true);
    const mm = tf.tensor(seededUniform(channels, 1, -3, 3));
    const mv = tf.tensor(seededUniform(channels, 2, 0.01, 5));
    // Values from 1e-30 to 1e3, so rounding differences would show in the low bits.
    const mean = tf.tensor(seededUniform(channels, 3, -1, 1).map((u, i) => u * 10 ** ((i % 34) - 30)));
    const variance = tf.tensor(seededUniform(channels, 4, 0, 1000));
    const [outMean, outVariance] = tf.engine().runKernel(NB_MOVING_AVERAGES, { movingMean: mm, movingVariance: mv, mean, variance }, { momentum }) as [tf.Tensor, tf.Tensor];
    expect(Array.from(outMean.dataSync())).toEqual(Array.from(stockUpdate(mm, mean, momentum)));
    expect(Array.from(outVariance.dataSync())).toEqual(Array.from(stockUpdate(mv, variance, momentum)));
    tf.dispose([mm, mv, mean, variance, outMean, outVariance]);
  });

  it('names the input that does not fit', async () => {
    await tf.setBackend('wasm');
    const a = tf.zeros([4]);
    const b = tf.zeros([5]);
    expect(() => tf.engine().runKernel(NB_MOVING_AVERAGES, { movingMean: a, movingVariance: a, mean: a, variance: b }, { momentum: 0.9 }))
      .toThrow(/variance has shape \[5\], expected 4 values/);
    tf.dispose([a, b]);
  });

  it.each(['wasm', 'cpu'])('a training BatchNorm on %s updates its moving statistics with one kernel, bit for bit as before', async (backend) => {
    await tf.setBackend(backend);
    const shape = [4, 6, 6, 16];
    const run = async (kernel: boolean) => {
      setMovingAveragesKernelEnabled(kernel);
      const layer = fastBatchNormalization({ momentum: 0.95 });
      layer.build(shape);
      layer.setWeights([tf.ones([16]), tf.zeros([16]), tf.tensor(seededUniform(16, 7)), tf.tensor(seededUniform(16, 8, 0.5, 2))]);
      const x = tf.tensor(seededUniform(4 * 6 * 6 * 16, 9, -2, 3), shape);
      const info = await tf.profile(() => {
        for (let step = 0; step < 3; step++) tf.tidy(() => layer.apply(x, { training: true }) as tf.Tensor);
      });
      const stats = layer.nonTrainableWeights.map((w) => Array.from(w.read().dataSync()));
      const kernels = info.kernels.map((k) => k.name);
      tf.dispose(x);
      tf.dispose(layer.weights.map((w) => w.read()));
      return { stats, kernels };
    };
    const fused = await run(true);
    const stock = await run(false);
    expect(fused.stats).toEqual(stock.stats);
    expect(fused.kernels.filter((k) => k === NB_MOVING_AVERAGES)).toHaveLength(3);
    expect(fused.kernels).not.toContain('Sub');
    expect(stock.kernels.filter((k) => k === 'Sub')).toHaveLength(12);
  });
});
