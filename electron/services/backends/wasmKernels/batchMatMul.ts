import * as tf from '@tensorflow/tfjs-core';
import type { BatchMatMulAttrs, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { getThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { kernelHelper, type KernelHelper } from './kernelHelper';
import { heapAddress, simdModule, simdModuleBuild } from './simdModules';
import { release, runWasmKernel } from './wasmKernelUtils';

/**
 * simd/matmul.c: `batch` products C[M,N], operands stepped by strideA/strideB floats (0 = the same matrix each time).
 * `pack`: scratch where B's column strips are packed (0 = read B in place); `skip`: scratch for the lists of A's
 * non-zero columns per pair of rows (0 = no zero skipping). See matmulScratch.
 */
type MatmulExport = (
  a: number, b: number, c: number, batch: number, m: number, k: number, n: number, strideA: number, strideB: number,
  pack?: number, skip?: number,
) => void;
/** The same with an epilogue C = act(C + bias) (bias 0 = none; act 0 linear, 1 relu, 2 relu6, 3 leakyrelu(alpha)). */
type FusedMatmulExport = (
  a: number, b: number, c: number, batch: number, m: number, k: number, n: number, strideA: number, strideB: number,
  bias: number, act: number, alpha: number, pack?: number, skip?: number,
) => void;
interface MatmulSimd {
  /** simd/matmul.c: the zero-skipping lists of a whole product, shared by its blocks (0: no skipping). */
  matmul_lists(layout: number, a: number, m: number, k: number, lists: number): number;
  matmul_nn: MatmulExport;
  matmul_tn: MatmulExport;
  matmul_nt: MatmulExport;
  fused_matmul_nn: FusedMatmulExport;
  fused_matmul_tn: FusedMatmulExport;
  fused_matmul_nt: FusedMatmulExport;
  /** T = Aᵀ for A (r x c); absent from modules built before it (then TN reads A in place). */
  transpose_into?(a: number, r: number, c: number, t: number): void;
}

/** What fusedMatMul.ts asks the kernel to do after the product: add `bias` (address of N floats) and activate. */
export interface MatmulEpilogue {
  bias?: TensorInfo;
  /** 0 linear, 1 relu, 2 relu6, 3 leakyrelu */
  act: 0 | 1 | 2 | 3;
  alpha: number;
}

export type MatmulLayout = 'nn' | 'tn' | 'nt';

/**
 * NB_PACKED_MATMUL=0 reads B in place as before (A/B). Packing B's 16-column strips into contiguous scratch keeps
 * them in L1 whatever B's row stride: at power-of-two widths (N = 256, 512, …) the unpacked strip's rows share a few
 * L1 sets and stream from L2 for every row tile (simd/matmul.c, "Packed path").
 */
let packedMatmul = process.env.NB_PACKED_MATMUL !== '0';
export function setPackedMatmulEnabled(on: boolean): void {
  packedMatmul = on;
}

/**
 * Floats of packing scratch simd/matmul.c uses for C[m,n] over k (one 16 x k strip) in layout NN or TN, or 0 where it
 * reads B in place. a·bᵀ packs only in the native builds (`ntPacked`: B's rows packed transposed into the NN strip,
 * simd/matmul.c "NT on the packed path"); the WebAssembly modules keep their dot products there.
 */
export function packedScratchFloats(layout: MatmulLayout, m: number, k: number, n: number, ntPacked = false): number {
  return packedMatmul && (layout !== 'nt' || ntPacked) && m >= 4 && n >= 16 ? 16 * k : 0;
}

/**
 * NB_ZERO_SKIP=0 turns zero skipping off (A/B). With it, the packed product first lists, per pair of rows of A, the k
 * where either row is non-zero, and a pair with fewer than 3/4 of K such columns multiplies only those (simd/matmul.c,
 * "Zero skipping"). A first Dense layer on images with a black background pays for a fraction of its rows: the bench
 * MLP's 64x784 · 784x256 forward and 784x64 · 64x256 weight gradient on MNIST. Asked for from N = 64 on, where the
 * scan (one pass over A, shared by the N/16 strips) costs ~1 % of a dense product.
 */
let zeroSkip = process.env.NB_ZERO_SKIP !== '0';
export function setZeroSkipEnabled(on: boolean): void {
  zeroSkip = on;
}

/** The scratch of one simd/matmul.c call: total floats, and where the zero-skipping lists start (-1: none). */
export function matmulScratch(layout: MatmulLayout, m: number, k: number, n: number, ntPacked = false): { floats: number; skipOffset: number } {
  const strip = packedScratchFloats(layout, m, k, n, ntPacked);
  if (strip === 0 || !zeroSkip || n < 64 || layout === 'nt') return { floats: strip, skipOffset: -1 };
  return { floats: strip + Math.ceil(m / 2) * (k + 1), skipOffset: strip };
}

/**
 * Where our single-threaded SIMD kernels beat the stock path, measured in one process (fresh operands per call, as in
 * training). On tfjs' single-threaded build they win at every shape measured: 1.0-1.4x for a·b and aᵀ·b at the
 * reference MLP's 64x784x256 and 64x256x256, 2.5-3x for a·bᵀ and for the 10-column products (XNNPACK repacks the
 * weights every call; the transposed layouts pay a Transpose first), and about even on large cached products
 * (512x784x256). With XNNPACK threads (threaded build) its GEMM runs on several cores: 2 threads beat us 1.2-1.7x on
 * a·b / aᵀ·b from ~4M multiply-adds with N ≥ 64, while a·bᵀ (0.15 vs 0.8 ms) and narrow products still go to us.
 */
export function simdMatmulWins(layout: MatmulLayout, m: number, k: number, n: number, xnnpackThreads: number): boolean {
  if (xnnpackThreads < 2 || layout === 'nt') return true;
  return n < 64 || m * k * n < 4_000_000;
}

function xnnpackThreads(): number {
  try {
    return getThreadsCount();
  } catch {
    return 1;
  }
}

/** The batch steps of a float32 product our SIMD kernels can take, or undefined (ranks/broadcasts left to tfjs). */
function batchPlan(a: TensorInfo, b: TensorInfo): { batch: number; outer: number[]; aStep: boolean; bStep: boolean } | undefined {
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const outer = tf.backend_util.assertAndGetBroadcastShape(outerA, outerB);
  if (tf.util.arraysEqual(outerA, outerB)) return { batch: batchA, outer, aStep: true, bStep: true };
  if (batchA === 1) return { batch: batchB, outer, aStep: false, bStep: true };
  if (batchB === 1) return { batch: batchA, outer, aStep: true, bStep: false };
  return undefined;
}

/**
 * float32 BatchMatMul on our SIMD kernels (simd/matmul.c) for a·b, aᵀ·b and a·bᵀ — the three products of a Dense layer's
 * forward and backward passes — reading both operands in place. Falls back to the path below for aᵀ·bᵀ, other dtypes,
 * batch broadcasts other than a batch of 1, shapes where XNNPACK is faster, or when the module cannot load.
 *
 * Fallback: tfjs' wasm BatchMatMul only reaches XNNPACK's GEMM when neither operand is transposed; with transposeA/
 * transposeB it falls back to a scalar loop that is 10-15x slower. So we transpose the operand explicitly (a copy)
 * and call the stock kernel without transposes.
 */
export function makeBatchMatMulWasm(stock: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend: anyBackend, attrs } = args as unknown as {
      inputs: { a: TensorInfo; b: TensorInfo };
      backend: BackendWasm;
      attrs: BatchMatMulAttrs;
    };
    const backend = anyBackend;
    const { transposeA, transposeB } = attrs;
    const { a, b } = inputs;
    if (a.dtype === 'float32' && b.dtype === 'float32' && !(transposeA && transposeB)) {
      const out = simdBatchMatMul(backend, a, b, transposeA, transposeB);
      if (out) return out;
    }
    if (!transposeA && !transposeB) return stock(args);
    const swapLast = (t: TensorInfo): TensorInfo => {
      const rank = t.shape.length;
      const perm = [...Array(rank).keys()];
      perm[rank - 2] = rank - 1;
      perm[rank - 1] = rank - 2;
      return runWasmKernel(backend, 'Transpose', { x: t }, { perm });
    };
    const a2 = transposeA ? swapLast(a) : a;
    const b2 = transposeB ? swapLast(b) : b;
    const out = stock({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } }) as TensorInfo;
    if (a2 !== a) release(backend, a2);
    if (b2 !== b) release(backend, b2);
    return out;
  };
}

