/**
 * A/B of the dense step (electron/services/training/denseStep.ts) against tfjs' trainOnBatch, in one process on the
 * same model, alternating rounds of steps so both see the same machine load: the step time of each, on real MNIST
 * batches (the first layer's products skip the zero pixels as in training). The backend is the trainer's default
 * (`auto`: wasm, with the kernel helper on a 2-core machine).
 *
 *   node --import tsx bench/denseStep.ts [--model bench/mlp.nbrick] [--rounds 12] [--steps 30]
 *
 * Prints one JSON line: the median and best ms per step of each path and their ratio. 2026-12-07 on the 2-vCPU
 * EPYC VM (median / best ms per step): bench MLP trainOnBatch 3.82 / 2.29, dense step 2.25 / 1.48 (1.70×);
 * examples/autoencoder.nbrick 3.40 / 3.03 against 2.56 / 2.19 (1.33×).
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../electron/services/backends/selectBackend';
import { compileGraph } from '../electron/services/compiler/compileGraph';
import { loadMnistDigits } from '../electron/services/datasets/mnistDigits';
import { readGraphFile } from '../electron/services/files/readGraphFile';
import { createOptimizer } from '../electron/services/training/createOptimizer';
import { planDenseStep } from '../electron/services/training/denseStep';
import { compiledLoss } from '../electron/services/training/fusedLosses';

const arg = (flag: string, fallback: string): string => {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const file = arg('--model', 'bench/mlp.nbrick');
const rounds = Number(arg('--rounds', '12'));
const steps = Number(arg('--steps', '30'));

const info = await selectBackend('auto');
const read = await readGraphFile(file);
if (!read.ok) throw new Error(read.error.message);
const compiled = compileGraph(read.file.graph, { seed: 1 });
const { model, head } = compiled;
const metrics = head.task === 'regression' ? [] : ['accuracy'];
model.compile({ optimizer: createOptimizer('adam', 1e-3), ...compiledLoss(head.loss, metrics) });
const plan = planDenseStep(model, head.loss, metrics);
if ('reason' in plan) throw new Error(`${file}: no dense step (${plan.reason})`);

const inShape = model.inputs[0]!.shape.slice(1) as number[];
const width = model.outputs[0]!.shape[1] as number;
const size = inShape.reduce((a, b) => a * b, 1);
const { train } = loadMnistDigits();
if (size !== 784) throw new Error(`${file}: this bench feeds MNIST digits (784 values), the model takes ${size}`);
const x = tf.tensor(train.x.subarray(0, 64 * 784), [64, ...inShape]);
const y = head.task === 'regression'
  ? tf.tensor(train.x.subarray(0, 64 * width), [64, width])
  : tf.cast(tf.oneHot(tf.tensor1d(Array.from(train.labels.subarray(0, 64)), 'int32'), width), 'float32');

const turn = () => new Promise((resolve) => setImmediate(resolve));
const time: Record<'trainOnBatch' | 'denseStep', number[]> = { trainOnBatch: [], denseStep: [] };
for (let r = 0; r < rounds + 2; r++) {
  for (const path of ['trainOnBatch', 'denseStep'] as const) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      if (path === 'denseStep') plan.step(x, y);
      else await model.trainOnBatch(x, y);
      await turn();
    }
    if (r >= 2) time[path].push((performance.now() - t0) / steps); // the first two rounds warm up
  }
}
const median = (a: number[]) => [...a].sort((p, q) => p - q)[a.length >> 1]!;
const round = (v: number) => Math.round(v * 1000) / 1000;
console.log(JSON.stringify({
  model: file,
  backend: info.name,
  trainOnBatchMs: { median: round(median(time.trainOnBatch)), best: round(Math.min(...time.trainOnBatch)) },
  denseStepMs: { median: round(median(time.denseStep)), best: round(Math.min(...time.denseStep)) },
  speedup: round(median(time.trainOnBatch) / median(time.denseStep)),
}));
