import * as tf from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { release, runWasmKernel } from './wasmKernelUtils';

/**
 * tfjs' wasm BatchMatMul only reaches XNNPACK's GEMM when neither operand is transposed; with transposeA/transposeB it
 * falls back to a scalar loop that is 10-15x slower. Every Dense backward pass asks for transposes (dW = xᵀ·dy,
 * dx = dy·Wᵀ), so we transpose the operand explicitly (a cheap copy) and call the stock kernel without transposes.
 */
export function makeBatchMatMulWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend: anyBackend, attrs } = args as unknown as {
      inputs: { a: TensorInfo; b: TensorInfo };
      backend: BackendWasm;
      attrs: BatchMatMulAttrs;
    };
    const backend = anyBackend;
    const { transposeA, transposeB } = attrs;
    if (!transposeA && !transposeB) return stock(args);
    const swapLast = (t: TensorInfo): TensorInfo => {
      const rank = t.shape.length;
      const perm = [...Array(rank).keys()];
      perm[rank - 2] = rank - 1;
      perm[rank - 1] = rank - 2;
      return runWasmKernel(backend, 'Transpose', { x: t }, { perm });
    };
    const a = transposeA ? swapLast(inputs.a) : inputs.a;
    const b = transposeB ? swapLast(inputs.b) : inputs.b;
    const out = stock({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as TensorInfo;
    if (a !== inputs.a) release(backend, a);
    if (b !== inputs.b) release(backend, b);
    return out;
  };
}

export const BATCH_MAT_MUL = tf.BatchMatMul;
