import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/selectBackend';
import { NB_BATCH_NORM_TRAIN, NB_BATCH_NORM_TRAIN_GRAD } from '../backends/wasmKernels/batchNormTraining';
import { setSimdKernelsEnabled } from '../backends/wasmKernels/simdModules';
import { FastBatchNormalization, fastBatchNormalization } from './fastBatchNorm';
import { seededUniform } from '../testing/seededUniform';


interface Result {
  y: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
}

/**
 * One training-mode call of a BatchNorm layer with random gamma/beta/moving statistics, the loss Σ y·w (so dy is
 * random, not all ones), and its gradients with respect to x, gamma and beta. `offset` shifts x far from 0 to check
 * the variance is computed centred.
 */
async function trainStep(layer: tfl.layers.Layer, shape: number[], momentum: number, fused: boolean, offset = 0): Promise<Result> {
  let result: Result | undefined;
  const info = await tf.profile(() => {
    result = trainStepOnce(layer, shape, momentum, offset);
  });
  // Which path the layer took: our two kernels, or tfjs-layers' moments + FusedBatchNorm.
  const kernels = info.kernels.map((k) => k.name);
  expect(kernels.includes(NB_BATCH_NORM_TRAIN), `${kernels.join(' ')}`).toBe(fused);
  expect(kernels.includes(NB_BATCH_NORM_TRAIN_GRAD)).toBe(fused);
  expect(kernels.includes('FusedBatchNorm')).toBe(!fused);
  return result!;
}

function trainStepOnce(layer: tfl.layers.Layer, shape: number[], momentum: number, offset: number): Result {
  return tf.tidy(() => {
    const size = shape.reduce((a, b) => a * b, 1);
    const x = tf.variable(tf.tensor(seededUniform(size, 11, offset - 2, offset + 3), shape), true, `x${Math.random()}`);
    const w = tf.tensor(seededUniform(size, 12), shape);
    layer.build(shape);
    const channels = layer.weights[0]!.shape[0]!;
    layer.setWeights([
      tf.tensor(seededUniform(channels, 13, 0.5, 1.5)),
      tf.tensor(seededUniform(channels, 14)),
      tf.tensor(seededUniform(channels, 15)),
      tf.tensor(seededUniform(channels, 16, 0.5, 2)),
    ]);
    const [gamma, beta] = layer.trainableWeights.map((v) => v.read() as tf.Variable) as [tf.Variable, tf.Variable];
    let y: tf.Tensor | undefined;
    const { grads } = tf.variableGrads(() => {
      y = tf.keep(layer.apply(x, { training: true }) as tf.Tensor);
      return tf.sum(tf.mul(y, w)) as tf.Scalar;
    }, [x, gamma, beta]);
    const [movingMean, movingVariance] = layer.nonTrainableWeights.map((v) => v.read().dataSync() as Float32Array);
    const out = {
      y: y!.dataSync() as Float32Array,
      dx: grads[x.name]!.dataSync() as Float32Array,
      dgamma: grads[gamma.name]!.dataSync() as Float32Array,
      dbeta: grads[beta.name]!.dataSync() as Float32Array,
      movingMean: movingMean!,
      movingVariance: movingVariance!,
    };
    tf.dispose([x, y!]);
    expect(momentum).toBe((layer.getConfig() as { momentum: number }).momentum);
    return out;
  });
}

