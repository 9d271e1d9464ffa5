import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { CLIP_BY_VALUE_GRADIENT } from './wasmKernels/clipByValueGrad';
import { RELU_GRADIENT } from './wasmKernels/reluGrad';

/**
 * Gradients of Sum and Mean without a ones tensor. tfjs-core's versions broadcast dy back to the input shape as
 * `dy · ones(x.shape)` (Mean: `/ n` after), and `ones` fills a JavaScript Float32Array of the full input size and
 * uploads it to the backend on every step: for the BatchNorm moments of the bench CNN ([64,28,28,16], two Means per
 * step) that was ~13 % of the whole training step on wasm (node --cpu-prof: makeOnesTypedArray + makeZerosTypedArray).
 * Here dy is broadcast with broadcastTo (the backend's Tile kernel, no JavaScript array) — the values are the same
 * bits: dy · 1 = dy, and (dy · 1) / n = dy / n element by element.
 */
function expandedDy(dy: Tensor, x: Tensor, attrs: NamedAttrMap): Tensor {
  const shape = x.shape.slice();
  for (const axis of tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape)) shape[axis] = 1;
  return tf.reshape(dy.dtype === 'float32' ? dy : tf.cast(dy, 'float32'), shape);
}

export const SUM_GRADIENT: GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as Tensor[];
    const derX = tf.broadcastTo(expandedDy(dy as Tensor, x!, attrs), x!.shape);
    return { x: () => derX };
  },
};

export const MEAN_GRADIENT: GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as Tensor[];
    const { axis } = attrs as unknown as { axis: number | number[] };
    const reduceSize = tf.util.sizeFromShape(tf.backend_util.computeOutAndReduceShapes(x!.shape, tf.util.parseAxisParam(axis, x!.shape))[1]);
    return { x: () => tf.broadcastTo(tf.div(expandedDy(dy as Tensor, x!, attrs), reduceSize), x!.shape) };
  },
};

/**
 * Installs the gradients above, and ReLU's and ClipByValue's as one kernel where the backend has it
 * (wasmKernels/reluGrad.ts, wasmKernels/clipByValueGrad.ts), for every backend. Idempotent; call after tfjs-layers is
 * imported.
 */
export function installGradientOverrides(): void {
  tf.registerGradient(SUM_GRADIENT);
  tf.registerGradient(MEAN_GRADIENT);
  tf.registerGradient(RELU_GRADIENT);
  tf.registerGradient(CLIP_BY_VALUE_GRADIENT);
}
