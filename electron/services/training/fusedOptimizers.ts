/**
 * Drop-in replacements for tfjs' Adam, Momentum and RMSProp optimizers whose per-weight update is ONE kernel call
 * (electron/services/backends/wasmKernels/optimizerUpdate.ts: SIMD C on wasm, a JS loop on cpu) instead of the ~4–12
 * ops tfjs runs per weight per step. The update arithmetic is tfjs' own, so results are bit-identical to the stock
 * optimizers (tested), and the bench CNN/MLP spend far less of each step in the optimizer.
 *
 * They subclass tfjs' classes and keep everything else theirs: className ('Adam', 'Momentum', 'RMSProp'), getConfig,
 * getWeights/setWeights (same slot variables, names and order), dispose. On a backend without the fused kernels
 * (tfjs-node, webgl) they run tfjs' stock applyGradients.
 *
 * AdamW: `weightDecay` > 0 adds decoupled weight decay, x ← x·(1 − lr·λ) right after each weight's Adam step, on
 * trainable weights of rank ≥ 2 only (kernels, not biases or normalization parameters) — what the trainer did before
 * with a separate pass after every step. lr is the current learning rate, so a schedule scales the decay with it
 * (as PyTorch's AdamW does). It is not part of the serialized config: a saved AdamW loads as Adam, as
 * it did when AdamW was tf.train.adam plus that pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  ADAM_UPDATE,
  type AdamUpdateAttrs,
  hasOptimizerUpdateKernel,
  MOMENTUM_UPDATE,
  type MomentumUpdateAttrs,
  registerOptimizerUpdateKernels,
  RMSPROP_UPDATE,
  type RMSPropUpdateAttrs,
} from '../backends/wasmKernels/optimizerUpdate';

/** What tfjs' applyGradients takes: weight name → gradient, or a list of { name, tensor }. */
type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
interface Slot {
  originalName: string;
  variable: tf.Variable;
}

const f = Math.fround;

function variableNames(gradients: Gradients): string[] {
  return Array.isArray(gradients) ? gradients.map((g) => g.name) : Object.keys(gradients);
}

function gradientAt(gradients: Gradients, name: string, i: number): tf.Tensor | undefined {
  return Array.isArray(gradients) ? gradients[i]?.tensor : gradients[name];
}

function registeredVariable(name: string): tf.Variable {
  const value = tf.engine().registeredVariables[name];
  if (!value) throw new Error(`optimizer: no variable named '${name}'`);
  return value;
}

/** The fused kernels take float32 only (every trainable weight in our models); anything else takes tfjs' path. */
function allFloat32(gradients: Gradients, names: readonly string[]): boolean {
  return names.every((name, i) => {
    const g = gradientAt(gradients, name, i);
    return registeredVariable(name).dtype === 'float32' && (g === undefined || g.dtype === 'float32');
  });
}

