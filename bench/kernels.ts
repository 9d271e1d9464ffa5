/**
 * Training-throughput benchmark for the tfjs backends (wasm with our extra kernels vs the pure-JS cpu backend), with
 * the same two reference architectures as bench/pytorch_ref.py timed in PyTorch for a ratio.
 *
 *   node --import tsx bench/kernels.ts [--models mlp,cnn,resnet20,lstm,autoencoder] [--backends wasm,cpu] [--seconds 6] [--profile] [--profile-shapes] [--no-pytorch]
 *                                      [--wasm-threads N]   # XNNPACK threads for wasm (default: tfjs' choice)
 *                                      [--batch 64]         # batch size (PyTorch's ratio is only printed at 64, which it times)
 *   node --import tsx bench/kernels.ts --probe [--backends wasm]   # which catalog layers can TRAIN on a backend
 *
 * Prints one JSON line per (model, backend): {model, backend, samplesPerSec, peakRssMB, ratioVsPytorch?, profile?}.
 * The functions are exported so bench/run.ts can reuse them.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BackendName } from '../electron/services/backends/selectBackend';
import { selectBackend } from '../electron/services/backends/selectBackend';
import { fastBatchNormalization } from '../electron/services/compiler/fastBatchNorm';
import { LAYER_PROBES, runProbe } from '../electron/services/backends/layerProbes';
import { createOptimizer } from '../electron/services/training/createOptimizer';
import { compileGraph } from '../electron/services/compiler/compileGraph';
import { readGraphFile } from '../electron/services/files/readGraphFile';

export type ReferenceModel = 'mlp' | 'cnn' | 'resnet20' | 'lstm' | 'autoencoder';

/**
 * The reference models, built directly with tf.layers (mirrors bench/mlp.nbrick, bench/cnn.nbrick and the PyTorch
 * classes in bench/pytorch_ref.py), with the BatchNormalization layer our compiler uses (fused in training). Input is MNIST-shaped [28, 28, 1]; output a 10-way softmax.
 */
export function buildReferenceModel(kind: 'mlp' | 'cnn'): tfl.LayersModel {
  const input = tfl.input({ shape: [28, 28, 1] });
  let logits: tfl.SymbolicTensor;
  if (kind === 'mlp') {
    const flat = tfl.layers.flatten().apply(input) as tfl.SymbolicTensor;
    const d1 = tfl.layers.dense({ units: 256, activation: 'relu' }).apply(flat) as tfl.SymbolicTensor;
    const h = fastBatchNormalization({}).apply(d1) as tfl.SymbolicTensor;
    const d2 = tfl.layers.dense({ units: 256, activation: 'relu' }).apply(h) as tfl.SymbolicTensor;
    const sum = tfl.layers.add().apply([h, d2]) as tfl.SymbolicTensor;
    logits = tfl.layers.dense({ units: 10, activation: 'softmax' }).apply(sum) as tfl.SymbolicTensor;
  } else {
    const a = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    const c2 = tfl.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(a) as tfl.SymbolicTensor;
    const b = fastBatchNormalization({}).apply(c2) as tfl.SymbolicTensor;
    const sum = tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;
    const pooled = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(sum) as tfl.SymbolicTensor;
    const flat = tfl.layers.flatten().apply(pooled) as tfl.SymbolicTensor;
    logits = tfl.layers.dense({ units: 10, activation: 'softmax' }).apply(flat) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: input, outputs: logits, name: `reference_${kind}` });
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The models only defined as graphs (bench/run.ts trains the same files): compiled with our compiler. */
const GRAPH_MODELS: Partial<Record<ReferenceModel, string>> = {
  resnet20: path.join(HERE, 'resnet20.nbrick'),
  lstm: path.join(HERE, 'lstm.nbrick'),
  autoencoder: path.join(HERE, '..', 'examples', 'autoencoder.nbrick'),
};
export const REFERENCE_MODELS: readonly ReferenceModel[] = ['mlp', 'cnn', 'resnet20', 'lstm', 'autoencoder'];

/** A reference model and its loss: mlp/cnn from buildReferenceModel, the others compiled from their .nbrick file. */
export async function referenceModel(kind: ReferenceModel): Promise<{ model: tfl.LayersModel; loss: string; reconstructs: boolean }> {
  if (kind === 'mlp' || kind === 'cnn') return { model: buildReferenceModel(kind), loss: 'categoricalCrossentropy', reconstructs: false };
  const file = GRAPH_MODELS[kind];
  if (!file) throw new Error(`no graph file for reference model '${kind}'`);
  const read = await readGraphFile(file);
  if (!read.ok) throw new Error(`${file}: ${read.error.message}`);
  const compiled = compileGraph(read.file.graph, { seed: 1 });
  return { model: compiled.model, loss: compiled.head.loss, reconstructs: compiled.head.task === 'regression' };
}

