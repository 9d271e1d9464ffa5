/**
 * The loss and metrics the trainer compiles a model with: tfjs-layers' own, except categorical cross-entropy and its
 * accuracy, which run as one kernel each (backends/wasmKernels/classificationHead.ts) on wasm and cpu. Per training
 * step of a 10-class head that is ~40 fewer tfjs ops (each ~10–20 µs of engine work on tiny tensors).
 *
 * Same values: the kernels do tfjs-layers' float32 math in its order; on any other backend (tfjs-node) the functions
 * below call tfjs-layers' own. Names stay tfjs-layers': the run metadata reports the head's loss string, and the
 * accuracy function is called `acc` like the metric tfjs-layers compiles for 'accuracy' (model.metricsNames unchanged).
 * Nothing here is saved: our model files carry no training config.
 */
import * as tf from '@tensorflow/tfjs-core';
import { metrics as tflMetrics } from '@tensorflow/tfjs-layers';
import {
  hasClassificationHeadKernels,
  NB_CATEGORICAL_ACCURACY,
  NB_CATEGORICAL_CROSSENTROPY,
} from '../backends/wasmKernels/classificationHead';

type LossOrMetric = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** Labels of another dtype are cast first, as tfjs-layers' loss does (one-hot int32 labels, say). */
function fusable(yTrue: tf.Tensor, yPred: tf.Tensor): boolean {
  return (
    yPred.rank >= 1 &&
    (yTrue.dtype === 'float32' || yTrue.dtype === 'int32' || yTrue.dtype === 'bool') &&
    yPred.dtype === 'float32' &&
    tf.util.arraysEqual(yTrue.shape, yPred.shape) &&
    hasClassificationHeadKernels()
  );
}

const asFloat = (t: tf.Tensor): tf.Tensor => (t.dtype === 'float32' ? t : tf.cast(t, 'float32'));

/** tfjs-layers' categoricalCrossentropy (probabilities, not logits): per-sample loss, one kernel where available. */
export const categoricalCrossentropy: LossOrMetric = (yTrue, yPred) =>
  fusable(yTrue, yPred)
    ? (tf.engine().runKernel(NB_CATEGORICAL_CROSSENTROPY, { yTrue: asFloat(yTrue), yPred }) as tf.Tensor)
    : tflMetrics.categoricalCrossentropy(yTrue, yPred);

/**
 * What tfjs-layers compiles for the metric 'accuracy' next to a non-binary loss: categoricalAccuracy, or binaryAccuracy
 * when the output has a single unit (decided there from the output shape, here from yPred's — the same thing).
 */
export const acc: LossOrMetric = (yTrue, yPred) => {
  if (yPred.shape[yPred.rank - 1] === 1) return tflMetrics.binaryAccuracy(yTrue, yPred);
  return fusable(yTrue, yPred)
    ? (tf.engine().runKernel(NB_CATEGORICAL_ACCURACY, { yTrue: asFloat(yTrue), yPred }) as tf.Tensor)
    : tflMetrics.categoricalAccuracy(yTrue, yPred);
};

export interface CompiledLoss {
  readonly loss: string | LossOrMetric;
  readonly metrics: (string | LossOrMetric)[];
}

/**
 * The `loss` and `metrics` for model.compile, given the head's loss name and metric names as the catalog states them.
 * Only categorical cross-entropy (and 'accuracy' with it) is replaced; everything else is passed through by name.
 */
export function compiledLoss(loss: string, metrics: readonly string[]): CompiledLoss {
  if (loss !== 'categoricalCrossentropy') return { loss, metrics: [...metrics] };
  return {
    loss: categoricalCrossentropy,
    metrics: metrics.map((m) => (m === 'accuracy' || m === 'acc' ? acc : m)),
  };
}
