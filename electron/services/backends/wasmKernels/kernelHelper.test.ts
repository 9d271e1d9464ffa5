import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { createOptimizer } from '../../training/createOptimizer';
import { seededUniform } from '../../testing/seededUniform';
import { splitChunks, SPLIT_MIN_MULTIPLY_ADDS } from './batchMatMul';
import {
  kernelHelper, setCallerWorksForTesting, setKernelHelperEnabled, stopKernelHelper, suspendKernelHelper, type KernelHelper,
  HelperBackoff,
} from './kernelHelper';
import { OPTIMIZER_SPLIT_MIN_VALUES } from './optimizerUpdate';

// The helper needs a second core and tfjs' heap in shared memory: selectBackend's default gives the threaded build
// with one XNNPACK thread for it on 2–3 cores (CI has 2). With 4+ cores tfjs' own choice is 2+ XNNPACK threads and the
// helper is not used (it only runs beside one), so the suite is skipped there, saying so.
const helperMachine = os.availableParallelism() >= 2 && Math.floor(os.cpus().length / 2) < 2;
if (!helperMachine) console.warn('kernel helper tests skipped: this machine trains with XNNPACK threads, not the helper');

const backend = (): BackendWasm => tf.backend() as BackendWasm;
const heap = (): Uint8Array => (backend().wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8;

async function readyHelper(): Promise<KernelHelper> {
  for (let i = 0; i < 200; i++) {
    const helper = kernelHelper(backend());
    if (helper) return helper;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the kernel helper did not start');
}

/** A with about `zeros` of its values 0 (MNIST-like rows: the zero-skipping lists are built and shared by the chunks). */
function operand(shape: number[], seed: number, zeros = 0): tf.Tensor {
  const values = seededUniform(tf.util.sizeFromShape(shape), seed);
  if (zeros > 0) values.forEach((v, i) => (values[i] = (Math.abs(v) * 997) % 1 < zeros ? 0 : v));
  return tf.tensor(values, shape);
}

function sameBits(a: Float32Array, b: Float32Array): number {
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differing++;
  return differing + Math.abs(a.length - b.length);
}

describe.skipIf(!helperMachine)('kernel helper (a second thread for our SIMD kernels)', () => {
  beforeAll(async () => {
    const info = await selectBackend('wasm');
    expect(info.threads).toBe(1);
    expect(heap().buffer).toBeInstanceOf(SharedArrayBuffer);
    // The threaded build's idle pthread pool (8 workers, ~140 MB) was stopped: one XNNPACK thread runs none.
    expect((backend().wasm as unknown as { PThread: { unusedWorkers: unknown[] } }).PThread.unusedWorkers).toHaveLength(0);
  });
  afterEach(() => {
    setKernelHelperEnabled(true);
    setCallerWorksForTesting(true);
  });
  afterAll(async () => {
    await stopKernelHelper(backend());
  });

  // [name, a shape, b shape, transposeA, transposeB, fraction of A zero, epilogue]
  const products = [
    ['a·b, column chunks, zero skipping (MLP layer 1)', [64, 784], [784, 256], false, false, 0.8, false],
    ['a·b, column chunks, bias + relu epilogue', [64, 256], [256, 256], false, false, 0, true],
    ['a·b, odd sizes: partial last strip', [37, 300], [300, 200], false, false, 0, true],
    ['aᵀ·b, row chunks, zero skipping (MLP weight gradient)', [64, 784], [64, 256], true, false, 0.8, false],
    ['aᵀ·b, column chunks', [64, 256], [64, 256], true, false, 0, false],
    ['a·bᵀ, row chunks (input gradient)', [64, 256], [256, 256], false, true, 0, false],
    ['a·b, 10 columns: unpacked, row chunks', [64, 3136], [3136, 10], false, false, 0, true],
    ['aᵀ·b, 10 columns: unpacked, row chunks of 3136 rows', [64, 3136], [64, 10], true, false, 0, false],
  ] as const;

  it.each(products)('%s: the same bits as one thread, whoever computes the chunks', async (_, aShape, bShape, ta, tb, zeros, fused) => {
    const helper = await readyHelper();
    const a = operand([...aShape], 1, zeros);
    const b = operand([...bShape], 2);
    const bias = operand([bShape[tb ? 0 : 1]!], 3);
    const m = aShape[ta ? 1 : 0]!;
    const k = aShape[ta ? 0 : 1]!;
    const n = bShape[tb ? 0 : 1]!;
    expect(m * k * n).toBeGreaterThanOrEqual(SPLIT_MIN_MULTIPLY_ADDS);
    const product = () =>
      (fused
        ? tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: 'relu' })
        : tf.matMul(a, b, ta, tb)
      ).dataSync() as Float32Array;
    setKernelHelperEnabled(false);
    const whole = product();
    setKernelHelperEnabled(true);
    const before = helper.helperChunks;
    const shared = product(); // the caller claims chunks too
    setCallerWorksForTesting(false);
    const helperOnly = product(); // every chunk on the helper thread
    expect(helper.helperChunks).toBeGreaterThan(before);
    expect(sameBits(whole, shared)).toBe(0);
    expect(sameBits(whole, helperOnly)).toBe(0);
    // And the product itself is right (the cpu backend's, to float tolerance).
    const expected = tf.tidy(() => {
      const p = tf.matMul(tf.tensor(a.dataSync(), a.shape), tf.tensor(b.dataSync(), b.shape), ta, tb);
      return fused ? tf.relu(tf.add(p, bias)) : p;
    });
    const want = expected.dataSync();
    let worst = 0;
    want.forEach((w, i) => (worst = Math.max(worst, Math.abs(w - whole[i]!) / Math.max(1, Math.abs(w)))));
    expect(worst).toBeLessThan(1e-4);
    tf.dispose([a, b, bias, expected]);
  });

  it('cuts products in whole strips or rows of 4, and leaves narrow ones whole', () => {
    expect(splitChunks('nn', 64, 256, true)).toEqual({ mode: 1, step: 32, chunks: 8 });
    expect(splitChunks('tn', 784, 256, true)).toEqual({ mode: 0, step: 100, chunks: 8 });
    expect(splitChunks('nt', 64, 256, false)).toEqual({ mode: 0, step: 8, chunks: 8 });
    expect(splitChunks('nt', 64, 128, true)).toEqual({ mode: 1, step: 16, chunks: 8 }); // native NT packs: strips
    expect(splitChunks('nn', 37, 200, true)).toEqual({ mode: 1, step: 32, chunks: 7 });
    expect(splitChunks('nn', 4, 8, false)).toBeUndefined();
    for (const [m, n] of [[37, 10], [3136, 10], [100, 256]] as const) {
      const split = splitChunks('nn', m, n, n >= 16)!;
      expect(split.step % (split.mode === 1 ? 16 : 4)).toBe(0);
      expect(split.chunks * split.step).toBeGreaterThanOrEqual(split.mode === 1 ? n : m);
      expect((split.chunks - 1) * split.step).toBeLessThan(split.mode === 1 ? n : m);
    }
  });

  it.each(['adam', 'adamw', 'rmsprop', 'momentum'] as const)('%s updates: the same bits with the helper as without', async (optimizer) => {
    const helper = await readyHelper();
    // 200k weights in the first layer: well over the split threshold; the 10-unit layer's stay whole.
    expect(784 * 256).toBeGreaterThan(OPTIMIZER_SPLIT_MIN_VALUES);
    const train = async (mode: 'off' | 'shared' | 'helper') => {
      setKernelHelperEnabled(mode !== 'off');
      setCallerWorksForTesting(mode !== 'helper');
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ inputShape: [784], units: 256, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
          tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      const opt = createOptimizer(optimizer, 1e-3);
      model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
      const x = operand([64, 784], 5, 0.7);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: 64 }, (_, i) => i % 10), 'int32'), 10);
      for (let step = 0; step < 3; step++) await model.trainOnBatch(x, y);
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      tf.dispose([x, y]);
      model.dispose();
      return weights;
    };
    const off = await train('off');
    const before = helper.helperChunks;
    const shared = await train('shared');
    const helperOnly = await train('helper');
    expect(helper.helperChunks).toBeGreaterThan(before);
    off.forEach((w, i) => {
      expect(sameBits(w, shared[i]!), `weight ${i}, shared`).toBe(0);
      expect(sameBits(w, helperOnly[i]!), `weight ${i}, helper only`).toBe(0);
    });
  });

  it('stays off while suspended (a data-parallel run) and when disabled', async () => {
    await readyHelper();
    const resume = suspendKernelHelper();
    const resumeToo = suspendKernelHelper();
    expect(kernelHelper(backend())).toBeUndefined();
    resume();
    resume(); // a second call of the same resume does nothing
    expect(kernelHelper(backend())).toBeUndefined();
    resumeToo();
    expect(kernelHelper(backend())).toBeDefined();
    setKernelHelperEnabled(false);
    expect(kernelHelper(backend())).toBeUndefined();
  });

  it('reports a chunk that fails on the helper as an error, never hangs, and is not used again', async () => {
    const helper = await readyHelper();
    setCallerWorksForTesting(false);
    const beyond = heap().buffer.byteLength + (1 << 20);
    // matmul_block writing C past the end of the heap: a wasm trap on the helper thread, or the native build's check
    // that every pointer lies inside the heap.
    const args = [0, 0, 0, beyond, 64, 16, 64, 0, 8, 0, 0, 0, 0, 0, 0];
    expect(() => helper.run('matmul_block', args, 8)).toThrow(/kernel helper failed: .*(out of bounds|C \(\d+\) is not a byte offset inside the heap)/);
    expect(helper.ready).toBe(false);
    expect(kernelHelper(backend())).toBeUndefined();
    setCallerWorksForTesting(true);
    // The kernels fall back to one thread: products still work.
    const p = tf.tidy(() => tf.matMul(operand([64, 784], 1), operand([784, 256], 2)).dataSync());
    expect(p.length).toBe(64 * 256);
    await stopKernelHelper(backend());
    expect(await readyHelper()).not.toBe(helper);
  });
});

