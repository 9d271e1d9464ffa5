import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { getThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';
import { release } from './wasmKernelUtils';
import { directConv2D, directConvPays } from './convForward';

/**
 * 3×3 stride-1 convolutions by Winograd F(2×2, 3×3) on our SIMD module (simd/winograd.c): 16 instead of 36
 * multiplies per output channel pair and 2×2 output tile. On the bench CNN's 3×3×16×16 layer (batch 64) it takes
 * 4.5 ms where XNNPACK's direct convolution takes 6.1 ms (same process, .scratch A/B), and it serves the forward pass
 * (Conv2D, FusedConv2D with bias and linear/ReLU) and the input gradient (conv2DBackpropInput.ts, flipped filter).
 *
 * Layers with at least 4×4 outputs and at most 64 input channels (all of ResNet-20's and the bench CNN's) run by
 * F(4×4, 3×3) instead (winograd_conv3x3_f4: 36 multiplies per 4×4 tile, 1.24–1.48× faster per call here; see
 * winogradF4Pays), NB_WINOGRAD_F4=0 keeps F(2×2).
 *
 * Taken only where it applies and pays: float32 NHWC, 3×3 filter, stride 1, dilation 1, input channels a multiple
 * of 4 and output channels of 16, and the single-threaded wasm build (with XNNPACK threads the direct convolution
 * runs on several cores). Everything else returns undefined and the caller keeps its path.
 */
interface WinogradSimd {
  winograd_filter(w: number, u: number, ci: number, co: number): void;
  winograd_conv3x3(
    x: number, u: number, bias: number, out: number, vs: number, ms: number, batch: number, inH: number, inW: number,
    ci: number, outH: number, outW: number, co: number, pt: number, pl: number, relu: number,
  ): void;
  winograd_filter_f4(w: number, u: number, ci: number, co: number): void;
  winograd_conv3x3_f4(
    x: number, u: number, bias: number, out: number, vs: number, ms: number, batch: number, inH: number, inW: number,
    ci: number, outH: number, outW: number, co: number, pt: number, pl: number, relu: number, chunk: number, block: number,
  ): void;
  winograd_conv3x3_f4_small(
    x: number, u: number, bias: number, out: number, vs: number, ms: number, batch: number, inH: number, inW: number,
    ci: number, outH: number, outW: number, co: number, pt: number, pl: number, relu: number, chunk: number, block: number,
  ): void;
  winograd_filter_grad(
    x: number, dy: number, dw: number, vs: number, ws: number, ms: number, batch: number, inH: number, inW: number,
    ci: number, outH: number, outW: number, co: number, pt: number, pl: number, chunk: number,
  ): void;
  winograd_filter_grad_f4(
    x: number, dy: number, dw: number, vs: number, ws: number, ms: number, batch: number, inH: number, inW: number,
    ci: number, outH: number, outW: number, co: number, pt: number, pl: number, chunk: number, band: number,
  ): void;
}

let enabled = process.env['NB_WINOGRAD'] !== '0';

/**
 * Convolutions run by Winograd in this process, how many of them by F(4×4) and how many of those by the small-channel
 * kernel (tests check the path that ran).
 */
export const winogradStats = { calls: 0, f4Calls: 0, f4SmallCalls: 0 };

/** Turns the Winograd path off (or back on): for tests comparing paths and NB_WINOGRAD=0 A/B runs. */
export function setWinogradEnabled(on: boolean): void {
  enabled = on;
}

/**
 * F(4×4, 3×3) (winograd_conv3x3_f4: 6×6 input tiles, 36 multiplies per 16 outputs instead of F(2×2)'s 16 per 4) for
 * the layers where it is faster (winogradF4Pays); NB_WINOGRAD_F4=0 keeps F(2×2) everywhere (A/B). 'always' and
 * 'never' are for tests and benches. NB_WINOGRAD_F4_CHUNK: tiles per pass (multiple of 4); NB_WINOGRAD_F4_BLOCK: the
 * products' register block, 2 (2 tiles × 16 channels) or 4 (4 tiles × 8 channels).
 */
type F4Mode = 'auto' | 'always' | 'never';
let f4Mode: F4Mode = process.env['NB_WINOGRAD_F4'] === '0' ? 'never' : 'auto';
const F4_CHUNK = Math.max(4, Math.round((Number(process.env['NB_WINOGRAD_F4_CHUNK'] ?? 16) || 16) / 4) * 4);
const F4_BLOCK = process.env['NB_WINOGRAD_F4_BLOCK'] === '4' ? 4 : 2;

/** Chooses F(4×4) per layer ('auto'), always (where Winograd applies) or never: for tests and A/B runs. */
export function setWinogradF4(mode: F4Mode): void {
  f4Mode = mode;
}

/**
 * F(4×4) layers with 16 → 16 or 32 → 32 channels (ResNet-20's first two stages, the bench CNN) run
 * winograd_conv3x3_f4_small (simd/winograd.c): the input rows of each tile row copied once into a zero-padded band so
 * no tile takes the edge path, the channel counts compile-time constants, tile-major scratch, the output transform
 * through memory. Measured (raw exports, one process, 80 alternations interleaved with the previous module, AMD EPYC
 * Zen 3 shared with other jobs, batch 32, CPU ms per call, median): relaxed build 28×28×16→16 forward (bias + ReLU)
 * 2.77 → 2.34 (1.18×; best 1.81 → 1.47), input gradient 2.74 → 2.33 (1.18×); 14×14×32→32 1.41 → 1.29 (1.09×) and
 * 1.31 → 1.23 (1.07×); plain build 1.15×/1.16× and 1.09×/1.06×. Where the time stays (28×28×16, quiet, phases
 * switched off in a copy): products 0.64 ms (near the 2-FMA-per-cycle bound), input transform 0.32, output 0.33; a
 * vertical-first transform shared by neighbouring tiles, fully unrolled channel loops, 6×8 or 4×8 register blocks and
 * other chunk sizes (8–32) measured no faster. Same results bit for bit. NB_WINOGRAD_F4_SMALL=0 keeps
 * winograd_conv3x3_f4 (A/B).
 */
let f4Small = process.env['NB_WINOGRAD_F4_SMALL'] !== '0';

/** Turns the small-channel F(4×4) kernel off (or back on): for tests and A/B runs. */
export function setWinogradF4Small(on: boolean): void {
  f4Small = on;
}

/** Whether winograd_conv3x3_f4_small has an instance for these channel counts. */
export function winogradF4SmallApplies(ci: number, co: number): boolean {
  return ci === co && (ci === 16 || ci === 32);
}

/**
 * Whether 'auto' runs a layer by F(4×4). Measured (bench/convLayers.ts --winograd, CPU ms per call, F(2×2) → F(4×4),
 * batch 64, relaxed build): 28×28×16 forward 3.36 → 2.69, input gradient 3.35 → 2.66; 14×14×32 3.15 → 2.46 and
 * 3.44 → 2.47; 7×7×64 3.33 → 2.25 and 3.44 → 2.39 — so every ResNet-20 and bench CNN 3×3 layer. Limits: outputs
 * at least 4×4 (a smaller map would mostly compute tile padding), and at most 64 input channels, because F(4×4)'s
 * error grows with the channel sum (vs the cpu backend, random ±1 data: ≈2e-5 at 16 channels, ≤ 6.3e-5 at 64, where
 * F(2×2) has ≈1e-5; larger sums are untested, so they stay on F(2×2)).
 */
export function winogradF4Pays(outH: number, outW: number, ci: number): boolean {
  return outH >= 4 && outW >= 4 && ci <= 64;
}

/**
 * Floats per plane of the transformed filter U and of the filter gradients' sums M (simd/winograd.c, NB_PLANE): ci·co
 * plus one cache line, so that the 16 or 36 planes of a 32×32 or 64×64-channel layer do not all fall into one L1 set.
 */
export function winogradPlane(ci: number, co: number): number {
  return ci * co + 16;
}

function singleThreaded(): boolean {
  try {
    return getThreadsCount() <= 1;
  } catch {
    return true;
  }
}

export interface WinogradCall {
  x: TensorInfo;
  /** [3, 3, ci, co] */
  filter: TensorInfo;
  bias?: TensorInfo | undefined;
  relu?: boolean;
  pad: { top: number; left: number };
  outShape: [number, number, number, number];
}

/** Whether winogradConv3x3 takes these shapes (see the header). */
export function winogradApplies(xShape: readonly number[], filterShape: readonly number[], stride: [number, number], dilation: [number, number]): boolean {
  const [kh, kw, ci, co] = filterShape;
  return (
    xShape.length === 4 && kh === 3 && kw === 3 && stride[0] === 1 && stride[1] === 1 && dilation[0] === 1 &&
    dilation[1] === 1 && (ci ?? 0) % 4 === 0 && (co ?? 0) % 16 === 0 && (ci ?? 0) > 0 && (co ?? 0) > 0
  );
}

/** out = act(bias + conv3x3(x, filter)), or undefined when the module cannot run it here. */
export function winogradConv3x3(backend: BackendWasm, call: WinogradCall): TensorInfo | undefined {
  const { x, filter, bias, relu, pad, outShape } = call;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || (bias && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== outShape[3]))) {
    return undefined;
  }
  if (!enabled || !singleThreaded()) return undefined;
  const simd = simdModule<WinogradSimd>(backend, 'winograd');
  if (!simd) return undefined;
  const [, , ci, co] = filter.shape as [number, number, number, number];
  const [batch, inH, inW] = x.shape as [number, number, number, number];
  const [, outH, outW] = outShape;
  const f4 = f4Mode === 'always' || (f4Mode === 'auto' && winogradF4Pays(outH, outW, ci));
  if (f4) {
    const tiles = batch * Math.ceil(outH / 4) * Math.ceil(outW / 4);
    if (tiles === 0) return undefined;
    const chunk = Math.min(F4_CHUNK, Math.ceil(tiles / 4) * 4);
    const small = f4Small && winogradF4SmallApplies(ci, co);
    // small: tile-major tiles, then the zero-padded band of 6 input rows (4 × tiles per row + 2 columns)
    const band = 6 * (4 * Math.ceil(outW / 4) + 2) * ci;
    const u = backend.makeOutput([36 * winogradPlane(ci, co)], 'float32');
    const vs = backend.makeOutput([small ? 36 * chunk * ci + band : 36 * (chunk * ci + 16)], 'float32');
    const ms = backend.makeOutput([small ? 36 * chunk * co : 36 * (chunk * co + 16)], 'float32');
    const out = backend.makeOutput([...outShape], 'float32');
    simd.winograd_filter_f4(heapAddress(backend, filter), heapAddress(backend, u), ci, co);
    simd[small ? 'winograd_conv3x3_f4_small' : 'winograd_conv3x3_f4'](
      heapAddress(backend, x), heapAddress(backend, u), bias ? heapAddress(backend, bias) : 0, heapAddress(backend, out),
      heapAddress(backend, vs), heapAddress(backend, ms), batch, inH, inW, ci, outH, outW, co, pad.top, pad.left,
      relu ? 1 : 0, chunk, F4_BLOCK,
    );
    release(backend, u, vs, ms);
    winogradStats.calls++;
    winogradStats.f4Calls++;
    if (small) winogradStats.f4SmallCalls++;
    return out;
  }
  const u = backend.makeOutput([16 * winogradPlane(ci, co)], 'float32');
  const vs = backend.makeOutput([32 * ci], 'float32');
  const ms = backend.makeOutput([32 * co], 'float32');
  const out = backend.makeOutput([...outShape], 'float32');
  simd.winograd_filter(heapAddress(backend, filter), heapAddress(backend, u), ci, co);
  simd.winograd_conv3x3(
    heapAddress(backend, x), heapAddress(backend, u), bias ? heapAddress(backend, bias) : 0, heapAddress(backend, out),
    heapAddress(backend, vs), heapAddress(backend, ms), batch, inH, inW, ci, outShape[1], outShape[2], co, pad.top,
    pad.left, relu ? 1 : 0,
  );
  release(backend, u, vs, ms);
  winogradStats.calls++;
  return out;
}

