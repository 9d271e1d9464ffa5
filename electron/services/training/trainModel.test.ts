import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';
import { runSummarySchema } from '../../../shared/format/runSummary';
import { selectBackend } from '../backends/selectBackend';
import { loadDataset, type DataInfo, type LoadedDataset } from '../datasets/loadDataset';
import path from 'node:path';
import { DEFAULT_DATA_SPLIT, type ImageFolderDataSpec } from '../../../shared/data/dataSpec';
import { loadImageFolderForTraining } from '../data/images/imageFolderUserData';
import { proposeImageFolderSpecForPath } from '../data/images/proposeImageFolderSpec';
import { LIVE_BOUNDARY_RESOLUTION } from '../../../shared/contracts/evaluation';
import { planeGridFor, predictBoundary } from '../evaluation/planeBoundary';
import { installSeededMathRandom } from './seededMathRandom';
import { trainModel, type TrainingHead } from './trainModel';
import { TrainingControl } from './trainingControl';

const HEAD: TrainingHead = { task: 'classification', loss: 'categoricalCrossentropy', units: 2 };

function mlp(hidden = 16, dropout = 0): tfl.LayersModel {
  const layers: tfl.layers.Layer[] = [tfl.layers.dense({ units: hidden, activation: 'tanh', inputShape: [2] })];
  if (dropout > 0) layers.push(tfl.layers.dropout({ rate: dropout }));
  layers.push(tfl.layers.dense({ units: 2, activation: 'softmax' }));
  return tfl.sequential({ layers });
}

function config(patch: Partial<TrainingConfig>): TrainingConfig {
  return { ...DEFAULT_TRAINING_CONFIG, ...patch };
}

/** Builds and trains under the seeded Math.random, as runTraining does. */
async function seededRun(cfg: TrainingConfig, dropout = 0) {
  const restore = installSeededMathRandom(cfg.seed);
  try {
    const model = mlp(16, dropout);
    const outcome = await trainModel(model, HEAD, loadDataset('moons', { samples: 400 }), cfg, { runId: 'r', backend: { name: tf.getBackend() } });
    model.dispose();
    return outcome;
  } finally {
    restore();
  }
}