export interface KernelTiming {
  kernel: string;
  ms: number;
  calls: number;
  /** Share of all kernel time (exclusive of nested kernel calls). */
  pct: number;
}

/**
 * Times every kernel of `backendName` while `fn` runs by wrapping the registered kernel functions (wasm and cpu kernels
 * run synchronously, so wall time around the call is the kernel's time). Nested calls (our composite wasm kernels call
 * Conv2D/Transpose) are charged to the innermost kernel, so the numbers add up to the total.
 */
export async function profileKernels<T>(backendName: string, fn: () => Promise<T>, byShape = false): Promise<{ result: T; kernels: KernelTiming[] }> {
  const originals = tf.getKernelsForBackend(backendName);
  const totals = new Map<string, { ms: number; calls: number }>();
  const stack: number[] = []; // child time accumulated per active frame
  for (const config of originals) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({
      ...config,
      setupFunc: undefined,
      kernelFunc: (args) => {
        stack.push(0);
        const start = performance.now();
        try {
          return inner(args);
        } finally {
          const elapsed = performance.now() - start;
          const children = stack.pop() ?? 0;
          if (stack.length > 0) stack[stack.length - 1] = (stack[stack.length - 1] as number) + elapsed;
          const key = byShape ? `${config.kernelName} ${shapeKey(args)}` : config.kernelName;
          const entry = totals.get(key) ?? { ms: 0, calls: 0 };
          entry.ms += elapsed - children;
          entry.calls += 1;
          totals.set(key, entry);
        }
      },
    });
  }
  try {
    const result = await fn();
    const sum = [...totals.values()].reduce((a, b) => a + b.ms, 0) || 1;
    const kernels = [...totals.entries()]
      .map(([kernel, { ms, calls }]) => ({ kernel, ms: Math.round(ms * 10) / 10, calls, pct: Math.round((ms / sum) * 1000) / 10 }))
      .sort((a, b) => b.ms - a.ms);
    return { result, kernels };
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  }
}

/** A kernel call's input shapes and its strides (when it has them), e.g. "32x28x28x16,3x3x16x16 s2". */
function shapeKey(args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): string {
  const shapes = Object.values(args.inputs)
    .filter((t): t is tf.TensorInfo => t !== undefined && t !== null)
    .map((t) => t.shape.join('x'))
    .join(',');
  const strides = args.attrs?.['strides'];
  return Array.isArray(strides) && strides.some((v) => v !== 1) ? `${shapes} s${strides.join('')}` : shapes;
}

export interface TrainingTiming {
  model: ReferenceModel;
  backend: BackendName;
  samplesPerSec: number;
  samplesPerCpuSec: number;
  /** Peak resident set size of the process so far (it includes earlier runs in the same process). */
  peakRssMB: number;
  steps: number;
  batchSize: number;
  loss: number;
  threads?: number;
  ratioVsPytorch?: number;
  profile?: KernelTiming[];
}

export interface TimeTrainingOptions {
  model: ReferenceModel;
  backend: BackendName;
  batchSize?: number;
  /** Timed for at least this long (after warm-up) … */
  seconds?: number;
  /** … and at least this many steps. */
  minSteps?: number;
  warmupSteps?: number;
  profile?: boolean;
  /** With `profile`: one row per kernel and input shapes (and strides), not per kernel. */
  profileShapes?: boolean;
  /** Passed to selectBackend; fixed by the first wasm initialisation in the process. */
  wasmThreads?: number | 'auto';
}

