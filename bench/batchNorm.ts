/**
 * CPU ms per call of the training BatchNorm SIMD kernels (electron/services/backends/wasmKernels/simd/batchnorm.c):
 * forward (bn_train_forward) and backward (bn_train_backward) at ResNet-20's three activation shapes, single-threaded
 * wasm. With `--old <file.wasm>` (e.g. a copy of an earlier committed batchnorm.wasm) both builds run interleaved in
 * one process on the same tensors, and each line gives the median per-rep ratio old/new.
 *
 *   node --import tsx bench/batchNorm.ts [--old /tmp/batchnorm.old.wasm] [--batch 32,64] [--reps 9] [--calls 30] [--halves]
 *
 * --halves also times the halves synchronised BatchNorm calls (bn_forward_sums, bn_normalize, bn_backward_sums,
 * bn_backward_apply).
 *
 * Times are CPU milliseconds (process.cpuUsage), so a machine shared with other work skews them less than wall time;
 * each line gives the median over reps.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../electron/services/backends/selectBackend';
import { heapAddress } from '../electron/services/backends/wasmKernels/simdModules';
import type { BatchNormSimd } from '../electron/services/backends/wasmKernels/batchNormTraining';

function arg(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function intArg(flag: string, fallback: number): number {
  const value = Number(arg(flag) ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, got ${arg(flag)}`);
  return value;
}
const reps = intArg('--reps', 9);
const calls = intArg('--calls', 30);
const batches = (arg('--batch') ?? '32,64').split(',').map(Number);
const oldFile = arg('--old');
const halves = process.argv.includes('--halves');

type BatchNormExports = BatchNormSimd;

await selectBackend('wasm', { wasmThreads: 1 });
const backend = tf.backend() as BackendWasm;
const module = backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
const memory = module.asm?.memory ?? module.wasmMemory;
if (!memory) throw new Error('no wasm memory on the backend');
const load = (file: string): BatchNormExports =>
  new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { env: { memory } }).exports as unknown as BatchNormExports;
const builds: [string, BatchNormExports][] = [
  ['new', load(new URL('../electron/services/backends/wasmKernels/simd/batchnorm.wasm', import.meta.url).pathname)],
];
if (oldFile) builds.unshift(['old', load(oldFile)]);

function cpuMs(fn: () => void, n: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
}
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

for (const batch of batches) {
  for (const [hw, channels] of [[28, 16], [14, 32], [7, 64]] as const) {
    const shape = [batch, hw, hw, channels];
    const rows = batch * hw * hw;
    const x = tf.randomUniform(shape, -2, 3, 'float32', 1);
    const dy = tf.randomUniform(shape, -1, 1, 'float32', 2);
    const gamma = tf.randomUniform([channels], 0.5, 1.5, 'float32', 3);
    const beta = tf.randomUniform([channels], -0.5, 0.5, 'float32', 4);
    const [y, dx] = [tf.zeros(shape), tf.zeros(shape)];
    const [mean, variance, dgamma, dbeta] = [tf.zeros([channels]), tf.zeros([channels]), tf.zeros([channels]), tf.zeros([channels])];
    const scratch = tf.zeros([16 * channels]); // ≥ every export's scratch; bn_backward_apply: sums, then coefficients
    const at = (t: tf.Tensor): number => heapAddress(backend, t);
    const [ax, ady, ag, ab, ay, adx, am, av, adg, adb, as] = [x, dy, gamma, beta, y, dx, mean, variance, dgamma, dbeta, scratch].map(at) as number[];
    type Op = (k: BatchNormExports) => () => void;
    const ops: Record<string, Op> = {
      forward: (k) => () => k.bn_train_forward(ax!, ag!, ab!, ay!, am!, av!, as!, rows, channels, 1e-3),
      backward: (k) => () => k.bn_train_backward(ady!, ax!, ag!, am!, av!, adx!, adg!, adb!, as!, rows, channels, 1e-3),
    };
    if (halves) {
      Object.assign(ops, {
        'fwd sums': (k) => () => k.bn_forward_sums(ax!, am!, as!, rows, channels),
        normalize: (k) => () => k.bn_normalize(ax!, ag!, ab!, ay!, am!, av!, as!, rows, channels, 1e-3),
        'bwd sums': (k) => () => k.bn_backward_sums(ady!, ax!, am!, as!, rows, channels),
        'bwd apply': (k) => {
          // Real sums (this replica's = the batch's), not whatever the scratch holds: garbage can be subnormal.
          k.bn_backward_sums(ady!, ax!, am!, as!, rows, channels);
          const sums = new Float64Array(memory.buffer, as!, 4 * channels);
          sums.copyWithin(2 * channels, 0, 2 * channels);
          return () => k.bn_backward_apply(ady!, ax!, ag!, am!, av!, adx!, adg!, adb!, as!, 1 / rows, as! + 32 * channels, rows,
            channels, 1e-3);
        },
      } satisfies Record<string, Op>);
    }
    for (const [op, make] of Object.entries(ops)) {
      const times = new Map<string, number[]>(builds.map(([name]) => [name, []]));
      const ratios: number[] = [];
      for (let rep = 0; rep < reps; rep++) {
        const order = rep % 2 ? builds : [...builds].reverse();
        const t: Record<string, number> = {};
        for (const [name, k] of order) {
          // backward reads the forward's mean/variance: run this build's forward first.
          k.bn_train_forward(ax!, ag!, ab!, ay!, am!, av!, as!, rows, channels, 1e-3);
          make(k)();
          t[name] = cpuMs(make(k), calls);
          times.get(name)!.push(t[name]!);
        }
        if (oldFile) ratios.push(t['old']! / t['new']!);
      }
      const parts = builds.map(([name]) => `${name} ${median(times.get(name)!).toFixed(3)} ms`);
      const perElement = (median(times.get('new')!) * 1e6) / (rows * channels);
      console.log(`${op.padEnd(9)} [${shape.join(',')}]: ${parts.join(', ')} (new ${perElement.toFixed(2)} ns/element)` +
        (oldFile ? `, old/new median ${median(ratios).toFixed(2)}x` : ''));
    }
    tf.dispose([x, dy, gamma, beta, y, dx, mean, variance, dgamma, dbeta, scratch]);
  }
}
process.exit(0);
