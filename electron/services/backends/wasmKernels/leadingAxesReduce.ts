import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, MeanAttrs, SumAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32, runWasmKernel } from './wasmKernelUtils';

/** Below this many input elements the stock reduction is cheap enough. */
const MIN_ELEMENTS = 1 << 14;

/**
 * Sum/Mean over LEADING axes — per-channel reductions over batch×height×width in BatchNorm (forward moments and every
 * backward term) and in conv bias gradients. tfjs' wasm kernels transpose the reduced axes to the end (a full copy)
 * and then reduce, ~2-4 ms for 64×28×28×16. Viewing the input as one image [1, outer, 1, inner] and running XNNPACK's
 * average pooling with an [outer, 1] window gives the mean per inner element in ~0.1 ms (Sum rescales it by outer).
 * Other axis patterns, dtypes and small tensors go to the stock kernel.
 */
function makeLeadingAxesReduce(stock: KernelFunc, mode: 'sum' | 'mean'): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SumAttrs | MeanAttrs };
    const { x } = inputs;
    const rank = x.shape.length;
    if (x.dtype !== 'float32' || rank < 2 || tf.util.sizeFromShape(x.shape) < MIN_ELEMENTS) return stock(args);
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const k = axes.length;
    if (k === 0 || k === rank || axes.some((a, i) => a !== i)) return stock(args);
    const outer = tf.util.sizeFromShape(x.shape.slice(0, k));
    const innerShape = x.shape.slice(k);
    const inner = tf.util.sizeFromShape(innerShape);
    if (outer < 2) return stock(args);
    const image: TensorInfo = { dataId: x.dataId, shape: [1, outer, 1, inner], dtype: 'float32' };
    const pooled = runWasmKernel(backend, 'AvgPool', { x: image }, { filterSize: [outer, 1], strides: [1, 1], pad: 'valid' });
    if (mode === 'sum') {
      const values = heapF32(backend, pooled);
      for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) * outer;
    }
    const outShape = attrs.keepDims ? [...Array(k).fill(1), ...innerShape] : innerShape;
    // Same buffer, final shape (the pooled tensor is ours, so no copy is needed).
    return { dataId: pooled.dataId, shape: outShape, dtype: 'float32' };
  };
}

export const makeSumWasm = (stock: KernelFunc): KernelFunc => makeLeadingAxesReduce(stock, 'sum');
export const makeMeanWasm = (stock: KernelFunc): KernelFunc => makeLeadingAxesReduce(stock, 'mean');
export const SUM = tf.Sum;
export const MEAN = tf.Mean;
