import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';
import { selectBackend } from '../backends/selectBackend';
import { compileGraph } from '../compiler/compileGraph';
import { loadDataset } from '../datasets/loadDataset';
import { chainGraph, readExample, type Brick } from '../training/referenceGraphs';
import { installSeededMathRandom } from '../training/seededMathRandom';
import { featureSize, firstTrainingSamples, gatherInputs } from './insightBatch';
import { signalPropagation } from './signalPropagation';

const config = (overrides: Partial<TrainingConfig> = {}): TrainingConfig => ({ ...DEFAULT_TRAINING_CONFIG, ...overrides });

/** The paper's two statistics with plain loops over a [rows, channels] array. */
function byHand(values: Float32Array | Int32Array, channels: number): { avgSquaredMean: number; avgVariance: number } {
  const rows = values.length / channels;
  let sumSq = 0;
  let sumVar = 0;
  for (let c = 0; c < channels; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += values[r * channels + c]!;
    mean /= rows;
    let variance = 0;
    for (let r = 0; r < rows; r++) variance += (values[r * channels + c]! - mean) ** 2;
    variance /= rows;
    sumSq += mean * mean;
    sumVar += variance;
  }
  return { avgSquaredMean: sumSq / channels, avgVariance: sumVar / channels };
}

const close = (actual: number | null, expected: number) => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected)));
};

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('signalPropagation', () => {
  it("matches the statistics computed by hand from the fresh model's intermediate outputs (training mode)", async () => {
    const graph = chainGraph('small cnn', [
      ['input', 'Input', { kind: 'image', height: 28, width: 28, channels: 1 }],
      ['c1', 'Conv2D', { filters: 4, kernelSize: [3, 3], activation: 'relu', padding: 'same' }],
      ['bn', 'BatchNorm', {}],
      ['pool', 'MaxPool2D', {}],
      ['flat', 'Flatten', {}],
      ['d1', 'Dense', { units: 16, activation: 'tanh' }],
      ['out', 'Output', { task: 'classification', units: 10 }],
    ]);
    const data = loadDataset('mnist', { limit: 600 });
    const cfg = config({ dataset: 'mnist', seed: 7, validationSplit: 0.1 });
    const result = signalPropagation(graph, data, cfg, { samples: 64 });
    expect(result.samples).toBe(64);
    expect(result.nodes.map((n) => n.nodeId)).toEqual(['input', 'c1', 'bn', 'pool', 'flat', 'd1', 'out']);

    // Independently: the same seeded compile, then tfjs' own multi-output model over the same batch.
    const restore = installSeededMathRandom(cfg.seed);
    const compiled = compileGraph(graph);
    restore();
    const indices = firstTrainingSamples(data.train.count, cfg, 64);
    const x = tf.tensor(gatherInputs(data.train, indices, featureSize(data)), [64, 28, 28, 1]);
    const names = result.nodes.slice(1).map((n) => compiled.layerNames.get(n.nodeId)!.at(-1)!);
    const probe = tfl.model({ inputs: compiled.model.inputs, outputs: names.map((n) => compiled.model.getLayer(n).output as tfl.SymbolicTensor) });
    const outputs = probe.apply(x, { training: true }) as tf.Tensor[];
    const expected = [x, ...outputs].map((t) => byHand(t.dataSync() as Float32Array, t.shape[t.rank - 1]!));
    result.nodes.forEach((node, i) => {
      close(node.avgSquaredMean, expected[i]!.avgSquaredMean);
      close(node.avgVariance, expected[i]!.avgVariance);
    });
    expect(result.nodes.find((n) => n.nodeId === 'c1')).toMatchObject({ shape: [28, 28, 4], channels: 4, layer: 'c1' });
    // BatchNorm in training mode normalises with the batch's own statistics: every channel's mean is 0.
    expect(result.nodes.find((n) => n.nodeId === 'bn')!.avgSquaredMean!).toBeLessThan(1e-6);
    tf.dispose([x, ...outputs]);
    compiled.model.dispose();
  });

  it('is reproducible for a seed and changes with it', async () => {
    const { graph, training } = await readExample('spirals.nbrick');
    const data = loadDataset('spirals');
    const a = signalPropagation(graph, data, training);
    const b = signalPropagation(graph, data, training);
    const c = signalPropagation(graph, data, { ...training, seed: training.seed + 1 });
    expect(b.nodes).toEqual(a.nodes);
    expect(c.nodes.map((n) => n.avgVariance)).not.toEqual(a.nodes.map((n) => n.avgVariance));
  });

  it('physics: a deep plain ReLU chain loses variance with depth; BatchNorm after each layer keeps it at 1', () => {
    const depth = 20;
    const plain: Brick[] = [['input', 'Input', { kind: 'vector', size: 2 }]];
    const normed: Brick[] = [['input', 'Input', { kind: 'vector', size: 2 }]];
    for (let i = 1; i <= depth; i++) {
      plain.push([`d${i}`, 'Dense', { units: 64, activation: 'relu' }]);
      normed.push([`d${i}`, 'Dense', { units: 64, activation: 'linear' }], [`bn${i}`, 'BatchNorm', {}], [`r${i}`, 'Activation', { activation: 'relu' }]);
    }
    plain.push(['out', 'Output', { task: 'classification', units: 2 }]);
    normed.push(['out', 'Output', { task: 'classification', units: 2 }]);
    const data = loadDataset('spirals');
    const cfg = config({ dataset: 'spirals' });

    const p = signalPropagation(chainGraph('plain', plain), data, cfg);
    const variance = (id: string, r = p) => r.nodes.find((n) => n.nodeId === id)!.avgVariance!;
    // Glorot init with ReLU halves the second moment per layer: twenty layers lose orders of magnitude.
    expect(variance(`d${depth}`) / variance('d1')).toBeLessThan(1e-3);

    const n = signalPropagation(chainGraph('normed', normed), data, cfg);
    // From the second block on: the first BatchNorm sees spirals' small 2-D inputs mixed to a variance near its
    // epsilon (1e-3), so it normalises to var / (var + eps) < 1.
    for (let i = 2; i <= depth; i++) {
      expect(variance(`bn${i}`, n)).toBeGreaterThan(0.95);
      expect(variance(`bn${i}`, n)).toBeLessThan(1.05);
    }
    // After the ReLU the variance settles at a depth-independent level instead of drifting.
    expect(variance(`r${depth}`, n) / variance('r1', n)).toBeGreaterThan(0.5);
    expect(variance(`r${depth}`, n) / variance('r1', n)).toBeLessThan(2);
  });

  it('names the problem when the graph does not fit the dataset', () => {
    const graph = chainGraph('wrong input', [
      ['input', 'Input', { kind: 'vector', size: 3 }],
      ['out', 'Output', { task: 'classification', units: 2 }],
    ]);
    expect(() => signalPropagation(graph, loadDataset('spirals'), config({ dataset: 'spirals' }))).toThrow(/input/i);
  });
});
