/**
 * One forward pass over many samples, in chunks sized by evaluationBatchSize so activations stay within budget:
 * the predictions every evaluation (the run's final test metrics, `bricks evaluate`, the app's evaluation view)
 * is computed from, so they all see the same numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { evaluationBatchSize } from '../training/evaluationBatchSize';

export interface Predictions {
  /** Row-major count × outputWidth, as `model.predict(...).dataSync()` gives it. */
  readonly outputs: Float32Array;
  readonly outputWidth: number;
}

/** Columns of the model's (single) output: its last dimension. */
export function outputWidthOf(model: tfl.LayersModel): number {
  const shape = model.outputs[0]?.shape;
  const width = shape?.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
  if (!width) throw new Error(`the model's output has no fixed width (shape ${JSON.stringify(shape)})`);
  return width;
}

/**
 * Predicts `count` samples stored back to back in `x` (each `inputShape`, row-major). `batchSize` defaults to
 * evaluationBatchSize(model); the chunking never changes a sample's row of outputs.
 */
export function predictBatched(
  model: tfl.LayersModel,
  x: Float32Array,
  count: number,
  inputShape: readonly number[],
  batchSize = evaluationBatchSize(model),
): Predictions {
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (x.length < count * size) throw new RangeError(`${x.length} input values for ${count} samples of ${inputShape.join('×')}`);
  const outputWidth = outputWidthOf(model);
  const outputs = new Float32Array(count * outputWidth);
  for (let from = 0; from < count; from += batchSize) {
    const to = Math.min(count, from + batchSize);
    tf.tidy(() => {
      const xs = tf.tensor(x.subarray(from * size, to * size), [to - from, ...inputShape]);
      const out = model.predict(xs);
      outputs.set((Array.isArray(out) ? out[0]! : out).dataSync(), from * outputWidth);
    });
  }
  return { outputs, outputWidth };
}
