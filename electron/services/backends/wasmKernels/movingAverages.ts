import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { heapF32, switchableKernels } from './wasmKernelUtils';

/**
 * A BatchNorm layer's two moving-average updates in training as one kernel, for wasm and cpu:
 *
 *   NbMovingAverages  {movingMean, movingVariance, mean, variance} {momentum} → [movingMean′, movingVariance′]
 *
 * with tfjs-layers' formula v′ = v − (v − value)·(1 − momentum) in its float32 steps (Sub, then Multiply by the decay as
 * a float32 scalar, then Sub: Math.fround after each), so the same bits as the stock ops. Those were six kernels per
 * layer and step (plus the tape's clones of Multiply's inputs) on vectors of C floats, each costing its ~10–20 µs of
 * engine dispatch and almost nothing in arithmetic: ~130 dispatches per ResNet-20 step. No gradient: the moving
 * statistics feed no loss.
 */
export const NB_MOVING_AVERAGES = 'NbMovingAverages';

const f = Math.fround;

/** out = v − (v − value)·decay, each operation rounded to float32 as tfjs' Sub/Multiply/Sub do. */
export function movingAverage(v: Float32Array, value: Float32Array, decay: number, out: Float32Array): void {
  const d = f(decay);
  for (let i = 0; i < out.length; i++) out[i] = f(v[i]! - f(f(v[i]! - value[i]!) * d));
}

interface Inputs {
  movingMean: TensorInfo;
  movingVariance: TensorInfo;
  mean: TensorInfo;
  variance: TensorInfo;
}

function checked(inputs: Inputs, attrs: NamedAttrMap | undefined): { decay: number; size: number } {
  const { movingMean, movingVariance, mean, variance } = inputs;
  const size = tf.util.sizeFromShape(movingMean.shape);
  for (const [name, t] of Object.entries({ movingMean, movingVariance, mean, variance })) {
    if (t.dtype !== 'float32') throw new Error(`${NB_MOVING_AVERAGES}: ${name} must be float32, got ${t.dtype}`);
    if (tf.util.sizeFromShape(t.shape) !== size) throw new Error(`${NB_MOVING_AVERAGES}: ${name} has shape [${t.shape}], expected ${size} values`);
  }
  const momentum = Number((attrs as { momentum?: number } | undefined)?.momentum);
  if (!Number.isFinite(momentum)) throw new Error(`${NB_MOVING_AVERAGES}: momentum must be a number`);
  return { decay: 1 - momentum, size };
}

const wasmKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm;
  const ins = inputs as unknown as Inputs;
  const { decay } = checked(ins, attrs);
  const outMean = wasm.makeOutput([...ins.movingMean.shape], 'float32');
  const outVariance = wasm.makeOutput([...ins.movingVariance.shape], 'float32');
  movingAverage(heapF32(wasm, ins.movingMean), heapF32(wasm, ins.mean), decay, heapF32(wasm, outMean));
  movingAverage(heapF32(wasm, ins.movingVariance), heapF32(wasm, ins.variance), decay, heapF32(wasm, outVariance));
  return [outMean, outVariance];
};

const cpuKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as MathBackendCPU;
  const ins = inputs as unknown as Inputs;
  const { decay, size } = checked(ins, attrs);
  const values = (t: TensorInfo) => cpu.data.get(t.dataId).values as Float32Array;
  const outMean = new Float32Array(size);
  const outVariance = new Float32Array(size);
  movingAverage(values(ins.movingMean), values(ins.mean), decay, outMean);
  movingAverage(values(ins.movingVariance), values(ins.variance), decay, outVariance);
  return [
    cpu.makeTensorInfo([...ins.movingMean.shape], 'float32', outMean),
    cpu.makeTensorInfo([...ins.movingVariance.shape], 'float32', outVariance),
  ];
};

export const MOVING_AVERAGES_KERNELS: KernelConfig[] = [
  { kernelName: NB_MOVING_AVERAGES, backendName: 'wasm', kernelFunc: wasmKernel },
  { kernelName: NB_MOVING_AVERAGES, backendName: 'cpu', kernelFunc: cpuKernel },
];

const kernels = switchableKernels(MOVING_AVERAGES_KERNELS, 'NB_MOVING_AVERAGES');

/** Turns the kernel off (or back on): for tests comparing with the stock ops and NB_MOVING_AVERAGES=0 A/B runs. */
export const setMovingAveragesKernelEnabled = (on: boolean): void => kernels.setEnabled(on);

/** Whether `backendName` runs the kernel (registering it on first use); else the caller keeps tfjs' ops. */
export const hasMovingAveragesKernel = (backendName: string): boolean => kernels.has(backendName);
