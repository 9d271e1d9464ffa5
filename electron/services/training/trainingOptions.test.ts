/**
 * The training options through the real loop: learning-rate schedules (every optimizer takes the scheduled rate, the
 * trainer applies learningRateAt step by step, the worker replica applies the same), gradient clipping on 1 and 2
 * workers (a bound that never bites changes nothing, bit for bit; replicas stay identical; telemetry sees the clipped
 * gradients), and early stopping (stops after `patience`, restores the best epoch's weights, reports numbers of the
 * weights it kept).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { TelemetrySample } from '../../../shared/contracts/telemetry';
import { runSummarySchema } from '../../../shared/format/runSummary';
import { DEFAULT_TRAINING_CONFIG, OPTIMIZERS, type TrainingConfig } from '../../../shared/format/trainingConfig';
import { learningRateAt } from '../../../shared/training/learningRateSchedule';
import { selectBackend } from '../backends/selectBackend';
import { compileGraph } from '../compiler/compileGraph';
import { loadDataset } from '../datasets/loadDataset';
import { seededUniform } from '../testing/seededUniform';
import { createOptimizer, learningRateOf, setLearningRate } from './createOptimizer';
import { DataParallel } from './parallel/DataParallel';
import { chainGraph } from './referenceGraphs';
import { runTraining } from './runTraining';
import { installSeededMathRandom } from './seededMathRandom';
import { targetWidth, trainModel } from './trainModel';

const MLP = chainGraph('options MLP', [
  ['input', 'Input', { kind: 'vector', size: 2 }],
  ['h1', 'Dense', { units: 24, activation: 'relu' }],
  ['bn', 'BatchNorm', {}],
  ['h2', 'Dense', { units: 24, activation: 'tanh' }],
  ['h3', 'Dense', { units: 16, activation: 'relu' }],
  ['output', 'Output', { task: 'classification', units: 2 }],
]);

const DATA = { id: 'moons', options: { samples: 300 } } as const;

const config = (patch: Partial<TrainingConfig>): TrainingConfig => ({
  ...DEFAULT_TRAINING_CONFIG,
  dataset: 'moons',
  backend: 'wasm',
  epochs: 3,
  batchSize: 16,
  learningRate: 0.05,
  ...patch,
});

/** A 1-worker run of MLP; returns the summary, batch events, telemetry and the final weights. */
async function train(patch: Partial<TrainingConfig>, telemetry = false) {
  const batches: { epoch: number; batch: number; batchesPerEpoch: number; learningRate?: number }[] = [];
  const samples: TelemetrySample[] = [];
  const result = await runTraining(MLP, DATA, config({ workers: 1, ...patch }), {
    keepModel: true,
    telemetry,
    callbacks: { onBatch: (e) => batches.push(e), onTelemetry: (e) => samples.push(e) },
  });
  const weights = result.model!.getWeights().map((w) => Array.from(w.dataSync()));
  result.model!.dispose();
  return { summary: result.summary, batches, samples, weights };
}

describe('learning-rate schedules', () => {
  it.each(['cpu', 'wasm'] as const)('every optimizer steps with the rate it was set to, AdamW decay included (%s)', async (backend) => {
    await selectBackend(backend);
    for (const name of OPTIMIZERS) {
      const run = (optimizer: tf.Optimizer) => {
        const w = tf.variable(tf.tensor(seededUniform(12, 1), [3, 4]));
        const b = tf.variable(tf.tensor(seededUniform(4, 2), [4]));
        for (let step = 0; step < 3; step++) {
          optimizer.applyGradients({ [w.name]: tf.tensor(seededUniform(12, 10 + step), [3, 4]), [b.name]: tf.tensor(seededUniform(4, 20 + step), [4]) });
        }
        const out = [Array.from(w.dataSync()), Array.from(b.dataSync())];
        w.dispose();
        b.dispose();
        optimizer.dispose();
        return out;
      };
      const set = createOptimizer(name, 0.1);
      setLearningRate(set, 0.003);
      expect(learningRateOf(set)).toBe(0.003);
      const made = run(createOptimizer(name, 0.003));
      expect(run(set), name).toEqual(made);
      expect(made, name).not.toEqual(run(createOptimizer(name, 0.1)));
    }
  });

  it('applies learningRateAt at every step and reports it with the batches', async () => {
    const lrSchedule = { kind: 'cosine', warmupEpochs: 1, minLearningRate: 0.001 } as const;
    const { batches, summary } = await train({ lrSchedule, epochs: 4, batchSize: 64 });
    expect(summary.status).toBe('completed');
    expect(batches.length).toBeGreaterThan(0);
    for (const e of batches) {
      const step = (e.epoch - 1) * e.batchesPerEpoch + e.batch - 1;
      expect(e.learningRate).toBe(learningRateAt(lrSchedule, step, { learningRate: 0.05, batchesPerEpoch: e.batchesPerEpoch, epochs: 4 }));
    }
    const constant = await train({ lrSchedule: { kind: 'constant' }, epochs: 2 });
    const none = await train({ epochs: 2 });
    expect(constant.summary.epochs).toEqual(none.summary.epochs);
    expect(constant.weights).toEqual(none.weights);
    expect(none.batches[0]!.learningRate).toBeUndefined();
    const stepped = await train({ lrSchedule: { kind: 'step', everyEpochs: 1, factor: 0.1 }, epochs: 2 });
    expect(stepped.summary.epochs[0]).toEqual(none.summary.epochs[0]); // same rate in epoch 1
    expect(stepped.summary.epochs[1]).not.toEqual(none.summary.epochs[1]);
  });
});