/**
 * The product on our SIMD kernels, or undefined when they do not take it (see makeBatchMatMulWasm). With `epilogue`
 * (fusedMatMul.ts) the same call adds the bias and applies the activation to each product while it is in cache.
 */
export function simdBatchMatMul(
  backend: BackendWasm, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, epilogue?: MatmulEpilogue,
): TensorInfo | undefined {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return undefined;
  const m = (transposeA ? a.shape[ra - 1] : a.shape[ra - 2]) as number;
  const k = (transposeA ? a.shape[ra - 2] : a.shape[ra - 1]) as number;
  const kb = (transposeB ? b.shape[rb - 1] : b.shape[rb - 2]) as number;
  const n = (transposeB ? b.shape[rb - 2] : b.shape[rb - 1]) as number;
  if (k !== kb || m === 0 || n === 0 || k === 0) return undefined; // mismatches get tfjs' own error message
  const layout: MatmulLayout = transposeA ? 'tn' : transposeB ? 'nt' : 'nn';
  if (!simdMatmulWins(layout, m, k, n, xnnpackThreads())) return undefined;
  const plan = batchPlan(a, b);
  if (!plan || plan.batch === 0) return undefined;
  const simd = simdModule<MatmulSimd>(backend, 'matmul');
  if (!simd) return undefined;
  const out = backend.makeOutput([...plan.outer, m, n], 'float32');
  const strideA = plan.aStep ? m * k : 0;
  const strideB = plan.bStep ? k * n : 0;
  // TN on the packed path: Aᵀ into scratch first, then NN on it (the same bits; see transpose_into in simd/matmul.c).
  const transposed = layout === 'tn' && packedScratchFloats(layout, m, k, n) > 0 ? transposedA(backend, simd, a, plan.aStep ? plan.batch : 1, m, k) : undefined;
  try {
    return productInto(backend, simd, transposed ? 'nn' : layout, transposed ?? a, b, out, plan.batch, m, k, n, strideA, strideB, epilogue);
  } finally {
    if (transposed) release(backend, transposed);
  }
}