/** Trains `model` on random MNIST-shaped batches (forward + backward + Adam via trainOnBatch) and measures samples/s. */
export async function timeTraining(options: TimeTrainingOptions): Promise<TrainingTiming> {
  const { model: kind, backend, batchSize = 64, seconds = 6, minSteps = 3, warmupSteps = 2 } = options;
  const info = await selectBackend(backend, { wasmThreads: options.wasmThreads ?? 'auto' });
  const { model, loss: lossName, reconstructs } = await referenceModel(kind);
  // The trainer's optimizer factory (fused Adam: one kernel per weight per step on cpu/wasm, same numbers as tf.train.adam).
  model.compile({ optimizer: createOptimizer('adam', 1e-3), loss: lossName });
  const x = tf.randomUniform([batchSize, 28, 28, 1], 0, 1, 'float32', 1);
  const labels = tf.randomUniform([batchSize], 0, 10, 'int32', 2);
  // The autoencoder (a regression head on MNIST) reconstructs its input, as the trainer does.
  const y = reconstructs ? tf.reshape(x, [batchSize, 28 * 28]) : tf.oneHot(labels, 10);
  let loss = NaN;
  const step = async (): Promise<void> => {
    const out = await model.trainOnBatch(x, y);
    loss = Array.isArray(out) ? (out[0] as number) : out;
  };
  for (let i = 0; i < warmupSteps; i++) await step();
  const timed = async (): Promise<{ steps: number; ms: number; cpuMs: number }> => {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    let steps = 0;
    while (steps < minSteps || performance.now() - start < seconds * 1000) {
      await step();
      steps++;
    }
    const cpu = process.cpuUsage(cpuStart);
    return { steps, ms: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  let run: { steps: number; ms: number; cpuMs: number };
  let profile: KernelTiming[] | undefined;
  if (options.profile) {
    const profiled = await profileKernels(backend, timed, options.profileShapes);
    run = profiled.result;
    profile = profiled.kernels;
  } else {
    run = await timed();
  }
  tf.dispose([x, labels, y]);
  model.dispose();
  const result: TrainingTiming = {
    model: kind,
    backend,
    samplesPerSec: Math.round(((run.steps * batchSize) / run.ms) * 1000 * 10) / 10,
    // Per second of this process' CPU time: less sensitive to other processes on a shared machine than wall time.
    samplesPerCpuSec: Math.round(((run.steps * batchSize) / run.cpuMs) * 1000 * 10) / 10,
    // The kernel's high-water mark (reading RSS every step cost ~1 ms per read here, 4 % of a CNN step).
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    steps: run.steps,
    batchSize,
    loss: Math.round(loss * 1e4) / 1e4,
  };
  if (info.threads !== undefined) result.threads = info.threads;
  if (profile) result.profile = profile;
  return result;
}

export interface PytorchTiming {
  model: ReferenceModel;
  backend: 'pytorch';
  samplesPerSec: number;
  peakRssMB: number;
  threads: number;
  torchVersion: string;
  /** The thread setup of the reported number, and every setup tried with its samples/s. */
  env?: string;
  tried?: { env: string; samplesPerSec: number }[];
  medianSamplesPerSec?: number;
  /** Samples per timed pass, and trainable parameters of the PyTorch model. */
  samples?: number;
  params?: number;
}

const PYTHON = '/usr/bin/python3';
const PYTORCH_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'pytorch_ref.py');

/** Whether Debian's python3 can import torch (the pyenv python3 on PATH is not the one with torch). */
export async function pytorchAvailable(): Promise<boolean> {
  if (!existsSync(PYTHON) || !existsSync(PYTORCH_SCRIPT)) return false;
  try {
    await promisify(execFile)(PYTHON, ['-c', 'import torch'], { timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** PyTorch's thread setups tried; each model is reported at the faster one. */
const PYTORCH_SETUPS: readonly { label: string; env: Record<string, string> }[] = [
  { label: 'torch 2 threads, OpenBLAS default threads', env: {} },
  { label: 'torch 2 threads, OPENBLAS_NUM_THREADS=1', env: { OPENBLAS_NUM_THREADS: '1' } },
];

/**
 * Times the same architectures in PyTorch (bench/pytorch_ref.py: 2 intra-op threads, the fastest of 3 timed passes)
 * and reports, per model, the faster of two thread setups. Debian's torch calls a pthreads OpenBLAS that starts its
 * own thread per core next to torch's 2: on this 2-core machine that oversubscription made the MLP ~3× slower than
 * with OPENBLAS_NUM_THREADS=1 (≈ 9–10k vs 26–29k samples/s), so the default alone would flatter our ratio.
 * Both run without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE: this machine sets them to work around old OpenBLAS builds,
 * and they slow a current one down (a 64×784×256 matmul: 0.235 ms with them, 0.149 ms without).
 */
export async function timePytorch(
  models: readonly ReferenceModel[],
  threads = 2,
  samples = 4096,
  samplesPerModel: Partial<Record<ReferenceModel, number>> = {},
): Promise<PytorchTiming[]> {
  const samplesFor = Object.entries(samplesPerModel)
    .map(([m, n]) => `${m}=${n}`)
    .join(',');
  const best = new Map<string, PytorchTiming>();
  for (const setup of PYTORCH_SETUPS) {
    const env: NodeJS.ProcessEnv = { ...process.env, ...setup.env };
    delete env.OPENBLAS_CORETYPE;
    delete env.OPENBLAS_L2_SIZE;
    if (!('OPENBLAS_NUM_THREADS' in setup.env)) delete env.OPENBLAS_NUM_THREADS;
    const { stdout } = await promisify(execFile)(
      PYTHON,
      [PYTORCH_SCRIPT, '--models', models.join(','), '--threads', String(threads), '--samples', String(samples), '--samples-for', samplesFor],
      { timeout: 1_200_000, maxBuffer: 1 << 20, env },
    );
    for (const line of stdout.split('\n').filter((l) => l.trim().startsWith('{'))) {
      const timing: PytorchTiming = { ...(JSON.parse(line) as PytorchTiming), env: setup.label };
      const previous = best.get(timing.model);
      const tried = [...(previous?.tried ?? []), { env: setup.label, samplesPerSec: Math.round(timing.samplesPerSec) }];
      if (!previous || timing.samplesPerSec > previous.samplesPerSec) best.set(timing.model, { ...timing, tried });
      else previous.tried = tried;
    }
  }
  return models.flatMap((m) => best.get(m) ?? []);
}

function parseArgs(argv: string[]): {
  models: ReferenceModel[];
  backends: BackendName[];
  seconds: number;
  profile: boolean;
  profileShapes: boolean;
  pytorch: boolean;
  wasmThreads: number | 'auto';
  batchSize: number;
} {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const models = (value('--models') ?? 'mlp,cnn').split(',') as ReferenceModel[];
  const backends = (value('--backends') ?? 'wasm,cpu').split(',') as BackendName[];
  for (const m of models) if (!REFERENCE_MODELS.includes(m)) throw new Error(`--models: unknown model "${m}" (expected ${REFERENCE_MODELS.join(', ')})`);
  for (const b of backends) if (!['wasm', 'cpu', 'tensorflow'].includes(b)) throw new Error(`--backends: unknown backend "${b}"`);
  const seconds = Number(value('--seconds') ?? 6);
  if (!(seconds > 0)) throw new Error('--seconds must be a positive number');
  const threadsArg = value('--wasm-threads');
  const wasmThreads = threadsArg === undefined ? 'auto' : Number(threadsArg);
  if (wasmThreads !== 'auto' && !(wasmThreads >= 1)) throw new Error('--wasm-threads must be a number >= 1');
  const batchSize = Number(value('--batch') ?? 64);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('--batch must be a whole number >= 1');
  return { models, backends, seconds, profile: argv.includes('--profile') || argv.includes('--profile-shapes'), profileShapes: argv.includes('--profile-shapes'), pytorch: !argv.includes('--no-pytorch'), wasmThreads, batchSize };
}

export interface ProbeReport {
  probe: string;
  backend: BackendName;
  ok: boolean;
  loss?: number;
  error?: string;
}

/** One optimizer step of every catalog layer type on `backend` (see layerProbes.ts); lists what cannot train. */
export async function probeLayers(backend: BackendName): Promise<ProbeReport[]> {
  await selectBackend(backend);
  const reports: ProbeReport[] = [];
  for (const probe of LAYER_PROBES) {
    try {
      const result = await runProbe(probe);
      reports.push({ probe: probe.name, backend, ok: Number.isFinite(result.loss) && result.maxWeightChange > 0, loss: result.loss });
    } catch (error) {
      reports.push({ probe: probe.name, backend, ok: false, error: (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '' });
    }
  }
  return reports;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (argv.includes('--probe')) {
    const backends = argv.includes('--backends') ? args.backends : (['wasm'] as BackendName[]);
    let failures = 0;
    for (const backend of backends) {
      for (const report of await probeLayers(backend)) {
        if (!report.ok) failures++;
        console.log(JSON.stringify(report));
      }
    }
    return failures === 0 ? 0 : 1;
  }
  const torch = args.pytorch && (await pytorchAvailable()) ? await timePytorch(args.models) : [];
  for (const t of torch) console.log(JSON.stringify(t));
  for (const model of args.models) {
    for (const backend of args.backends) {
      // The cpu backend is ~50x slower: time it for fewer steps so the run stays short.
      const timing = await timeTraining({
        model,
        backend,
        seconds: args.seconds,
        profile: args.profile,
        profileShapes: args.profileShapes,
        minSteps: backend === 'cpu' ? 2 : 5,
        wasmThreads: args.wasmThreads,
        batchSize: args.batchSize,
      });
      const reference = torch.find((t) => t.model === model);
      if (reference && args.batchSize === 64) timing.ratioVsPytorch = Math.round((timing.samplesPerSec / reference.samplesPerSec) * 1000) / 1000;
      console.log(JSON.stringify(timing));
    }
  }
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
