import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { BATCH_MAT_MUL, makeBatchMatMulWasm } from './batchMatMul';
import { BROADCAST_BINARY_KERNELS, makeBroadcastViaTile } from './broadcastBinary';
import { SIMD_BINARY_OVERRIDES } from './broadcastBinary';
import { conv2DBackpropFilterConfig } from './conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './conv2DBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from './depthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './depthwiseConv2dNativeBackpropInput';
import { FUSED_MAT_MUL, makeFusedMatMulWasm } from './fusedMatMul';
import { FUSED_BATCH_NORM, makeFusedBatchNormWasm } from './fusedBatchNorm';
import { CAST, IDENTITY, makeCastWasm, makeIdentityWasm } from './identity';
import { makeMeanWasm, makeSumWasm, MEAN, SUM } from './leadingAxesReduce';
import { MAX_POOL_GRAD, makeMaxPoolGradWasm } from './maxPoolGrad';
import { MAX_POOL, makeMaxPoolWasm } from './maxPool';
import { reluGradWasmConfig } from './reluGrad';
import { clipGradWasmConfig } from './clipByValueGrad';
import { CONCAT, makeConcatWasm, makeSliceWasm, makeSplitVWasm, makeStridedSliceWasm, makePackWasm, makeUnpackWasm, PACK, SLICE, SPLIT_V, STRIDED_SLICE, UNPACK } from './sliceConcat';
import { makeTanhWasm, TANH } from './tanh';
import { makeTileWasm, TILE } from './tile';
import { unsortedSegmentSumConfig } from './unsortedSegmentSum';
import { CONV2D, FUSED_CONV2D, makeConv2DWasm, makeFusedConv2DWasm } from './winogradConv2D';

/**
 * Kernels we add to (or replace in) the wasm backend so every catalog layer can be trained on it.
 * Found by training one step of every layer type on wasm (layerProbes.ts): tfjs 4.22's wasm backend lacks
 * Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter/Input and UnsortedSegmentSum; its Conv2DBackpropInput
 * exists but is a scalar loop, so ours replaces it.
 */
export const WASM_EXTRA_KERNELS: KernelConfig[] = [
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  unsortedSegmentSumConfig,
  // Not missing, but one kernel instead of a composition (used by gradientOverrides.ts).
  reluGradWasmConfig,
  clipGradWasmConfig,
];

/**
 * Faster versions of kernels tfjs does ship for wasm. Each wraps the stock kernel (kept for the cases it does not
 * cover) and inherits its setupFunc, so it works whether or not the backend was initialised before registration.
 */
export const WASM_KERNEL_OVERRIDES: { kernelName: string; wrap: (stock: KernelFunc) => KernelFunc }[] = [
  { kernelName: BATCH_MAT_MUL, wrap: makeBatchMatMulWasm },
  { kernelName: FUSED_MAT_MUL, wrap: makeFusedMatMulWasm },
  { kernelName: CONV2D, wrap: makeConv2DWasm },
  { kernelName: FUSED_CONV2D, wrap: makeFusedConv2DWasm },
  { kernelName: TILE, wrap: makeTileWasm },
  { kernelName: MAX_POOL_GRAD, wrap: makeMaxPoolGradWasm },
  { kernelName: IDENTITY, wrap: makeIdentityWasm },
  { kernelName: CAST, wrap: makeCastWasm },
  { kernelName: FUSED_BATCH_NORM, wrap: makeFusedBatchNormWasm },
  { kernelName: SUM, wrap: makeSumWasm },
  { kernelName: MEAN, wrap: makeMeanWasm },
  ...BROADCAST_BINARY_KERNELS.map((kernelName) => ({ kernelName, wrap: makeBroadcastViaTile })),
  // SIMD float32 kernels in front of the Tile path above (wrapping again keeps it, and the stock kernel, as fallbacks).
  ...SIMD_BINARY_OVERRIDES,
  { kernelName: MAX_POOL, wrap: makeMaxPoolWasm },
  { kernelName: TANH, wrap: makeTanhWasm },
  { kernelName: SLICE, wrap: makeSliceWasm },
  { kernelName: SPLIT_V, wrap: makeSplitVWasm },
  { kernelName: CONCAT, wrap: makeConcatWasm },
  { kernelName: STRIDED_SLICE, wrap: makeStridedSliceWasm },
  { kernelName: UNPACK, wrap: makeUnpackWasm },
  { kernelName: PACK, wrap: makePackWasm },
];

let registered = false;

/**
 * Registers our extra and faster wasm kernels. Idempotent. A kernel tfjs already ships for wasm is unregistered first
 * so ours wins. The extra kernels need no setupFunc and the overrides keep the stock one, so this works before or
 * after the wasm backend was initialised.
 */
export function registerWasmKernels(): string[] {
  const names = [...WASM_EXTRA_KERNELS.map((k) => k.kernelName), ...WASM_KERNEL_OVERRIDES.map((k) => k.kernelName)];
  if (registered) return names;
  for (const { kernelName, wrap } of WASM_KERNEL_OVERRIDES) {
    const stock = tf.getKernel(kernelName, 'wasm');
    if (stock === undefined) continue;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ ...stock, kernelFunc: wrap(stock.kernelFunc) });
  }
  for (const config of WASM_EXTRA_KERNELS) {
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  registered = true;
  return names;
}
