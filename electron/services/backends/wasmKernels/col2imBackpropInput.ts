import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapAddress, simdModule } from './simdModules';
import { heapF32, release } from './wasmKernelUtils';

/**
 * The input gradient of a 2-D convolution as one matrix product and a scatter ("col2im"), for layers Winograd cannot
 * take where this pays (conv2DBackpropInput.ts' col2imPays): 1×1 filters and strided convolutions (ResNet's stride-2
 * 3×3 convolutions and 1×1 projections):
 *
 *   G[p, (kh, kw, ci)] = Σ_co dy[p, co] · W[kh, kw, ci, co]        p = (n, oh, ow); simd/matmul.c's a·bᵀ, reading the
 *                                                                  filter as the [KH·KW·CI, CO] matrix it is stored as
 *   dx[n, oh·sh + kh − pt, ow·sw + kw − pl, ci] += G[p, kh, kw, ci]  (taps that land in the padding are dropped)
 *
 * The old path for these layers inserted sh−1 / sw−1 zeros between dy's rows and columns and ran a stride-1
 * convolution with the flipped filter over the 4× larger grid, three quarters of whose products are with zeros; for
 * a 1×1 filter it ran XNNPACK's convolution with a 1×1 "filter" (timings in conv2DBackpropInput.ts). A 1×1 filter
 * with stride 1 and no padding needs no scatter: G is dx.
 *
 * Summation: each G element sums over co in simd/matmul.c's order; the scatter adds the taps in (kh, kw) order, so
 * results differ from the cpu backend's in the last bits (≤ 1e-4 in the tests). Returns undefined (caller keeps its
 * path) when the matmul module cannot load, the data is not float32, or G would exceed MAX_COLUMN_FLOATS.
 */
interface Conv2dScatterSimd {
  col2im_scatter(
    g: number, dx: number, batch: number, inH: number, inW: number, ci: number, outH: number, outW: number, kh: number,
    kw: number, sh: number, sw: number, pt: number, pl: number,
  ): void;
}

/**
 * The scatter runs in simd/conv2d.c (col2im_scatter, same order of additions as the JavaScript loop below, so the same
 * bits) unless NB_COL2IM_SCATTER=0. Measured on ResNet-20's layers (batch 64, wasm single-threaded, CPU ms per call,
 * best of 3×5 calls, bench/convLayers.ts, JavaScript → SIMD scatter): 3×3 stride 2 16→32 on 28×28 10.0 → 6.2,
 * 32→64 on 14×14 6.3 → 3.7; 1×1 stride 2 16→32 1.5 → 0.8, 32→64 0.8 → 0.5.
 */
let simdScatter = process.env['NB_COL2IM_SCATTER'] !== '0';

/** Turns the SIMD scatter off (or back on): for tests comparing paths and A/B runs. */
export function setCol2imSimdScatterEnabled(on: boolean): void {
  simdScatter = on;
}

/**
 * Strided layers with input channels % 16 = 0 (ResNet's stride-2 3×3 layers and 1×1 projections) skip G: simd/conv2d.c's
 * conv2d_backprop_input gathers each dx pixel from the dy pixels its taps reach, over the filter transposed per tap
 * into scratch (directDxPackFloats), writing dx once. Raw exports, batch 32, one core, interleaved against matmul +
 * scatter, best of 11-41 alternations in several runs on a loaded machine (median of the per-alternation time ratios),
 * relaxed build: 3×3 stride 2 28×28×16→32 37 → 42 GFLOP/s (0.86), 14×14×32→64 43 → 45.5 (0.93–0.96); 1×1 stride 2
 * even (0.96–1.0). Through tfjs (Conv2DBackpropInput, interleaved with NB_CONV_DX_DIRECT's switch, best of 31):
 * 3×3 28×28×16→32 1.75 → 1.41 ms (0.77), 14×14×32→64 1.40 → 1.33 ms (0.96), 1×1 28×28×16→32 0.26 → 0.26 ms (1.01),
 * 14×14×32→64 0.198 → 0.186 ms (0.92), and no G (0.4–3.6 MB at batch 32). Sums run over (tap, co) in that order per
 * element, so results differ from the matmul path in the last bits.
 * NB_CONV_DX_DIRECT=0 keeps matmul + scatter (A/B).
 */
interface Conv2dDirectDxSimd {
  conv2d_backprop_input(
    dy: number, w: number, dx: number, batch: number, inH: number, inW: number, ci: number, outH: number, outW: number,
    co: number, kh: number, kw: number, sh: number, sw: number, pt: number, pl: number, pack: number,
  ): void;
}

let directDx: boolean | 'always' = process.env['NB_CONV_DX_DIRECT'] !== '0';

/**
 * Turns the direct input-gradient kernel off (or back on, for input channels % 16 = 0: its last 16-channel strip
 * computes all 16 lanes, so other widths waste part of it and the matmul was faster on 15×15×20→24); 'always' also
 * sends other widths (tests of its channel tails). For tests comparing paths and A/B runs.
 */
export function setDirectDxEnabled(on: boolean | 'always'): void {
  directDx = on;
}

/** Whether conv2d_backprop_input takes this layer (strided; input channels, see setDirectDxEnabled). */
export function directDxApplies(kh: number, kw: number, sh: number, sw: number, ci: number): boolean {
  if (!directDx || (sh === 1 && sw === 1)) return false;
  return directDx === 'always' || ci % 16 === 0;
}

