/**
 * Data-parallel training with a real worker thread (its own tfjs engine and wasm instance) on the wasm backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { StartedEvent } from '../../../../shared/contracts/trainer';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../../shared/format/trainingConfig';
import { selectBackend } from '../../backends/selectBackend';
import { compileGraph } from '../../compiler/compileGraph';
import { loadDataset } from '../../datasets/loadDataset';
import { chainGraph, readExample, XOR_MLP } from '../referenceGraphs';
import { runTraining } from '../runTraining';
import { installSeededMathRandom } from '../seededMathRandom';
import { targetWidth, trainModel } from '../trainModel';
import { DataParallel } from './DataParallel';

/** BatchNorm (moving statistics to keep in sync) and Dropout (random masks per replica) on a 2-d dataset. */
const BN_DROPOUT_MLP = chainGraph('BN + Dropout MLP', [
  ['input', 'Input', { kind: 'vector', size: 2 }],
  ['h1', 'Dense', { units: 32, activation: 'relu' }],
  ['bn', 'BatchNorm', {}],
  ['drop', 'Dropout', { rate: 0.2 }],
  ['h2', 'Dense', { units: 32, activation: 'relu' }],
  ['output', 'Output', { task: 'classification', units: 2 }],
]);

const config = (patch: Partial<TrainingConfig>): TrainingConfig => ({
  ...DEFAULT_TRAINING_CONFIG,
  dataset: 'moons',
  backend: 'wasm',
  workers: 2,
  ...patch,
});