describe('gradient clipping in training', () => {
  it.each(['cpu', 'wasm'] as const)('a bound that never bites trains bit for bit as no clipping; one that bites differs (%s)', async (backend) => {
    const none = await train({ backend, epochs: 2 });
    // Beyond the file format's λ ≤ 100 on purpose: with zero-initialised biases the bound is λ·ε = λ·1e-3 per element,
    // which a bias gradient can exceed even at λ = 100.
    const agcHuge = await train({ backend, epochs: 2, clip: { kind: 'agc', lambda: 1e12 } });
    const normHuge = await train({ backend, epochs: 2, clip: { kind: 'norm', maxNorm: 1e6 } });
    expect(agcHuge.weights).toEqual(none.weights);
    expect(agcHuge.summary.epochs).toEqual(none.summary.epochs);
    expect(normHuge.weights).toEqual(none.weights);
    const agc = await train({ backend, epochs: 2, clip: { kind: 'agc', lambda: 0.001 } });
    const norm = await train({ backend, epochs: 2, clip: { kind: 'norm', maxNorm: 0.01 } });
    expect(agc.weights).not.toEqual(none.weights);
    expect(norm.weights).not.toEqual(none.weights);
    expect(agc.summary.status).toBe('completed');
  });

  it('telemetry measures the gradients the step applied: after global-norm clipping their joint norm is maxNorm', async () => {
    const maxNorm = 0.01;
    const { samples } = await train({ epochs: 3, clip: { kind: 'norm', maxNorm }, telemetryEvery: 1 }, true);
    expect(samples.length).toBeGreaterThan(0); // the first step at least (telemetry is throttled to 20 per second)
    for (const s of samples) {
      const joint = Math.sqrt(Object.values(s.nodes).reduce((a, n) => a + (n.gradNorm ?? 0) ** 2, 0));
      // Never above the bound; at step 1 (a fresh network's gradient is far above 0.01) exactly at it. Later steps may
      // fall below it once Adam has trained the small net (then nothing is clipped), so only step 1 is pinned.
      expect(joint).toBeLessThanOrEqual(maxNorm * (1 + 1e-3));
      if (s.step === 1) expect(Math.abs(joint - maxNorm) / maxNorm).toBeLessThan(1e-3);
    }
  });
});

/** trainModel on 2 replicas with a DataParallel of our own, so the worker's weights can be read before it stops. */
async function trainParallel(cfg: TrainingConfig) {
  const backend = await selectBackend('wasm');
  const data = loadDataset('moons', { samples: 300 });
  const restore = installSeededMathRandom(cfg.seed);
  const { model, head } = compileGraph(MLP);
  const parallel = new DataParallel({
    model,
    graph: MLP,
    config: cfg,
    backend,
    loss: head.loss,
    metrics: ['accuracy'],
    inputShape: data.info.inputShape,
    targetWidth: targetWidth(head, data.info.classes, 2),
    maxBatchRows: cfg.batchSize,
  });
  try {
    const { summary } = await trainModel(model, head, data, cfg, { runId: 'r', backend, parallel });
    const ours = model.getWeights().map((w) => Array.from(w.dataSync()));
    const theirs = (await parallel.replicaWeights()).map((w) => Array.from(w));
    return { summary, ours, theirs };
  } finally {
    await parallel.dispose();
    model.dispose();
    restore();
  }
}

describe('training options on 2 workers', () => {
  it('keeps the replicas bit-identical under a schedule with AGC and with global-norm clipping', async () => {
    const lrSchedule = { kind: 'exponential', factor: 0.5, warmupEpochs: 1 } as const;
    for (const clip of [{ kind: 'agc', lambda: 0.005 }, { kind: 'norm', maxNorm: 0.05 }] as const) {
      const { summary, ours, theirs } = await trainParallel(config({ workers: 2, batchSize: 25, optimizer: 'adamw', lrSchedule, clip }));
      expect(summary.status).toBe('completed');
      expect(theirs).toEqual(ours);
    }
  }, 60_000);

  it('a bound that never bites gives the same run as no clipping; one that bites does not', async () => {
    const none = await trainParallel(config({ workers: 2 }));
    const huge = await trainParallel(config({ workers: 2, clip: { kind: 'agc', lambda: 1e12 } })); // see the 1-worker test
    const bites = await trainParallel(config({ workers: 2, clip: { kind: 'agc', lambda: 0.001 } }));
    expect(huge.ours).toEqual(none.ours);
    expect(huge.summary.epochs).toEqual(none.summary.epochs);
    expect(bites.ours).not.toEqual(none.ours);
  }, 60_000);
});

