import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backends/selectBackend';
import { compileGraph } from '../compiler/compileGraph';
import { loadDataset } from '../datasets/loadDataset';
import { chainGraph } from '../training/referenceGraphs';
import { featureSize, gatherInputs, gatherTargets, seededSampleIndices } from './insightBatch';
import { LandscapeCancelledError, filterLayoutOf, filterNormalize, landscapeDirections, lossLandscape, offsets } from './lossLandscape';

beforeAll(async () => {
  await selectBackend('cpu');
});

const spiralsNet = () =>
  compileGraph(
    chainGraph('spirals net', [
      ['input', 'Input', { kind: 'vector', size: 2 }],
      ['h1', 'Dense', { units: 16, activation: 'tanh' }],
      ['bn', 'BatchNorm', {}],
      ['h2', 'Dense', { units: 8, activation: 'relu' }],
      ['out', 'Output', { task: 'classification', units: 2 }],
    ]),
    { seed: 3 },
  );

/** Per-filter L2 norms with tfjs ops: the values grouped as [rest, filters] (filters on the last axis). */
function filterNorms(t: tf.Tensor, filters: number): number[] {
  return tf.tidy(() => Array.from(tf.norm(tf.reshape(t, [-1, filters]), 'euclidean', 0).dataSync()));
}

describe('filter normalisation', () => {
  it('gives each filter of a Dense and a Conv2D kernel the norm of the same filter of the weights', () => {
    const input = tfl.input({ shape: [6, 6, 3] });
    const conv = tfl.layers.conv2d({ filters: 5, kernelSize: 3, name: 'conv' }).apply(input) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten().apply(conv) as tfl.SymbolicTensor;
    const dense = tfl.layers.dense({ units: 4, name: 'dense', biasInitializer: 'ones' }).apply(flat) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: dense });
    const moved = landscapeDirections(model, 11);
    // Kernels only: biases (rank 1) get no direction.
    expect(moved.map((w) => w.variable.originalName)).toEqual(['conv/kernel', 'dense/kernel']);
    for (const w of moved) {
      const filters = w.origin.shape.at(-1)!;
      const want = filterNorms(w.origin, filters);
      for (const d of [w.d1, w.d2]) {
        filterNorms(d, filters).forEach((norm, f) => expect(norm).toBeCloseTo(want[f]!, 4));
      }
      // Two different directions, both reproducible from the seed.
      expect(Array.from(w.d1.dataSync())).not.toEqual(Array.from(w.d2.dataSync()));
    }
    const again = landscapeDirections(model, 11);
    expect(Array.from(again[1]!.d1.dataSync())).toEqual(Array.from(moved[1]!.d1.dataSync()));
    model.dispose();
  });

  it('groups depthwise, transposed and embedding kernels by their own output units', () => {
    // [kh, kw, in, multiplier] = [3, 3, 2, 2]: 4 filters (one per output channel), values interleaved.
    expect(filterLayoutOf('DepthwiseConv2D', 'dw/depthwise_kernel', [3, 3, 2, 2])).toEqual({ count: 4, inner: 1 });
    // [kh, kw, out, in] = [3, 3, 4, 2]: output channel = second-to-last axis.
    expect(filterLayoutOf('Conv2DTranspose', 'up/kernel', [3, 3, 4, 2])).toEqual({ count: 4, inner: 2 });
    expect(filterLayoutOf('Embedding', 'emb/embeddings', [10, 3])).toEqual({ count: 10, inner: 3 });
    // An independent check of the transposed layout: norms over all axes but the output channel.
    const shape = [3, 3, 4, 2];
    const w = tf.randomNormal(shape, 0, 1, 'float32', 5);
    const d = tf.randomNormal(shape, 0, 1, 'float32', 6);
    const normalized = tf.tensor(filterNormalize(d.dataSync() as Float32Array, w.dataSync(), filterLayoutOf('Conv2DTranspose', 'up/kernel', shape)), shape);
    const perOut = (t: tf.Tensor) => Array.from(tf.norm(tf.reshape(tf.transpose(t, [2, 0, 1, 3]), [4, -1]), 'euclidean', 1).dataSync());
    perOut(normalized).forEach((norm, f) => expect(norm).toBeCloseTo(perOut(w)[f]!, 4));
    tf.dispose([w, d, normalized]);
  });
});

