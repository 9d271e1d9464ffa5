import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { heapAddress, simdModule } from './simdModules';
import { cpuF32, heapF32, release } from './wasmKernelUtils';

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
 *
 * Synchronised BatchNorm (data-parallel training, training/parallel/syncBatchNorm.ts): while a `BatchNormSync` is
 * installed (setBatchNormSync, only around one replica's forward/backward), both kernels split at their reductions.
 * Forward: this replica's per-channel Σx and Σ(x − m_local)² go to the sync, which returns the whole batch's mean and
 * (biased) variance, and x is normalised with those — so both replicas also feed the same values to the moving
 * averages. Backward: this replica's Σdy and Σdy·(x − mean) go to the sync, which returns the whole batch's (see
 * BatchNormSync.backward for the scaling); dx uses those, dgamma/dbeta stay this replica's own (the trainer averages
 * them with the other gradients, weighted by rows).
 */
export const NB_BATCH_NORM_TRAIN = 'NbBatchNormTrain';
export const NB_BATCH_NORM_TRAIN_GRAD = 'NbBatchNormTrainGrad';

/** simd/batchnorm.c's exports (bench/batchNorm.ts times them directly). */
export interface BatchNormSimd {
  bn_train_forward(x: number, gamma: number, beta: number, y: number, mean: number, variance: number, scratch: number,
    rows: number, channels: number, eps: number): void;
  bn_train_backward(dy: number, x: number, gamma: number, mean: number, variance: number, dx: number, dgamma: number,
    dbeta: number, scratch: number, rows: number, channels: number, eps: number): void;
  bn_forward_sums(x: number, mean: number, scratch: number, rows: number, channels: number): void;
  bn_normalize(x: number, gamma: number, beta: number, y: number, mean: number, variance: number, scratch: number,
    rows: number, channels: number, eps: number): void;
  bn_backward_sums(dy: number, x: number, mean: number, scratch: number, rows: number, channels: number): void;
  bn_backward_apply(dy: number, x: number, gamma: number, mean: number, variance: number, dx: number, dgamma: number,
    dbeta: number, sums: number, inv: number, scratch: number, rows: number, channels: number, eps: number): void;
}

/**
 * Combines one replica's BatchNorm reductions with the other replica's (data-parallel training). Installed per thread
 * around a replica's forward/backward; both replicas must call it for the same layers in the same order, and both get
 * the same (bit-identical) results.
 */
export interface BatchNormSync {
  /**
   * In: this replica's `rows`, per-channel `sum` = Σx and `m2` = Σ(x − localMean)² (doubles) and the float32
   * `localMean` m2 is centred on. Out: the whole batch's mean and biased variance in `mean`/`variance` (float32).
   */
  forward(rows: number, sum: Float64Array, m2: Float64Array, localMean: Float32Array, mean: Float32Array, variance: Float32Array): void;
  /**
   * `sums` (4C doubles): in [0, 2C) this replica's Σdy and Σdy·(x − mean); the sync writes the whole batch's into
   * [2C, 4C) and returns the divisor D of dx's two mean terms (dx = a·dy + b·(x − mean) + s with b = −γr³·S/D,
   * s = −γr·Σdy/D; one replica alone: its own sums and D = rows).
   */
  backward(rows: number, sums: Float64Array, channels: number): number;
}

let activeSync: BatchNormSync | undefined;

/** Installs (or with undefined removes) the sync the training kernels use on this thread. */
export function setBatchNormSync(sync: BatchNormSync | undefined): void {
  activeSync = sync;
}

export function batchNormSync(): BatchNormSync | undefined {
  return activeSync;
}

/** Forward reductions on plain arrays (sums in doubles, like tfjs' cpu Sum/Mean): Σx, mean = Σx/M, Σ(x − mean)². */
export function batchNormForwardSums(
  x: Float32Array, channels: number, mean: Float32Array, sum: Float64Array, m2: Float64Array,
): void {
  const rows = x.length / channels;
  sum.fill(0, 0, channels);
  m2.fill(0, 0, channels);
  for (let i = 0; i < x.length; i += channels) for (let c = 0; c < channels; c++) sum[c]! += x[i + c]!;
  for (let c = 0; c < channels; c++) mean[c] = sum[c]! / rows;
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const d = x[i + c]! - mean[c]!;
      m2[c]! += d * d;
    }
  }
}

