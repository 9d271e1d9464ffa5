import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';

/**
 * Forward 2-D convolutions on our direct SIMD kernel (simd/conv2d.c, conv2d_forward) for the layers Winograd
 * (winogradConv2D.ts) does not take and XNNPACK runs slowly in training, where every step brings a new filter that
 * XNNPACK repacks: strided convolutions (ResNet's stride-2 3×3 downsampling and 1×1 projections), 1×1 filters and
 * first layers with fewer than 4 input channels (the ResNet-20 stem, 1 channel: XNNPACK ran it at ~4 GFLOP/s).
 * Bias and ReLU are applied as the outputs are stored (FusedConv2D). Float32 NHWC, any padding / stride / dilation;
 * single-threaded wasm only (with XNNPACK threads its convolution runs on several cores).
 * NB_DIRECT_CONV=0 keeps XNNPACK (A/B).
 */
interface DirectConvSimd {
  conv2d_forward(
    x: number, w: number, bias: number, out: number, batch: number, inH: number, inW: number, ci: number, outH: number,
    outW: number, co: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number,
    pl: number, relu: number,
  ): void;
}

let enabled = process.env['NB_DIRECT_CONV'] !== '0';

/** Convolutions run by the direct kernel in this process (tests check the path they meant to exercise really ran). */
export const directConvStats = { calls: 0 };

/** Turns the direct kernel off (or back on): for tests comparing paths and NB_DIRECT_CONV=0 A/B runs. */
export function setDirectConvEnabled(on: boolean): void {
  enabled = on;
}

/** Whether the direct kernel is the better choice for this layer (see the header); callers try Winograd first. */
export function directConvPays(filterShape: readonly number[], stride: readonly [number, number]): boolean {
  const [kh, kw, ci] = filterShape as [number, number, number, number];
  return stride[0] !== 1 || stride[1] !== 1 || (kh === 1 && kw === 1) || ci < 4;
}

export interface DirectConvCall {
  x: TensorInfo;
  /** [KH, KW, CI, CO] */
  filter: TensorInfo;
  bias?: TensorInfo | undefined;
  relu?: boolean;
  info: tf.backend_util.Conv2DInfo;
}

/** out = act(bias + conv(x, filter)), or undefined when the kernel is off or cannot run here. */
export function directConv2D(backend: BackendWasm, call: DirectConvCall, singleThreaded: boolean): TensorInfo | undefined {
  const { x, filter, bias, relu, info } = call;
  if (!enabled || !singleThreaded) return undefined;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  if (bias && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== info.outChannels)) return undefined;
  if (x.shape.length !== 4 || filter.shape.length !== 4) return undefined;
  const simd = simdModule<DirectConvSimd>(backend, 'conv2d');
  if (!simd) return undefined;
  const out = backend.makeOutput([...info.outShape], 'float32');
  simd.conv2d_forward(
    heapAddress(backend, x), heapAddress(backend, filter), bias ? heapAddress(backend, bias) : 0, heapAddress(backend, out),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left, relu ? 1 : 0,
  );
  directConvStats.calls++;
  return out;
}
