import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainerEvent } from '../../../shared/contracts/trainer';
import { createGraphFile } from '../../../shared/format/graphFileSchema';
import type { RunSummary } from '../../../shared/format/runSummary';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { CheckpointService } from '../checkpoints/CheckpointService';
import { loadDataset } from '../datasets/loadDataset';
import { checkpointDirFor, writeCheckpoint } from '../checkpoints/checkpointStore';
import { readGraphFile } from '../files/readGraphFile';
import { writeGraphFileAtomic } from '../files/writeGraphFileAtomic';
import { XOR_MLP } from '../training/referenceGraphs';
import { TrainingHost } from '../training/TrainingHost';
import { RunEvaluations, datasetSamples } from './runEvaluations';

let dir: string;
let first: TrainingHost;
let summary: RunSummary;
let graphFile: string;

const readGraph = async (file: string) => {
  const read = await readGraphFile(file);
  if (!read.ok) throw new Error(read.error.message);
  return read.file;
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'run-evaluations-'));
  first = new TrainingHost();
  const ended = new Promise<TrainerEvent>((resolve) => first.onEvent((e) => (e.type === 'finished' || e.type === 'failed') && resolve(e)));
  const runId = await first.start({ graph: XOR_MLP, config: { ...DEFAULT_TRAINING_CONFIG, backend: 'cpu', dataset: 'xor', epochs: 4 } });
  const event = await ended;
  if (event.type !== 'finished') throw new Error(`run ${runId} did not finish: ${JSON.stringify(event)}`);
  summary = event.summary;
  // The run saved with its file, as Save does: the record in the file, its checkpoint beside it.
  graphFile = path.join(dir, 'xor.nbrick');
  await writeGraphFileAtomic(graphFile, { ...createGraphFile(XOR_MLP), runs: [summary] });
  await writeCheckpoint(checkpointDirFor(graphFile, summary.id), { runId: summary.id, graphHash: summary.graphHash!, files: await first.modelFiles(summary.id) });
}, 60_000);

