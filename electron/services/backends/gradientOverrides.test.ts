import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MEAN_GRADIENT, SUM_GRADIENT } from './gradientOverrides';
import { selectBackend } from './selectBackend';

/** tfjs-core's own formulation (dy · ones(x.shape), then / n for Mean), which the overrides must reproduce bit for bit. */
function stock(kind: 'sum' | 'mean', x: tf.Tensor, dy: tf.Tensor, axis: number[]): Float32Array {
  return tf.tidy(() => {
    const shape = x.shape.slice();
    for (const a of axis) shape[a < 0 ? a + x.rank : a] = 1;
    const expanded = tf.mul(tf.reshape(dy, shape), tf.ones(x.shape, 'float32'));
    const n = axis.reduce((p, a) => p * x.shape[a < 0 ? a + x.rank : a]!, 1);
    return Float32Array.from((kind === 'mean' ? tf.div(expanded, n) : expanded).dataSync());
  });
}

const CASES: [number[], number[]][] = [
  [[4, 3, 3, 5], [0, 1, 2]],
  [[6, 7], [0]],
  [[6, 7], [1]],
  [[2, 3, 4], [-1]],
  [[5], [0]],
  [[3, 1, 2], [0, 2]],
];

describe('Sum/Mean gradients without a ones tensor', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('are the registered gradients once a backend is selected', () => {
    expect(tf.getGradient(tf.Sum)).toBe(SUM_GRADIENT);
    expect(tf.getGradient(tf.Mean)).toBe(MEAN_GRADIENT);
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it.each(CASES)(`${backend}: x %j over axes %j equal tfjs' dy·ones formulation bit for bit`, async (shape, axis) => {
      await selectBackend(backend);
      tf.tidy(() => {
        const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
        for (const kind of ['sum', 'mean'] as const) {
          const reduce = (t: tf.Tensor) => (kind === 'sum' ? tf.sum(t, axis) : tf.mean(t, axis));
          const dy = tf.randomNormal(reduce(x).shape, 0, 1, 'float32', 4);
          const grad = tf.grad((t: tf.Tensor) => reduce(t))(x, dy);
          expect(grad.shape).toEqual(x.shape);
          expect(Array.from(grad.dataSync())).toEqual(Array.from(stock(kind, x, dy, axis)));
        }
        // keepDims changes dy's shape but not the gradient.
        const dyKeep = tf.randomNormal(tf.mean(x, axis, true).shape, 0, 1, 'float32', 5);
        const keep = tf.grad((t: tf.Tensor) => tf.mean(t, axis, true))(x, dyKeep);
        expect(Array.from(keep.dataSync())).toEqual(Array.from(stock('mean', x, tf.reshape(dyKeep, tf.mean(x, axis).shape), axis)));
      });
    });
  }
});
