import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../selectBackend';
import {
  NB_CATEGORICAL_ACCURACY,
  NB_CATEGORICAL_CROSSENTROPY,
  NB_SOFTMAX_GRAD,
  registerClassificationHeadKernels,
  setClassificationHeadKernelsEnabled,
} from './classificationHead';
import { seededUniform } from '../../testing/seededUniform';

const uniform = (n: number, seed: number): Float32Array => seededUniform(n, seed, 0, 1);

/**
 * Probabilities like a softmax head's, plus the cases the clip exists for: row 0 has entries below ε (1e-9, 0) and
 * one above 1 − ε; row 1 (when present) does not sum to 1 (the loss renormalises); the rest are random rows.
 */
function probabilities(rows: number, C: number, seed: number): Float32Array {
  const u = uniform(rows * C, seed);
  const p = new Float32Array(rows * C);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let j = 0; j < C; j++) sum += Math.exp(6 * u[r * C + j]!);
    for (let j = 0; j < C; j++) p[r * C + j] = Math.exp(6 * u[r * C + j]!) / sum;
  }
  if (C >= 2) {
    p.fill(0, 0, C);
    p[0] = 1 - 1e-9; // rounds to 1 in float32: above 1 − ε
    p[1] = 1e-9;
    if (C >= 3) p[2] = 3e-8;
  }
  if (rows >= 2) for (let j = 0; j < C; j++) p[C + j] = p[C + j]! * 1.7;
  return p;
}

function labels(rows: number, C: number, soft: boolean, seed: number): Float32Array {
  const y = new Float32Array(rows * C);
  const u = uniform(rows * C, seed);
  for (let r = 0; r < rows; r++) {
    if (soft) {
      let sum = 0;
      for (let j = 0; j < C; j++) sum += u[r * C + j]!;
      for (let j = 0; j < C; j++) y[r * C + j] = u[r * C + j]! / sum;
    } else {
      y[r * C + Math.floor(u[r * C]! * C)] = 1;
    }
  }
  // Row 0's label sits on the clipped-at-top class (> 1 − ε): its gradient must be exactly zero.
  if (!soft && C >= 2) {
    y.fill(0, 0, C);
    y[0] = 1;
  }
  return y;
}

/** |a − b| ≤ tol·max(|b|, row scale): relative, with the row's largest gradient as the floor (cancellation in g/s − Σ). */
function expectClose(actual: Float32Array, expected: Float32Array, C: number, tol: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  for (let o = 0; o < expected.length; o += C) {
    let scale = 0;
    for (let j = 0; j < C; j++) scale = Math.max(scale, Math.abs(expected[o + j]!));
    for (let j = 0; j < C; j++) {
      const a = actual[o + j]!;
      const b = expected[o + j]!;
      if (Math.abs(a - b) > tol * Math.max(Math.abs(b), scale * 1e-2, 1e-30)) {
        throw new Error(`${what}: element ${o + j} is ${a}, stock ${b}`);
      }
    }
  }
}

interface Result {
  loss: Float32Array;
  dPred: Float32Array;
  dLogits: Float32Array;
  accuracy: Float32Array;
  kernels: string[];
}

/**
 * Loss Σ loss·w (w random per row, so the upstream gradient is not uniform) of the head on yPred, its gradient with
 * respect to yPred, and — through a softmax — with respect to logits; fused or tfjs' composition.
 */
async function run(shape: number[], yTrueData: Float32Array, yPredData: Float32Array, fused: boolean): Promise<Result> {
  setClassificationHeadKernelsEnabled(fused);
  const C = shape[shape.length - 1]!;
  const rows = yPredData.length / C;
  const yTrue = tf.tensor(yTrueData, shape);
  const yPred = tf.tensor(yPredData, shape);
  const w = tf.tensor(uniform(rows, 7), shape.slice(0, -1));
  const logits = tf.tensor(Array.from(yPredData, (p, i) => Math.log(p + 1e-3) + (i % 3)), shape);
  const ce = (t: tf.Tensor, p: tf.Tensor): tf.Tensor =>
    fused ? (tf.engine().runKernel(NB_CATEGORICAL_CROSSENTROPY, { yTrue: t, yPred: p }) as tf.Tensor) : tfl.metrics.categoricalCrossentropy(t, p);
  let result: Result | undefined;
  const profile = await tf.profile(() => {
    const loss = ce(yTrue, yPred);
    const dPred = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(ce(yTrue, p), w)))(yPred);
    const dLogits = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(ce(yTrue, tf.softmax(l)), w)))(logits);
    const accuracy = fused
      ? (tf.engine().runKernel(NB_CATEGORICAL_ACCURACY, { yTrue, yPred }) as tf.Tensor)
      : tfl.metrics.categoricalAccuracy(yTrue, yPred);
    result = {
      loss: loss.dataSync() as Float32Array,
      dPred: dPred.dataSync() as Float32Array,
      dLogits: dLogits.dataSync() as Float32Array,
      accuracy: accuracy.dataSync() as Float32Array,
      kernels: [],
    };
    tf.dispose([loss, dPred, dLogits, accuracy]);
  });
  tf.dispose([yTrue, yPred, w, logits]);
  setClassificationHeadKernelsEnabled(true);
  return { ...result!, kernels: profile.kernels.map((k) => k.name) };
}

