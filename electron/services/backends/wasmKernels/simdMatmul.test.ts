import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { KERNEL_BUILDS, useKernelBuild } from './kernelVsCpu';
import { setRelaxedSimdEnabled } from './relaxedSimd';
import { heapAddress, setSimdKernelsEnabled, simdModule, simdModuleBuild } from './simdModules';
import { seededUniform } from '../../testing/seededUniform';

/**
 * simd/matmul.c (NN, TN, NT float32 products) against tfjs' cpu backend: the raw exports on every tile/tail size, and
 * BatchMatMul through the engine with the SIMD kernels on and off (the Transpose + XNNPACK fallback), incl. rank 3
 * and a batch of 1 broadcast on either side. Sizes 1, 3, 5, 7, 17, 64, 784 hit every tail of the 2x16, 4x8, 4x4 and
 * 4 x 1-3 tiles (NN/TN) and of the 2x4 dot-product tiles with k % 4 leftovers (NT). Both builds: matmul.wasm
 * (multiply, add) and matmul.relaxed.wasm (fused multiply-add; relaxedSimd.ts turns V8's flag on where needed).
 */

const values = (n: number, seed: number): Float32Array => seededUniform(n, seed);

/** Summation order differs from the cpu backend's: 1e-4, relative once a sum exceeds 1 in magnitude. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as number;
    const a = actual[i] as number;
    worst = Math.max(worst, Math.abs(a - e) / Math.max(1, Math.abs(e)));
  }
  expect(worst, what).toBeLessThanOrEqual(1e-4);
}

type Layout = 'nn' | 'tn' | 'nt';
const SIZES = [1, 3, 5, 7, 17, 64];

/** Operand shapes of C[M,N] in each layout, and tfjs' transpose flags for it. */
function operands(layout: Layout, m: number, k: number, n: number) {
  return {
    aShape: layout === 'tn' ? [k, m] : [m, k],
    bShape: layout === 'nt' ? [n, k] : [k, n],
    transposeA: layout === 'tn',
    transposeB: layout === 'nt',
  };
}

async function cpuProduct(layout: Layout, a: Float32Array, b: Float32Array, m: number, k: number, n: number) {
  await tf.setBackend('cpu');
  const { aShape, bShape, transposeA, transposeB } = operands(layout, m, k, n);
  return tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), transposeA, transposeB).dataSync());
}

interface MatmulSimd {
  matmul_nn(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, sa: number, sb: number, pack?: number, skip?: number): void;
  matmul_tn(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, sa: number, sb: number, pack?: number, skip?: number): void;
  matmul_nt(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, sa: number, sb: number, pack?: number, skip?: number): void;
}

const BUILDS = KERNEL_BUILDS;

