import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { release, runWasmKernel } from './wasmKernelUtils';

/** Binary kernels whose broadcasting path in tfjs' wasm backend is ~5x slower than the same-shape path. */
export const BROADCAST_BINARY_KERNELS = [tf.Add, tf.Sub, tf.Multiply, tf.RealDiv, tf.SquaredDifference] as const;

/** Below this many output elements the stock broadcasting path is cheap enough. */
const MIN_ELEMENTS = 1 << 14;

/**
 * BatchNorm, bias gradients and Adam keep combining a full activation with a per-channel vector (x − mean, dy·γ, …).
 * The wasm backend's broadcasting binary ops walk an index per element (~0.7 ms for 64×28×28×16) while its
 * same-shape ops run on XNNPACK (~0.1 ms). Tiling the small operand with our block-copy Tile (~0.1 ms) and calling
 * the same-shape kernel is about 3x faster. Only used when one operand already has the output shape, the output has
 * rank ≥ 3 and the small operand is not a scalar (those stock paths are already fast).
 */
export function makeBroadcastViaTile(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend } = args as unknown as { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm };
    const { a, b } = inputs;
    if (a.dtype !== b.dtype || a.dtype === 'string' || a.dtype === 'complex64') return stock(args);
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const size = tf.util.sizeFromShape(outShape);
    if (size < MIN_ELEMENTS) return stock(args);
    const same = (s: number[]): boolean => s.length === outShape.length && s.every((d, i) => d === outShape[i]);
    const aFull = same(a.shape);
    const bFull = same(b.shape);
    if (aFull === bFull) return stock(args); // same shapes already, or both sides broadcast
    const small = aFull ? b : a;
    const rank = outShape.length;
    // Scalars and rank ≤ 2 broadcasts (Dense bias, Adam's scalar factors) are already fast in the stock kernel.
    if (rank <= 2 || tf.util.sizeFromShape(small.shape) === 1) return stock(args);
    const padded = [...Array(rank - small.shape.length).fill(1), ...small.shape] as number[];
    const reps = outShape.map((d, i) => d / (padded[i] as number));
    // Same memory, rank-padded shape (a reshape never moves data).
    const reshaped: TensorInfo = { dataId: small.dataId, shape: padded, dtype: small.dtype };
    const tiled = runWasmKernel(backend, 'Tile', { x: reshaped }, { reps });
    const out = stock({ ...args, inputs: aFull ? { a, b: tiled } : { a: tiled, b } }) as TensorInfo;
    release(backend, tiled);
    return out;
  };
}
