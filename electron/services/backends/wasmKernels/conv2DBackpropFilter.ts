import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';
import { assertNHWC, heapF32, release, runWasmKernel } from './wasmKernelUtils';
import { winogradFilterGrad, winogradFilterGradApplies } from './winogradConv2D';
import { winogradFilterGradF4 } from './winogradFilterGradF4';
import { batchNormSync } from './batchNormTraining';
import { deferredWork } from './deferredWork';

interface Conv2dSimd {
  conv2d_backprop_filter(
    x: number, dy: number, dw: number, batch: number, inH: number, inW: number, ci: number, outH: number, outW: number,
    co: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw_: number, pt: number, pl: number,
  ): void;
}

/**
 * dW for a 2-D convolution. 3×3 stride-1 layers: in the Winograd domain, F(4×4, 3×3) where it pays
 * (winogradFilterGradF4.ts), else F(2×2, 3×3) (winogradConv2D.ts' winogradFilterGrad).
 * Otherwise first choice: our SIMD kernel (simd/conv2d.c), one pass over x and dy with no copies —
 * 3.4x faster than the composed path below on the bench CNN's 3x3x16x16 layer (4.0 vs 13.7 ms, bench/kernels.ts).
 *
 * Fallback (no SIMD module): ONE forward convolution so it runs on XNNPACK's fast Conv2D:
 *   dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s + kh − pt, ow·s + kw − pl, ci] · dy[b,oh,ow,co]
 * Treat ci as the batch and b as the channel: X' = x^T [Ci,H,W,B] convolved with F' = dy^T [Ho,Wo,B,Co] using
 * stride 1 and dilation s (the forward stride) gives [Ci,KH,KW,Co]. Padding top/left is the forward padding; the
 * bottom/right padding is whatever makes the output exactly KH×KW (negative means rows the forward pass never read,
 * which we crop off). The wasm backend has no Conv2DBackpropFilter at all in tfjs 4.22.
 *
 * That convolution's "filter" is the whole of dy, which XNNPACK must repack on every call. When a filter tap has few
 * inputs (KH·KW·Ci ≤ IM2COL_LIMIT, e.g. a first layer on 1- or 3-channel images) it is cheaper to build the small
 * im2col matrix colsᵀ [KH·KW·Ci, B·Ho·Wo] in JS and run one XNNPACK GEMM dW = colsᵀ · dy.
 */
