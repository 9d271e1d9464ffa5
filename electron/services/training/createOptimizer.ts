/**
 * Optimizers by name. tfjs has no AdamW, so `adamw` is Adam plus decoupled weight decay applied after each weight's
 * step (inside the optimizer). Adam, AdamW, momentum and RMSProp are our fused drop-ins for tfjs' classes
 * (fusedOptimizers.ts: one kernel per weight per step on cpu/wasm, bit-identical results).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerName } from '../../../shared/format/trainingConfig';
import { FusedAdamOptimizer, FusedMomentumOptimizer, FusedRMSPropOptimizer } from './fusedOptimizers';

/** PyTorch's AdamW default. */
export const ADAMW_WEIGHT_DECAY = 0.01;
export const MOMENTUM = 0.9;

export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return new FusedMomentumOptimizer(learningRate, MOMENTUM);
    case 'adam':
      return new FusedAdamOptimizer(learningRate);
    case 'adamw':
      return new FusedAdamOptimizer(learningRate, 0.9, 0.999, undefined, ADAMW_WEIGHT_DECAY);
    case 'rmsprop':
      return new FusedRMSPropOptimizer(learningRate);
  }
}

/** What every tfjs optimizer we create reads its step size from (protected in tfjs' typings). */
interface LearningRateField {
  learningRate: number;
  setLearningRate?(learningRate: number): void;
}

/** The learning rate `optimizer` applies at its next step. */
export function learningRateOf(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as LearningRateField).learningRate;
}

/**
 * Sets the learning rate of the next step (a schedule calls this before every step). SGD and momentum keep the rate
 * as a scalar tensor too, which only their own setLearningRate renews; Adam, AdamW and RMSProp (stock and fused) read
 * the field at every step, AdamW's decay factor included. Nothing happens when the rate is unchanged, so a constant
 * rate costs nothing and trains bit for bit as before.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const o = optimizer as unknown as LearningRateField;
  if (o.learningRate === learningRate) return;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(learningRate);
  else o.learningRate = learningRate;
}

/**
 * Decoupled weight decay (Loshchilov & Hutter): w ← w·(1 − lr·λ) on kernels only; biases and normalization
 * parameters (rank < 2) are not decayed, as in common AdamW practice. The `adamw` optimizer does this itself, in the
 * same kernel as its Adam step; this separate pass is the reference it is tested against.
 */
export function applyDecoupledWeightDecay(weights: readonly tf.Variable[], learningRate: number, decay = ADAMW_WEIGHT_DECAY): void {
  const factor = 1 - learningRate * decay;
  tf.tidy(() => {
    for (const w of weights) {
      if (w.trainable && w.rank >= 2) w.assign(tf.mul(w, factor));
    }
  });
}