/** y = (x − mean)·gamma/√(variance + ε) + beta. */
export function batchNormNormalize(
  x: Float32Array, gamma: Float32Array, beta: Float32Array, channels: number, epsilon: number,
  mean: Float32Array, variance: Float32Array, y: Float32Array,
): void {
  const k = new Float64Array(channels);
  for (let c = 0; c < channels; c++) k[c] = gamma[c]! / Math.sqrt(variance[c]! + epsilon);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) y[i + c] = (x[i + c]! - mean[c]!) * k[c]! + beta[c]!;
  }
}

/** Forward on plain arrays (with the installed BatchNormSync, the whole batch's statistics). */
export function batchNormTrainForward(
  x: Float32Array, gamma: Float32Array, beta: Float32Array, channels: number, epsilon: number,
  y: Float32Array, mean: Float32Array, variance: Float32Array, sync: BatchNormSync | undefined = activeSync,
): void {
  const rows = x.length / channels;
  const sums = new Float64Array(2 * channels);
  const sum = sums.subarray(0, channels);
  const m2 = sums.subarray(channels);
  batchNormForwardSums(x, channels, mean, sum, m2);
  if (sync) sync.forward(rows, sum, m2, mean.slice(), mean, variance);
  else for (let c = 0; c < channels; c++) variance[c] = m2[c]! / rows;
  batchNormNormalize(x, gamma, beta, channels, epsilon, mean, variance, y);
}

/** Backward reductions: Σdy and Σdy·(x − mean) into sums[0, C) and sums[C, 2C). */
export function batchNormBackwardSums(
  dy: Float32Array, x: Float32Array, mean: Float32Array, channels: number, sums: Float64Array,
): void {
  sums.fill(0, 0, 2 * channels);
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      const g = dy[i + c]!;
      sums[c]! += g;
      sums[channels + c]! += g * (x[i + c]! - mean[c]!);
    }
  }
}

/**
 * dx, dgamma, dbeta from the sums: dgamma/dbeta from `sums` [0, 2C) (this replica's), dx's mean terms from
 * `sums` [off, off + 2C) divided by `divisor` (see BatchNormSync.backward).
 */
export function batchNormBackwardApply(
  dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array, channels: number,
  epsilon: number, sums: Float64Array, off: number, divisor: number, dx: Float32Array, dgamma: Float32Array,
  dbeta: Float32Array,
): void {
  const a = new Float64Array(channels);
  const b = new Float64Array(channels);
  const s = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    const r = 1 / Math.sqrt(variance[c]! + epsilon);
    const g = gamma[c]!;
    dbeta[c] = sums[c]!;
    dgamma[c] = r * sums[channels + c]!;
    a[c] = g * r;
    b[c] = (-g * r * r * r * sums[off + channels + c]!) / divisor;
    s[c] = (-g * r * sums[off + c]!) / divisor;
  }
  for (let i = 0; i < x.length; i += channels) {
    for (let c = 0; c < channels; c++) dx[i + c] = a[c]! * dy[i + c]! + b[c]! * (x[i + c]! - mean[c]!) + s[c]!;
  }
}

