import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { selectBackend } from './selectBackend';

type Gradients = (...args: unknown[]) => unknown;
const engine = tf.engine() as unknown as { gradients: Gradients };

/** Runs `f` with tfjs-core's own Engine.gradients (the prototype's) instead of the installed eager one. */
function withStock<T>(f: () => T): T {
  const eager = engine.gradients;
  engine.gradients = Object.getPrototypeOf(engine).gradients as Gradients;
  try {
    return f();
  } finally {
    engine.gradients = eager;
  }
}

/** A small residual network: conv → BN → ReLU, a residual add (fan-out: two gradients for one tensor), pooling, dense. */
function residualModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [8, 8, 3] });
  const stem = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: 'glorotUniform' }).apply(input) as tfl.SymbolicTensor;
  const conv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }).apply(stem) as tfl.SymbolicTensor;
  const bn = tfl.layers.batchNormalization().apply(conv) as tfl.SymbolicTensor;
  const relu = tfl.layers.activation({ activation: 'relu' }).apply(bn) as tfl.SymbolicTensor;
  const sum = tfl.layers.add().apply([stem, relu]) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(sum) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 5, activation: 'softmax' }).apply(pooled) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

function gradientsOf(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): Float32Array[] {
  const { value, grads } = tf.variableGrads(() =>
    tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
  );
  const out = model.trainableWeights.map((w) => Float32Array.from(grads[w.originalName]!.dataSync()));
  tf.dispose([value, grads]);
  return out;
}

describe('eager backprop (Engine.gradients that frees as it goes)', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: the same gradients bit for bit as tfjs' own, no leaked tensors, a lower peak`, async () => {
      await selectBackend(backend);
      expect(engine.gradients).not.toBe(Object.getPrototypeOf(engine).gradients);
      const model = residualModel();
      const x = tf.randomNormal([6, 8, 8, 3], 0, 1, 'float32', 7);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0], 'int32'), 5);
      try {
        gradientsOf(model, x, y); // warm-up (kernel setup allocations)
        const before = tf.memory().numTensors;
        const stock = withStock(() => gradientsOf(model, x, y));
        const eager = gradientsOf(model, x, y);
        expect(tf.memory().numTensors).toBe(before);
        expect(eager.length).toBe(stock.length);
        for (let i = 0; i < stock.length; i++) expect(eager[i]).toEqual(stock[i]);

        const peak = async (f: () => void) => (await tf.profile(f)).peakBytes;
        const stockPeak = await peak(() => withStock(() => void gradientsOf(model, x, y)));
        const eagerPeak = await peak(() => void gradientsOf(model, x, y));
        expect(eagerPeak).toBeLessThan(stockPeak);
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        tf.dispose([x, y]);
        model.dispose();
      }
    });
  }

  it('leaves higher-order gradients and a given dy alone', async () => {
    await selectBackend('cpu');
    const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.sin(x), tf.square(x)));
    const x = tf.tensor1d([0.3, -1.2, 2.5]);
    const second = (tf.grad((v: tf.Tensor) => tf.sum(tf.grad(f)(v))))(x);
    const stockSecond = withStock(() => tf.grad((v: tf.Tensor) => tf.sum(tf.grad(f)(v)))(x));
    expect(Array.from(second.dataSync())).toEqual(Array.from(stockSecond.dataSync()));

    const dy = tf.tensor1d([1, 2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.mul(v, 2))(x, dy);
    expect(dy.isDisposed).toBe(false);
    expect(Array.from(g.dataSync())).toEqual([2, 4, 6]);
    tf.dispose([x, second, stockSecond, dy, g]);
  });
});
