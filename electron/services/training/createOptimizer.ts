/** Optimizers by name. tfjs has no AdamW, so `adamw` is Adam plus decoupled weight decay applied after each step. */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerName } from '../../../shared/format/trainingConfig';

/** PyTorch's AdamW default. */
export const ADAMW_WEIGHT_DECAY = 0.01;
export const MOMENTUM = 0.9;

export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, MOMENTUM);
    case 'adam':
    case 'adamw':
      return tf.train.adam(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
  }
}

/**
 * Decoupled weight decay (Loshchilov & Hutter): w ← w·(1 − lr·λ) on kernels only; biases and normalization
 * parameters (rank < 2) are not decayed, as in common AdamW practice.
 */
export function applyDecoupledWeightDecay(weights: readonly tf.Variable[], learningRate: number, decay = ADAMW_WEIGHT_DECAY): void {
  const factor = 1 - learningRate * decay;
  tf.tidy(() => {
    for (const w of weights) {
      if (w.trainable && w.rank >= 2) w.assign(tf.mul(w, factor));
    }
  });
}
