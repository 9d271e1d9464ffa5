/**
 * The training BatchNorm kernels (NbBatchNormTrain / NbBatchNormTrainGrad) on wasm — SIMD module (simd/batchnorm.c)
 * and its JavaScript fallback — against the cpu backend's JS loops (sums in doubles), at the shapes that take each of
 * the SIMD code's paths: channel chunks of 16/8/4 and the scalar tail (C % 4 ≠ 0), blocks of 64 rows with a partial
 * last block and an odd row count (the 2-row unrolled loops' tail), one row, and a 50 176-row batch far from zero
 * (summation accuracy). Also the halves synchronised BatchNorm calls (bn_forward_sums/bn_normalize,
 * bn_backward_sums/bn_backward_apply): their sums against direct double sums.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import { seededUniform } from '../../testing/seededUniform';
import {
  NB_BATCH_NORM_TRAIN,
  NB_BATCH_NORM_TRAIN_GRAD,
  batchNormBackwardSums,
  batchNormForwardSums,
  registerBatchNormTrainingKernels,
  setBatchNormSync,
  type BatchNormSync,
} from './batchNormTraining';
import { setSimdKernelsEnabled, simdModule } from './simdModules';

interface Outputs {
  y: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
}

interface Case {
  rows: number;
  channels: number;
  /** x's values are offset + [-spread, spread). */
  offset: number;
  spread: number;
}

function inputs({ rows, channels, offset, spread }: Case) {
  return {
    x: seededUniform(rows * channels, 31 + channels, offset - spread, offset + spread),
    dy: seededUniform(rows * channels, 32 + rows, -1, 1),
    gamma: seededUniform(channels, 33, 0.5, 1.5),
    beta: seededUniform(channels, 34, -0.5, 0.5),
  };
}

/** Forward then backward (on the forward's mean/variance) on the active backend. */
function run(c: Case, epsilon = 1e-3): Outputs {
  const { x, dy, gamma, beta } = inputs(c);
  return tf.tidy(() => {
    const xt = tf.tensor(x, [c.rows, c.channels]);
    const gt = tf.tensor1d(gamma);
    const [y, mean, variance] = tf.engine().runKernel(NB_BATCH_NORM_TRAIN, { x: xt, gamma: gt, beta: tf.tensor1d(beta) },
      { epsilon }) as tf.Tensor[];
    const [dx, dgamma, dbeta] = tf.engine().runKernel(NB_BATCH_NORM_TRAIN_GRAD,
      { dy: tf.tensor(dy, [c.rows, c.channels]), x: xt, gamma: gt, mean: mean!, variance: variance! }, { epsilon }) as tf.Tensor[];
    const data = (t: tf.Tensor | undefined) => Float32Array.from(t!.dataSync());
    return { y: data(y), mean: data(mean), variance: data(variance), dx: data(dx), dgamma: data(dgamma), dbeta: data(dbeta) };
  });
}

/** |a − e| ≤ tol·max(1, |e|) everywhere; the message names the first element that is not. */
function expectClose(actual: Float32Array | Float64Array, expected: Float32Array | Float64Array, tol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    if (!(Math.abs(actual[i]! - e) <= tol * Math.max(1, Math.abs(e)))) {
      throw new Error(`${what}[${i}]: ${actual[i]} vs ${e} (tolerance ${tol})`);
    }
  }
}

function expectSame(actual: Outputs, expected: Outputs, tol: number, label: string): void {
  for (const key of Object.keys(expected) as (keyof Outputs)[]) expectClose(actual[key], expected[key], tol, `${label} ${key}`);
}

const CHANNELS = [1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 19, 20, 21, 24, 32, 35, 64];
const ROWS = [1, 2, 63, 64, 65, 130, 201];
const CASES: Case[] = [
  ...CHANNELS.flatMap((channels) => ROWS.map((rows) => ({ rows, channels, offset: 0, spread: 2 }))),
  // ResNet-20's shapes at batch 32 (x far from zero: the variance must be centred)...
  { rows: 32 * 28 * 28, channels: 16, offset: 0, spread: 3 },
  { rows: 32 * 14 * 14, channels: 32, offset: 30, spread: 1 },
  { rows: 32 * 7 * 7, channels: 64, offset: -5, spread: 0.5 },
  // ...and 50 176 rows (64×28×28), where a float32 running sum would drift; an odd C on many rows.
  { rows: 64 * 28 * 28, channels: 16, offset: 100, spread: 1 },
  { rows: 64 * 28 * 28 + 37, channels: 7, offset: 10, spread: 2 },
];