/**
 * The filter gradient of a 3×3 stride-1 convolution in the Winograd domain (simd/winograd.c, winograd_filter_grad:
 * 16 instead of 36 multiplies per 2×2 output tile and channel pair), for conv2DBackpropFilter.ts. Input channels a
 * multiple of 4, output channels of 8, float32; any padding; any thread count (the alternative is our single-threaded
 * direct kernel, not XNNPACK). NB_WINOGRAD_FILTER_GRAD=0 keeps the direct kernel (A/B); NB_WINOGRAD_FILTER_CHUNK sets
 * how many tiles are transformed at a time.
 */
let filterGradEnabled = process.env['NB_WINOGRAD_FILTER_GRAD'] !== '0';
const FILTER_GRAD_CHUNK = Number(process.env['NB_WINOGRAD_FILTER_CHUNK'] ?? 32) || 32;

/** Filter gradients computed in the Winograd domain in this process (tests check the path really ran). */
export const winogradFilterGradStats = { calls: 0 };

/** Turns the Winograd filter gradient off (or back on): for tests comparing paths and A/B runs. */
export function setWinogradFilterGradEnabled(on: boolean): void {
  filterGradEnabled = on;
}

export interface WinogradFilterGradCall {
  x: TensorInfo;
  dy: TensorInfo;
  /** [3, 3, ci, co] */
  filterShape: [number, number, number, number];
  pad: { top: number; left: number };
}