function expectClose(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const tol = 1e-4 * Math.max(1, Math.abs(expected[i]!));
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol)) {
      throw new Error(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (tolerance ${tol})`);
    }
  }
}

function expectSameResult(actual: Result, expected: Result, label: string): void {
  for (const key of Object.keys(expected) as (keyof Result)[]) expectClose(actual[key], expected[key], `${label} ${key}`);
}

const SHAPES: number[][] = [[7, 5], [64, 19], [1, 6], [3, 5, 8], [2, 4, 4, 16], [3, 5, 6, 19], [1, 3, 3, 5], [4, 28, 28, 16]];

async function stockOnCpu(shape: number[], momentum: number, epsilon: number, offset = 0): Promise<Result> {
  await tf.setBackend('cpu');
  return trainStep(tfl.layers.batchNormalization({ momentum, epsilon }), shape, momentum, false, offset);
}

describe('FastBatchNormalization (training mode)', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each(SHAPES.map((s) => [s]))('cpu kernel = stock tfjs-layers on cpu: x %j', async (shape) => {
    const expected = await stockOnCpu(shape, 0.9, 1e-3);
    const actual = await trainStep(fastBatchNormalization({ momentum: 0.9, epsilon: 1e-3 }), shape, 0.9, true);
    expectSameResult(actual, expected, `cpu ${shape}`);
  });

  it.each(SHAPES.map((s) => [s]))('wasm SIMD and wasm fallback = stock tfjs-layers on cpu: x %j', async (shape) => {
    const expected = await stockOnCpu(shape, 0.99, 0.01);
    for (const simd of [true, false]) {
      setSimdKernelsEnabled(simd);
      try {
        await tf.setBackend('wasm');
        const dataIds = (): number => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
        const before = { tensors: tf.memory().numTensors, data: dataIds() };
        const actual = await trainStep(fastBatchNormalization({ momentum: 0.99, epsilon: 0.01 }), shape, 0.99, true);
        expectSameResult(actual, expected, `wasm simd=${simd} ${shape}`);
        // Only the layer's four weights outlive the step (the kernels free their scratch memory).
        expect(tf.memory().numTensors - before.tensors).toBe(4);
        expect(dataIds() - before.data).toBe(4);
      } finally {
        setSimdKernelsEnabled(true);
      }
    }
  });

  it('computes the variance centred: activations far from zero', async () => {
    const shape = [8, 3, 3, 7];
    const expected = await stockOnCpu(shape, 0.9, 1e-3, 100);
    await tf.setBackend('wasm');
    const actual = await trainStep(fastBatchNormalization({ momentum: 0.9, epsilon: 1e-3 }), shape, 0.9, true, 100);
    expectSameResult(actual, expected, 'offset 100');
  });

  it('keeps the stock path on a backend without the kernels (tfjs-node, webgl)', async () => {
    const shape = [3, 4, 4, 5];
    const expected = await stockOnCpu(shape, 0.9, 1e-3);
    const configs = tf.getKernelsForBackend('cpu').filter((k) => k.kernelName.startsWith('NbBatchNormTrain'));
    expect(configs).toHaveLength(2);
    for (const k of configs) tf.unregisterKernel(k.kernelName, 'cpu');
    try {
      const actual = await trainStep(fastBatchNormalization({ momentum: 0.9, epsilon: 1e-3 }), shape, 0.9, false);
      expectSameResult(actual, expected, 'fallback');
    } finally {
      for (const k of configs) tf.registerKernel(k);
    }
  });

  it('keeps the stock path for another axis and in inference', async () => {
    // tfjs-layers cannot take gradients through BatchNorm on a non-last axis (its FusedBatchNorm gradient fails to
    // reshape), so compare the training-mode forward pass and the moving statistics only.
    const forward = (layer: tfl.layers.Layer): Float32Array[] => tf.tidy(() => {
      const x = tf.tensor(seededUniform(120, 5), [2, 3, 4, 5]);
      const y = layer.apply(x, { training: true }) as tf.Tensor;
      return [y, ...layer.nonTrainableWeights.map((v) => v.read())].map((t) => t.dataSync() as Float32Array);
    });
    await tf.setBackend('cpu');
    const stock = forward(tfl.layers.batchNormalization({ axis: 1, momentum: 0.5 }));
    await tf.setBackend('wasm');
    const fast = forward(fastBatchNormalization({ axis: 1, momentum: 0.5 }));
    stock.forEach((v, i) => expectClose(fast[i]!, v, `axis 1 output ${i}`));
    // Inference uses the moving statistics, not the batch's.
    const inference = tf.tidy(() => {
      const bn = fastBatchNormalization({});
      const x = tf.tensor(seededUniform(20, 3), [4, 5]);
      bn.build([4, 5]);
      return Array.from((bn.apply(x, { training: false }) as tf.Tensor).dataSync());
    });
    expectClose(Float32Array.from(inference), seededUniform(20, 3).map((v) => v / Math.sqrt(1 + 1e-3)), 'inference');
  });

  it('trains a conv → BatchNorm → dense model exactly like the stock layer (wasm vs cpu stock, several steps)', async () => {
    const build = (fast: boolean): tfl.LayersModel => {
      const input = tfl.input({ shape: [6, 6, 2] });
      let h = tfl.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', kernelInitializer: 'glorotUniform' }).apply(input) as tfl.SymbolicTensor;
      h = (fast ? fastBatchNormalization({ momentum: 0.8 }) : tfl.layers.batchNormalization({ momentum: 0.8 })).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.activation({ activation: 'relu' }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.dense({ units: 19 }).apply(h) as tfl.SymbolicTensor;
      h = (fast ? fastBatchNormalization({ momentum: 0.8 }) : tfl.layers.batchNormalization({ momentum: 0.8 })).apply(h) as tfl.SymbolicTensor;
      const out = tfl.layers.dense({ units: 3, activation: 'softmax' }).apply(h) as tfl.SymbolicTensor;
      return tfl.model({ inputs: input, outputs: out });
    };
    const run = async (backend: 'cpu' | 'wasm', fast: boolean): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      const model = build(fast);
      model.setWeights(model.weights.map((w, i) => {
        const shape = w.shape as number[];
        const v = seededUniform(shape.reduce((a, b) => a * b, 1), 100 + i, -0.5, 0.5);
        return tf.tensor(w.name.includes('moving_variance') ? v.map((e) => 1 + e) : v, shape);
      }));
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
      const x = tf.tensor(seededUniform(8 * 6 * 6 * 2, 7), [8, 6, 6, 2]);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 1, 0], 'int32'), 3);
      const info = await tf.profile(() => model.trainOnBatch(x, y));
      expect(info.kernels.filter((k) => k.name === NB_BATCH_NORM_TRAIN_GRAD)).toHaveLength(fast ? 2 : 0);
      for (let i = 0; i < 2; i++) await model.trainOnBatch(x, y);
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      tf.dispose([x, y]);
      model.dispose();
      return weights;
    };
    const expected = await run('cpu', false);
    for (const [backend, weights] of [['cpu', await run('cpu', true)], ['wasm', await run('wasm', true)]] as const) {
      weights.forEach((w, i) => expectClose(w, expected[i]!, `${backend} weight ${i}`));
    }
  });

  it('saves as a stock BatchNormalization and reloads into the stock class with the same weights', async () => {
    await tf.setBackend('wasm');
    const input = tfl.input({ shape: [4] });
    const out = fastBatchNormalization({ momentum: 0.7, epsilon: 0.01 }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const json = model.toJSON(null, false) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const bn = json.config.layers.find((l) => l.class_name === 'BatchNormalization');
    expect(bn?.config).toMatchObject({ momentum: 0.7, epsilon: 0.01, axis: -1 });
    const saved: tf.io.ModelArtifacts[] = [];
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved.push(artifacts);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved[0]!));
    const layer = loaded.layers[1]!;
    expect(layer).not.toBeInstanceOf(FastBatchNormalization);
    expect(layer.getClassName()).toBe('BatchNormalization');
    loaded.getWeights().forEach((w, i) => expectClose(w.dataSync() as Float32Array, model.getWeights()[i]!.dataSync() as Float32Array, `weight ${i}`));
  });
});
