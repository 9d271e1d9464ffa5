import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { heapAddress, simdModule } from './simdModules';
import { heapF32, release } from './wasmKernelUtils';

/**
 * Training-mode batch normalisation as two kernels of our own, so a BatchNorm layer costs two passes over its
 * activation per step instead of tfjs-layers' moments + FusedBatchNorm forward and ~20 full-size elementwise ops
 * backward (tf.moments' and FusedBatchNorm's gradients composed op by op).
 *
 *   NbBatchNormTrain      {x, gamma, beta} {epsilon} → [y, mean, variance]
 *   NbBatchNormTrainGrad  {dy, x, gamma, mean, variance} {epsilon} → [dx, dgamma, dbeta]
 *
 * Channels last: every leading axis is reduced (x viewed as [rows, C]). mean/variance are what tf.moments returns
 * (variance biased, centred two-pass), so tfjs-layers' moving-average update can use them unchanged. The gradient is
 * the closed form of d/dx through the batch statistics:
 *   dx = gamma·r·(dy − mean(dy) − x̂·mean(dy·x̂)),  dgamma = Σdy·x̂,  dbeta = Σdy,  x̂ = (x − mean)·r,  r = 1/√(var + ε).
 *
 * Implemented for wasm (simd/batchnorm.c, or the JS loops below on heap views when the SIMD module is unavailable)
 * and cpu (the same JS loops). Other backends have no such kernel: the layer (compiler/fastBatchNorm.ts) keeps
 * tfjs-layers' composed path there.
 */
export const NB_BATCH_NORM_TRAIN = 'NbBatchNormTrain';
export const NB_BATCH_NORM_TRAIN_GRAD = 'NbBatchNormTrainGrad';

interface BatchNormSimd {
  bn_train_forward(x: number, gamma: number, beta: number, y: number, mean: number, variance: number, scratch: number,
    rows: number, channels: number, eps: number): void;
  bn_train_backward(dy: number, x: number, gamma: number, mean: number, variance: number, dx: number, dgamma: number,
    dbeta: number, scratch: number, rows: number, channels: number, eps: number): void;
}

/** Forward on plain arrays; sums in doubles (like tfjs' cpu Sum/Mean). */
export function batchNormTrainForward(
  x: Float32Array, gamma: Float32Array, beta: Float32Array, channels: number, epsilon: number,
  y: Float32Array, mean: Float32Array, variance: Float32Array,
): void {
  const rows = x.length / channels;
  const sum = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) for (let c = 0; c < channels; c++) sum[c]! += x[i + c]!;
  for (let c = 0; c < channels; c++) mean[c] = sum[c]! / rows;
  sum.fill(0);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const d = x[i + c]! - mean[c]!;
      sum[c]! += d * d;
    }
  }
  const k = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    variance[c] = sum[c]! / rows;
    k[c] = gamma[c]! / Math.sqrt(variance[c]! + epsilon);
  }
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) y[i + c] = (x[i + c]! - mean[c]!) * k[c]! + beta[c]!;
  }
}

/** Backward on plain arrays (see the header for the formula). */
export function batchNormTrainBackward(
  dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array, channels: number,
  epsilon: number, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array,
): void {
  const rows = x.length / channels;
  const sumDy = new Float64Array(channels);
  const sumDyX = new Float64Array(channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const g = dy[i + c]!;
      sumDy[c]! += g;
      sumDyX[c]! += g * (x[i + c]! - mean[c]!);
    }
  }
  const a = new Float64Array(channels);
  const b = new Float64Array(channels);
  const s = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const r = 1 / Math.sqrt(variance[c]! + epsilon);
    const g = gamma[c]!;
    dbeta[c] = sumDy[c]!;
    dgamma[c] = r * sumDyX[c]!;
    a[c] = g * r;
    b[c] = (-g * r * r * r * sumDyX[c]!) / rows;
    s[c] = (-g * r * sumDy[c]!) / rows;
  }
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) dx[i + c] = a[c]! * dy[i + c]! + b[c]! * (x[i + c]! - mean[c]!) + s[c]!;
  }
}

