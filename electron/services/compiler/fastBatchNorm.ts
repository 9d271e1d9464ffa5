/**
 * tfjs-layers' BatchNormalization with a fused training step. Training mode (axis = last, rank 2–4, gamma and beta
 * present, float32, on a backend with our kernels: wasm and cpu) runs the NbBatchNormTrain kernel — one kernel for
 * y/mean/variance and one for all gradients — instead of tf.moments + FusedBatchNorm and their ~20 op gradient.
 * Everything else (inference, other axes, tfjs-node and other backends) is the stock layer's own code.
 *
 * Data-parallel training synchronises the fused kernels' statistics between replicas (batchNormTraining.ts'
 * BatchNormSync); a training call that would take the stock path while a sync is installed throws instead of
 * quietly normalising with half a batch.
 *
 * The class name, config and weights are the stock layer's: models built with it save as 'BatchNormalization' and load
 * in stock tfjs. It is deliberately NOT registered for deserialisation, so loading a model.json keeps the stock class.
 */
import * as tf from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import type { BatchNormalization, BatchNormalizationLayerArgs } from '@tensorflow/tfjs-layers/dist/layers/normalization';
import { batchNormSync, hasBatchNormTrainingKernels, NB_BATCH_NORM_TRAIN } from '../backends/wasmKernels/batchNormTraining';
import { hasMovingAveragesKernel, NB_MOVING_AVERAGES } from '../backends/wasmKernels/movingAverages';

/** The fields of the stock layer this one reads (private in tfjs-layers' typings). */
interface StockFields {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma?: LayerVariable;
  beta?: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

type Kwargs = Parameters<BatchNormalization['call']>[1];

/** The stock class as registered by tfjs-layers (its module path is not part of the package's public API). */
const StockBatchNormalization = (() => {
  void layers.batchNormalization; // importing tfjs-layers registered the class
  const entry = tf.serialization.SerializationMap.getMap().classNameMap['BatchNormalization'];
  if (!entry) throw new Error('tfjs-layers did not register BatchNormalization');
  return entry[0] as unknown as typeof BatchNormalization;
})();

/** tfjs-layers' moving-average update, verbatim: v ← v − (v − value)·(1 − momentum). */
function updateMovingAverage(variable: LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const decay = 1 - momentum;
    const origValue = variable.read();
    const updateDelta = tf.mul(tf.sub(origValue, value), decay);
    variable.write(tf.sub(origValue, updateDelta));
  });
}

export class FastBatchNormalization extends StockBatchNormalization {
  static override className = 'BatchNormalization';

  constructor(args?: BatchNormalizationLayerArgs) {
    super(args);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    const training = kwargs['training'] == null ? false : Boolean(kwargs['training']);
    const input = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
    const self = this as unknown as StockFields;
    if (!training) return super.call(inputs, kwargs);
    const ndim = input?.rank ?? 0;
    const axis = self.axis >= 0 ? self.axis : self.axis + ndim;
    const fused = input && self.gamma && self.beta && input.dtype === 'float32' && ndim >= 2 && ndim <= 4 && axis === ndim - 1 &&
      hasBatchNormTrainingKernels(tf.getBackend());
    if (!input || !self.gamma || !self.beta || !fused) {
      // (Rank 5+ is left to the stock layer, which rejects it on any number of workers.)
      if (batchNormSync() && ndim <= 4) {
        throw new Error(
          `BatchNorm layer '${this.name}' cannot synchronise its statistics across data-parallel workers ` +
            `(input rank ${ndim}, axis ${self.axis}, backend ${tf.getBackend()}, ${self.gamma && self.beta ? 'with' : 'without'} scale and centre); ` +
            'train it with workers: 1',
        );
      }
      return super.call(inputs, kwargs);
    }
    const gamma = self.gamma;
    const beta = self.beta;
    return tf.tidy(() => {
      const [y, mean, variance] = tf.engine().runKernel(
        NB_BATCH_NORM_TRAIN,
        { x: input, gamma: gamma.read(), beta: beta.read() },
        { epsilon: self.epsilon },
      ) as [tf.Tensor, tf.Tensor, tf.Tensor];
      if (hasMovingAveragesKernel(tf.getBackend())) {
        // Both updates in one kernel (same bits as the two calls below: movingAverages.ts).
        const [movingMean, movingVariance] = tf.engine().runKernel(
          NB_MOVING_AVERAGES,
          { movingMean: self.movingMean.read(), movingVariance: self.movingVariance.read(), mean, variance },
          { momentum: self.momentum },
        ) as [tf.Tensor, tf.Tensor];
        self.movingMean.write(movingMean);
        self.movingVariance.write(movingVariance);
      } else {
        updateMovingAverage(self.movingMean, mean, self.momentum);
        updateMovingAverage(self.movingVariance, variance, self.momentum);
      }
      return y;
    });
  }
}

/** Factory with the signature of tf.layers.batchNormalization. */
export function fastBatchNormalization(args?: BatchNormalizationLayerArgs): BatchNormalization {
  return new FastBatchNormalization(args);
}