describe('training BatchNorm kernels on wasm = the cpu backend', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerBatchNormTrainingKernels();
  });
  afterEach(() => setSimdKernelsEnabled(true));

  it('loads the SIMD module', async () => {
    await tf.setBackend('wasm');
    expect(simdModule(tf.backend() as BackendWasm, 'batchnorm')).toBeDefined();
  });

  for (const path of ['SIMD', 'JavaScript'] as const) {
    it(`${path} path: every chunk/tail/row-block shape (${CASES.length} shapes)`, async () => {
      for (const c of CASES) {
        await tf.setBackend('cpu');
        const expected = run(c);
        await tf.setBackend('wasm');
        setSimdKernelsEnabled(path === 'SIMD');
        const dataIds = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
        expectSame(run(c), expected, 1e-4, `${path} ${c.rows}x${c.channels} offset ${c.offset}`);
        // The kernels free their scratch memory.
        expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(dataIds);
      }
    });
  }

  // The float32 mean may be an ulp off x (cpu's too), so the variance is (x − mean)², ~1e-9 here: as tiny as cpu's.
  it('a constant channel has a variance as tiny as the cpu backend\'s, never negative', async () => {
    for (const [rows, channels] of [[200, 16], [131, 7], [64 * 28 * 28, 16]] as const) {
      const x = new Float32Array(rows * channels);
      for (let i = 0; i < x.length; i++) x[i] = (i % channels) * 37.3 + 100.3;
      const stats = async (backend: 'cpu' | 'wasm') => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const out = tf.engine().runKernel(NB_BATCH_NORM_TRAIN,
            { x: tf.tensor(x, [rows, channels]), gamma: tf.ones([channels]), beta: tf.zeros([channels]) }, { epsilon: 1e-3 }) as tf.Tensor[];
          return [out[1]!.dataSync() as Float32Array, out[2]!.dataSync() as Float32Array] as const;
        });
      };
      const [cpuMean, cpuVariance] = await stats('cpu');
      const [mean, variance] = await stats('wasm');
      expectClose(mean, cpuMean, 1e-6, 'mean');
      for (let c = 0; c < channels; c++) {
        expect(variance[c]).toBeGreaterThanOrEqual(0);
        expect(variance[c], `${rows}x${channels} channel ${c}`).toBeLessThan(1e-7);
        expect(cpuVariance[c]).toBeLessThan(1e-7);
      }
    }
  });

  it('SIMD halves for synchronised BatchNorm: the sums a sync sees = direct double sums', async () => {
    await tf.setBackend('wasm');
    for (const c of [{ rows: 201, channels: 21, offset: 3, spread: 2 }, { rows: 32 * 7 * 7, channels: 64, offset: 0, spread: 1 },
      { rows: 64 * 28 * 28, channels: 16, offset: 100, spread: 1 }]) {
      const { x, dy } = inputs(c);
      const seen: { forward?: Float64Array[]; backward?: Float64Array } = {};
      // One replica alone: the batch's statistics are its own.
      const alone: BatchNormSync = {
        forward(rows, sum, m2, localMean, mean, variance) {
          seen.forward = [sum.slice(), m2.slice(), Float64Array.from(localMean)];
          mean.set(localMean);
          for (let i = 0; i < variance.length; i++) variance[i] = m2[i]! / rows;
        },
        backward(rows, sums, channels) {
          seen.backward = sums.slice(0, 2 * channels);
          sums.copyWithin(2 * channels, 0, 2 * channels);
          return rows;
        },
      };
      const unsynced = run(c);
      setBatchNormSync(alone);
      let synced: Outputs;
      try {
        synced = run(c);
      } finally {
        setBatchNormSync(undefined);
      }
      expectSame(synced, unsynced, 1e-6, `synced ${c.rows}x${c.channels}`);
      const mean = new Float32Array(c.channels);
      const sum = new Float64Array(c.channels);
      const m2 = new Float64Array(c.channels);
      batchNormForwardSums(x, c.channels, mean, sum, m2);
      const [seenSum, seenM2, seenMean] = seen.forward!;
      expectClose(seenMean!, mean, 1e-6, 'local mean');
      // Σx relative to its scale Σ|x| (≈ rows·|offset| or rows·spread/2); Σ(x − m)² relative to itself.
      const scale = c.rows * Math.max(Math.abs(c.offset), c.spread / 2);
      expectClose(seenSum!.map((v) => v / scale), sum.map((v) => v / scale), 1e-6, 'Σx');
      expectClose(seenM2!.map((v, i) => v / m2[i]!), m2.map(() => 1), 1e-5, 'Σ(x − m)²');
      const sums = new Float64Array(4 * c.channels);
      batchNormBackwardSums(dy, x, mean, c.channels, sums);
      // Σdy and Σdy·(x − m) relative to Σ|dy| and Σ|dy·(x − m)| (≈ rows/2 and rows·spread/4).
      expectClose(seen.backward!.map((v, i) => v / (i < c.channels ? c.rows / 2 : (c.rows * c.spread) / 4)),
        sums.subarray(0, 2 * c.channels).map((v, i) => v / (i < c.channels ? c.rows / 2 : (c.rows * c.spread) / 4)), 1e-5,
        'Σdy, Σdy·(x − m)');
    }
  });
});
