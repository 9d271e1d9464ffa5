import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo, TileAttrs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';

interface RepeatSimd {
  repeat_pattern(pat: number, out: number, total: number, P: number): void;
}

/**
 * Tile by block copies. tfjs' wasm Tile computes every output index separately (~40 ns/element); the BatchNorm
 * gradient tiles a per-channel vector to the full activation size each step, which made Tile the top kernel of our
 * CNN profile. Here each dimension is filled once and then replicated with copyWithin, so the cost is a few memcpys.
 */
export function makeTileWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: TileAttrs };
    const { x } = inputs;
    const { reps } = attrs;
    if (x.dtype === 'string' || x.dtype === 'complex64') return stock(args);
    const rank = x.shape.length;
    const outShape = x.shape.map((d, i) => d * (reps[i] as number));
    const out = backend.makeOutput(outShape, x.dtype);
    if (outShape.some((d) => d === 0)) return out;
    // A vector repeated along leading axes only ([1,1,1,C] → [N,H,W,C], what BatchNorm's gradient and Sum's
    // gradient tile) is one periodic write: our SIMD kernel (simd/elementwise.c) does it in one pass with the period
    // in registers. 4-byte dtypes only; the kernel copies bits, so int32 is as good as float32.
    const size = tf.util.sizeFromShape(outShape);
    const period = tf.util.sizeFromShape(x.shape);
    const firstReal = x.shape.findIndex((d) => d !== 1);
    if (
      (x.dtype === 'float32' || x.dtype === 'int32') && period % 4 === 0 && size >= 1 << 12 &&
      firstReal >= 0 && reps.every((r, i) => i < firstReal || r === 1)
    ) {
      const simd = simdModule<RepeatSimd>(backend, 'elementwise');
      if (simd) {
        simd.repeat_pattern(heapAddress(backend, x), heapAddress(backend, out), size, period);
        return out;
      }
    }
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    if (rank === 0) {
      dst[0] = src[0] as number;
      return out;
    }
    const inStrides = tf.util.computeStrides(x.shape).concat([1]);
    const outStrides = tf.util.computeStrides(outShape).concat([1]);
    const fill = (dim: number, inOffset: number, outOffset: number): void => {
      const inDim = x.shape[dim] as number;
      const rep = reps[dim] as number;
      const outStride = outStrides[dim] as number;
      if (dim === rank - 1) {
        dst.set(src.subarray(inOffset, inOffset + inDim), outOffset);
      } else {
        const inStride = inStrides[dim] as number;
        for (let i = 0; i < inDim; i++) fill(dim + 1, inOffset + i * inStride, outOffset + i * outStride);
      }
      // Replicate the filled block rep−1 times, doubling the copied span each round.
      const block = inDim * outStride;
      let filled = block;
      const total = block * rep;
      while (filled < total) {
        const n = Math.min(filled, total - filled);
        dst.copyWithin(outOffset + filled, outOffset, outOffset + n);
        filled += n;
      }
    };
    fill(0, 0, 0);
    return out;
  };
}

export const TILE = tf.Tile;