describe.each(BUILDS)('simd/matmul.c (%s build)', (build) => {
  beforeAll(async () => {
    await selectBackend('wasm');
    useKernelBuild(build);
    expect(simdModuleBuild(tf.backend() as BackendWasm, 'matmul')).toBe(build);
  });
  afterAll(async () => {
    setSimdKernelsEnabled(true);
    setRelaxedSimdEnabled(undefined);
    await tf.setBackend('wasm');
  });

  // Every (M, K, N) from SIZES for one layout per test, plus the reference models' shapes and every width of the last
  // packed strip (N % 16 = 0 … 15 with N ≥ 16).
  const shapeCases: [number, number, number][] = [];
  for (const m of SIZES) for (const k of SIZES) for (const n of SIZES) shapeCases.push([m, k, n]);
  shapeCases.push([64, 784, 256], [784, 64, 17], [7, 784, 5], [64, 10, 256], [3, 784, 33]);
  for (let w = 0; w < 16; w++) shapeCases.push([4 + (w % 5), 9 + w, 16 + w], [6, 33, 32 + w]);

  /**
   * The raw export's product, with B packed into `pack` scratch floats (0: read in place) and, with `skip`, the lists
   * for zero skipping after them.
   */
  function rawProduct(layout: Layout, a: Float32Array, b: Float32Array, m: number, k: number, n: number, pack: number, skip = false): Float32Array {
    const backend = tf.backend() as BackendWasm;
    const simd = simdModule<MatmulSimd>(backend, 'matmul');
    expect(simd, 'matmul module loads').toBeDefined();
    expect(simdModuleBuild(backend, 'matmul')).toBe(build);
    const { aShape, bShape } = operands(layout, m, k, n);
    const ta = tf.tensor(a, aShape);
    const tb = tf.tensor(b, bShape);
    const out = backend.makeOutput([m, n], 'float32');
    const skipFloats = skip ? Math.ceil(m / 2) * (k + 1) : 0;
    const scratch = pack > 0 ? backend.makeOutput([pack + skipFloats], 'float32') : undefined;
    // Poison the output and the scratch: the kernel must write every element of C (it never reads C) and every
    // element of a strip it reads (zero padding included).
    (backend.typedArrayFromHeap(out) as Float32Array).fill(Number.NaN);
    if (scratch) (backend.typedArrayFromHeap(scratch) as Float32Array).fill(Number.NaN);
    const fn = layout === 'nn' ? simd!.matmul_nn : layout === 'tn' ? simd!.matmul_tn : simd!.matmul_nt;
    const p = scratch ? heapAddress(backend, scratch) : 0;
    fn(heapAddress(backend, ta), heapAddress(backend, tb), heapAddress(backend, out), 1, m, k, n, 0, 0, p, skip && p ? p + 4 * pack : 0);
    const got = Float32Array.from(backend.typedArrayFromHeap(out) as Float32Array);
    backend.disposeData(out.dataId);
    if (scratch) backend.disposeData(scratch.dataId);
    tf.dispose([ta, tb]);
    return got;
  }

  it.each(['nn', 'tn', 'nt'] as const)('raw %s export equals the cpu product on every tail size, B in place and packed', async (layout) => {
    let packedShapes = 0;
    for (const [m, k, n] of shapeCases) {
      const a = values(m * k, m * 31 + k);
      const b = values(k * n, n * 17 + k + 1);
      const expected = await cpuProduct(layout, a, b, m, k, n);
      await tf.setBackend('wasm');
      const inPlace = rawProduct(layout, a, b, m, k, n, 0);
      expectClose(inPlace, expected, `${layout} M=${m} K=${k} N=${n}`);
      // NT packs only in the native build (B's rows packed transposed; the wasm modules keep their dot products).
      const packs = (layout !== 'nt' || build === 'native') && m >= 4 && n >= 16;
      packedShapes += packs ? 1 : 0;
      // Scratch is passed either way: where packing does not pay, and for NT in the wasm builds, the kernel must
      // ignore it (same bits as in place).
      const packed = rawProduct(layout, a, b, m, k, n, 16 * k);
      expectClose(packed, expected, `${layout} packed M=${m} K=${k} N=${n}`);
      if (!packs || build === 'plain') {
        // NN/TN sum each element over k in the same order packed or not: with separate multiply and add (the plain
        // build) the bits agree. (The relaxed build's in-place corner of M % 4 rows x N % 4 columns is scalar, unfused.)
        expect(Buffer.from(packed.buffer).equals(Buffer.from(inPlace.buffer)), `${layout} M=${m} K=${k} N=${n}: packed bits`).toBe(true);
      }
    }
    if (layout !== 'nt' || build === 'native') expect(packedShapes).toBeGreaterThan(40);
  });

  /** A with exact zeros: whole zero rows and columns, and the rest zero with probability `zeros` (like image pixels). */
  function sparse(layout: Layout, m: number, k: number, zeros: number, seed: number): Float32Array {
    const a = values(m * k, seed);
    const keep = values(m * k, seed + 1);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < k; j++) {
        const at = layout === 'tn' ? j * m + i : i * k + j;
        if (i % 7 === 3 || j % 5 === 1 || (keep[at]! + 1) / 2 < zeros) a[at] = 0;
      }
    }
    return a;
  }

  it.each(['nn', 'tn', 'nt'] as const)('raw %s export with zero skipping equals the cpu product, sparse or dense', async (layout) => {
    const cases: [number, number, number, number][] = [
      [64, 784, 256, 0.8], [64, 784, 256, 0], [784, 64, 256, 0.8], [7, 33, 64, 0.9], [8, 5, 70, 0.5], [9, 40, 81, 0.3], [5, 1, 64, 0.5],
    ];
    // zeros = -1: a dense A (under 1/8 zeros: the kernel does not build the lists) with one all-zero row.
    cases.push([12, 100, 64, -1]);
    for (const [m, k, n, zeros] of cases) {
      const a = zeros >= 0 ? sparse(layout, m, k, zeros, m + k) : values(m * k, 9);
      if (zeros < 0) for (let j = 0; j < k; j++) a[layout === 'tn' ? j * m + 5 : 5 * k + j] = 0;
      const b = values(k * n, n + 3);
      const expected = await cpuProduct(layout, a, b, m, k, n);
      await tf.setBackend('wasm');
      const skipped = rawProduct(layout, a, b, m, k, n, 16 * k, true);
      expectClose(skipped, expected, `${layout} zero skip M=${m} K=${k} N=${n} zeros=${zeros}`);
      if (build === 'plain' || layout === 'nt') {
        // Skipped terms are exact zeros (NT: never skipped): the remaining terms are summed in the same order, so the same bits.
        const packed = rawProduct(layout, a, b, m, k, n, 16 * k);
        expect(Buffer.from(skipped.buffer).equals(Buffer.from(packed.buffer)), `${layout} M=${m} K=${k} N=${n}: skipped bits`).toBe(true);
      }
    }
  });

  it('zero skipping keeps NaN in A (only exact zeros are skipped)', async () => {
    const [m, k, n] = [6, 20, 64];
    const a = new Float32Array(m * k);
    a[2 * k + 7] = Number.NaN;
    a[4 * k + 1] = 1;
    const b = values(k * n, 5);
    await tf.setBackend('wasm');
    const got = rawProduct('nn', a, b, m, k, n, 16 * k, true);
    for (let j = 0; j < n; j++) {
      expect(got[2 * n + j], `row 2 col ${j}`).toBeNaN();
      expect(got[4 * n + j]).toBe(b[1 * n + j]);
      expect(got[0 * n + j]).toBe(0);
    }
  });

  it('transpose_into transposes every tail (R, C = 1 … 9 and 64 x 784)', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const simd = simdModule<MatmulSimd & { transpose_into(a: number, r: number, c: number, t: number): void }>(backend, 'matmul')!;
    const shapes: [number, number][] = [[64, 784]];
    for (let r = 1; r <= 9; r++) for (let c = 1; c <= 9; c++) shapes.push([r, c]);
    for (const [r, c] of shapes) {
      const a = values(r * c, r * 10 + c);
      const ta = tf.tensor(a, [r, c]);
      const out = backend.makeOutput([c, r], 'float32');
      (backend.typedArrayFromHeap(out) as Float32Array).fill(Number.NaN);
      simd.transpose_into(heapAddress(backend, ta), r, c, heapAddress(backend, out));
      const t = backend.typedArrayFromHeap(out) as Float32Array;
      let wrong = 0;
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) if (!Object.is(t[j * r + i], a[i * c + j])) wrong++;
      expect(wrong, `${r} x ${c}`).toBe(0);
      backend.disposeData(out.dataId);
      ta.dispose();
    }
  });

  it.each(['nn', 'tn', 'nt'] as const)('raw %s export steps through a batch and repeats a stride-0 operand (B packed)', async (layout) => {
    const [m, k, n, batch] = [5, 19, 21, 3];
    const { aShape, bShape } = operands(layout, m, k, n);
    const a = values(batch * m * k, 3);
    const b = values(k * n, 4);
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const simd = simdModule<MatmulSimd>(backend, 'matmul')!;
    const ta = tf.tensor(a, [batch, ...aShape]);
    const tb = tf.tensor(b, bShape);
    const out = backend.makeOutput([batch, m, n], 'float32');
    const scratch = backend.makeOutput([16 * k], 'float32');
    simd[`matmul_${layout}`](
      heapAddress(backend, ta), heapAddress(backend, tb), heapAddress(backend, out), batch, m, k, n, m * k, 0, heapAddress(backend, scratch),
    );
    const got = Float32Array.from(backend.typedArrayFromHeap(out) as Float32Array);
    backend.disposeData(out.dataId);
    backend.disposeData(scratch.dataId);
    tf.dispose([ta, tb]);
    for (let i = 0; i < batch; i++) {
      const expected = await cpuProduct(layout, a.subarray(i * m * k, (i + 1) * m * k), b, m, k, n);
      expectClose(got.subarray(i * m * n, (i + 1) * m * n), expected, `${layout} batch ${i}`);
    }
  });
});

