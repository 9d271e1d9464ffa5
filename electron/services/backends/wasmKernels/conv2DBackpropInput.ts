import * as tf from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assertNHWC, heapF32, release, runWasmKernel } from './wasmKernelUtils';
import { col2imBackpropInput } from './col2imBackpropInput';
import { heapAddress, simdModule } from './simdModules';

type Args = { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs };

/**
 * dx for a 2-D convolution as a forward convolution ("full" correlation with the flipped filter) — the wasm Conv2D
 * kernel, so Winograd (winogradConv2D.ts) for 3×3 stride-1 layers and XNNPACK otherwise:
 *   dx = conv2d(zeroInsert(dy, s), flip(W)ᵀ, stride 1, pad top/left = K − 1 − p)
 * where flip(W)ᵀ[kh,kw,co,ci] = W[KH−1−kh, KW−1−kw, ci, co] and zeroInsert puts s−1 zeros between dy rows/columns
 * (skipped when s = 1, the common case). A negative padding (forward padding wider than the filter) is computed as 0
 * and the surplus rows/columns are sliced off. tfjs' own wasm kernel is a scalar loop and dominated our CNN profile.
 * 1×1 and strided layers take a matrix product and a scatter instead (col2imPays, col2imBackpropInput.ts).
 */
/**
 * Where the matmul + scatter path (col2imBackpropInput.ts) beats the flipped-filter convolution below: 1×1 filters
 * (one product; the convolution below ran XNNPACK with a 1×1 "filter", plus zero insertion when strided) and strided
 * layers with at least 16 input channels (zero insertion makes the convolution below 4× larger for stride 2; with few
 * input channels our JavaScript scatter costs more than that). Measured per ResNet-20 layer, batch 64, wasm
 * single-threaded, best of 10 calls, two runs on a loaded machine (ms, old → new): 1×1 stride 2 16→32 on 28×28
 * 3.2–3.5 → 1.4–1.5, 32→64 on 14×14 2.3 → 0.7–0.8; 3×3 stride 2 16→32 on 28×28 10.3–10.5 → 9.9–10.3, 32→64 on 14×14
 * 7.4–10.4 → 6.0–10.0. Stride-1 3×3 layers keep Winograd; an 8-channel 3×3 stride-1 layer was 9× slower here.
 */
export function col2imPays(kh: number, kw: number, sh: number, sw: number, ci: number): boolean {
  if (kh === 1 && kw === 1) return true;
  return (sh !== 1 || sw !== 1) && ci >= 16;
}

interface FlipSimd {
  conv2d_flip_filter(w: number, wf: number, kh: number, kw: number, ci: number, co: number): void;
}

interface GatherSimd {
  conv2d_backprop_input_gather(
    dy: number, w: number, dx: number, batch: number, inH: number, inW: number, ci: number, outH: number, outW: number,
    co: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, pt: number, pl: number,
  ): void;
}

/**
 * Layers with fewer than GATHER_MAX_CHANNELS input channels (first layers on 1- or 3-channel images) take our SIMD
 * gather kernel (simd/conv2d.c, conv2d_backprop_input_gather): the flipped-filter convolution below has only ci
 * output channels, which XNNPACK ran at ~3 GFLOP/s. ResNet-20's stem (64×28×28×1, 16 channels; CPU ms per call,
 * bench/convLayers.ts, best of 3×5, interleaved twice): 3.8–4.0 → 2.0 ms. NB_CONV_DX_GATHER=0 keeps the convolution.
 */
export const GATHER_MAX_CHANNELS = 4;
/** Where the gather kernel is the choice: few input channels and a filter larger than 1×1 (a 1×1 one is one matmul). */
export function gatherPays(kh: number, kw: number, ci: number): boolean {
  return ci < GATHER_MAX_CHANNELS && kh * kw > 1;
}
let gatherEnabled = process.env['NB_CONV_DX_GATHER'] !== '0';

/** Input gradients computed by the gather kernel in this process (tests check the path really ran). */
export const gatherStats = { calls: 0 };