describe('DataParallel', () => {
  it('keeps both replicas bit-identical (weights and BatchNorm moving statistics) after every step', async () => {
    const backend = await selectBackend('wasm');
    const cfg = config({ epochs: 3, batchSize: 25, optimizer: 'adamw' }); // 25: uneven halves (13 + 12)
    const data = loadDataset('moons', { samples: 300 });
    const restore = installSeededMathRandom(cfg.seed);
    const { model, head } = compileGraph(BN_DROPOUT_MLP);
    const initial = model.getWeights().map((w) => Array.from(w.dataSync()));
    const parallel = new DataParallel({
      model,
      graph: BN_DROPOUT_MLP,
      config: cfg,
      backend,
      loss: head.loss,
      metrics: ['accuracy'],
      inputShape: data.info.inputShape,
      targetWidth: targetWidth(head, data.info.classes, 2),
      maxBatchRows: cfg.batchSize,
    });
    try {
      let started: Omit<StartedEvent, 'type' | 'runId'> | undefined;
      const { summary } = await trainModel(model, head, data, cfg, {
        runId: 'r',
        backend,
        parallel,
        callbacks: { onStarted: (e) => (started = e) },
      });
      expect(summary.status).toBe('completed');
      expect(summary.workers).toBe(2);
      expect(started?.workers).toBe(2);
      const ours = model.getWeights().map((w) => Array.from(w.dataSync()));
      const theirs = (await parallel.replicaWeights()).map((w) => Array.from(w));
      expect(theirs.length).toBe(ours.length);
      expect(theirs).toEqual(ours); // exact equality, every float of every weight
      // Training really moved the weights (including the moving statistics), so the comparison means something.
      expect(ours.every((w, i) => w.some((value, j) => value !== initial[i]![j]))).toBe(true);
      // Every step was timed on both threads: 3 epochs of ceil(192 / 25) batches (240 samples, 20 % held out).
      const phases = parallel.phases();
      expect(started?.trainSize).toBe(192);
      expect(phases.steps).toBe(3 * 8);
      expect(phases.workerSteps).toBe(3 * 8);
      expect(phases.trainer.compute).toBeGreaterThan(0);
      expect(phases.worker.compute).toBeGreaterThan(0);
      for (const ms of [...Object.values(phases.trainer), ...Object.values(phases.worker)]) expect(ms).toBeGreaterThanOrEqual(0);
    } finally {
      await parallel.dispose();
      model.dispose();
      restore();
    }
  }, 60_000);

  it('each replica averaging for itself gives the bits of the trainer averaging for both (no BatchNorm: the trainer runs ahead)', async () => {
    // Without BatchNorm nothing holds the two threads in step mid-step, so the trainer can post the next batch and
    // publish its next gradients before the worker has read this step's (the case that must neither hang nor mix up
    // the two gradient slots). 25-row batches: uneven halves; the last batch of 192 has 17 rows.
    const graph = chainGraph('Dropout MLP', [
      ['input', 'Input', { kind: 'vector', size: 2 }],
      ['h1', 'Dense', { units: 32, activation: 'relu' }],
      ['drop', 'Dropout', { rate: 0.2 }],
      ['h2', 'Dense', { units: 32, activation: 'relu' }],
      ['output', 'Output', { task: 'classification', units: 2 }],
    ]);
    const backend = await selectBackend('wasm');
    const cfg = config({ epochs: 4, batchSize: 25, optimizer: 'adam' });
    const data = loadDataset('moons', { samples: 300 });
    const train = async (eachAverages: boolean) => {
      const restore = installSeededMathRandom(cfg.seed);
      const { model, head } = compileGraph(graph);
      const parallel = new DataParallel({
        model, graph, config: cfg, backend, loss: head.loss, metrics: ['accuracy'],
        inputShape: data.info.inputShape, targetWidth: targetWidth(head, data.info.classes, 2),
        maxBatchRows: cfg.batchSize, eachAverages,
      });
      try {
        const { summary } = await trainModel(model, head, data, cfg, { runId: 'r', backend, parallel });
        expect(summary.status).toBe('completed');
        const ours = model.getWeights().map((w) => Array.from(w.dataSync()));
        const theirs = (await parallel.replicaWeights()).map((w) => Array.from(w));
        expect(theirs).toEqual(ours);
        return { ours, final: summary.final, steps: parallel.phases().workerSteps };
      } finally {
        await parallel.dispose();
        model.dispose();
        restore();
      }
    };
    const each = await train(true);
    const trainer = await train(false);
    expect(each.steps).toBe(4 * 8);
    expect(trainer.steps).toBe(4 * 8);
    expect(each.ours).toEqual(trainer.ours);
    expect(each.final).toEqual(trainer.final);
  }, 60_000);

  it('gives identical metrics for the same seed, run to run, and different ones for another seed', async () => {
    const run = async (seed: number) => (await runTraining(BN_DROPOUT_MLP, undefined, config({ epochs: 3, seed }))).summary;
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(a.workers).toBe(2);
    expect(a.epochs).toEqual(b.epochs);
    expect(a.final).toEqual(b.final);
    expect(c.epochs).not.toEqual(a.epochs);
  }, 60_000);

  it('trains spirals.nbrick to the same bar as one worker (≥ 95 % validation and test accuracy in 40 epochs)', async () => {
    const file = await readExample('spirals.nbrick');
    const { summary } = await runTraining(file.graph, undefined, { ...file.training, epochs: 40, backend: 'wasm', workers: 2 });
    expect(summary.workers).toBe(2);
    expect(summary.final.valAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(summary.final.testAccuracy).toBeGreaterThanOrEqual(0.95);
  }, 60_000);

  it('fails the run with a clear error, not a hang, when the worker dies mid-run', async () => {
    let parallel: DataParallel | undefined;
    let killed = false;
    const run = runTraining(BN_DROPOUT_MLP, undefined, config({ epochs: 50 }), {
      onParallel: (p) => (parallel = p),
      callbacks: {
        onBatch: (e) => {
          if (e.epoch >= 2 && !killed) {
            killed = true;
            void parallel?.worker.terminate();
          }
        },
      },
    });
    await expect(run).rejects.toThrow(/Data-parallel training worker exited unexpectedly/);
    expect(killed).toBe(true);
  }, 60_000);

  it('keeps both replicas\' tensor counts constant from step to step (nothing kept across steps)', async () => {
    const backend = await selectBackend('wasm');
    const restore = installSeededMathRandom(1);
    const { model, head } = compileGraph(BN_DROPOUT_MLP);
    const rows = 25; // uneven halves (13 + 12), synchronised BatchNorm on
    const parallel = new DataParallel({
      model, graph: BN_DROPOUT_MLP, config: config({ batchSize: rows }), backend, loss: head.loss, metrics: ['accuracy'],
      inputShape: [2], targetWidth: 2, maxBatchRows: rows,
    });
    try {
      model.compile({ optimizer: 'adam', loss: head.loss, metrics: ['accuracy'] });
      const x = Float32Array.from({ length: rows * 2 }, (_, i) => Math.sin(i));
      const y = new Float32Array(rows * 2);
      for (let i = 0; i < rows; i++) y[i * 2 + (i % 2)] = 1;
      const step = () => parallel.trainOnBatch(model, model.optimizer, x, y, rows);
      await step(); // the first step creates the optimizer's slots on both replicas
      const trainer = tf.memory().numTensors;
      const worker = await parallel.replicaMemory();
      for (let i = 0; i < 4; i++) await step();
      expect(tf.memory().numTensors).toBe(trainer);
      const after = await parallel.replicaMemory();
      expect(after.numTensors).toBe(worker.numTensors);
      // The worker holds its model's weights (trainable and moving statistics) and Adam's two slots per trainable weight,
      // nothing else: no copies of its initial weights.
      const weights = model.weights.length;
      const trainable = model.trainableWeights.length;
      expect(after.numTensors).toBeLessThanOrEqual(weights + 2 * trainable + 2);
      expect(after.wasmHeapBytes).toBeGreaterThan(0);
      expect(after.v8HeapUsedBytes).toBeGreaterThan(0);
    } finally {
      await parallel.dispose();
      model.dispose();
      restore();
    }
  }, 60_000);

  it('reports an error raised inside the worker with its cause', async () => {
    const backend = await selectBackend('wasm');
    const { model, head } = compileGraph(BN_DROPOUT_MLP);
    // The worker rebuilds XOR_MLP, which does not have the trainer's weights: it must refuse, and say why.
    const parallel = new DataParallel({
      model,
      graph: XOR_MLP,
      config: config({}),
      backend,
      loss: head.loss,
      metrics: ['accuracy'],
      inputShape: [2],
      targetWidth: 2,
      maxBatchRows: 32,
    });
    try {
      model.compile({ optimizer: 'adam', loss: head.loss, metrics: ['accuracy'] });
      const x = new Float32Array(8 * 2);
      const y = new Float32Array(8 * 2);
      await expect(parallel.trainOnBatch(model, model.optimizer, x, y, 8)).rejects.toThrow(/replica 1 built \d+ weights, the trainer has \d+/);
    } finally {
      await parallel.dispose();
      model.dispose();
    }
  }, 60_000);
});