describe('aᵀ·b on the packed path: Aᵀ first, then NN — the bits of matmul_tn reading A in place', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  // [batch, m, k, n, zero fraction of A]: the MLP's weight gradients (784x64 on MNIST-like sparse input, 256x64), tails
  // of every tile, and a batch whose A steps.
  const cases: [number, number, number, number, number][] = [
    [1, 784, 64, 256, 0.8], [1, 256, 64, 256, 0], [1, 7, 33, 17, 0], [1, 9, 40, 81, 0.3], [3, 5, 19, 21, 0], [2, 64, 10, 70, 0.5],
  ];
  it.each(cases)('batch %i, %i x %i x %i, zeros %f', (batch, m, k, n, zeros) => {
    const backend = tf.backend() as BackendWasm;
    const simd = simdModule<MatmulSimd>(backend, 'matmul')!;
    const a = values(batch * k * m, m + k);
    if (zeros > 0) for (let i = 0; i < a.length; i++) if ((i * 2654435761) % 1000 < zeros * 1000) a[i] = 0;
    const b = values(k * n, n);
    const ta = tf.tensor(a, [batch, k, m]);
    const tb = tf.tensor(b, [k, n]);
    // Through the engine: BatchMatMul with transposeA (B broadcast over the batch).
    const viaEngine = tf.tidy(() => Float32Array.from((tf.engine().runKernel('BatchMatMul', { a: ta, b: tb }, { transposeA: true, transposeB: false }) as tf.Tensor).dataSync()));
    // In place: matmul_tn reading A as stored, with the same packing and zero-skipping scratch.
    const out = backend.makeOutput([batch, m, n], 'float32');
    const scratch = backend.makeOutput([16 * k + Math.ceil(m / 2) * (k + 1)], 'float32');
    const p = heapAddress(backend, scratch);
    simd.matmul_tn(heapAddress(backend, ta), heapAddress(backend, tb), heapAddress(backend, out), batch, m, k, n, m * k, 0, p, n >= 64 ? p + 4 * 16 * k : 0);
    const inPlace = Float32Array.from(backend.typedArrayFromHeap(out) as Float32Array);
    backend.disposeData(out.dataId);
    backend.disposeData(scratch.dataId);
    tf.dispose([ta, tb]);
    expect(Buffer.from(viaEngine.buffer).equals(Buffer.from(inPlace.buffer)), 'same bits').toBe(true);
  });
});