type ForwardInputs = { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
type BackwardInputs = { dy: TensorInfo; x: TensorInfo; gamma: TensorInfo; mean: TensorInfo; variance: TensorInfo };

function channelsOf(kernel: string, x: TensorInfo, perChannel: TensorInfo[]): number {
  const channels = x.shape[x.shape.length - 1];
  if (x.shape.length < 1 || channels === undefined || channels === 0) {
    throw new Error(`${kernel}: x must have a non-empty channel axis, got shape [${x.shape.join(', ')}]`);
  }
  for (const t of [x, ...perChannel]) {
    if (t.dtype !== 'float32') throw new Error(`${kernel}: float32 tensors only, got ${t.dtype}`);
  }
  for (const t of perChannel) {
    if (tf.util.sizeFromShape(t.shape) !== channels) {
      throw new Error(`${kernel}: per-channel tensors must have ${channels} values, got shape [${t.shape.join(', ')}]`);
    }
  }
  return channels;
}

function epsilonOf(attrs: NamedAttrMap | undefined): number {
  const epsilon = attrs?.['epsilon'];
  return typeof epsilon === 'number' ? epsilon : 1e-3;
}

const forwardWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as unknown as ForwardInputs;
  const wasm = backend as BackendWasm;
  const channels = channelsOf(NB_BATCH_NORM_TRAIN, x, [gamma, beta]);
  const epsilon = epsilonOf(attrs);
  const y = wasm.makeOutput([...x.shape], 'float32');
  const mean = wasm.makeOutput([channels], 'float32');
  const variance = wasm.makeOutput([channels], 'float32');
  const size = tf.util.sizeFromShape(x.shape);
  const simd = simdModule<BatchNormSimd>(wasm, 'batchnorm');
  if (simd && size > 0) {
    // C doubles + C floats; allocated as floats (tfjs' allocator aligns to 8+ bytes).
    const scratch = wasm.makeOutput([3 * channels], 'float32');
    const at = (t: TensorInfo): number => heapAddress(wasm, t);
    simd.bn_train_forward(at(x), at(gamma), at(beta), at(y), at(mean), at(variance), at(scratch), size / channels,
      channels, epsilon);
    release(wasm, scratch);
  } else {
    batchNormTrainForward(heapF32(wasm, x), heapF32(wasm, gamma), heapF32(wasm, beta), channels, epsilon,
      heapF32(wasm, y), heapF32(wasm, mean), heapF32(wasm, variance));
  }
  return [y, mean, variance];
};

const backwardWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, gamma, mean, variance } = inputs as unknown as BackwardInputs;
  const wasm = backend as BackendWasm;
  const channels = channelsOf(NB_BATCH_NORM_TRAIN_GRAD, x, [gamma, mean, variance]);
  if (!tf.util.arraysEqual(dy.shape, x.shape)) throw new Error(`${NB_BATCH_NORM_TRAIN_GRAD}: dy and x shapes differ`);
  const epsilon = epsilonOf(attrs);
  const dx = wasm.makeOutput([...x.shape], 'float32');
  const dgamma = wasm.makeOutput([channels], 'float32');
  const dbeta = wasm.makeOutput([channels], 'float32');
  const size = tf.util.sizeFromShape(x.shape);
  const simd = simdModule<BatchNormSimd>(wasm, 'batchnorm');
  if (simd && size > 0) {
    const scratch = wasm.makeOutput([7 * channels], 'float32'); // 2C doubles + 3C floats
    const at = (t: TensorInfo): number => heapAddress(wasm, t);
    simd.bn_train_backward(at(dy), at(x), at(gamma), at(mean), at(variance), at(dx), at(dgamma), at(dbeta), at(scratch),
      size / channels, channels, epsilon);
    release(wasm, scratch);
  } else {
    batchNormTrainBackward(heapF32(wasm, dy), heapF32(wasm, x), heapF32(wasm, gamma), heapF32(wasm, mean),
      heapF32(wasm, variance), channels, epsilon, heapF32(wasm, dx), heapF32(wasm, dgamma), heapF32(wasm, dbeta));
  }
  return [dx, dgamma, dbeta];
};