/** tfjs creates an optimizer slot lazily, as a non-trainable zero variable named after the weight. */
function slot(slots: Slot[], i: number, value: tf.Variable, suffix: string): tf.Variable {
  let s = slots[i];
  if (s == null) {
    s = { originalName: `${value.name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    slots[i] = s;
  }
  return s.variable;
}

/** The decay factor for a weight: AdamW decays trainable kernels (rank ≥ 2) only. */
function decayFactorFor(value: tf.Variable, factor: number): number {
  return factor !== 1 && value.trainable && value.rank >= 2 ? factor : 1;
}

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Slot[];
  accumulatedSecondMoment: Slot[];
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number, readonly weightDecay = 0) {
    // tfjs takes `null` for "the backend's epsilon".
    super(learningRate, beta1, beta2, (epsilon ?? null) as number);
    registerOptimizerUpdateKernels();
  }

  /**
   * float32(1 − lr·λ) or exactly 1; tfjs' mul(w, 1 − lr·λ) multiplies by that float32 scalar. Read from the current
   * learning rate at every step, since a learning-rate schedule changes it between steps.
   */
  private get decayFactor(): number {
    return this.weightDecay !== 0 ? f(1 - this.learningRate * this.weightDecay) : 1;
  }

  override applyGradients(gradients: Gradients): void {
    const names = variableNames(gradients);
    const decayFactor = this.decayFactor;
    if (!hasOptimizerUpdateKernel(ADAM_UPDATE) || !allFloat32(gradients, names)) {
      super.applyGradients(gradients);
      if (decayFactor !== 1) this.decayStock(gradients, names, decayFactor);
      return;
    }
    const state = this as unknown as AdamInternals;
    const [acc1, acc2] = [state.accBeta1.dataSync()[0]!, state.accBeta2.dataSync()[0]!];
    const attrs: AdamUpdateAttrs = {
      beta1: f(this.beta1),
      oneMinusBeta1: f(1 - this.beta1),
      beta2: f(this.beta2),
      oneMinusBeta2: f(1 - this.beta2),
      oneMinusAccBeta1: f(1 - acc1),
      oneMinusAccBeta2: f(1 - acc2),
      epsilon: f(this.epsilon),
      negLearningRate: f(-this.learningRate),
      decayFactor: 1,
    };
    const engine = tf.engine();
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = registeredVariable(name);
        const m = slot(state.accumulatedFirstMoment, i, value, 'm');
        const v = slot(state.accumulatedSecondMoment, i, value, 'v');
        const g = gradientAt(gradients, name, i);
        if (g == null) return;
        const decayed = { ...attrs, decayFactor: decayFactorFor(value, decayFactor) };
        const [x1, m1, v1] = engine.runKernel<tf.Tensor[]>(ADAM_UPDATE, { x: value, m, v, g }, decayed as unknown as tf.NamedAttrMap);
        m.assign(m1!);
        v.assign(v1!);
        value.assign(x1!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  /** AdamW on a backend without the fused kernel: the decay as its own op after tfjs' Adam step. */
  private decayStock(gradients: Gradients, names: readonly string[], decayFactor: number): void {
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = registeredVariable(name);
        const factor = decayFactorFor(value, decayFactor);
        if (factor !== 1 && gradientAt(gradients, name, i) != null) value.assign(tf.mul(value, factor));
      });
    });
  }
}

interface MomentumInternals {
  momentum: number;
  useNesterov: boolean;
  accumulations: Slot[];
}

export class FusedMomentumOptimizer extends tf.MomentumOptimizer {
  constructor(learningRate: number, momentum: number, useNesterov = false) {
    super(learningRate, momentum, useNesterov);
    registerOptimizerUpdateKernels();
  }

  override applyGradients(gradients: Gradients): void {
    const names = variableNames(gradients);
    if (!hasOptimizerUpdateKernel(MOMENTUM_UPDATE) || !allFloat32(gradients, names)) {
      super.applyGradients(gradients);
      return;
    }
    const state = this as unknown as MomentumInternals;
    const attrs: MomentumUpdateAttrs = {
      momentum: f(state.momentum),
      negLearningRate: f(-this.learningRate),
      useNesterov: state.useNesterov,
    };
    const engine = tf.engine();
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = registeredVariable(name);
        const accumulation = slot(state.accumulations, i, value, 'momentum');
        const g = gradientAt(gradients, name, i);
        if (g == null) return;
        const [x1, a1] = engine.runKernel<tf.Tensor[]>(MOMENTUM_UPDATE, { x: value, accumulation, g }, attrs as unknown as tf.NamedAttrMap);
        accumulation.assign(a1!);
        value.assign(x1!);
      });
    });
    this.incrementIterations();
  }
}

interface RMSPropInternals {
  centered: boolean;
  accumulatedMeanSquares: Slot[];
  accumulatedMoments: Slot[];
}

export class FusedRMSPropOptimizer extends tf.RMSPropOptimizer {
  constructor(learningRate: number, decay = 0.9, momentum = 0.0, epsilon?: number, centered = false) {
    super(learningRate, decay, momentum, (epsilon ?? null) as number, centered);
    registerOptimizerUpdateKernels();
  }

  override applyGradients(gradients: Gradients): void {
    const names = variableNames(gradients);
    const state = this as unknown as RMSPropInternals;
    // The centered variant keeps a third slot; it stays on tfjs' path.
    if (state.centered || !hasOptimizerUpdateKernel(RMSPROP_UPDATE) || !allFloat32(gradients, names)) {
      super.applyGradients(gradients);
      return;
    }
    const attrs: RMSPropUpdateAttrs = {
      decay: f(this.decay),
      oneMinusDecay: f(1 - this.decay),
      momentum: f(this.momentum),
      learningRate: f(this.learningRate),
      epsilon: f(this.epsilon),
    };
    const engine = tf.engine();
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = registeredVariable(name);
        const meanSquare = slot(state.accumulatedMeanSquares, i, value, 'rms');
        const moments = slot(state.accumulatedMoments, i, value, 'momentum');
        const g = gradientAt(gradients, name, i);
        if (g == null) return;
        const [x1, ms1, mom1] = engine.runKernel<tf.Tensor[]>(
          RMSPROP_UPDATE,
          { x: value, meanSquare, moments, g },
          attrs as unknown as tf.NamedAttrMap,
        );
        meanSquare.assign(ms1!);
        moments.assign(mom1!);
        value.assign(x1!);
      });
    });
    this.incrementIterations();
  }
}
