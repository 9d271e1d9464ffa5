import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/**
 * Helpers for kernels that run inside the wasm backend. Kernels here either compose the backend's own (XNNPACK-backed)
 * kernel functions or loop over Float32Array views of the wasm heap. Two rules keep that safe:
 *  - allocate every output (makeOutput) BEFORE taking heap views: an allocation may grow wasm memory and detach views;
 *  - intermediates created by composed kernel calls are freed with `release`, never leaked to the engine.
 */

/** Runs another wasm kernel by name at the backend level (no engine bookkeeping, no autograd). */
export function runWasmKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel ${kernelName} is not registered`);
  const out = kernel.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${kernelName} returned several outputs`);
  return out;
}

/** Frees an intermediate produced by runWasmKernel/makeOutput inside a kernel. */
export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** Float32 view of a tensor on the wasm heap. Take it after all allocations of the current kernel call. */
export function heapF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** A tensor's values on the cpu backend as float32 (our kernels' cpu twins; a non-float32 array is converted). */
export function cpuF32(cpu: MathBackendCPU, info: TensorInfo): Float32Array {
  const values = cpu.data.get(info.dataId).values;
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

export function heapI32(backend: BackendWasm, info: TensorInfo): Int32Array {
  return backend.typedArrayFromHeap(info) as Int32Array;
}

export function assertNHWC(kernelName: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`wasm ${kernelName} supports only NHWC data, got dataFormat ${String(dataFormat)}`);
  }
}

/**
 * Kernels of ours registered on first use, behind an A/B switch (`envVar`=0 turns them off): `has(backend)` registers
 * them and says whether the first config's kernel runs on that backend (else the caller keeps tfjs' ops);
 * `setEnabled` is for tests comparing with the stock ops.
 */
export function switchableKernels(configs: readonly KernelConfig[], envVar: string): { has(backendName: string): boolean; setEnabled(on: boolean): void } {
  let enabled = process.env[envVar] !== '0';
  return {
    has(backendName) {
      if (!enabled) return false;
      for (const config of configs) {
        if (tf.getKernel(config.kernelName, config.backendName) === undefined) tf.registerKernel(config);
      }
      return tf.getKernel(configs[0]!.kernelName, backendName) !== undefined;
    },
    setEnabled(on) {
      enabled = on;
    },
  };
}
