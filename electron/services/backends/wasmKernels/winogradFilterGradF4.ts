import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';
import { release } from './wasmKernelUtils';
import { winogradFilterGradEnabled, type WinogradFilterGradCall } from './winogradConv2D';

/**
 * The filter gradient of a 3×3 stride-1 convolution by Winograd F(4×4, 3×3) (simd/winograd.c,
 * winograd_filter_grad_f4): 36 multiplies per 4×4 output tile and channel pair where F(2×2, 3×3) (winogradConv2D.ts'
 * winogradFilterGrad) takes 16 per 2×2 tile, 1.78× fewer, summed over the tiles before the single output transform.
 * conv2DBackpropFilter.ts tries it first for the shapes winogradFilterGradApplies takes (input channels % 4, output
 * % 8), where `f4FilterGradPays` says it wins. NB_WINOGRAD_F4_FILTER_GRAD=0 keeps F(2×2) (A/B);
 * NB_WINOGRAD_FILTER_GRAD=0 turns both Winograd filter gradients off (the direct kernel runs).
 *
 * Rounding: F(4×4)'s transforms have larger coefficients (up to 5 and 8, and 1/24 back), so each product carries more
 * rounding than F(2×2)'s; the tests compare with the cpu backend at ResNet-20's shapes and training batch sizes.
 */
interface WinogradGradSimd {
  winograd_filter_grad_f4(
    x: number, dy: number, dw: number, vs: number, ws: number, ms: number, batch: number, inH: number, inW: number,
    ci: number, outH: number, outW: number, co: number, pt: number, pl: number, chunk: number,
  ): void;
}

let enabled = process.env['NB_WINOGRAD_F4_FILTER_GRAD'] !== '0';
/** Tiles transformed at a time: their transforms (36 planes of chunk × channels) stay in L2 while the products run. */
const CHUNK = Number(process.env['NB_WINOGRAD_F4_FILTER_CHUNK'] ?? 32) || 32;

/** F(4×4) filter gradients computed in this process (tests check the path really ran). */
export const winogradF4FilterGradStats = { calls: 0 };

/** Turns the F(4×4) filter gradient off (or back on): for tests comparing paths and A/B runs. */
export function setWinogradF4FilterGradEnabled(on: boolean): void {
  enabled = on;
}

/**
 * Whether F(4×4) is the better choice for this output size. A 4×4 tile past the edge wastes more than a 2×2 one: on
 * a 7×7 output F(4×4) computes 8×8 (as F(2×2) does), on 14×14 16×16 (F(2×2): 14×14).
 */
export function f4FilterGradPays(outH: number, outW: number): boolean {
  return outH >= 4 && outW >= 4;
}

/** dW [3, 3, ci, co], or undefined when this path is off or cannot run here (the caller then tries F(2×2)). */
export function winogradFilterGradF4(backend: BackendWasm, call: WinogradFilterGradCall): TensorInfo | undefined {
  const { x, dy, filterShape, pad } = call;
  if (!enabled || !winogradFilterGradEnabled() || x.dtype !== 'float32' || dy.dtype !== 'float32' || x.shape.length !== 4 || dy.shape.length !== 4) return undefined;
  const [, , ci, co] = filterShape;
  if (ci % 4 !== 0 || co % 8 !== 0) return undefined;
  const [batch, inH, inW] = x.shape as [number, number, number, number];
  const [, outH, outW] = dy.shape as [number, number, number, number];
  if (!f4FilterGradPays(outH, outW)) return undefined;
  const simd = simdModule<WinogradGradSimd>(backend, 'winograd');
  if (!simd) return undefined;
  const tiles = batch * Math.ceil(outH / 4) * Math.ceil(outW / 4);
  if (tiles === 0) return undefined;
  const chunk = Math.min(CHUNK, tiles);
  const vs = backend.makeOutput([36 * (chunk * ci + 16)], 'float32');
  const ws = backend.makeOutput([36 * (chunk * co + 16)], 'float32');
  const ms = backend.makeOutput([36 * ci * co], 'float32');
  const dw = backend.makeOutput([...filterShape], 'float32');
  simd.winograd_filter_grad_f4(
    heapAddress(backend, x), heapAddress(backend, dy), heapAddress(backend, dw), heapAddress(backend, vs),
    heapAddress(backend, ws), heapAddress(backend, ms), batch, inH, inW, ci, outH, outW, co, pad.top, pad.left, chunk,
  );
  release(backend, vs, ws, ms);
  winogradF4FilterGradStats.calls++;
  return dw;
}
