import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapF32 } from './wasmKernelUtils';

/**
 * MaxPool gradient: route each dy value to the first maximum of its window (same tie rule as tfjs' cpu backend).
 * tfjs' wasm kernel took ~13 ms for a 64×28×28×16 input with 2×2 windows.
 */
export function makeMaxPoolGradWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args as unknown as {
      inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
      backend: BackendWasm;
      attrs: MaxPoolGradAttrs;
    };
    const { dy, input } = inputs;
    if (input.dtype !== 'float32' || input.shape.length !== 4) return stock(args);
    const { filterSize, strides, pad, dimRoundingMode } = attrs;
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth } = info;
    const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
    const out = backend.makeOutput(input.shape, 'float32');
    const x = heapF32(backend, input);
    const g = heapF32(backend, dy);
    const dx = heapF32(backend, out);
    dx.fill(0);
    for (let b = 0; b < batchSize; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const h0 = oh * strideHeight - padInfo.top;
        const hStart = Math.max(0, h0);
        const hEnd = Math.min(inHeight, h0 + filterHeight);
        for (let ow = 0; ow < outWidth; ow++) {
          const w0 = ow * strideWidth - padInfo.left;
          const wStart = Math.max(0, w0);
          const wEnd = Math.min(inWidth, w0 + filterWidth);
          const dyBase = ((b * outHeight + oh) * outWidth + ow) * C;
          // Per channel, scan the (small) window; channel-outer keeps the running max in registers.
          for (let c = 0; c < C; c++) {
            let best = -Infinity;
            let at = -1;
            for (let ih = hStart; ih < hEnd; ih++) {
              let idx = ((b * inHeight + ih) * inWidth + wStart) * C + c;
              for (let iw = wStart; iw < wEnd; iw++, idx += C) {
                const v = x[idx] as number;
                if (v > best) {
                  best = v;
                  at = idx;
                }
              }
            }
            if (at >= 0) dx[at] = (dx[at] as number) + (g[dyBase + c] as number);
          }
        }
      }
    }
    return out;
  };
}

export const MAX_POOL_GRAD = tf.MaxPoolGrad;