/** Aᵀ of each of the `count` [k, m] matrices of `a`, as [count, m, k] (float32 scratch the caller releases). */
function transposedA(backend: BackendWasm, simd: MatmulSimd, a: TensorInfo, count: number, m: number, k: number): TensorInfo | undefined {
  if (typeof simd.transpose_into !== 'function') return undefined;
  const t = backend.makeOutput([count, m, k], 'float32');
  const [pa, pt] = [heapAddress(backend, a), heapAddress(backend, t)];
  for (let i = 0; i < count; i++) simd.transpose_into(pa + 4 * i * m * k, k, m, pt + 4 * i * m * k);
  return t;
}

function productInto(
  backend: BackendWasm, simd: MatmulSimd, layout: MatmulLayout, a: TensorInfo, b: TensorInfo, out: TensorInfo, batch: number,
  m: number, k: number, n: number, strideA: number, strideB: number, epilogue: MatmulEpilogue | undefined,
): TensorInfo {
  const plan = { batch };
  const { floats, skipOffset } = matmulScratch(layout, m, k, n, layout === 'nt' && simdModuleBuild(backend, 'matmul') === 'native');
  if (plan.batch === 1 && m * k * n >= SPLIT_MIN_MULTIPLY_ADDS) {
    const helper = kernelHelper(backend);
    if (helper && splitProduct(backend, simd, helper, layout, [a, b, out], m, k, n, floats, skipOffset, epilogue)) return out;
  }
  const scratch = floats > 0 ? backend.makeOutput([floats], 'float32') : undefined;
  const [pa, pb, pc] = [heapAddress(backend, a), heapAddress(backend, b), heapAddress(backend, out)];
  const pack = scratch ? heapAddress(backend, scratch) : 0;
  const skip = scratch && skipOffset >= 0 ? pack + 4 * skipOffset : 0;
  if (epilogue) {
    const kernel = layout === 'nn' ? simd.fused_matmul_nn : layout === 'tn' ? simd.fused_matmul_tn : simd.fused_matmul_nt;
    const bias = epilogue.bias ? heapAddress(backend, epilogue.bias) : 0;
    kernel(pa, pb, pc, plan.batch, m, k, n, strideA, strideB, bias, epilogue.act, epilogue.alpha, pack, skip);
  } else {
    const kernel = layout === 'nn' ? simd.matmul_nn : layout === 'tn' ? simd.matmul_tn : simd.matmul_nt;
    kernel(pa, pb, pc, plan.batch, m, k, n, strideA, strideB, pack, skip);
  }
  if (scratch) release(backend, scratch);
  return out;
}