describe('early stopping', () => {
  // XOR reaches 100 % validation accuracy within a few epochs and cannot beat it: the run must stop `patience` later.
  const XOR = chainGraph('XOR', [
    ['input', 'Input', { kind: 'vector', size: 2 }],
    ['hidden', 'Dense', { units: 16, activation: 'tanh' }],
    ['bn', 'BatchNorm', {}],
    ['output', 'Output', { task: 'classification', units: 2 }],
  ]);
  const xorConfig = (patch: Partial<TrainingConfig>) =>
    config({ dataset: 'xor', epochs: 60, learningRate: 0.05, earlyStopping: { metric: 'val_accuracy', patience: 3 }, ...patch });

  async function trainXor(patch: Partial<TrainingConfig>) {
    const epochWeights: number[][][] = [];
    let model: import('@tensorflow/tfjs-layers').LayersModel | undefined;
    const backend = await selectBackend('wasm');
    const data = loadDataset('xor');
    const cfg = xorConfig(patch);
    const restore = installSeededMathRandom(cfg.seed);
    try {
      const compiled = compileGraph(XOR);
      model = compiled.model;
      const m = model;
      const outcome = await trainModel(m, compiled.head, data, cfg, {
        runId: 'r',
        backend,
        callbacks: { onEpoch: () => epochWeights.push(m.getWeights().map((w) => Array.from(w.dataSync()))) },
      });
      return { ...outcome, weights: m.getWeights().map((w) => Array.from(w.dataSync())), epochWeights };
    } finally {
      model?.dispose();
      restore();
    }
  }

  it('stops `patience` epochs after the best one and puts its weights (and BatchNorm statistics) back', async () => {
    const { summary, weights, epochWeights } = await trainXor({});
    expect(runSummarySchema.safeParse(summary).success).toBe(true);
    expect(summary.status).toBe('completed');
    const vals = summary.epochs.map((e) => e.valAccuracy!);
    const bestEpoch = vals.indexOf(Math.max(...vals)) + 1;
    expect(summary.earlyStopped).toEqual({ bestEpoch, restoredBest: true });
    expect(summary.epochs.length).toBe(bestEpoch + 3);
    expect(summary.epochs.length).toBeLessThan(60);
    // The weights kept are the best epoch's, moving statistics included, and training moved on after it.
    expect(weights).toEqual(epochWeights[bestEpoch - 1]);
    expect(epochWeights[epochWeights.length - 1]).not.toEqual(weights);
    // Final numbers describe the restored weights: its training metrics and a fresh validation pass.
    const best = summary.epochs[bestEpoch - 1]!;
    expect(summary.final.loss).toBe(best.loss);
    expect(summary.final.valLoss).toBe(best.valLoss);
    expect(summary.final.valAccuracy).toBe(best.valAccuracy);
    expect(summary.final.valLoss).not.toBe(summary.epochs[summary.epochs.length - 1]!.valLoss);
    expect(summary.final.testAccuracy).toBeGreaterThan(0.9);
  });

  it('keeps the last weights with restoreBest false', async () => {
    const { summary, weights, epochWeights } = await trainXor({ earlyStopping: { metric: 'val_accuracy', patience: 3, restoreBest: false } });
    expect(summary.earlyStopped?.restoredBest).toBe(false);
    expect(weights).toEqual(epochWeights[epochWeights.length - 1]);
    expect(summary.final.valLoss).toBe(summary.epochs[summary.epochs.length - 1]!.valLoss);
  });

  it('trains every epoch when the metric keeps improving, and says nothing of early stopping', async () => {
    const { summary } = await trainXor({ epochs: 4, earlyStopping: { metric: 'loss', patience: 10 } });
    expect(summary.epochs).toHaveLength(4);
    expect(summary.earlyStopped).toBeUndefined();
  });

  it('refuses a validation metric without validation data, naming the field', async () => {
    await expect(trainXor({ validationSplit: 0, earlyStopping: { metric: 'val_loss', patience: 2 } })).rejects.toThrow(
      "earlyStopping.metric 'val_loss' needs validation data, but validationSplit is 0",
    );
  });

  it('ends a 2-worker run too, with the best weights in the model that is kept', async () => {
    const { summary } = await runTraining(XOR, undefined, xorConfig({ workers: 2 }));
    expect(summary.workers).toBe(2);
    expect(summary.earlyStopped?.restoredBest).toBe(true);
    const best = summary.epochs[summary.earlyStopped!.bestEpoch - 1]!;
    expect(summary.final.valLoss).toBe(best.valLoss);
  }, 60_000);
});