/** Backward on plain arrays (see the header for the formula; with the installed BatchNormSync, the whole batch's). */
export function batchNormTrainBackward(
  dy: Float32Array, x: Float32Array, gamma: Float32Array, mean: Float32Array, variance: Float32Array, channels: number,
  epsilon: number, dx: Float32Array, dgamma: Float32Array, dbeta: Float32Array, sync: BatchNormSync | undefined = activeSync,
): void {
  const rows = x.length / channels;
  const sums = new Float64Array(4 * channels);
  batchNormBackwardSums(dy, x, mean, channels, sums);
  const divisor = sync ? sync.backward(rows, sums, channels) : rows;
  batchNormBackwardApply(dy, x, gamma, mean, variance, channels, epsilon, sums, sync ? 2 * channels : 0, divisor, dx, dgamma, dbeta);
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

/** Float64 view of `count` doubles at byte `address` of the wasm heap (8-aligned: tfjs' allocator aligns to 8+). */
function heapF64(wasm: BackendWasm, address: number, count: number): Float64Array {
  return new Float64Array((wasm.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer, address, count);
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
  const sync = activeSync;
  if (simd && size > 0) {
    const rows = size / channels;
    // 3C doubles (Σx, Σ(x − mean)², and Σ(x − x[0]) while summing; then C floats k = γ/√(var + ε)); allocated as
    // floats (tfjs' allocator aligns to 8+ bytes).
    const scratch = wasm.makeOutput([6 * channels], 'float32');
    const at = (t: TensorInfo): number => heapAddress(wasm, t);
    if (!sync) {
      simd.bn_train_forward(at(x), at(gamma), at(beta), at(y), at(mean), at(variance), at(scratch), rows, channels, epsilon);
    } else {
      simd.bn_forward_sums(at(x), at(mean), at(scratch), rows, channels);
      const sums = heapF64(wasm, at(scratch), 2 * channels);
      const meanView = heapF32(wasm, mean);
      sync.forward(rows, sums.subarray(0, channels), sums.subarray(channels), meanView.slice(), meanView, heapF32(wasm, variance));
      simd.bn_normalize(at(x), at(gamma), at(beta), at(y), at(mean), at(variance), at(scratch), rows, channels, epsilon);
    }
    release(wasm, scratch);
  } else {
    batchNormTrainForward(heapF32(wasm, x), heapF32(wasm, gamma), heapF32(wasm, beta), channels, epsilon,
      heapF32(wasm, y), heapF32(wasm, mean), heapF32(wasm, variance), sync);
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
  const sync = activeSync;
  if (simd && size > 0) {
    const rows = size / channels;
    const at = (t: TensorInfo): number => heapAddress(wasm, t);
    if (!sync) {
      const scratch = wasm.makeOutput([7 * channels], 'float32'); // 2C doubles + 3C floats
      simd.bn_train_backward(at(dy), at(x), at(gamma), at(mean), at(variance), at(dx), at(dgamma), at(dbeta), at(scratch),
        rows, channels, epsilon);
      release(wasm, scratch);
    } else {
      const sums = wasm.makeOutput([8 * channels], 'float32'); // 4C doubles: this replica's Σdy, S; the batch's
      const scratch = wasm.makeOutput([3 * channels], 'float32');
      simd.bn_backward_sums(at(dy), at(x), at(mean), at(sums), rows, channels);
      const divisor = sync.backward(rows, heapF64(wasm, at(sums), 4 * channels), channels);
      simd.bn_backward_apply(at(dy), at(x), at(gamma), at(mean), at(variance), at(dx), at(dgamma), at(dbeta), at(sums),
        1 / divisor, at(scratch), rows, channels, epsilon);
      release(wasm, sums, scratch);
    }
  } else {
    batchNormTrainBackward(heapF32(wasm, dy), heapF32(wasm, x), heapF32(wasm, gamma), heapF32(wasm, mean),
      heapF32(wasm, variance), channels, epsilon, heapF32(wasm, dx), heapF32(wasm, dgamma), heapF32(wasm, dbeta), sync);
  }
  return [dx, dgamma, dbeta];
};

const forwardCpu: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, beta } = inputs as unknown as ForwardInputs;
  const cpu = backend as MathBackendCPU;
  const channels = channelsOf(NB_BATCH_NORM_TRAIN, x, [gamma, beta]);
  const y = new Float32Array(tf.util.sizeFromShape(x.shape));
  const mean = new Float32Array(channels);
  const variance = new Float32Array(channels);
  batchNormTrainForward(cpuF32(cpu, x), cpuF32(cpu, gamma), cpuF32(cpu, beta), channels, epsilonOf(attrs), y,
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
  batchNormTrainBackward(cpuF32(cpu, dy), cpuF32(cpu, x), cpuF32(cpu, gamma), cpuF32(cpu, mean),
    cpuF32(cpu, variance), channels, epsilonOf(attrs), dx, dgamma, dbeta);
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