/**
 * Products from this many multiply-adds on (≈ 25 µs on one thread) are shared with the kernel helper when it runs: well
 * above its ~1 µs handshake, and below the bench MLP's 4.2M and 12.8M. The 10-column products of a classifier head
 * (64x256x10: 164k) stay whole.
 */
export const SPLIT_MIN_MULTIPLY_ADDS = 1 << 20;

type Block = readonly [i0: number, i1: number, j0: number, j1: number];

/**
 * How a batch-1 product is cut in chunks for two threads, or undefined when it is too narrow: `mode` 1 cuts columns,
 * 0 rows, `step` wide. On the packed path (NN/TN; NT in the native builds) a product at least as wide as it is tall
 * is cut between 16-column strips: each chunk packs only its own strips of B (B is the big operand there: 784x256 in
 * the MLP's first layer; row chunks would each pack all of it — the LSTM's 64x512·(128x512)ᵀ ran at a third of its
 * speed that way). Otherwise rows, at multiples of 4 (matmul_block's rule for the bits of one call). About 8 chunks:
 * fine enough that a helper arriving late still takes its share.
 */
export function splitChunks(layout: MatmulLayout, m: number, n: number, packed: boolean): { mode: 0 | 1; step: number; chunks: number } | undefined {
  const strips = Math.ceil(n / 16);
  if (packed && strips >= 2 && n >= m) {
    const step = 16 * Math.ceil(strips / 8);
    return { mode: 1, step, chunks: Math.ceil(n / step) };
  }
  if (m < 8) return undefined;
  const step = 4 * Math.ceil(m / 32);
  return { mode: 0, step, chunks: Math.ceil(m / step) };
}

function splitProduct(
  backend: BackendWasm, simd: MatmulSimd, helper: KernelHelper, layout: MatmulLayout, operands: TensorInfo[], m: number,
  k: number, n: number, floats: number, skipOffset: number, epilogue: MatmulEpilogue | undefined,
): boolean {
  const split = splitChunks(layout, m, n, floats > 0);
  if (!split) return false;
  // Two packing strips (one per thread) and the zero-skipping lists of the whole product, shared.
  const strip = floats > 0 ? (skipOffset >= 0 ? skipOffset : floats) : 0;
  const listFloats = skipOffset >= 0 ? floats - skipOffset : 0;
  const scratch = strip > 0 ? backend.makeOutput([2 * strip + listFloats], 'float32') : undefined;
  const [pa, pb, pc] = operands.map((t) => heapAddress(backend, t)) as [number, number, number];
  const base = scratch ? heapAddress(backend, scratch) : 0;
  const code = layout === 'nn' ? 0 : layout === 'tn' ? 1 : 2;
  const lists = listFloats > 0 && simd.matmul_lists(code, pa, m, k, base + 8 * strip) ? base + 8 * strip : 0;
  const bias = epilogue?.bias ? heapAddress(backend, epilogue.bias) : 0;
  try {
    helper.run('matmul_block', [
      code, pa, pb, pc, m, k, n, split.mode, split.step, bias, epilogue?.act ?? 0, epilogue?.alpha ?? 0,
      base, strip > 0 ? base + 4 * strip : 0, lists,
    ], split.chunks);
  } finally {
    if (scratch) release(backend, scratch);
  }
  return true;
}

export const BATCH_MAT_MUL = tf.BatchMatMul;
