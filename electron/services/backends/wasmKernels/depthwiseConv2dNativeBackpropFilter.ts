import * as tf from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32 } from './wasmKernelUtils';

/**
 * dW for a depthwise convolution (missing from the wasm backend):
 *   dW[kh,kw,c,m] = Σ_{b,oh,ow} x[b, oh·s + kh·d − pt, ow·s + kw·d − pl, c] · dy[b,oh,ow,c·M + m]
 * Depthwise work is small (no channel mixing), so a tight loop over the wasm heap is enough; rows and columns that
 * fall in the padding are skipped once per kernel tap instead of being tested per element.
 */
export function depthwiseConv2dNativeBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo } = info;
  const mult = outChannels / inChannels;
  const out = backend.makeOutput(filterShape, 'float32');
  const xv = heapF32(backend, x);
  const dyv = heapF32(backend, dy);
  const dw = heapF32(backend, out);
  dw.fill(0);
  for (let fh = 0; fh < filterHeight; fh++) {
    for (let fw = 0; fw < filterWidth; fw++) {
      const dwBase = (fh * filterWidth + fw) * outChannels;
      for (let b = 0; b < batchSize; b++) {
        for (let oh = 0; oh < outHeight; oh++) {
          const ih = oh * strideHeight + fh * dilationHeight - padInfo.top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let ow = 0; ow < outWidth; ow++) {
            const iw = ow * strideWidth + fw * dilationWidth - padInfo.left;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
            if (mult === 1) {
              for (let c = 0; c < inChannels; c++) dw[dwBase + c] = (dw[dwBase + c] as number) + (xv[xBase + c] as number) * (dyv[dyBase + c] as number);
            } else {
              for (let c = 0; c < inChannels; c++) {
                const xc = xv[xBase + c] as number;
                for (let m = 0; m < mult; m++) {
                  const k = c * mult + m;
                  dw[dwBase + k] = (dw[dwBase + k] as number) + xc * (dyv[dyBase + k] as number);
                }
              }
            }
          }
        }
      }
    }
  }
  return out;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseConv2dNativeBackpropFilterWasm as unknown as KernelFunc,
};
