import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';

/** Kernels we add to (or replace in) the wasm backend so that every catalog layer can be trained on it. */
export const WASM_EXTRA_KERNELS: KernelConfig[] = [];

let registered = false;

/**
 * Registers our extra wasm kernels. Idempotent. A kernel that tfjs already ships for wasm (e.g. the slow
 * Conv2DBackpropInput) is unregistered first so ours wins. Our kernels have no setupFunc, so registering after the
 * backend was initialised is fine.
 */
export function registerWasmKernels(): string[] {
  const names = WASM_EXTRA_KERNELS.map((k) => k.kernelName);
  if (registered) return names;
  for (const config of WASM_EXTRA_KERNELS) {
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  registered = true;
  return names;
}