describe('trainModel', () => {
  it('learns xor and reports a valid summary', async () => {
    await selectBackend('cpu');
    const model = mlp();
    const batches: number[] = [];
    const epochs: number[] = [];
    let started: unknown;
    const { summary, failure } = await trainModel(model, HEAD, loadDataset('xor'), config({ epochs: 30, learningRate: 0.05 }), {
      runId: 'run-1',
      backend: { name: 'cpu' },
      callbacks: { onStarted: (e) => (started = e), onBatch: (e) => batches.push(e.batch), onEpoch: (e) => epochs.push(e.epoch) },
    });
    model.dispose();
    expect(failure).toBeUndefined();
    expect(started).toMatchObject({ params: 2 * 16 + 16 + 16 * 2 + 2, trainSize: 256, valSize: 64, testSize: 80 });
    expect(epochs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(batches.length).toBeGreaterThan(0);
    expect(() => runSummarySchema.parse(summary)).not.toThrow();
    expect(summary.status).toBe('completed');
    expect(summary.final.accuracy).toBe(1);
    expect(summary.final.testAccuracy).toBeGreaterThan(0.97);
    expect(summary.epochs[29]!.loss).toBeLessThan(summary.epochs[0]!.loss);
  });

  it('keeps the tensor count stable across epochs', async () => {
    await selectBackend('cpu');
    const model = mlp();
    const counts: number[] = [];
    await trainModel(model, HEAD, loadDataset('circles'), config({ epochs: 5, optimizer: 'adamw' }), {
      runId: 'r',
      backend: { name: 'cpu' },
      callbacks: { onEpoch: () => counts.push(tf.memory().numTensors) },
    });
    model.dispose();
    expect(new Set(counts).size).toBe(1);
  });

  it.each(['cpu', 'wasm'] as const)('same seed on %s gives identical metrics; another seed differs', async (backend) => {
    await selectBackend(backend);
    const a = await seededRun(config({ epochs: 3, seed: 5 }), 0.2);
    const b = await seededRun(config({ epochs: 3, seed: 5 }), 0.2);
    const c = await seededRun(config({ epochs: 3, seed: 6 }), 0.2);
    expect(a.summary.epochs).toEqual(b.summary.epochs);
    expect(a.summary.final).toEqual(b.summary.final);
    expect(c.summary.epochs).not.toEqual(a.summary.epochs);
  });

  it.each(['sgd', 'momentum', 'adam', 'rmsprop', 'adamw'] as const)('learns blobs with %s', async (optimizer) => {
    await selectBackend('cpu');
    const model = tfl.sequential({
      layers: [tfl.layers.dense({ units: 8, activation: 'relu', inputShape: [2] }), tfl.layers.dense({ units: 3, activation: 'softmax' })],
    });
    const { summary } = await trainModel(
      model,
      { ...HEAD, units: 3 },
      loadDataset('blobs'),
      config({ optimizer, epochs: 10, learningRate: optimizer === 'sgd' ? 0.3 : 0.03 }),
      { runId: 'r', backend: { name: 'cpu' } },
    );
    model.dispose();
    expect(summary.final.testAccuracy).toBeGreaterThan(0.9);
  });

  it('refuses a head that does not match the classes before training', async () => {
    await selectBackend('cpu');
    const model = mlp();
    await expect(trainModel(model, HEAD, loadDataset('blobs'), config({}), { runId: 'r', backend: { name: 'cpu' } })).rejects.toThrow(
      "Output has 2 units but dataset 'blobs' has 3 classes",
    );
    model.dispose();
  });

  it('stops on a NaN loss naming epoch and batch', async () => {
    await selectBackend('cpu');
    // Weights so large that the logits overflow float32: softmax gives NaN on the first batch.
    const huge = tfl.initializers.constant({ value: 1e20 });
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 16, inputShape: [2], kernelInitializer: huge }),
        tfl.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: huge }),
      ],
    });
    const { summary, failure } = await trainModel(model, HEAD, loadDataset('xor', { noise: 0 }), config({ epochs: 3 }), {
      runId: 'r',
      backend: { name: 'cpu' },
    });
    model.dispose();
    expect(failure?.reason).toMatch(/^Training diverged: the loss became (NaN|Infinity) at epoch \d+, batch \d+\. Try a lower learning rate/);
    expect(failure).toMatchObject({ epoch: 1, batch: 1 });
    expect(summary.status).toBe('failed');
    expect(() => runSummarySchema.parse(summary)).not.toThrow();
  });

  it('pauses and stops at batch boundaries', async () => {
    await selectBackend('cpu');
    const model = mlp();
    const control = new TrainingControl();
    const events: string[] = [];
    let batchesAfterPause = 0;
    const outcome = trainModel(model, HEAD, loadDataset('moons', { samples: 4000 }), config({ epochs: 20, batchSize: 8 }), {
      runId: 'r',
      backend: { name: 'cpu' },
      control,
      callbacks: {
        onBatch: () => {
          if (events.includes('paused')) batchesAfterPause++;
          if (!events.includes('pause-requested')) {
            events.push('pause-requested');
            control.pause();
          }
        },
        onPaused: () => {
          events.push('paused');
          setTimeout(() => control.resume(), 50);
        },
        onResumed: () => {
          events.push('resumed');
          setTimeout(() => control.stop(), 100);
        },
      },
    });
    const { summary } = await outcome;
    model.dispose();
    expect(events).toEqual(['pause-requested', 'paused', 'resumed']);
    expect(summary.status).toBe('stopped');
    expect(summary.epochs.length).toBeLessThan(20);
    expect(summary.final.testAccuracy).toBeGreaterThan(0.5);
  });

  it('reports the untrained loss when stopped before the first step', async () => {
    await selectBackend('cpu');
    const model = mlp();
    const control = new TrainingControl();
    control.stop();
    const { summary } = await trainModel(model, HEAD, loadDataset('xor'), config({ epochs: 5 }), { runId: 'r', backend: { name: 'cpu' }, control });
    model.dispose();
    expect(summary.status).toBe('stopped');
    expect(summary.epochs).toEqual([]);
    // An untrained 2-class softmax sits near ln 2.
    expect(summary.final.loss).toBeGreaterThan(0.4);
    expect(summary.final.accuracy).toBeGreaterThanOrEqual(0);
    expect(summary.final.testAccuracy).toBeGreaterThanOrEqual(0);
  });

  it('throttles batch events to at most 20 per second', async () => {
    await selectBackend('cpu');
    const model = mlp();
    const times: number[] = [];
    await trainModel(model, HEAD, loadDataset('xor'), config({ epochs: 20, batchSize: 4 }), {
      runId: 'r',
      backend: { name: 'cpu' },
      callbacks: { onBatch: () => times.push(performance.now()) },
    });
    model.dispose();
    // 20 epochs × 64 batches were trained; far fewer events were sent, each ~50 ms after the previous one. The stamps
    // here are taken when each callback runs, a little after the trainer read its clock to decide, so two of them can
    // be closer than 50 ms by that delay (49.8 ms seen on a loaded machine); unthrottled, they are ~1 ms apart.
    expect(times.length).toBeGreaterThan(1);
    expect(times.length).toBeLessThan(20 * 64);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(45);
  });

  it('sends the live decision boundary on 2-D data: throttled between batches, at every epoch end, changing as it learns', async () => {
    await selectBackend('wasm');
    const restore = installSeededMathRandom(7);
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 64, activation: 'relu', inputShape: [2] }),
        tfl.layers.dense({ units: 64, activation: 'relu' }),
        tfl.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    restore();
    const events: { epoch: number; batch: number; at: number; probabilities: number[]; grid: { columns: number; rows: number } }[] = [];
    await trainModel(model, HEAD, loadDataset('spirals'), config({ epochs: 4, batchSize: 8 }), {
      runId: 'r',
      backend: { name: 'wasm' },
      callbacks: { onBoundary: (e) => events.push({ ...e, at: performance.now() }) },
    });
    // What one update costs the trainer: a predict over the 48×48 grid and the copy into the message.
    const grid = planeGridFor(loadDataset('spirals'), LIVE_BOUNDARY_RESOLUTION)!;
    predictBoundary(model, grid);
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) predictBoundary(model, grid);
    const msPerUpdate = (performance.now() - t0) / 20;
    console.log(`decision boundary update on spirals: ${msPerUpdate.toFixed(2)} ms (${tf.getBackend()}, 32×32 grid, 2×64 relu MLP)`);
    model.dispose();
    const batchesPerEpoch = Math.ceil(1280 / 8);
    const epochEnds = events.filter((e) => e.batch === batchesPerEpoch).map((e) => e.epoch);
    expect(epochEnds).toEqual([1, 2, 3, 4]);
    for (const e of events) expect(e.probabilities).toHaveLength(e.grid.columns * e.grid.rows * 2);
    // Between batches, at most one every 500 ms.
    for (let i = 1; i < events.length; i++) if (events[i]!.batch < batchesPerEpoch) expect(events[i]!.at - events[i - 1]!.at).toBeGreaterThanOrEqual(499);
    expect(events[0]!.grid).toMatchObject({ columns: LIVE_BOUNDARY_RESOLUTION, rows: LIVE_BOUNDARY_RESOLUTION });
    expect(events.length).toBeGreaterThan(4);
    // The plane's colours change as the network learns.
    const first = events.find((e) => e.batch === batchesPerEpoch && e.epoch === 1)!;
    const last = events.find((e) => e.batch === batchesPerEpoch && e.epoch === 4)!;
    const moved = first.probabilities.reduce((n, p, i) => n + (Math.abs(p - last.probabilities[i]!) > 0.05 ? 1 : 0), 0);
    expect(moved).toBeGreaterThan(first.probabilities.length / 20);
  }, 60_000);

  it('sends no boundary for data that is not 2-D points', async () => {
    await selectBackend('cpu');
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
    let boundaries = 0;
    await trainModel(model, { task: 'classification', loss: 'categoricalCrossentropy', units: 3 }, loadDataset('iris'), config({ epochs: 1 }), {
      runId: 'r',
      backend: { name: 'cpu' },
      callbacks: { onBoundary: () => boundaries++ },
    });
    model.dispose();
    expect(boundaries).toBe(0);
  });
});