/** Turns the gather kernel off (or back on): for tests comparing paths and A/B runs. */
export function setDxGatherEnabled(on: boolean): void {
  gatherEnabled = on;
}

export function conv2DBackpropInputWasm(args: Args): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  assertNHWC('Conv2DBackpropInput', dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padInfo } = info;
  if (gatherPays(kh, kw, inChannels) && gatherEnabled && dy.dtype === 'float32' && filter.dtype === 'float32') {
    const simd = simdModule<GatherSimd>(backend, 'conv2d');
    if (simd) {
      const dx = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
      simd.conv2d_backprop_input_gather(
        heapAddress(backend, dy), heapAddress(backend, filter), heapAddress(backend, dx), batchSize, inHeight, inWidth,
        inChannels, outHeight, outWidth, outChannels, kh, kw, sh, sw, 1, 1, padInfo.top, padInfo.left,
      );
      gatherStats.calls++;
      return dx;
    }
  }
  if (col2imPays(kh, kw, sh, sw, inChannels)) {
    const dx = col2imBackpropInput(backend, {
      dy, filter, inShape: [batchSize, inHeight, inWidth, inChannels], outShape: [batchSize, outHeight, outWidth, outChannels],
      strides: [sh, sw], pad: { top: padInfo.top, left: padInfo.left },
    });
    if (dx) return dx;
  }
  const upHeight = (outHeight - 1) * sh + 1;
  const upWidth = (outWidth - 1) * sw + 1;
  const top = kh - 1 - padInfo.top;
  const left = kw - 1 - padInfo.left;
  const bottom = inHeight - upHeight - top + kh - 1;
  const right = inWidth - upWidth - left + kw - 1;

  const flipped = backend.makeOutput([kh, kw, outChannels, inChannels], 'float32');
  const temps: TensorInfo[] = [flipped];
  let source = dy;
  if (sh !== 1 || sw !== 1) {
    source = backend.makeOutput([batchSize, upHeight, upWidth, outChannels], 'float32');
    temps.push(source);
  }
  const flip = filter.dtype === 'float32' ? simdModule<FlipSimd>(backend, 'conv2d') : undefined;
  if (flip) {
    flip.conv2d_flip_filter(heapAddress(backend, filter), heapAddress(backend, flipped), kh, kw, inChannels, outChannels);
  } else {
    // Views only after every allocation above (allocations can grow and detach the heap).
    const w = heapF32(backend, filter);
    const wf = heapF32(backend, flipped);
    for (let y = 0; y < kh; y++) {
      for (let xx = 0; xx < kw; xx++) {
        const srcBase = ((kh - 1 - y) * kw + (kw - 1 - xx)) * inChannels * outChannels;
        const dstBase = (y * kw + xx) * outChannels * inChannels;
        for (let ci = 0; ci < inChannels; ci++) {
          for (let co = 0; co < outChannels; co++) wf[dstBase + co * inChannels + ci] = w[srcBase + ci * outChannels + co] as number;
        }
      }
    }
  }
  if (source !== dy) {
    const src = heapF32(backend, dy);
    const dst = heapF32(backend, source);
    dst.fill(0);
    for (let b = 0; b < batchSize; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        for (let ow = 0; ow < outWidth; ow++) {
          const from = ((b * outHeight + oh) * outWidth + ow) * outChannels;
          const to = ((b * upHeight + oh * sh) * upWidth + ow * sw) * outChannels;
          dst.set(src.subarray(from, from + outChannels), to);
        }
      }
    }
  }
  let dx = runWasmKernel(backend, 'Conv2D', { x: source, filter: flipped }, {
    strides: [1, 1],
    pad: [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  } as unknown as tf.NamedAttrMap);
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    const full = dx;
    dx = runWasmKernel(backend, 'Slice', { x: full }, {
      begin: [0, Math.max(-top, 0), Math.max(-left, 0), 0],
      size: [batchSize, inHeight, inWidth, inChannels],
    });
    temps.push(full);
  }
  release(backend, ...temps);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInputWasm as unknown as KernelFunc,
};