describe('BatchMatMul on wasm (SIMD kernels and fallback) equals cpu', () => {
  let transposes = 0;
  let original: KernelConfig | undefined;
  beforeAll(async () => {
    await selectBackend('wasm');
    // Count the Transposes the fallback path runs (it calls the registered kernel by name), to know which path ran.
    original = tf.getKernel('Transpose', 'wasm');
    if (!original) throw new Error('no wasm Transpose');
    const inner = original.kernelFunc;
    tf.unregisterKernel('Transpose', 'wasm');
    tf.registerKernel({ ...original, setupFunc: undefined, kernelFunc: (args) => { transposes++; return inner(args); } });
  });
  afterAll(async () => {
    setSimdKernelsEnabled(true);
    setRelaxedSimdEnabled(undefined);
    if (original) {
      tf.unregisterKernel('Transpose', 'wasm');
      tf.registerKernel({ ...original, setupFunc: undefined });
    }
    await tf.setBackend('wasm');
  });

  async function run(backendName: 'cpu' | 'wasm', aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean) {
    await tf.setBackend(backendName);
    return tf.tidy(() => {
      const a = tf.tensor(values(tf.util.sizeFromShape(aShape), 5), aShape);
      const b = tf.tensor(values(tf.util.sizeFromShape(bShape), 6), bShape);
      const out = tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA, transposeB }) as tf.Tensor;
      return { shape: out.shape, data: Float32Array.from(out.dataSync()) };
    });
  }

  it.each([
    ['a·b MLP layer 1', [64, 784], [784, 256], false, false],
    ['aᵀ·b MLP dW', [64, 784], [64, 256], true, false],
    ['a·bᵀ MLP dx', [64, 256], [256, 256], false, true],
    ['a·b tails', [7, 17], [17, 5], false, false],
    ['aᵀ·b tails', [17, 3], [17, 7], true, false],
    ['a·bᵀ tails', [5, 7], [3, 7], false, true],
    ['rank 3 a·b', [2, 7, 5], [2, 5, 19], false, false],
    ['rank 3 aᵀ·b', [2, 7, 5], [2, 7, 3], true, false],
    ['rank 3 a·bᵀ, batch-1 b', [3, 4, 6], [1, 5, 6], false, true],
    ['rank 3 aᵀ·b, batch-1 a', [1, 9, 4], [3, 9, 17], true, false],
    ['rank 3 a·b, batch-1 a', [1, 3, 10], [4, 10, 10], false, false],
    ['rank 3 vs rank 2 b', [2, 5, 6], [6, 7], false, false],
    ['CNN head a·bᵀ [1,64,10]·[1,3136,10]ᵀ', [1, 64, 10], [1, 3136, 10], false, true],
    ['aᵀ·bᵀ (fallback only)', [7, 5], [3, 7], true, true],
  ] as const)('%s', async (_, aShape, bShape, transposeA, transposeB) => {
    const cpu = await run('cpu', [...aShape], [...bShape], transposeA, transposeB);
    for (const [simd, build] of [...KERNEL_BUILDS.map((b) => [true, b] as const), [false, undefined] as const]) {
      setSimdKernelsEnabled(simd);
      useKernelBuild(build ?? 'plain');
      await tf.setBackend('wasm');
      expect(simdModuleBuild(tf.backend() as BackendWasm, 'matmul')).toBe(build);
      const backend = tf.backend() as unknown as { numDataIds(): number };
      const ids = backend.numDataIds();
      transposes = 0;
      const wasm = await run('wasm', [...aShape], [...bShape], transposeA, transposeB);
      expect(backend.numDataIds(), 'no leaked intermediates').toBe(ids);
      expect(wasm.shape).toEqual(cpu.shape);
      expectClose(wasm.data, cpu.data, `simd ${simd} ${build ?? ''}`);
      // The SIMD kernels read transposed operands in place; the fallback copies one through a Transpose.
      const expectedTransposes = (transposeA ? 1 : 0) + (transposeB ? 1 : 0);
      expect(transposes, `Transposes with simd ${simd}`).toBe(simd && !(transposeA && transposeB) ? 0 : expectedTransposes);
    }
    setSimdKernelsEnabled(true);
    setRelaxedSimdEnabled(undefined);
  });
});