const SHAPES = [[64, 10], [1, 10], [5, 3], [7, 2], [2, 3, 4]];

describe('classification head kernels (loss, accuracy, softmax gradient) vs tfjs-layers', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
    registerClassificationHeadKernels();
  });
  afterEach(() => setClassificationHeadKernelsEnabled(true));

  for (const backend of ['cpu', 'wasm']) {
    for (const shape of SHAPES) {
      for (const soft of [false, true]) {
        it(`${backend} [${shape.join(',')}] ${soft ? 'soft' : 'one-hot'} labels: same loss, gradients and accuracy`, async () => {
          await tf.setBackend(backend);
          const C = shape[shape.length - 1]!;
          const rows = tf.util.sizeFromShape(shape) / C;
          const yTrue = labels(rows, C, soft, 11 + rows);
          const yPred = probabilities(rows, C, 3 + C);
          const fused = await run(shape, yTrue, yPred, true);
          const stock = await run(shape, yTrue, yPred, false);
          // The fused path really ran: our kernels, and none of the composed loss's.
          expect(fused.kernels).toContain(NB_SOFTMAX_GRAD);
          expect(fused.kernels).not.toContain('ClipByValue');
          expect(fused.kernels).not.toContain('LogicalAnd');
          expect(stock.kernels).not.toContain(NB_SOFTMAX_GRAD);
          // cpu: the same bits (same float32 ops, sums in doubles like tfjs' cpu Sum). wasm: tfjs' Log is the C
          // library's logf, which can differ from Math.log by an ulp (−log(1 − ε) does).
          const tol = backend === 'cpu' ? 0 : 1e-6;
          expectClose(fused.loss, stock.loss, 1, tol, 'loss');
          expectClose(fused.dPred, stock.dPred, C, tol, 'dL/dyPred');
          expectClose(fused.dLogits, stock.dLogits, C, tol, 'dL/dlogits');
          expect(Array.from(fused.accuracy)).toEqual(Array.from(stock.accuracy));
          if (!soft && C >= 2) {
            // Row 0: the label's class is above 1 − ε (clipped: zero gradient) and the others have no label mass.
            expect(Array.from(stock.dPred.subarray(0, C), Math.abs)).toEqual(new Array(C).fill(0));
            expect(Array.from(fused.dPred.subarray(0, C), Math.abs)).toEqual(new Array(C).fill(0));
          }
        });
      }
    }

    it(`${backend}: accuracy keeps the first maximum on ties`, async () => {
      await tf.setBackend(backend);
      const yTrue = new Float32Array([0, 1, 0, 1, 0, 0, 0, 0, 1, 0.5, 0.5, 0]);
      const yPred = new Float32Array([0.4, 0.4, 0.2, 0.3, 0.3, 0.3, 0.1, 0.1, 0.1, 0.2, 0.2, 0.6]);
      const fused = await run([4, 3], yTrue, yPred, true);
      const stock = await run([4, 3], yTrue, yPred, false);
      expect(Array.from(fused.accuracy)).toEqual(Array.from(stock.accuracy));
      expect(Array.from(fused.accuracy)).toEqual([0, 1, 0, 0]);
    });
  }

  it('rejects mismatched shapes with the kernel name', async () => {
    await tf.setBackend('cpu');
    expect(() => tf.engine().runKernel(NB_CATEGORICAL_CROSSENTROPY, { yTrue: tf.zeros([2, 3]), yPred: tf.zeros([2, 4]) })).toThrow(
      /NbCategoricalCrossentropy: inputs must have the same shape/,
    );
  });
});
