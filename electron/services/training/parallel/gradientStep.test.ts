import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { selectBackend } from '../../backends/selectBackend';
import { createGradientStep, tensorFromVolatile } from './gradientStep';

/** Dense → BatchNorm → Dense softmax: gradients plus moving statistics that the forward pass updates. */
function model(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 12, activation: 'relu', inputShape: [5], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      tfl.layers.batchNormalization({ momentum: 0.9 }),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
}

describe('createGradientStep', () => {
  it.each(['cpu', 'wasm'] as const)('compute + apply on the whole batch equals trainOnBatch bit for bit (%s, Adam)', async (backend) => {
    await selectBackend(backend);
    const a = model();
    const b = model();
    b.setWeights(a.getWeights());
    const optA = tf.train.adam(0.01);
    const optB = tf.train.adam(0.01);
    a.compile({ optimizer: optA, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    b.compile({ optimizer: optB, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const step = createGradientStep(b, optB);
    expect(step.gradientSize).toBe(5 * 12 + 12 + 12 * 2 + 12 * 3 + 3); // kernels, biases, gamma/beta
    expect(step.statisticsSize).toBe(12 * 2); // moving mean and variance
    const gradients = new Float32Array(step.gradientSize);
    const statistics = new Float32Array(step.statisticsSize);
    let afterFirstStep = 0;
    for (let i = 0; i < 4; i++) {
      const xs = tf.randomNormal([16, 5], 0, 1, 'float32', 10 + i);
      const ys = tf.tidy(() => tf.cast(tf.oneHot(tf.randomUniform([16], 0, 3, 'int32', 20 + i), 3), 'float32'));
      const expected = (await a.trainOnBatch(xs, ys)) as number[];
      const got = step.compute(xs, ys, gradients, statistics);
      step.apply(gradients, statistics);
      expect(got).toEqual(expected);
      tf.dispose([xs, ys]);
      if (i === 0) afterFirstStep = tf.memory().numTensors;
    }
    const wa = a.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = b.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wb).toEqual(wa);
    // Adam creates its state on the first step; after that, steps leave no tensors behind.
    expect(tf.memory().numTensors).toBe(afterFirstStep);
    a.dispose();
    b.dispose();
    optA.dispose();
    optB.dispose();
  });

  it.each(['cpu', 'wasm'] as const)('tensorFromVolatile keeps its values when the source memory is overwritten (%s)', async (backend) => {
    await selectBackend(backend);
    const shared = new Float32Array(new SharedArrayBuffer(6 * 4));
    shared.set([1, 2, 3, 4, 5, 6]);
    const t = tensorFromVolatile(shared.subarray(2, 6), [2, 2]);
    shared.fill(-1);
    expect(Array.from(t.dataSync())).toEqual([3, 4, 5, 6]);
    expect(t.shape).toEqual([2, 2]);
    t.dispose();
  });
});
