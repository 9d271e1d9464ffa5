import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';
import { heapF32 } from './wasmKernelUtils';

interface PoolSimd {
  max_pool_grad(
    x: number, dy: number, dx: number, batch: number, inH: number, inW: number, C: number, outH: number, outW: number,
    kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, covered: number,
  ): void;
}

/**
 * MaxPool gradient: route each dy value to the first maximum of its window (same tie rule as tfjs' cpu backend).
 * tfjs' wasm kernel took ~13 ms for a 64×28×28×16 input with 2×2 windows, the JS loops below ~3.3 ms, our SIMD kernel
 * (simd/pool.c, any window/stride/padding) well under 1 ms. The JS loops stay as the fallback when the module cannot load.
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
    const simd = dy.dtype === 'float32' ? simdModule<PoolSimd>(backend, 'pool') : undefined;
    if (simd) {
      // Windows that tile the input exactly write every dx element, so the kernel can skip zeroing dx first.
      const covered =
        filterHeight === strideHeight && filterWidth === strideWidth && padInfo.top === 0 && padInfo.left === 0 &&
        outHeight * strideHeight === inHeight && outWidth * strideWidth === inWidth;
      simd.max_pool_grad(
        heapAddress(backend, input), heapAddress(backend, dy), heapAddress(backend, out),
        batchSize, inHeight, inWidth, C, outHeight, outWidth,
        filterHeight, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left, covered ? 1 : 0,
      );
      return out;
    }
    const x = heapF32(backend, input);
    const g = heapF32(backend, dy);
    const dx = heapF32(backend, out);
    dx.fill(0);
    if (filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 && padInfo.top === 0 && padInfo.left === 0) {
      pool2x2Grad(x, g, dx, batchSize, inHeight, inWidth, C, outHeight, outWidth);
      return out;
    }
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

/**
 * The common 2×2, stride-2 pool without top/left padding: windows do not overlap, so each channel's four candidates
 * are compared in registers with the channel innermost (contiguous reads). Same order and strict `>` as the general
 * loop, so ties and NaNs go where the cpu backend sends them. A window clipped by the bottom/right edge ('same' on an
 * odd size) takes the general per-window scan. ~5× faster than the general loop on the reference CNN.
 */
function pool2x2Grad(
  x: Float32Array,
  g: Float32Array,
  dx: Float32Array,
  batchSize: number,
  inHeight: number,
  inWidth: number,
  C: number,
  outHeight: number,
  outWidth: number,
): void {
  const rowStride = inWidth * C;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ih = oh * 2;
      const fullRows = ih + 1 < inHeight;
      for (let ow = 0; ow < outWidth; ow++) {
        const iw = ow * 2;
        const p00 = ((b * inHeight + ih) * inWidth + iw) * C;
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * C;
        if (fullRows && iw + 1 < inWidth) {
          const p01 = p00 + C;
          const p10 = p00 + rowStride;
          const p11 = p10 + C;
          for (let c = 0; c < C; c++) {
            let best = -Infinity;
            let at = -1;
            let v = x[p00 + c] as number;
            if (v > best) {
              best = v;
              at = p00 + c;
            }
            v = x[p01 + c] as number;
            if (v > best) {
              best = v;
              at = p01 + c;
            }
            v = x[p10 + c] as number;
            if (v > best) {
              best = v;
              at = p10 + c;
            }
            v = x[p11 + c] as number;
            if (v > best) at = p11 + c;
            if (at >= 0) dx[at] = g[dyBase + c] as number;
          }
        } else {
          const hEnd = Math.min(inHeight, ih + 2);
          const wEnd = Math.min(inWidth, iw + 2);
          for (let c = 0; c < C; c++) {
            let best = -Infinity;
            let at = -1;
            for (let h = ih; h < hEnd; h++) {
              let idx = ((b * inHeight + h) * inWidth + iw) * C + c;
              for (let w = iw; w < wEnd; w++, idx += C) {
                const v = x[idx] as number;
                if (v > best) {
                  best = v;
                  at = idx;
                }
              }
            }
            if (at >= 0) dx[at] = g[dyBase + c] as number;
          }
        }
      }
    }
  }
}

export const MAX_POOL_GRAD = tf.MaxPoolGrad;
