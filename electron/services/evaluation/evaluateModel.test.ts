import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { BOUNDARY_RESOLUTION, MAX_SCATTER_POINTS, runEvaluationSchema, type ClassificationEvaluation } from '../../../shared/contracts/evaluation';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';
import type { RunSummary } from '../../../shared/format/runSummary';
import { selectBackend } from '../backends/selectBackend';
import { loadDataset } from '../datasets/loadDataset';
import { modelToFiles } from '../training/modelFiles';
import { SPIRALS_MLP, XOR_MLP, chainGraph } from '../training/referenceGraphs';
import { runTraining } from '../training/runTraining';
import { evaluateModel, outputTaskOf } from './evaluateModel';
import { loadModelFromFiles } from './modelFromFiles';

const config = (patch: Partial<TrainingConfig>): TrainingConfig => ({ ...DEFAULT_TRAINING_CONFIG, backend: 'cpu', ...patch });

let summary: RunSummary;
let model: tfl.LayersModel;

beforeAll(async () => {
  // Half-trained on purpose: a spirals net after 3 epochs makes mistakes in both classes.
  const result = await runTraining(SPIRALS_MLP, { id: 'spirals' }, config({ dataset: 'spirals', epochs: 3 }), { keepModel: true });
  summary = result.summary;
  model = result.model!;
}, 120_000);

function classification(evaluation: ReturnType<typeof evaluateModel>): ClassificationEvaluation {
  if (evaluation.task !== 'classification') throw new Error(`expected a classification evaluation, got ${evaluation.task}`);
  return evaluation;
}

