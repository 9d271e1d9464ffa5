import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';

interface TanhSimd {
  tanh_f32(x: number, out: number, total: number): void;
}

/**
 * Tanh by simd/elementwise.c's tanh_f32 (Eigen's rational approximation, 8 lanes per iteration). tfjs 4.22's wasm Tanh
 * calls libm's tanhf per element, ~25 ns each: a tanh MLP's hidden layers and an LSTM's gates (its cell and output
 * activations, 56 Tanh calls per step of the bench LSTM) spent 12 % of a training step there. Within 3.6e-7 of
 * float64 tanh (a few float ulps near ±1; tanh.test.ts), where tanhf is within one; the cpu backend's Math.tanh is the
 * reference.
 * The gradient is tfjs' own (dy · (1 − y²) from the saved output). NB_SIMD_TANH=0 keeps the stock kernel (A/B).
 */
let enabled = process.env['NB_SIMD_TANH'] !== '0';

/** For tests and A/B runs. */
export function setSimdTanhEnabled(on: boolean): void {
  enabled = on;
}

/** Calls our kernel took in this process (tests check the path they meant to run did). */
export const tanhStats = { simdCalls: 0 };

export function makeTanhWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend } = args as unknown as { inputs: { x: TensorInfo }; backend: BackendWasm };
    const { x } = inputs;
    const simd = enabled && x.dtype === 'float32' ? simdModule<TanhSimd>(backend, 'elementwise') : null;
    if (!simd || typeof simd.tanh_f32 !== 'function') return stock(args);
    const out = backend.makeOutput([...x.shape], 'float32');
    const total = tf.util.sizeFromShape(x.shape);
    if (total > 0) simd.tanh_f32(heapAddress(backend, x), heapAddress(backend, out), total);
    tanhStats.simdCalls++;
    return out;
  };
}

export const TANH = tf.Tanh;
