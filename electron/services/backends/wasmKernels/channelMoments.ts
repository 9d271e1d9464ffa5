import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BatchNormSimd } from './batchNormTraining';
import { heapAddress, simdModule } from './simdModules';
import { heapF32, release, switchableKernels } from './wasmKernelUtils';

/**
 * The telemetry probe's activation statistics in one pass over the activation, for wasm and cpu:
 *
 *   NbChannelMoments  {x: [..., C] float32} → [unitMeans [C], moments [2] = (mean, biased variance) of all values]
 *
 * tf.moments over a whole activation is two full passes that each write a tensor as large as it (x − mean, then its
 * square) and a mean over all axes, a scalar loop on wasm: ~50 ms of a 250 ms measured ResNet-20 step at 64 rows.
 * Here BatchNorm's forward reduction (simd/batchnorm.c bn_forward_sums: per channel Σx and Σ(x − mean_c)² in double,
 * no output tensor) gives every channel's sums, and they are combined in double — Σ(x − μ)² = Σ_c [m2_c +
 * 2(f_c − μ)(s_c − n·f_c) + n(f_c − μ)²] with f_c the float channel mean m2_c is centred on — so the variance is at
 * least as accurate as tf.moments' float32 passes (checked against a double reference in channelMoments.test.ts).
 */
export const NB_CHANNEL_MOMENTS = 'NbChannelMoments';

function shapeOf(x: TensorInfo): { rows: number; channels: number } {
  if (x.dtype !== 'float32' || x.shape.length < 2) throw new Error(`${NB_CHANNEL_MOMENTS}: a float32 tensor of rank ≥ 2 expected, got ${x.dtype} [${x.shape}]`);
  const channels = x.shape[x.shape.length - 1]!;
  return { rows: channels > 0 ? tf.util.sizeFromShape(x.shape) / channels : 0, channels };
}

/** Mean and biased variance of all values from per-channel Σx, Σ(x − f_c)² and the float means f_c. */
export function combineChannelMoments(rows: number, sum: ArrayLike<number>, m2: ArrayLike<number>, channelMean: ArrayLike<number>): [number, number] {
  const channels = sum.length;
  const n = rows * channels;
  if (n === 0) return [Number.NaN, Number.NaN];
  let total = 0;
  for (let c = 0; c < channels; c++) total += sum[c]!;
  const mu = total / n;
  let squares = 0;
  for (let c = 0; c < channels; c++) {
    const f = channelMean[c]!;
    squares += m2[c]! + 2 * (f - mu) * (sum[c]! - rows * f) + rows * (f - mu) * (f - mu);
  }
  return [mu, Math.max(0, squares / n)];
}

const wasmKernel: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as unknown as { x: TensorInfo };
  const wasm = backend as BackendWasm;
  const { rows, channels } = shapeOf(x);
  const simd = simdModule<BatchNormSimd>(wasm, 'batchnorm');
  const unitMeans = wasm.makeOutput([channels], 'float32');
  const moments = wasm.makeOutput([2], 'float32');
  // 3C doubles of scratch (bn_forward_sums: Σx, Σ(x − mean)², a shift), allocated as floats (8-aligned).
  const scratch = wasm.makeOutput([6 * Math.max(1, channels)], 'float32');
  let sum: Float64Array;
  let m2: Float64Array;
  if (simd && rows > 0) {
    simd.bn_forward_sums(heapAddress(wasm, x), heapAddress(wasm, unitMeans), heapAddress(wasm, scratch), rows, channels);
    const heap = (wasm.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer;
    const all = new Float64Array(heap, heapAddress(wasm, scratch), 2 * channels).slice();
    sum = all.subarray(0, channels);
    m2 = all.subarray(channels);
  } else {
    ({ sum, m2 } = channelSums(heapF32(wasm, x), rows, channels, heapF32(wasm, unitMeans)));
  }
  heapF32(wasm, moments).set(combineChannelMoments(rows, sum, m2, heapF32(wasm, unitMeans)));
  release(wasm, scratch);
  return [unitMeans, moments];
};

/** Per channel Σx and Σ(x − f_c)² in double, f_c = float32(Σx / rows) written to `means`. */
function channelSums(x: Float32Array, rows: number, channels: number, means: Float32Array): { sum: Float64Array; m2: Float64Array } {
  const sum = new Float64Array(channels);
  const m2 = new Float64Array(channels);
  for (let r = 0, i = 0; r < rows; r++) for (let c = 0; c < channels; c++, i++) sum[c] = sum[c]! + x[i]!;
  for (let c = 0; c < channels; c++) means[c] = rows > 0 ? sum[c]! / rows : Number.NaN;
  for (let r = 0, i = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++, i++) {
      const d = x[i]! - means[c]!;
      m2[c] = m2[c]! + d * d;
    }
  }
  return { sum, m2 };
}

const cpuKernel: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as unknown as { x: TensorInfo };
  const cpu = backend as MathBackendCPU;
  const { rows, channels } = shapeOf(x);
  const values = cpu.data.get(x.dataId).values as Float32Array;
  const means = new Float32Array(channels);
  const { sum, m2 } = channelSums(values, rows, channels, means);
  return [
    cpu.makeTensorInfo([channels], 'float32', means),
    cpu.makeTensorInfo([2], 'float32', Float32Array.from(combineChannelMoments(rows, sum, m2, means))),
  ];
};

export const CHANNEL_MOMENTS_KERNELS: KernelConfig[] = [
  { kernelName: NB_CHANNEL_MOMENTS, backendName: 'wasm', kernelFunc: wasmKernel },
  { kernelName: NB_CHANNEL_MOMENTS, backendName: 'cpu', kernelFunc: cpuKernel },
];

const kernels = switchableKernels(CHANNEL_MOMENTS_KERNELS, 'NB_CHANNEL_MOMENTS');

/** Tests and A/B runs: off makes the telemetry probe use tf ops instead. */
export const setChannelMomentsEnabled = (on: boolean): void => kernels.setEnabled(on);

/** Whether `backendName` runs the kernel (registering it on first use). */
export const hasChannelMomentsKernel = (backendName: string): boolean => kernels.has(backendName);
