import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';
import { heapF32, runWasmKernel, release } from './wasmKernelUtils';

/**
 * ReLU's input gradient as one kernel. tfjs-core's Relu gradient is `mul(dy, cast(step(x), 'float32'))`: a full-size
 * Step written to memory and read back by Multiply. NbReluGrad reads x and dy once and writes dx once; on wasm through
 * simd/elementwise.c's relu_grad, else a JavaScript loop over the heap (both the same bits as tfjs' composition:
 * dy · 1, dy · 0 (±0, and NaN for ∞), NaN where x is NaN). Backends without the kernel (cpu, tensorflow) keep tfjs'
 * composition, so RELU_GRADIENT can be installed for all of them.
 *
 * It matters for ResNet-style graphs (conv → BatchNorm → ReLU, the ReLU its own op): on the bench ResNet-20 Step and
 * the ReLU's Multiply took ~5 % of a wasm training step.
 */
export const NB_RELU_GRAD = 'NbReluGrad';

interface ReluGradSimd {
  relu_grad(x: number, dy: number, out: number, total: number): void;
}

let enabled = process.env['NB_RELU_GRAD'] !== '0';

/** Turns the fused gradient off (or back on): tfjs' composition everywhere. For tests and NB_RELU_GRAD=0 A/B runs. */
export function setReluGradEnabled(on: boolean): void {
  enabled = on;
}

/** Whether NbReluGrad may run (fusedTraining.ts' ReLU gradients follow the same switch). */
export function reluGradEnabled(): boolean {
  return enabled;
}

/** ReLU gradients computed by the SIMD kernel in this process (tests check the path they meant to run did). */
export const reluGradStats = { simdCalls: 0, jsCalls: 0 };

function reluGradWasm(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const { x, dy } = inputs;
  if (x.dtype !== 'float32' || dy.dtype !== 'float32' || !tf.util.arraysEqual(x.shape, dy.shape)) {
    // Not what RELU_GRADIENT sends; compose as tfjs does rather than fail.
    const step = runWasmKernel(backend, 'Step', { x }, { alpha: 0 });
    const stepF = runWasmKernel(backend, 'Cast', { x: step }, { dtype: 'float32' });
    const out = runWasmKernel(backend, 'Multiply', { a: dy, b: stepF });
    release(backend, step, stepF);
    return out;
  }
  const total = tf.util.sizeFromShape(x.shape);
  const out = backend.makeOutput([...x.shape], 'float32');
  if (total === 0) return out;
  const simd = simdModule<ReluGradSimd>(backend, 'elementwise');
  if (simd && typeof simd.relu_grad === 'function') {
    simd.relu_grad(heapAddress(backend, x), heapAddress(backend, dy), heapAddress(backend, out), total);
    reluGradStats.simdCalls++;
    return out;
  }
  const xv = heapF32(backend, x);
  const dyv = heapF32(backend, dy);
  const ov = heapF32(backend, out);
  for (let i = 0; i < total; i++) {
    const xi = xv[i] as number;
    ov[i] = (dyv[i] as number) * (xi > 0 ? 1 : Number.isNaN(xi) ? NaN : 0);
  }
  reluGradStats.jsCalls++;
  return out;
}

export const reluGradWasmConfig: KernelConfig = {
  kernelName: NB_RELU_GRAD,
  backendName: 'wasm',
  kernelFunc: reluGradWasm as unknown as KernelFunc,
};

/** tfjs-core's Relu gradient, through NbReluGrad where the active backend has it. */
export const RELU_GRADIENT: GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as Tensor[];
    const d = dy as Tensor;
    if (enabled && x!.dtype === 'float32' && d.dtype === 'float32' && tf.getKernel(NB_RELU_GRAD, tf.getBackend()) !== undefined) {
      return { x: () => tf.engine().runKernel(NB_RELU_GRAD, { x: x!, dy: d }) as Tensor };
    }
    return { x: () => tf.mul(d, tf.cast(tf.step(x!), 'float32')) };
  },
};
