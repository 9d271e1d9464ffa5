import * as tf from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32 } from './wasmKernelUtils';

/**
 * dx for a depthwise convolution (missing from the wasm backend), as a scatter over the forward taps:
 *   dx[b, oh·s + kh·d − pt, ow·s + kw·d − pl, c] += Σ_m W[kh,kw,c,m] · dy[b,oh,ow,c·M + m]
 */
export function depthwiseConv2dNativeBackpropInputWasm(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const mult = outChannels / inChannels;
  const out = backend.makeOutput(inputShape, 'float32');
  const w = heapF32(backend, filter);
  const dyv = heapF32(backend, dy);
  const dx = heapF32(backend, out);
  dx.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let fh = 0; fh < filterHeight; fh++) {
          const ih = oh * strideHeight + fh * dilationHeight - padInfo.top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let fw = 0; fw < filterWidth; fw++) {
            const iw = ow * strideWidth + fw * dilationWidth - padInfo.left;
            if (iw < 0 || iw >= inWidth) continue;
            const dxBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const wBase = (fh * filterWidth + fw) * outChannels;
            if (mult === 1) {
              for (let c = 0; c < inChannels; c++) dx[dxBase + c] = (dx[dxBase + c] as number) + (w[wBase + c] as number) * (dyv[dyBase + c] as number);
            } else {
              for (let c = 0; c < inChannels; c++) {
                let sum = 0;
                for (let m = 0; m < mult; m++) {
                  const k = c * mult + m;
                  sum += (w[wBase + k] as number) * (dyv[dyBase + k] as number);
                }
                dx[dxBase + c] = (dx[dxBase + c] as number) + sum;
              }
            }
          }
        }
      }
    }
  }
  return out;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropInputWasm as unknown as KernelFunc,
};
