import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/selectBackend';
import {
  NB_CATEGORICAL_ACCURACY,
  NB_CATEGORICAL_CROSSENTROPY,
  NB_CATEGORICAL_CROSSENTROPY_GRAD,
  NB_SOFTMAX_GRAD,
  setClassificationHeadKernelsEnabled,
} from '../backends/wasmKernels/classificationHead';
import { compileGraph } from '../compiler/compileGraph';
import { createOptimizer } from './createOptimizer';
import { acc, categoricalCrossentropy, compiledLoss } from './fusedLosses';
import { readExample } from './referenceGraphs';
import { installSeededMathRandom } from './seededMathRandom';
import { seededUniform } from '../testing/seededUniform';

const uniform = (n: number, seed: number): Float32Array => seededUniform(n, seed, 0, 1);

interface Run {
  losses: number[];
  accuracies: number[];
  weights: Float32Array[];
  kernels: Set<string>;
}

const STEPS = 4;
const ROWS = 32;

/**
 * Builds the mnist-mlp example (Flatten, Dense, Dropout, softmax Output) from one seed, compiles it with tfjs-layers'
 * names or with compiledLoss, and trains STEPS batches of fixed random MNIST-shaped data with Adam; the seeded
 * Math.random makes the initial weights and Dropout masks the same in both runs.
 */
async function train(fused: boolean): Promise<Run> {
  const example = await readExample('mnist-mlp.nbrick');
  const restore = installSeededMathRandom(7);
  try {
    const { model, head } = compileGraph(example.graph);
    const optimizer = createOptimizer('adam', 1e-3);
    const metrics = ['accuracy'];
    model.compile({ optimizer, ...(fused ? compiledLoss(head.loss, metrics) : { loss: head.loss, metrics }) });
    const x = tf.tensor(uniform(ROWS * 784, 5), [ROWS, 28, 28, 1]);
    const labels = uniform(ROWS, 9);
    const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from(labels, (u) => Math.floor(u * 10)), 'int32'), 10), 'float32'));
    const run: Run = { losses: [], accuracies: [], weights: [], kernels: new Set() };
    for (let step = 0; step < STEPS; step++) {
      let out: number[] = [];
      const profile = await tf.profile(async () => {
        out = (await model.trainOnBatch(x, y)) as number[];
      });
      for (const k of profile.kernels) run.kernels.add(k.name);
      run.losses.push(out[0]!);
      run.accuracies.push(out[1]!);
    }
    run.weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
    tf.dispose([x, y]);
    model.dispose();
    return run;
  } finally {
    restore();
  }
}

describe('compiledLoss: fused categorical cross-entropy and accuracy in the trainer', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });
  afterEach(() => setClassificationHeadKernelsEnabled(true));

  it('replaces only categoricalCrossentropy and its accuracy; other heads keep tfjs-layers names', () => {
    expect(compiledLoss('categoricalCrossentropy', ['accuracy'])).toEqual({ loss: categoricalCrossentropy, metrics: [acc] });
    expect(compiledLoss('binaryCrossentropy', ['accuracy'])).toEqual({ loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    expect(compiledLoss('meanSquaredError', [])).toEqual({ loss: 'meanSquaredError', metrics: [] });
    // The metric keeps the name tfjs-layers gives 'accuracy' (model.metricsNames: ['loss', 'acc']).
    expect(acc.name).toBe('acc');
  });

  for (const backend of ['cpu', 'wasm']) {
    it(`${backend}: mnist-mlp trains to the same losses, accuracies and weights as tfjs-layers' loss`, async () => {
      await tf.setBackend(backend);
      const fused = await train(true);
      setClassificationHeadKernelsEnabled(false); // stock Softmax gradient too
      const stock = await train(false);
      for (const k of [NB_CATEGORICAL_CROSSENTROPY, NB_CATEGORICAL_CROSSENTROPY_GRAD, NB_CATEGORICAL_ACCURACY, NB_SOFTMAX_GRAD]) {
        expect(fused.kernels.has(k), k).toBe(true);
        expect(stock.kernels.has(k), k).toBe(false);
      }
      expect(fused.kernels.has('ClipByValue')).toBe(false);
      expect(stock.kernels.has('ClipByValue')).toBe(true);
      for (let i = 0; i < STEPS; i++) {
        expect(Math.abs(fused.losses[i]! - stock.losses[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(stock.losses[i]!));
        expect(fused.accuracies[i]).toBe(stock.accuracies[i]);
      }
      expect(fused.losses[STEPS - 1]).toBeLessThan(fused.losses[0]!); // it did train
      for (let w = 0; w < stock.weights.length; w++) {
        const a = fused.weights[w]!;
        const b = stock.weights[w]!;
        let maxDiff = 0;
        for (let i = 0; i < b.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
        expect(maxDiff, `weight ${w}`).toBeLessThanOrEqual(1e-5);
      }
    });
  }

  it('falls back to tfjs-layers where the kernels are missing, with the same values', async () => {
    await tf.setBackend('cpu');
    const yTrue = tf.tensor2d([[0, 1, 0], [0.2, 0.3, 0.5]]);
    const yPred = tf.tensor2d([[0.1, 0.7, 0.2], [0.5, 0.4, 0.1]]);
    const fusedLoss = categoricalCrossentropy(yTrue, yPred).dataSync();
    const fusedAcc = acc(yTrue, yPred).dataSync();
    setClassificationHeadKernelsEnabled(false);
    const profile = await tf.profile(() => {
      tf.dispose([categoricalCrossentropy(yTrue, yPred), acc(yTrue, yPred)]);
    });
    expect(profile.kernels.map((k) => k.name)).toContain('ClipByValue');
    expect(Array.from(categoricalCrossentropy(yTrue, yPred).dataSync())).toEqual(Array.from(fusedLoss));
    expect(Array.from(acc(yTrue, yPred).dataSync())).toEqual(Array.from(fusedAcc));
    // A single-unit output keeps tfjs-layers' binary accuracy, as compiling 'accuracy' would.
    setClassificationHeadKernelsEnabled(true);
    expect(Array.from(acc(tf.tensor2d([[1], [0]]), tf.tensor2d([[0.7], [0.6]])).dataSync())).toEqual([1, 0]);
  });
});