// The policy alone: runs on any machine.
describe('HelperBackoff: pauses the helper after a window of calls that lost time, longer while they keep losing', () => {
  const W = HelperBackoff.WINDOW;
  it('keeps the helper while calls gain, pauses after a losing window, doubles the pause up to the cap, resets after a gain', () => {
    const b = new HelperBackoff();
    let now = 0;
    const window = (gain: number) => {
      for (let i = 0; i < W; i++) b.record(gain, now);
    };
    window(0.01);
    expect(b.allowed(now)).toBe(true);
    // Losing less than the margin over a window (an idle machine's late wake-ups) keeps it.
    window(-HelperBackoff.LOSS_MARGIN_MS / W / 2);
    expect(b.allowed(now)).toBe(true);
    // A window of mostly small gains with a few long waits (a descheduled helper) loses overall.
    for (let i = 0; i < W; i++) b.record(i % 8 === 0 ? -1 : 0.05, now);
    expect(8 * -1 + 56 * 0.05).toBeLessThan(-HelperBackoff.LOSS_MARGIN_MS);
    expect(b.allowed(now)).toBe(false);
    expect(b.allowed(now + HelperBackoff.MIN_PAUSE_MS - 1)).toBe(false);
    now += HelperBackoff.MIN_PAUSE_MS;
    expect(b.allowed(now)).toBe(true);
    const pauses: number[] = [];
    for (let k = 0; k < 6; k++) {
      window(-0.1);
      let until = now;
      while (!b.allowed(until)) until += 1;
      pauses.push(until - now);
      now = until;
    }
    expect(pauses).toEqual([500, 1000, 2000, 4000, 4000, 4000].map((ms) => Math.min(ms, HelperBackoff.MAX_PAUSE_MS)));
    window(0.2);
    window(-0.1);
    expect(b.allowed(now + HelperBackoff.MIN_PAUSE_MS - 1)).toBe(false);
    expect(b.allowed(now + HelperBackoff.MIN_PAUSE_MS)).toBe(true);
    expect(b.pauses).toBe(8);
  });
});