function cpuValues(cpu: MathBackendCPU, t: TensorInfo): Float32Array {
  const values = cpu.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

const forwardCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as unknown as ForwardInputs;
  const cpu = backend as MathBackendCPU;
  const channels = channelsOf(NB_BATCH_NORM_TRAIN, x, [gamma, beta]);
  const y = new Float32Array(tf.util.sizeFromShape(x.shape));
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  batchNormTrainForward(cpuValues(cpu, x), cpuValues(cpu, gamma), cpuValues(cpu, beta), channels, epsilonOf(attrs), y,
    mean, variance);
  return [
    cpu.makeTensorInfo([...x.shape], 'float32', y),
    cpu.makeTensorInfo([channels], 'float32', mean),
    cpu.makeTensorInfo([channels], 'float32', variance),
  ];
};

const backwardCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, x, gamma, mean, variance } = inputs as unknown as BackwardInputs;
  const cpu = backend as MathBackendCPU;
  const channels = channelsOf(NB_BATCH_NORM_TRAIN_GRAD, x, [gamma, mean, variance]);
  if (!tf.util.arraysEqual(dy.shape, x.shape)) throw new Error(`${NB_BATCH_NORM_TRAIN_GRAD}: dy and x shapes differ`);
  const dx = new Float32Array(tf.util.sizeFromShape(x.shape));
  const dgamma = new Float32Array(channels);
  const dbeta = new Float32Array(channels);
  batchNormTrainBackward(cpuValues(cpu, dy), cpuValues(cpu, x), cpuValues(cpu, gamma), cpuValues(cpu, mean),
    cpuValues(cpu, variance), channels, epsilonOf(attrs), dx, dgamma, dbeta);
  return [
    cpu.makeTensorInfo([...x.shape], 'float32', dx),
    cpu.makeTensorInfo([channels], 'float32', dgamma),
    cpu.makeTensorInfo([channels], 'float32', dbeta),
  ];
};

export const BATCH_NORM_TRAINING_KERNELS: KernelConfig[] = [
  { kernelName: NB_BATCH_NORM_TRAIN, backendName: 'wasm', kernelFunc: forwardWasm },
  { kernelName: NB_BATCH_NORM_TRAIN_GRAD, backendName: 'wasm', kernelFunc: backwardWasm },
  { kernelName: NB_BATCH_NORM_TRAIN, backendName: 'cpu', kernelFunc: forwardCpu },
  { kernelName: NB_BATCH_NORM_TRAIN_GRAD, backendName: 'cpu', kernelFunc: backwardCpu },
];

/**
 * One gradient kernel call gives all three gradients; the closures hand them out (tfjs calls each in its own tidy,
 * and tensors made before those tidies are theirs to return — the same scheme as tf.customGrad). mean and variance
 * only feed the moving averages, which no loss depends on, so their incoming gradients are ignored.
 */
export const batchNormTrainGradConfig: GradConfig = {
  kernelName: NB_BATCH_NORM_TRAIN,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [x, gamma, mean, variance] = saved as [Tensor, Tensor, Tensor, Tensor];
    const dyOut = Array.isArray(dy) ? dy[0]! : dy;
    const [dx, dgamma, dbeta] = tf.engine().runKernel(
      NB_BATCH_NORM_TRAIN_GRAD,
      { dy: dyOut, x, gamma, mean, variance },
      { epsilon: epsilonOf(attrs) },
    ) as [Tensor, Tensor, Tensor];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

let registered = false;

/** Registers both kernels for wasm and cpu and the gradient. Idempotent. */
export function registerBatchNormTrainingKernels(): void {
  if (registered) return;
  for (const config of BATCH_NORM_TRAINING_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
  }
  if (tf.getGradient(NB_BATCH_NORM_TRAIN) === undefined) tf.registerGradient(batchNormTrainGradConfig);
  registered = true;
}

/** Whether `backendName` runs the fused kernels (else the layer keeps tfjs-layers' composed ops). */
export function hasBatchNormTrainingKernels(backendName: string): boolean {
  registerBatchNormTrainingKernels();
  return tf.getKernel(NB_BATCH_NORM_TRAIN, backendName) !== undefined
    && tf.getKernel(NB_BATCH_NORM_TRAIN_GRAD, backendName) !== undefined;
}
