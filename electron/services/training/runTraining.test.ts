import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';
import { graphHash } from '../../../shared/format/graphHash';
import { runSummarySchema } from '../../../shared/format/runSummary';
import { chainGraph, readExample } from './referenceGraphs';
import { runTraining } from './runTraining';

const MOONS_WITH_DROPOUT = chainGraph('moons', [
  ['input', 'Input', { kind: 'vector', size: 2 }],
  ['h1', 'Dense', { units: 32, activation: 'relu' }],
  ['drop', 'Dropout', { rate: 0.3 }],
  ['h2', 'Dense', { units: 16, activation: 'tanh' }],
  ['output', 'Output', { task: 'classification', units: 2 }],
]);

function config(patch: Partial<TrainingConfig>): TrainingConfig {
  return { ...DEFAULT_TRAINING_CONFIG, dataset: 'moons', epochs: 3, ...patch };
}

describe('runTraining', () => {
  it.each(['cpu', 'wasm'] as const)('is reproducible on %s: same seed, same metrics (weights, shuffling and dropout seeded)', async (backend) => {
    const originalRandom = Math.random;
    const a = await runTraining(MOONS_WITH_DROPOUT, undefined, config({ backend, seed: 11 }));
    const b = await runTraining(MOONS_WITH_DROPOUT, undefined, config({ backend, seed: 11 }));
    const c = await runTraining(MOONS_WITH_DROPOUT, undefined, config({ backend, seed: 12 }));
    expect(a.backend.name).toBe(backend);
    expect(b.summary.epochs).toEqual(a.summary.epochs);
    expect(b.summary.final).toEqual(a.summary.final);
    expect(c.summary.epochs).not.toEqual(a.summary.epochs);
    // The seeded Math.random is only installed for the run.
    expect(Math.random).toBe(originalRandom);
  });

  it('frees every tensor it created, model included', async () => {
    await runTraining(MOONS_WITH_DROPOUT, undefined, config({ backend: 'cpu', epochs: 1 }));
    const before = tf.memory().numTensors;
    await runTraining(MOONS_WITH_DROPOUT, undefined, config({ backend: 'cpu', epochs: 2, optimizer: 'rmsprop' }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the trained model on request', async () => {
    const { model, summary } = await runTraining(MOONS_WITH_DROPOUT, undefined, config({ backend: 'cpu', epochs: 1 }), { keepModel: true });
    expect(model?.countParams()).toBe(2 * 32 + 32 + 32 * 16 + 16 + 16 * 2 + 2);
    expect(summary.status).toBe('completed');
    model?.dispose();
  });

  it('names the graph it trained in the summary (graphHash), and claims no checkpoint itself', async () => {
    const { summary } = await runTraining(MOONS_WITH_DROPOUT, undefined, config({ backend: 'cpu', epochs: 1 }));
    expect(summary.graphHash).toBe(graphHash(MOONS_WITH_DROPOUT));
    expect(summary.checkpoint).toBeUndefined();
    expect(runSummarySchema.parse(summary)).toEqual(summary);
  });

  it('trains a regression head as an autoencoder of the input (loss falls, no accuracy)', async () => {
    const autoencoder = chainGraph('iris autoencoder', [
      ['input', 'Input', { kind: 'vector', size: 4 }],
      ['code', 'Dense', { units: 2, activation: 'tanh' }],
      ['output', 'Output', { task: 'regression', units: 4 }],
    ]);
    const { summary } = await runTraining(autoencoder, undefined, config({ dataset: 'iris', backend: 'cpu', epochs: 30, learningRate: 0.02 }));
    expect(summary.epochs[29]!.loss).toBeLessThan(summary.epochs[0]!.loss * 0.6);
    expect(summary.final.accuracy).toBeUndefined();
    expect(summary.final.testLoss).toBeLessThan(0.5);
  });

  it('names the problem when setup fails', async () => {
    await expect(runTraining(MOONS_WITH_DROPOUT, undefined, config({ dataset: 'cifar10' }))).rejects.toThrow("Unknown dataset 'cifar10'");
    await expect(runTraining(MOONS_WITH_DROPOUT, { id: 'iris' }, config({}))).rejects.toThrow(
      "Input 'input' is 2 but dataset 'iris' gives 4",
    );
    const broken = chainGraph('broken', [
      ['input', 'Input', { kind: 'vector', size: 2 }],
      ['conv', 'Conv2D', { filters: 4 }],
      ['output', 'Output', { task: 'classification', units: 2 }],
    ]);
    await expect(runTraining(broken, undefined, config({ backend: 'cpu' }))).rejects.toThrow(/graph has \d+ error/);
  });

  it.each(['sgd', 'momentum', 'adam', 'rmsprop'] as const)(
    'ends spirals at learning rate 10 with %s as failed and diverged, with advice and only finite numbers',
    async (optimizer) => {
      const file = await readExample('spirals.nbrick');
      const { summary, failure } = await runTraining(file.graph, undefined, { ...file.training, backend: 'wasm', learningRate: 10, optimizer });
      expect(summary.status).toBe('failed');
      expect(failure?.reason).toMatch(/^Training diverged: .* epoch \d+, batch \d+.*Try a lower learning rate \(now 10; try 1\)/);
      expect(summary.error).toBe(failure?.reason);
      // Stopped early, not after all 60 epochs at chance.
      expect(summary.epochs.length).toBeLessThan(10);
      // The record is valid and survives JSON unchanged (no NaN or Infinity anywhere).
      expect(() => runSummarySchema.parse(summary)).not.toThrow();
      expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    },
  );
});