describe('trainModel: augmentation of training batches (image folders)', () => {
  const shapes = path.resolve(import.meta.dirname, '../data/fixtures/images/shapes');
  const SHAPES_HEAD: TrainingHead = { task: 'classification', loss: 'categoricalCrossentropy', units: 3 };

  /** The shapes fixture (16×16 gray, 3 classes) loaded with flip, shift and rotate on. */
  async function augmentedShapes(): Promise<LoadedDataset<DataInfo>> {
    const { spec } = await proposeImageFolderSpecForPath(shapes, shapes, 5);
    const augmented: ImageFolderDataSpec = { ...spec, augmentation: { flip: true, shift: 0.2, rotate: 20 }, split: { ...DEFAULT_DATA_SPLIT, seed: 5 } };
    const data = await loadImageFolderForTraining(shapes, augmented);
    expect(data.augmentTrainBatch).toBeDefined();
    return data;
  }

  function linear(): tfl.LayersModel {
    return tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [16, 16, 1] }), tfl.layers.dense({ units: 3, activation: 'softmax' })] });
  }

  /** Rows of `x` (256 values each) as strings, to compare batches with splits by content. */
  const rows = (x: ArrayLike<number>, count: number) => Array.from({ length: count }, (_, i) => Array.from(x).slice(i * 256, (i + 1) * 256).join(','));

  it('trains on augmented batches (seeded by run seed, epoch and batch); validation and test see the data as loaded', async () => {
    await selectBackend('cpu');
    const data = await augmentedShapes();
    const calls: { epoch: number; batch: number; seed: number | undefined; input: Float32Array; output: Float32Array }[] = [];
    const spied: LoadedDataset<DataInfo> = {
      ...data,
      augmentTrainBatch: (x, count, epoch, batch, seed) => {
        const output = data.augmentTrainBatch!(x, count, epoch, batch, seed);
        calls.push({ epoch, batch, seed, input: x.slice(), output });
        return output;
      },
    };
    const model = linear();
    const trained: Float32Array[] = [];
    const evaluated: string[] = [];
    const predicted: string[] = [];
    const trainOnBatch = model.trainOnBatch.bind(model);
    model.trainOnBatch = (x, y) => {
      trained.push((x as tf.Tensor).dataSync() as Float32Array);
      return trainOnBatch(x, y);
    };
    const evaluate = model.evaluate.bind(model);
    model.evaluate = (x, y, args) => {
      const t = x as tf.Tensor;
      evaluated.push(...rows(t.dataSync(), t.shape[0]!));
      return evaluate(x, y, args);
    };
    const predict = model.predict.bind(model);
    model.predict = (x, args) => {
      const t = x as tf.Tensor;
      predicted.push(...rows(t.dataSync(), t.shape[0]!));
      return predict(x, args);
    };
    const cfg = config({ epochs: 2, batchSize: 8, seed: 77, learningRate: 0.01 });
    const { summary } = await trainModel(model, SHAPES_HEAD, spied, cfg, { runId: 'r', backend: { name: 'cpu' } });
    model.dispose();
    expect(summary.status).toBe('completed');
    const batchesPerEpoch = Math.ceil(data.train.count / 8);
    // Every training batch, and only those, went through the augmentation, with the run's seed, epoch and batch.
    expect(calls.map((c) => [c.epoch, c.batch, c.seed])).toEqual(
      [1, 2].flatMap((epoch) => Array.from({ length: batchesPerEpoch }, (_, b) => [epoch, b + 1, 77])),
    );
    expect(trained).toEqual(calls.map((c) => c.output));
    // Augmented batches are not the gathered ones (the same training images, transformed).
    const changed = calls.filter((c) => !c.output.every((v, i) => v === c.input[i])).length;
    expect(changed).toBe(calls.length);
    const trainRows = new Set(rows(data.train.x, data.train.count));
    for (const c of calls) for (const row of rows(c.input, c.input.length / 256)) expect(trainRows.has(row)).toBe(true);
    // Validation (each epoch) and test are the loaded splits, unaugmented.
    expect(evaluated).toEqual([...rows(data.val!.x, data.val!.count), ...rows(data.val!.x, data.val!.count)]);
    expect(predicted).toEqual(rows(data.test.x, data.test.count));
  });

  it('the same seed gives the same run; another seed other batches', async () => {
    await selectBackend('cpu');
    const data = await augmentedShapes();
    const run = async (seed: number) => {
      const restore = installSeededMathRandom(seed);
      try {
        const model = linear();
        const outcome = await trainModel(model, SHAPES_HEAD, data, config({ epochs: 3, batchSize: 8, seed, learningRate: 0.01 }), { runId: 'r', backend: { name: 'cpu' } });
        model.dispose();
        return outcome.summary;
      } finally {
        restore();
      }
    };
    const a = await run(3);
    const b = await run(3);
    expect(b.epochs).toEqual(a.epochs);
    expect(b.final).toEqual(a.final);
    const batchA = data.augmentTrainBatch!(data.train.x.slice(0, 8 * 256), 8, 1, 1, 3);
    expect(data.augmentTrainBatch!(data.train.x.slice(0, 8 * 256), 8, 1, 1, 3)).toEqual(batchA);
    expect(data.augmentTrainBatch!(data.train.x.slice(0, 8 * 256), 8, 1, 1, 4)).not.toEqual(batchA);
  });
});
