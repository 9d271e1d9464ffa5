import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';
import { release } from './wasmKernelUtils';

/**
 * Forward 2-D convolutions on our direct SIMD kernel (simd/conv2d.c, conv2d_forward) for the layers Winograd
 * (winogradConv2D.ts) does not take and XNNPACK runs slowly in training, where every step brings a new filter that
 * XNNPACK repacks: strided convolutions (ResNet's stride-2 3×3 downsampling and 1×1 projections), 1×1 filters and
 * first layers with fewer than 4 input channels (the ResNet-20 stem, 1 channel: XNNPACK ran it at ~4 GFLOP/s).
 * Bias and ReLU are applied as the outputs are stored (FusedConv2D). Float32 NHWC, any padding / stride / dilation;
 * single-threaded wasm only (with XNNPACK threads its convolution runs on several cores).
 * NB_DIRECT_CONV=0 keeps XNNPACK (A/B).
 *
 * The kernel first copies the filter's 16-output-channel slices into contiguous scratch (packFilterFloats): read in
 * place, a slice's rows sit CO floats apart and at CO = 64 share a few L1 sets. Raw export, batch 32, one core,
 * interleaved, best of 11-41 alternations: 3×3 stride 2 14×14×32→64 41–46 → 45–48 GFLOP/s; the other layers
 * unchanged within noise (simd/conv2d.c). Same bits either way; NB_DIRECT_CONV_PACK=0 reads the filter in place (A/B).
 */
interface DirectConvSimd {
  conv2d_forward(
    x: number, w: number, bias: number, out: number, batch: number, inH: number, inW: number, ci: number, outH: number,
    outW: number, co: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number,
    pl: number, relu: number, pack: number,
  ): void;
}

let enabled = process.env['NB_DIRECT_CONV'] !== '0';
let packFilter = process.env['NB_DIRECT_CONV_PACK'] !== '0';

/** Turns the packed filter off (or back on): for tests comparing paths and A/B runs. */
export function setDirectConvPackEnabled(on: boolean): void {
  packFilter = on;
}

/**
 * Scratch floats for conv2d_forward's packed filter strips (0 = read the filter in place): the full 16-channel
 * slices, except for the one-channel 3×3 stem the kernel specialises (it reads the 16 floats of a tap in place) and
 * 1×1 filters (a slice is only CI rows; packing them cost 3–7 % at the tfjs level, interleaved, batch 32).
 */
export function packFilterFloats(info: tf.backend_util.Conv2DInfo): number {
  const { inChannels: ci, outChannels: co, filterHeight: kh, filterWidth: kw, dilationHeight: dh, dilationWidth: dw } = info;
  if (!packFilter || co < 16 || kh * kw === 1) return 0;
  if (ci === 1 && kh === 3 && kw === 3 && dh === 1 && dw === 1) return 0;
  return (co & ~15) * kh * kw * ci;
}

/** Convolutions run by the direct kernel in this process (tests check the path they meant to exercise really ran). */
export const directConvStats = { calls: 0, packed: 0 };

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
  const packFloats = packFilterFloats(info);
  const pack = packFloats > 0 ? backend.makeOutput([packFloats], 'float32') : undefined;
  simd.conv2d_forward(
    heapAddress(backend, x), heapAddress(backend, filter), bias ? heapAddress(backend, bias) : 0, heapAddress(backend, out),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
    info.padInfo.top, info.padInfo.left, relu ? 1 : 0, pack ? heapAddress(backend, pack) : 0,
  );
  if (pack) {
    release(backend, pack);
    directConvStats.packed++;
  }
  directConvStats.calls++;
  return out;
}