/** Whether winogradFilterGrad takes these shapes. */
export function winogradFilterGradApplies(filterShape: readonly number[], stride: readonly number[], dilation: readonly number[]): boolean {
  const [kh, kw, ci, co] = filterShape;
  return (
    kh === 3 && kw === 3 && stride[0] === 1 && stride[1] === 1 && dilation[0] === 1 && dilation[1] === 1 &&
    (ci ?? 0) > 0 && (co ?? 0) > 0 && (ci ?? 0) % 4 === 0 && (co ?? 0) % 8 === 0
  );
}

/** dW [3, 3, ci, co] of a 3×3 stride-1 convolution, or undefined when this path is off or cannot run here. */
export function winogradFilterGrad(backend: BackendWasm, call: WinogradFilterGradCall): TensorInfo | undefined {
  const dw = runWinogradFilterGrad(backend, call, 'winograd_filter_grad', 2, FILTER_GRAD_CHUNK);
  if (dw) winogradFilterGradStats.calls++;
  return dw;
}

/**
 * Runs one of simd/winograd.c's filter gradients on `tile`×`tile` output tiles (F(2×2): 2, 16 frequencies; F(4×4): 4,
 * 36), `chunk` tiles at a time, with the scratch it needs (freed after). `band` (F(4×4) only): the kernel reads x
 * through a zero-padded band of 6 input rows (winogradFilterGradF4.ts), which needs 6 × (4 × tiles per row + 2) × ci
 * more floats of Vs. Undefined when Winograd filter gradients are off, the tensors are not float32 NHWC, or the module
 * cannot load.
 */