export const IM2COL_LIMIT = 27;
export function conv2DBackpropFilterWasm(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  assertNHWC('Conv2DBackpropFilter', dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { inHeight, inWidth, filterHeight, filterWidth, outHeight, outWidth, strideHeight, strideWidth, padInfo } = info;
  const padBottom = filterHeight - 1 + (outHeight - 1) * strideHeight + 1 - inHeight - padInfo.top;
  const padRight = filterWidth - 1 + (outWidth - 1) * strideWidth + 1 - inWidth - padInfo.left;

  const { batchSize, inChannels, outChannels, dilationHeight, dilationWidth } = info;
  if (winogradFilterGradApplies(filterShape, [strideHeight, strideWidth], [dilationHeight, dilationWidth])) {
    const call = { x, dy, filterShape: [...filterShape] as [number, number, number, number], pad: { top: padInfo.top, left: padInfo.left } };
    const dw = winogradFilterGradF4(backend, call) ?? winogradFilterGrad(backend, call);
    if (dw) return dw;
  }
  const simd = x.dtype === 'float32' && dy.dtype === 'float32' ? simdModule<Conv2dSimd>(backend, 'conv2d') : undefined;
  if (simd) {
    const dw = backend.makeOutput([...filterShape], 'float32');
    simd.conv2d_backprop_filter(
      heapAddress(backend, x), heapAddress(backend, dy), heapAddress(backend, dw),
      batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
      filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo.top, padInfo.left,
    );
    return dw;
  }
  if (filterHeight * filterWidth * inChannels <= IM2COL_LIMIT) {
    const rows = filterHeight * filterWidth * inChannels;
    const pixels = batchSize * outHeight * outWidth;
    const colsT = backend.makeOutput([rows, pixels], 'float32');
    const xv = heapF32(backend, x);
    const cv = heapF32(backend, colsT);
    for (let fh = 0; fh < filterHeight; fh++) {
      for (let fw = 0; fw < filterWidth; fw++) {
        for (let ci = 0; ci < inChannels; ci++) {
          const rowBase = ((fh * filterWidth + fw) * inChannels + ci) * pixels;
          let p = 0;
          for (let b = 0; b < batchSize; b++) {
            for (let oh = 0; oh < outHeight; oh++) {
              const ih = oh * strideHeight + fh * dilationHeight - padInfo.top;
              const rowOk = ih >= 0 && ih < inHeight;
              const xRow = (b * inHeight + ih) * inWidth;
              for (let ow = 0; ow < outWidth; ow++, p++) {
                const iw = ow * strideWidth + fw * dilationWidth - padInfo.left;
                cv[rowBase + p] = rowOk && iw >= 0 && iw < inWidth ? (xv[(xRow + iw) * inChannels + ci] as number) : 0;
              }
            }
          }
        }
      }
    }
    const dy2d: TensorInfo = { dataId: dy.dataId, shape: [pixels, outChannels], dtype: dy.dtype };
    const product = runWasmKernel(backend, 'BatchMatMul', { a: colsT, b: dy2d }, { transposeA: false, transposeB: false });
    release(backend, colsT);
    // [1, rows, Co] → [KH, KW, Ci, Co]: same memory order, so only the shape changes (no copy).
    return { dataId: product.dataId, shape: [...filterShape], dtype: 'float32' };
  }

  const temps: TensorInfo[] = [];
  let source = x;
  if (padBottom < 0 || padRight < 0) {
    source = runWasmKernel(backend, 'Slice', { x }, {
      begin: [0, 0, 0, 0],
      size: [-1, inHeight + Math.min(padBottom, 0), inWidth + Math.min(padRight, 0), -1],
    });
    temps.push(source);
  }
  const xT = runWasmKernel(backend, 'Transpose', { x: source }, { perm: [3, 1, 2, 0] });
  const dyT = runWasmKernel(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  temps.push(xT, dyT);
  const conv = runWasmKernel(backend, 'Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: [[0, 0], [padInfo.top, Math.max(padBottom, 0)], [padInfo.left, Math.max(padRight, 0)], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [strideHeight, strideWidth],
    dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap);
  temps.push(conv);
  const dw = runWasmKernel(backend, 'Transpose', { x: conv }, { perm: [1, 2, 0, 3] });
  release(backend, ...temps);
  return dw;
}

interface EngineDataIds {
  removeDataId(dataId: object, backend: BackendWasm): void;
}

/** Drops the reference a deferred job took; when it was the last, the engine's stale entry goes too. */
function dropKept(backend: BackendWasm, info: TensorInfo): void {
  if (backend.disposeData(info.dataId)) (tf.engine() as unknown as EngineDataIds).removeDataId(info.dataId, backend);
}

/**
 * The kernel as registered: inside a replica's backward pass (deferredWork.ts) the output buffer comes back unfilled
 * and a job fills it later — the same kernel on the same inputs, kept alive by a reference of our own until then.
 */
export function conv2DBackpropFilterDeferrable(args: Parameters<typeof conv2DBackpropFilterWasm>[0]): TensorInfo {
  if (!deferredWork.accepting(batchNormSync() !== undefined) || args.inputs.x.dtype !== 'float32' || args.inputs.dy.dtype !== 'float32') {
    return conv2DBackpropFilterWasm(args);
  }
  const { backend, attrs } = args;
  const x = { ...args.inputs.x };
  const dy = { ...args.inputs.dy };
  backend.incRef(x.dataId);
  backend.incRef(dy.dataId);
  const dw = backend.makeOutput([...attrs.filterShape], 'float32');
  const discard = () => {
    dropKept(backend, x);
    dropKept(backend, dy);
  };
  deferredWork.push({
    run: () => {
      try {
        const computed = conv2DBackpropFilterWasm({ inputs: { x, dy }, backend, attrs });
        heapF32(backend, dw).set(heapF32(backend, computed));
        release(backend, computed);
      } finally {
        discard();
      }
    },
    discard,
  });
  return dw;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilterDeferrable as unknown as KernelFunc,
};