describe('evaluateModel', () => {
  it("reproduces the run's recorded test accuracy and loss exactly", () => {
    const evaluation = classification(evaluateModel(model, loadDataset('spirals'), { runId: summary.id, backend: 'cpu' }));
    expect(summary.final.testAccuracy).toBeGreaterThan(0.5);
    expect(summary.final.testAccuracy).toBeLessThan(1);
    expect(evaluation.metrics.accuracy).toBe(summary.final.testAccuracy);
    expect(evaluation.metrics.loss).toBe(summary.final.testLoss);
    expect(() => runEvaluationSchema.parse(evaluation)).not.toThrow();
  });

  it('computes the metrics of a direct model.predict on the test split (rows = true class)', () => {
    const data = loadDataset('spirals');
    const evaluation = classification(evaluateModel(model, data, { runId: 'r', backend: 'cpu', maxMistakes: 5 }));
    const probs = tf.tidy(() => (model.predict(tf.tensor(data.test.x, [data.test.count, 2])) as tf.Tensor).arraySync() as number[][]);
    const matrix = [
      [0, 0],
      [0, 0],
    ];
    const wrong: { index: number; confidence: number }[] = [];
    probs.forEach((row, i) => {
      const predicted = row[1]! > row[0]! ? 1 : 0;
      matrix[data.test.labels[i]!]![predicted]!++;
      if (predicted !== data.test.labels[i]) wrong.push({ index: i, confidence: Math.max(row[0]!, row[1]!) });
    });
    expect(evaluation.metrics.confusionMatrix).toEqual(matrix);
    expect(evaluation.metrics.accuracy).toBe((matrix[0]![0]! + matrix[1]![1]!) / data.test.count);
    expect(evaluation.data).toEqual({ datasetId: 'spirals', split: 'test', sampleCount: data.test.count, inputShape: [2] });
    expect(evaluation.labels).toEqual(data.info.classNames);
    expect(evaluation.metrics.perClass.map((c) => c.support)).toEqual([matrix[0]![0]! + matrix[0]![1]!, matrix[1]![0]! + matrix[1]![1]!]);
    // The most confident mistakes first, each naming a test-split index with its true label.
    wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
    expect(evaluation.mistakeCount).toBe(wrong.length);
    expect(evaluation.mistakes.map((m) => m.index)).toEqual(wrong.slice(0, 5).map((w) => w.index));
    for (const m of evaluation.mistakes) expect(m.trueClass).toBe(data.test.labels[m.index]);
    // Every test sample is in exactly one confusion cell.
    const cells = evaluation.cellSamples.flat(2).sort((a, b) => a - b);
    expect(cells).toEqual(Array.from({ length: data.test.count }, (_, i) => i));
    expect(evaluation.cellSamples[1]![0]!.length).toBe(matrix[1]![0]);
  });

  it("matches tfjs' own evaluate: the loss within float32 rounding, the accuracy to the last count", () => {
    const data = loadDataset('spirals');
    const evaluation = classification(evaluateModel(model, data, { runId: 'r', backend: 'cpu' }));
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const [loss, accuracy] = tf.tidy(() => {
      const xs = tf.tensor(data.test.x, [data.test.count, 2]);
      const ys = tf.oneHot(tf.tensor1d(data.test.labels, 'int32'), 2);
      return (model.evaluate(xs, ys, { batchSize: 512 }) as tf.Scalar[]).map((s) => s.dataSync()[0]!);
    });
    expect(evaluation.metrics.loss).toBeCloseTo(loss!, 5);
    expect(Math.round(evaluation.metrics.accuracy * data.test.count)).toBe(Math.round(accuracy! * data.test.count));
  });

  it('gives the decision boundary over the whole plane for 2-D data', () => {
    const evaluation = classification(evaluateModel(model, loadDataset('spirals'), { runId: 'r', backend: 'cpu' }));
    const boundary = evaluation.boundary!;
    expect(boundary.grid.columns).toBe(BOUNDARY_RESOLUTION);
    expect(boundary.grid.rows).toBe(BOUNDARY_RESOLUTION);
    expect(boundary.outputWidth).toBe(2);
    expect(boundary.probabilities).toHaveLength(BOUNDARY_RESOLUTION * BOUNDARY_RESOLUTION * 2);
    // Both classes win somewhere on the plane.
    const winners = new Set<number>();
    for (let i = 0; i < boundary.probabilities.length; i += 2) winners.add(boundary.probabilities[i + 1]! > boundary.probabilities[i]! ? 1 : 0);
    expect([...winners].sort()).toEqual([0, 1]);
  });

  it('scores a model loaded back from its files the same, bit for bit', async () => {
    const data = loadDataset('spirals');
    const loaded = await loadModelFromFiles(await modelToFiles(model));
    const { elapsedMs: _a, ...original } = evaluateModel(model, data, { runId: 'r', backend: 'cpu' });
    const { elapsedMs: _b, ...again } = evaluateModel(loaded, data, { runId: 'r', backend: 'cpu' });
    expect(again).toEqual(original);
    loaded.dispose();
  });

  it('refuses a model whose outputs do not fit the dataset, naming both', async () => {
    await selectBackend('cpu');
    const result = await runTraining(XOR_MLP, { id: 'xor' }, config({ epochs: 1 }), { keepModel: true });
    expect(outputTaskOf(result.model!)).toBe('classification');
    expect(() => evaluateModel(result.model!, loadDataset('iris'), { runId: 'r', backend: 'cpu' })).toThrow(/takes|outputs 2 values per sample but dataset 'iris' has 3 classes|shape/);
    result.model!.dispose();
  }, 60_000);

  it('fails clearly on files that are not a model', async () => {
    await expect(loadModelFromFiles([{ name: 'weights.bin', bytes: new Uint8Array(4) }])).rejects.toThrow(/has no model.json/);
    const files = await modelToFiles(model);
    const cut = files.map((f) => (f.name === 'model.json' ? f : { ...f, bytes: f.bytes.subarray(0, 16) }));
    await expect(loadModelFromFiles(cut)).rejects.toThrow();
  });

  it('scores a binary (sigmoid) head the same way trainModel does: accuracy equals the recorded one', async () => {
    const graph = chainGraph('XOR binary', [
      ['input', 'Input', { kind: 'vector', size: 2 }],
      ['hidden', 'Dense', { units: 8, activation: 'tanh' }],
      ['output', 'Output', { task: 'binary', units: 1 }],
    ]);
    const result = await runTraining(graph, { id: 'xor' }, config({ epochs: 2, learningRate: 0.02 }), { keepModel: true });
    const evaluation = classification(evaluateModel(result.model!, loadDataset('xor'), { runId: 'r', backend: 'cpu' }));
    result.model!.dispose();
    expect(evaluation.metrics.classCount).toBe(2);
    expect(evaluation.metrics.accuracy).toBe(result.summary.final.testAccuracy);
    expect(evaluation.metrics.loss).toBe(result.summary.final.testLoss);
    expect(evaluation.boundary?.outputWidth).toBe(1);
  }, 60_000);

  it('gives regression metrics for a regression head (the input reconstructed), in the data\'s own units', async () => {
    await selectBackend('cpu');
    const identity = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, activation: 'linear', inputShape: [2], kernelInitializer: 'identity', biasInitializer: 'zeros' })] });
    const evaluation = evaluateModel(identity, loadDataset('moons'), { runId: 'r', backend: 'cpu' });
    identity.dispose();
    if (evaluation.task !== 'regression') throw new Error(`expected regression, got ${evaluation.task}`);
    expect(evaluation.metrics.outputCount).toBe(2);
    expect(evaluation.metrics.average.meanAbsoluteError).toBe(0);
    expect(evaluation.metrics.average.r2).toBe(1);
    expect(() => runEvaluationSchema.parse(evaluation)).not.toThrow();
  });

  it('sends a bounded sample of (true, predicted) pairs for the scatter: every output pooled, predicted as the model did', async () => {
    await selectBackend('cpu');
    // Halves its input: every prediction is half its target, every residual half the target.
    const half = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, activation: 'linear', inputShape: [2], kernelInitializer: 'zeros', biasInitializer: 'zeros' })] });
    half.layers[0]!.setWeights([tf.mul(tf.eye(2), 0.5), tf.zeros([2])]);
    const data = loadDataset('moons', { samples: 10_000 });
    const evaluation = evaluateModel(half, data, { runId: 'r', backend: 'cpu' });
    half.dispose();
    if (evaluation.task !== 'regression') throw new Error(`expected regression, got ${evaluation.task}`);
    const parsed = runEvaluationSchema.parse(evaluation);
    expect(parsed).toEqual(evaluation);
    expect(evaluation.targets).toBe('input');
    const scatter = evaluation.scatter!;
    const values = data.test.count * 2;
    expect(values).toBeGreaterThan(MAX_SCATTER_POINTS);
    expect(scatter).toMatchObject({ output: null, available: values });
    expect(scatter.trueValues).toHaveLength(MAX_SCATTER_POINTS);
    scatter.trueValues.forEach((y, i) => expect(scatter.predictedValues[i]).toBeCloseTo(y / 2, 6));
    // Every pair is one of the test split's values, none twice.
    const pool = new Set(data.test.x.subarray(0, values));
    expect(scatter.trueValues.every((y) => pool.has(y))).toBe(true);
    expect(JSON.stringify(evaluation).length).toBeLessThan(200_000);
    // The residual histogram pools every output too.
    expect(evaluation.metrics.residualHistogram.counts.reduce((a, b) => a + b, 0)).toBe(values);
  });
});