export function runWinogradFilterGrad(
  backend: BackendWasm,
  call: WinogradFilterGradCall,
  name: 'winograd_filter_grad' | 'winograd_filter_grad_f4',
  tile: 2 | 4,
  chunkTiles: number,
  band = false,
): TensorInfo | undefined {
  const { x, dy, filterShape, pad } = call;
  if (!filterGradEnabled || x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4 || dy.shape.length !== 4) return undefined;
  const simd = simdModule<WinogradSimd>(backend, 'winograd');
  if (!simd) return undefined;
  const [, , ci, co] = filterShape;
  const [batch, inH, inW] = x.shape as [number, number, number, number];
  const [, outH, outW] = dy.shape as [number, number, number, number];
  const tiles = batch * Math.ceil(outH / tile) * Math.ceil(outW / tile);
  if (tiles === 0) return undefined;
  const planes = (tile + 2) * (tile + 2);
  const chunk = Math.min(chunkTiles, tiles);
  const bandFloats = band ? 6 * (tile * Math.ceil(outW / tile) + 2) * ci : 0;
  const vs = backend.makeOutput([planes * (chunk * ci + 16) + bandFloats], 'float32');
  const ws = backend.makeOutput([planes * (chunk * co + 16)], 'float32');
  const ms = backend.makeOutput([planes * winogradPlane(ci, co)], 'float32');
  const dw = backend.makeOutput([...filterShape], 'float32');
  simd[name](
    heapAddress(backend, x), heapAddress(backend, dy), heapAddress(backend, dw), heapAddress(backend, vs),
    heapAddress(backend, ws), heapAddress(backend, ms), batch, inH, inW, ci, outH, outW, co, pad.top, pad.left, chunk,
    band ? 1 : 0,
  );
  release(backend, vs, ws, ms);
  return dw;
}

