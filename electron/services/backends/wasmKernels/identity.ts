import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Identity without a copy: share the buffer and bump its reference count, as the cpu backend does and as the wasm
 * backend's own Reshape already does (so no wasm kernel may write into its inputs). tfjs' wasm Identity copies the
 * whole tensor; training calls it ~60 times per step (clones in the optimizer and tape), mostly on full activations.
 */
export function makeIdentityWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend } = args as unknown as { inputs: { x: TensorInfo }; backend: BackendWasm };
    const { x } = inputs;
    if (x.dtype === 'string') return stock(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/**
 * Cast to the dtype the tensor already has is an identity too (tfjs' ReLU gradient is `dy * cast(step(x), 'float32')`,
 * and step already yields float32): share the buffer instead of the stock kernel's full copy. Real conversions
 * (bool/int32 ↔ float32) still go to the stock kernel.
 */
export function makeCastWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: { dtype: string } };
    const { x } = inputs;
    if (x.dtype === 'string' || x.dtype !== attrs.dtype) return stock(args);
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

export const IDENTITY = tf.Identity;
export const CAST = tf.Cast;