afterAll(async () => {
  await first.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('RunEvaluations', () => {
  it("evaluates a run the trainer still holds, with the settings it started with: accuracy = the run's testAccuracy", async () => {
    const evaluations = new RunEvaluations({ trainer: first, readGraph });
    const evaluation = await evaluations.evaluateRun(summary.id, null, 2);
    expect(evaluation.task).toBe('classification');
    if (evaluation.task !== 'classification') return;
    expect(evaluation.metrics.accuracy).toBe(summary.final.testAccuracy);
    expect(evaluation.metrics.loss).toBe(summary.final.testLoss);
    expect(evaluation.data).toMatchObject({ datasetId: 'xor', sampleCount: 80 });
    expect(evaluation.labels).toEqual(['same sign', 'different sign']);
  });

  it("after the trainer is gone, evaluates and predicts from the checkpoint beside the file, reading the run's record", async () => {
    const fresh = new TrainingHost();
    try {
      const evaluations = new RunEvaluations({ trainer: fresh, checkpoints: new CheckpointService({ stateDir: path.join(dir, 'state') }), readGraph });
      const evaluation = await evaluations.evaluateRun(summary.id, graphFile);
      if (evaluation.task !== 'classification') throw new Error('expected classification');
      expect(evaluation.metrics.accuracy).toBe(summary.final.testAccuracy);
      const points = [1, 1, -1, 1, 1, -1, -1, -1];
      const fromCheckpoint = await evaluations.predict(summary.id, graphFile, [2], points);
      const fromKept = await new RunEvaluations({ trainer: first, readGraph }).predict(summary.id, null, [2], points);
      expect(fromCheckpoint).toEqual(fromKept);
      expect(fromCheckpoint.outputWidth).toBe(2);
      // Repeated predictions use the model the trainer loaded (measured for the report).
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) await evaluations.predict(summary.id, graphFile, [2], points);
      console.log(`predict through the trainer child: ${((performance.now() - t0) / 20).toFixed(2)} ms per call (xor MLP, 4 points)`);
    } finally {
      await fresh.dispose();
    }
  }, 60_000);

  it('says which run and why when its checkpoint is damaged or missing', async () => {
    const fresh = new TrainingHost();
    try {
      const evaluations = new RunEvaluations({ trainer: fresh, checkpoints: new CheckpointService({ stateDir: path.join(dir, 'state') }), readGraph });
      await truncate(path.join(checkpointDirFor(graphFile, summary.id), 'weights.bin'), 10);
      await expect(evaluations.evaluateRun(summary.id, graphFile)).rejects.toThrow(
        new RegExp(`^Cannot evaluate run ${summary.id}: the trainer no longer holds its model and its checkpoint is damaged \\(.*weights\\.bin`),
      );
      await expect(evaluations.predict('run-never', null, [2], [0, 0])).rejects.toThrow(/^Cannot predict with run run-never: the trainer no longer holds its model and its checkpoint is missing/);
      await expect(evaluations.evaluateRun('run-never', graphFile)).rejects.toThrow(`Run run-never is not in ${graphFile}'s run history`);
    } finally {
      await fresh.dispose();
    }
  }, 60_000);
});

describe('a run trained with dataset options', () => {
  it('records them, and after a restart evaluates the unsaved run from its pending checkpoint on the same split', async () => {
    const dataset = { id: 'xor', options: { samples: 120, seed: 7, noise: 0.3 } };
    const trainer = new TrainingHost();
    const stateDir = path.join(dir, 'state-options');
    let optionsRun: RunSummary;
    try {
      const ended = new Promise<TrainerEvent>((resolve) => trainer.onEvent((e) => (e.type === 'finished' || e.type === 'failed') && resolve(e)));
      await trainer.start({ graph: XOR_MLP, dataset, config: { ...DEFAULT_TRAINING_CONFIG, backend: 'cpu', dataset: 'xor', epochs: 2 } });
      const event = await ended;
      if (event.type !== 'finished') throw new Error(`run did not finish: ${JSON.stringify(event)}`);
      optionsRun = event.summary;
      expect(optionsRun.dataset).toEqual(dataset);
      await new CheckpointService({ stateDir }).capture(optionsRun, trainer.modelFiles(optionsRun.id));
    } finally {
      await trainer.dispose();
    }
    const fresh = new TrainingHost();
    try {
      const evaluations = new RunEvaluations({ trainer: fresh, checkpoints: new CheckpointService({ stateDir }), readGraph });
      const evaluation = await evaluations.evaluateRun(optionsRun.id, null);
      if (evaluation.task !== 'classification') throw new Error('expected classification');
      expect(evaluation.data).toMatchObject({ datasetId: 'xor', datasetOptions: dataset.options, sampleCount: 24 });
      expect(evaluation.metrics.accuracy).toBe(optionsRun.final.testAccuracy);
      // The checkpoint does not say which backend trained: the loss may differ in the last digits.
      expect(evaluation.metrics.loss).toBeCloseTo(optionsRun.final.testLoss!, 6);
      // The samples the view fetches for that evaluation are those of the same split.
      const samples = datasetSamples({ dataset: 'xor', options: evaluation.data.datasetOptions, split: 'test', indices: [0, 23] });
      const { test } = loadDataset('xor', dataset.options);
      expect(samples.samples.map((s) => s.values)).toEqual([Array.from(test.x.subarray(0, 2)), Array.from(test.x.subarray(46, 48))]);
    } finally {
      await fresh.dispose();
    }
  }, 60_000);
});

describe('datasetSamples', () => {
  it('returns test-split samples by index, in the order asked', () => {
    const answer = datasetSamples({ dataset: 'mnist', split: 'test', indices: [3, 0] });
    expect(answer.inputShape).toEqual([28, 28, 1]);
    expect(answer.samples.map((s) => s.index)).toEqual([3, 0]);
    expect(answer.samples[0]!.values).toHaveLength(784);
    expect(() => datasetSamples({ dataset: 'xor', split: 'test', indices: [80] })).toThrow('sample 80 is not in the xor test split (0..79)');
  });
});
