/**
 * A/B of the kernel helper (electron/services/backends/wasmKernels/kernelHelper.ts) in the real training loop: one
 * runTraining run of a reference graph on wasm with 1 worker, the helper turned on and off on alternate epochs, so
 * both halves see the same machine load, heap and JIT state (a process-per-variant A/B drowns in this VM's 10–25 %
 * drift; see bench/run.ts). The first `--warmup` epochs are left out.
 *
 *   node --import tsx bench/kernelHelper.ts [--model mlp|cnn|resnet20|lstm|autoencoder|<file.nbrick>] [--epochs 51]
 *                                          [--samples 2048] [--warmup 8]
 *
 * Prints one JSON line: for helper on and off, samples/s of the median and the best epoch, the mean step in ms, and
 * `meanStepRatio` (off / on: > 1 = the helper helps), plus the chunks the helper thread ran.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../shared/format/trainingConfig';
import { selectBackend } from '../electron/services/backends/selectBackend';
import { kernelHelper, setKernelHelperEnabled } from '../electron/services/backends/wasmKernels/kernelHelper';
import { readGraphFile } from '../electron/services/files/readGraphFile';
import { runTraining } from '../electron/services/training/runTraining';

function arg(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} must be a non-negative integer, got ${process.argv[i + 1]}`);
  return value;
}
const modelIndex = process.argv.indexOf('--model');
const model = modelIndex >= 0 ? process.argv[modelIndex + 1]! : 'mlp';
const epochs = arg('--epochs', 51);
const samples = arg('--samples', 2048);
const warmup = arg('--warmup', 8);
const batchSize = 64;

const info = await selectBackend('wasm');
const file = model.endsWith('.nbrick') ? model : new URL(model === 'autoencoder' ? '../examples/autoencoder.nbrick' : `./${model}.nbrick`, import.meta.url).pathname;
const read = await readGraphFile(file);
if (!read.ok) throw new Error(read.error.message);

const ends: number[] = [];
const helperOn: boolean[] = [];
let on = true;
setKernelHelperEnabled(on);
const config: TrainingConfig = {
  ...DEFAULT_TRAINING_CONFIG, dataset: 'mnist', optimizer: 'adam', learningRate: 0.001, batchSize, epochs,
  validationSplit: 0, shuffle: true, seed: 1, backend: 'wasm', workers: 1,
};
await runTraining(read.file.graph, { id: 'mnist', options: { limit: samples } }, config, {
  callbacks: {
    onEpoch: () => {
      ends.push(performance.now());
      helperOn.push(on);
      on = !on;
      setKernelHelperEnabled(on);
    },
  },
});
setKernelHelperEnabled(true);

const steps = Math.ceil(samples / batchSize);
const stepMs = { on: [] as number[], off: [] as number[] };
for (let i = Math.max(1, warmup); i < ends.length; i++) stepMs[helperOn[i] ? 'on' : 'off'].push((ends[i]! - ends[i - 1]!) / steps);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
const rate = (ms: number) => Math.round((batchSize * 1000) / ms);
const side = (a: number[]) => ({ epochs: a.length, medianSamplesPerSec: rate(median(a)), bestSamplesPerSec: rate(Math.min(...a)), meanStepMs: Math.round(mean(a) * 1000) / 1000 });
console.log(JSON.stringify({
  model, samplesPerEpoch: samples, relaxedSimd: info.relaxedSimd ?? false,
  helperRan: kernelHelper(tf.backend() as BackendWasm) !== undefined,
  helperChunks: kernelHelper(tf.backend() as BackendWasm)?.helperChunks ?? 0,
  on: side(stepMs.on), off: side(stepMs.off),
  meanStepRatio: Math.round((mean(stepMs.off) / mean(stepMs.on)) * 1000) / 1000,
}));
process.exit(0);