/** Scratch floats of conv2d_backprop_input: the filter as [⌈CI/16⌉][KH][KW][CO][16], then CO zeros. */
export function directDxPackFloats(kh: number, kw: number, ci: number, co: number): number {
  return Math.ceil(ci / 16) * 16 * kh * kw * co + co;
}

interface MatmulSimd {
  matmul_nt(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, strideA: number, strideB: number): void;
}

export interface Col2imCall {
  dy: TensorInfo;
  /** [KH, KW, CI, CO] */
  filter: TensorInfo;
  inShape: [number, number, number, number];
  outShape: [number, number, number, number];
  strides: [number, number];
  pad: { top: number; left: number };
}

/** G's size limit (floats): 64 Mi floats = 256 MB of scratch; bigger products keep the zero-insertion path. */
export const MAX_COLUMN_FLOATS = 64 * 1024 * 1024;

let enabled = process.env['NB_COL2IM'] !== '0';

/**
 * Input gradients computed here in this process, and how many of them by the direct kernel (tests check the path they
 * meant to exercise really ran).
 */
export const col2imStats = { calls: 0, direct: 0 };

/** Turns this path off (or back on): for tests comparing paths and NB_COL2IM=0 A/B runs. */
export function setCol2imEnabled(on: boolean): void {
  enabled = on;
}

export function col2imBackpropInput(backend: BackendWasm, call: Col2imCall): TensorInfo | undefined {
  const { dy, filter, inShape, outShape, strides, pad } = call;
  if (!enabled || dy.dtype !== 'float32' || filter.dtype !== 'float32') return undefined;
  const [batch, inH, inW, ci] = inShape;
  const [, outH, outW, co] = outShape;
  const [kh, kw, fci, fco] = filter.shape as [number, number, number, number];
  if (fci !== ci || fco !== co || dy.shape.length !== 4) return undefined;
  const positions = batch * outH * outW;
  const cols = kh * kw * ci;
  if (positions === 0 || cols === 0 || co === 0) return undefined;
  const [sh, sw] = strides;
  const direct = directDxApplies(kh, kw, sh, sw, ci) ? simdModule<Conv2dDirectDxSimd>(backend, 'conv2d') : undefined;
  if (direct) {
    const dx = backend.makeOutput([...inShape], 'float32');
    const pack = backend.makeOutput([directDxPackFloats(kh, kw, ci, co)], 'float32');
    direct.conv2d_backprop_input(
      heapAddress(backend, dy), heapAddress(backend, filter), heapAddress(backend, dx), batch, inH, inW, ci, outH, outW,
      co, kh, kw, sh, sw, pad.top, pad.left, heapAddress(backend, pack),
    );
    release(backend, pack);
    col2imStats.calls++;
    col2imStats.direct++;
    return dx;
  }
  if (positions * cols > MAX_COLUMN_FLOATS) return undefined;
  const simd = simdModule<MatmulSimd>(backend, 'matmul');
  if (!simd) return undefined;
  // 1×1, stride 1, no padding: dx = dy · Wᵀ, already in dx's layout.
  const inPlace = kh === 1 && kw === 1 && sh === 1 && sw === 1 && pad.top === 0 && pad.left === 0 && outH === inH && outW === inW;
  const g = backend.makeOutput(inPlace ? [...inShape] : [positions, cols], 'float32');
  simd.matmul_nt(heapAddress(backend, dy), heapAddress(backend, filter), heapAddress(backend, g), 1, positions, co, cols, 0, 0);
  col2imStats.calls++;
  if (inPlace) return g;
  const dx = backend.makeOutput([...inShape], 'float32');
  const scatter = simdScatter ? simdModule<Conv2dScatterSimd>(backend, 'conv2d') : undefined;
  if (scatter) {
    scatter.col2im_scatter(
      heapAddress(backend, g), heapAddress(backend, dx), batch, inH, inW, ci, outH, outW, kh, kw, sh, sw, pad.top, pad.left,
    );
    release(backend, g);
    return dx;
  }
  // Views only after every allocation (an allocation can grow and detach the heap).
  const gv = heapF32(backend, g);
  const dxv = heapF32(backend, dx);
  dxv.fill(0);
  const rowStride = inW * ci;
  const imageStride = inH * rowStride;
  let p = 0; // row of G
  for (let n = 0; n < batch; n++) {
    const image = n * imageStride;
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * sh - pad.top;
      for (let ow = 0; ow < outW; ow++, p++) {
        const iw0 = ow * sw - pad.left;
        let src = p * cols;
        for (let fh = 0; fh < kh; fh++) {
          const ih = ih0 + fh;
          if (ih < 0 || ih >= inH) {
            src += kw * ci;
            continue;
          }
          const row = image + ih * rowStride;
          for (let fw = 0; fw < kw; fw++, src += ci) {
            const iw = iw0 + fw;
            if (iw < 0 || iw >= inW) continue;
            const dst = row + iw * ci;
            for (let c = 0; c < ci; c++) dxv[dst + c] = (dxv[dst + c] as number) + (gv[src + c] as number);
          }
        }
      }
    }
  }
  release(backend, g);
  return dx;
}
