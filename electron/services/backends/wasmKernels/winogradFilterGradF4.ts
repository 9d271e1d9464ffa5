import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runWinogradFilterGrad, type WinogradFilterGradCall } from './winogradConv2D';

/**
 * The filter gradient of a 3×3 stride-1 convolution by Winograd F(4×4, 3×3) (simd/winograd.c,
 * winograd_filter_grad_f4): 36 multiplies per 4×4 output tile and channel pair where F(2×2, 3×3) (winogradConv2D.ts'
 * winogradFilterGrad) takes 16 per 2×2 tile, 1.78× fewer, summed over the tiles before the single output transform.
 * conv2DBackpropFilter.ts tries it first for the shapes winogradFilterGradApplies takes (input channels % 4, output
 * % 8), where `f4FilterGradPays` says it wins. NB_WINOGRAD_F4_FILTER_GRAD=0 keeps F(2×2) (A/B);
 * NB_WINOGRAD_FILTER_GRAD=0 turns both Winograd filter gradients off (the direct kernel runs).
 *
 * Rounding: F(4×4)'s transforms have larger coefficients (up to 5/2 and 8, and 16/15 back, on the forward's points
 * 0, ±1, ½, −2), so each product carries more rounding than F(2×2)'s; the tests compare with the cpu backend at
 * ResNet-20's shapes and training batch sizes (winogradFilterGradF4.test.ts).
 */
let enabled = process.env['NB_WINOGRAD_F4_FILTER_GRAD'] !== '0';
/** Tiles transformed at a time: their transforms (36 planes of chunk × channels) stay in L2 while the products run. */
const CHUNK = Number(process.env['NB_WINOGRAD_F4_FILTER_CHUNK'] ?? 32) || 32;

/**
 * x read through a zero-padded band of its input rows (no edge path), dY tiles inside the output loaded without checks,
 * both 6×6 transforms through memory in two passes, 16 and 32 channels as compile-time constants (simd/winograd.c,
 * winograd_filter_grad_f4's `band`). Measured (raw exports, one process, 80 alternations interleaved with the previous
 * module, AMD EPYC Zen 3 shared with other jobs, batch 32, CPU ms per call, median): relaxed build 28×28×16→16
 * 3.10 → 2.57 (1.21×), 14×14×32→32 2.52 → 2.21 (1.14×), 7×7×64→64 1.24 → 1.20 (1.04×); plain build 1.23×, 1.17×,
 * 1.04×. Quiet, 28×28×16: products 0.6 ms of ~1.3 (at the FMA bound), x's transform ~0.35, dY's ~0.3. Results
 * differ from the previous arrangement in the last bits (≈1.5e-6 of the largest |dW|: the patch's rows are
 * transformed before its columns). NB_WINOGRAD_F4_FILTER_BAND=0 keeps the previous kernel (A/B).
 */
let band = process.env['NB_WINOGRAD_F4_FILTER_BAND'] !== '0';

/** Turns the band arrangement off (or back on): for tests and A/B runs. */
export function setWinogradF4FilterGradBand(on: boolean): void {
  band = on;
}

/** F(4×4) filter gradients computed in this process, and how many with the band (tests check the path really ran). */
export const winogradF4FilterGradStats = { calls: 0, bandCalls: 0 };

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
  const [, , ci, co] = call.filterShape;
  if (!enabled || ci % 4 !== 0 || co % 8 !== 0 || call.dy.shape.length !== 4) return undefined;
  if (!f4FilterGradPays(call.dy.shape[1]!, call.dy.shape[2]!)) return undefined;
  const dw = runWinogradFilterGrad(backend, call, 'winograd_filter_grad_f4', 4, CHUNK, band);
  if (dw) winogradF4FilterGradStats.calls++;
  if (dw && band) winogradF4FilterGradStats.bandCalls++;
  return dw;
}
