/**
 * A/B of the compute-bound SIMD kernels' two builds (electron/services/backends/wasmKernels/relaxedSimd.ts): plain
 * (multiply + add) vs relaxed (f32x4.relaxed_madd, fused multiply-add), interleaved in one process on the same tensors,
 * single-threaded wasm, at the reference models' shapes.
 *
 *   node --import tsx bench/relaxedSimd.ts [--reps 11] [--calls 20]
 *
 * Times are CPU milliseconds per call (process.cpuUsage), so a machine shared with other work skews them less than
 * wall time; each line gives the best of `reps` for each build and the median of the per-rep ratios plain/relaxed.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../electron/services/backends/selectBackend';
import { setRelaxedSimdEnabled } from '../electron/services/backends/wasmKernels/relaxedSimd';
import { simdModuleBuild, type SimdModuleName } from '../electron/services/backends/wasmKernels/simdModules';

function arg(flag: string, fallback: number): number {
  const i = process.argv.indexOf(flag);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, got ${process.argv[i + 1]}`);
  return value;
}
const reps = arg('--reps', 11);
const calls = arg('--calls', 20);

const info = await selectBackend('wasm', { wasmThreads: 1 });
if (!info.relaxedSimd) console.error('note: relaxed SIMD is not active here (NB_RELAXED_SIMD=0 or an engine without it)');
const backend = tf.backend() as BackendWasm;
const rand = (shape: number[]) => tf.randomUniform(shape, -1, 1, 'float32', 1);

const mlpX = rand([64, 784]), mlpW = rand([784, 256]), mlpDy = rand([64, 256]), mlpW2 = rand([256, 256]);
const cnnX = rand([64, 28, 28, 16]) as tf.Tensor4D, cnnW = rand([3, 3, 16, 16]) as tf.Tensor4D, cnnDy = rand([64, 28, 28, 16]);
const CASES: [string, SimdModuleName, () => tf.Tensor][] = [
  ['BatchMatMul a·b 64x784x256 (MLP forward)', 'matmul', () => tf.matMul(mlpX, mlpW)],
  ['BatchMatMul aᵀ·b 784x64x256 (MLP dW)', 'matmul', () => tf.matMul(mlpX, mlpDy, true, false)],
  ['BatchMatMul a·bᵀ 64x256x256 (MLP dx)', 'matmul', () => tf.matMul(mlpDy, mlpW2, false, true)],
  ['Conv2D 3x3 Winograd 64x28x28x16→16 (CNN)', 'winograd', () => tf.conv2d(cnnX, cnnW, 1, 'same')],
  [
    'Conv2DBackpropFilter 3x3 64x28x28x16→16 (CNN)',
    'conv2d',
    () => tf.engine().runKernel('Conv2DBackpropFilter', { x: cnnX, dy: cnnDy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 16, 16] }) as tf.Tensor,
  ],
];

function cpuMsPerCall(fn: () => tf.Tensor, n: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const out = fn();
    out.dataSync();
    out.dispose();
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
}

for (const [name, module, fn] of CASES) {
  const best = { plain: Infinity, relaxed: Infinity };
  const ratios: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const t = { plain: 0, relaxed: 0 };
    for (const build of rep % 2 ? (['plain', 'relaxed'] as const) : (['relaxed', 'plain'] as const)) {
      setRelaxedSimdEnabled(build === 'relaxed');
      const loaded = simdModuleBuild(backend, module);
      if (loaded !== build) throw new Error(`${name}: wanted the ${build} build of ${module}, got ${loaded ?? 'none'}`);
      cpuMsPerCall(fn, 1);
      t[build] = cpuMsPerCall(fn, calls);
      best[build] = Math.min(best[build], t[build]);
    }
    ratios.push(t.plain / t.relaxed);
  }
  ratios.sort((a, b) => a - b);
  const median = ratios[Math.floor(ratios.length / 2)]!;
  console.log(
    `${name}: plain ${best.plain.toFixed(3)} ms, relaxed ${best.relaxed.toFixed(3)} ms (best ${(best.plain / best.relaxed).toFixed(2)}x, median ${median.toFixed(2)}x)`,
  );
}
setRelaxedSimdEnabled(undefined);
process.exit(0);
