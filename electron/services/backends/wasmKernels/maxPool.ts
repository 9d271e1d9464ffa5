import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, MaxPoolAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';

interface MaxPoolSimd {
  max_pool(
    x: number, y: number, batch: number, inH: number, inW: number, C: number, outH: number, outW: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
}

/**
 * MaxPool (NHWC, float32) on our SIMD kernel (simd/pool.c): tfjs' XNNPACK max pooling took ~0.7 ms for the bench
 * CNN's 64×28×28×16 2×2 pool, ours ~0.15 ms. Same rule as the cpu backend (NaN is never the maximum; an all
 * -Infinity/NaN window gives -Infinity). Other dtypes, and engines without the module, keep the stock kernel.
 */
export function makeMaxPoolWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: MaxPoolAttrs };
    const { x } = inputs;
    if (x.dtype !== 'float32' || x.shape.length !== 4) return stock(args);
    const simd = simdModule<MaxPoolSimd>(backend, 'pool');
    if (!simd) return stock(args);
    const { filterSize, strides, pad, dimRoundingMode } = attrs;
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const out = backend.makeOutput(info.outShape, 'float32');
    if (tf.util.sizeFromShape(info.outShape) === 0) return out;
    simd.max_pool(
      heapAddress(backend, x), heapAddress(backend, out), info.batchSize, info.inHeight, info.inWidth, info.inChannels,
      info.outHeight, info.outWidth, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
      info.padInfo.top, info.padInfo.left,
    );
    return out;
  };
}

export const MAX_POOL = tf.MaxPool;