describe('lossLandscape', () => {
  const data = loadDataset('spirals');
  const head = { task: 'classification' as const, loss: 'categoricalCrossentropy' as const };

  it("is the model's own loss at the trained weights, evaluates the line at the requested points, and puts the weights back", async () => {
    const { model } = spiralsNet();
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const result = await lossLandscape(model, head, data, { runId: 'r1', seed: 4, samples: 100, range: 0.5, lineSteps: 5, gridSize: 3 });
    expect(result.line.alphas).toEqual([-0.5, -0.25, 0, 0.25, 0.5]);
    expect(result.line.losses).toHaveLength(5);
    expect(result.grid.alphas).toEqual([-0.5, 0, 0.5]);
    expect(result.grid.losses).toHaveLength(9);
    expect(result.samples).toBe(100);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);

    // The model's own loss on the same batch: tfjs-layers' compiled loss, through model.evaluate.
    const indices = seededSampleIndices(data.train.count, 100, 4);
    const size = featureSize(data);
    const x = tf.tensor(gatherInputs(data.train, indices, size), [100, 2]);
    const y = tf.tensor(gatherTargets(data.train, indices, size, head, 2).y, [100, 2]);
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const own = (model.evaluate(x, y) as tf.Scalar).dataSync()[0]!;
    expect(result.centerLoss).toBeCloseTo(own, 5);
    expect(result.line.losses[2]).toBeCloseTo(own, 5);
    expect(result.grid.losses[4]).toBeCloseTo(own, 5);

    // Each line point is the loss at w + α·d₁ with the seed's directions, set independently here.
    const moved = landscapeDirections(model, 4);
    for (const k of [0, 3]) {
      const alpha = result.line.alphas[k]!;
      const original = moved.map((w) => w.origin.clone());
      moved.forEach((w) => w.variable.write(tf.add(w.origin, tf.mul(w.d1, alpha))));
      const there = (model.evaluate(x, y) as tf.Scalar).dataSync()[0]!;
      expect(result.line.losses[k]).toBeCloseTo(there, 5);
      moved.forEach((w, i) => w.variable.write(original[i]!));
    }
    expect(result.line.losses[0]).not.toBeCloseTo(own, 3);
    model.dispose();
  });

  it("measures a table regression in the target's own units, like the run's losses (standardised MSE × std²)", async () => {
    const { model } = compileGraph(
      chainGraph('regression', [
        ['input', 'Input', { kind: 'vector', size: 2 }],
        ['h', 'Dense', { units: 4, activation: 'tanh' }],
        ['out', 'Output', { task: 'regression', units: 1 }],
      ]),
      { seed: 5 },
    );
    const regressionHead = { task: 'regression' as const, loss: 'meanSquaredError' as const };
    const count = 40;
    const x = Float32Array.from({ length: count * 2 }, (_, i) => Math.sin(i));
    const targets = Float32Array.from({ length: count }, (_, i) => Math.cos(i));
    const split = { x, labels: new Int32Array(0), targets, count };
    const standardised = { info: { id: 'table.csv', inputShape: [2], classes: 0, classNames: [] }, train: split, test: split, targetWidth: 1 };
    const options = { runId: 'r3', seed: 2, samples: 40, range: 0.5, lineSteps: 3, gridSize: 0 };
    const plain = await lossLandscape(model, regressionHead, standardised, options);
    const inUnits = await lossLandscape(model, regressionHead, { ...standardised, lossScale: 250 ** 2 }, options);
    expect(plain.centerLoss).toBeGreaterThan(0);
    expect(inUnits.centerLoss).toBeCloseTo(plain.centerLoss! * 250 ** 2, 1);
    inUnits.line.losses.forEach((loss, i) => expect(loss).toBeCloseTo(plain.line.losses[i]! * 250 ** 2, 1));
    model.dispose();
  });

  it('is reproducible for a seed; a different seed draws other directions', async () => {
    const { model } = spiralsNet();
    const options = { runId: 'r', samples: 64, lineSteps: 7, gridSize: 0 as const };
    const a = await lossLandscape(model, head, data, { ...options, seed: 1 });
    const b = await lossLandscape(model, head, data, { ...options, seed: 1 });
    const c = await lossLandscape(model, head, data, { ...options, seed: 2 });
    expect(b.line).toEqual(a.line);
    expect(c.line.losses).not.toEqual(a.line.losses);
    expect(a.grid.losses).toEqual([]);
    model.dispose();
  });

  it('reports progress with an ETA, and a cancel stops it between points with the weights put back', async () => {
    const { model } = spiralsNet();
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    const abort = new AbortController();
    const seen: { done: number; total: number; etaMs?: number }[] = [];
    const run = lossLandscape(model, head, data, {
      runId: 'r',
      samples: 64,
      lineSteps: 11,
      gridSize: 11,
      progressEveryMs: 0,
      signal: abort.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.done === 5) abort.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(LandscapeCancelledError);
    expect(seen.map((p) => p.done)).toEqual([1, 2, 3, 4, 5]);
    expect(seen[0]!.total).toBe(1 + 11 + 121);
    expect(seen[4]!.etaMs).toBeGreaterThan(0);
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    model.dispose();
  });

  it('spaces offsets evenly with an exact 0 in the middle', () => {
    expect(offsets(1, 3)).toEqual([-1, 0, 1]);
    expect(offsets(2, 5)).toEqual([-2, -1, 0, 1, 2]);
    expect(offsets(1, 4)).toHaveLength(4);
  });
});