type ConvArgs = { inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo }; backend: BackendWasm; attrs: NamedAttrMap };

function forward(args: ConvArgs, activation: string | undefined): TensorInfo | undefined {
  const { inputs, backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = inputs;
  const a = attrs as unknown as { strides: number | [number, number]; pad: 'same' | 'valid' | number | number[][]; dataFormat?: string; dilations?: number | [number, number]; dimRoundingMode?: 'floor' | 'round' | 'ceil' };
  if (a.dataFormat !== undefined && a.dataFormat !== 'NHWC') return undefined;
  if (preluActivationWeights || (activation !== undefined && activation !== 'linear' && activation !== 'relu')) return undefined;
  const strides = typeof a.strides === 'number' ? [a.strides, a.strides] as [number, number] : a.strides;
  const dilations = (a.dilations === undefined ? [1, 1] : typeof a.dilations === 'number' ? [a.dilations, a.dilations] : a.dilations) as [number, number];
  const winograd = winogradApplies(x.shape, filter.shape, strides, dilations);
  if (!winograd && !(x.shape.length === 4 && filter.shape.length === 4 && directConvPays(filter.shape, strides))) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number], strides, dilations,
    a.pad as 'same', a.dimRoundingMode, false, 'channelsLast',
  );
  if (!winograd) return directConv2D(backend, { x, filter, bias, relu: activation === 'relu', info }, singleThreaded());
  return winogradConv3x3(backend, {
    x, filter, bias, relu: activation === 'relu', pad: { top: info.padInfo.top, left: info.padInfo.left },
    outShape: info.outShape as [number, number, number, number],
  });
}

export const CONV2D = tf.Conv2D;
export const FUSED_CONV2D = tf.FusedConv2D;

/** Conv2D: Winograd where it applies, our direct kernel where that pays (convForward.ts), else tfjs' XNNPACK kernel. */
export function makeConv2DWasm(stock: KernelFunc): KernelFunc {
  return (args) => forward(args as unknown as ConvArgs, undefined) ?? (stock(args) as TensorInfo);
}

/** FusedConv2D (bias + linear/ReLU): Winograd, else our direct kernel where it pays (convForward.ts), else XNNPACK. */
export function makeFusedConv2DWasm(stock: KernelFunc): KernelFunc {
  return (args) => forward(args as unknown as ConvArgs, String((args.attrs as { activation?: string }).activation ?? 'linear')) ?? (stock(args) as TensorInfo);
}
