/**
 * One replica's half of a data-parallel training step, split where tfjs' own `trainOnBatch` is not:
 * `compute` runs the forward/backward pass and copies the gradients out (instead of applying them), `apply` applies
 * given (averaged) gradients and batch-norm moving statistics.
 *
 * `compute` runs tfjs-layers' own train function (LayersModel.makeTrainFunction: the compiled loss, metrics and
 * regularizer penalties, training-mode forward so Dropout and BatchNorm behave as in trainOnBatch) with the optimizer's
 * `minimize` swapped for `computeGradients`. `compute` + `apply` on a whole batch therefore equals `trainOnBatch`
 * (tested bit for bit), and nothing about the loss is re-implemented here.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type TrainFunction = (data: tf.Tensor[]) => tf.Scalar[];
interface LayersModelInternals {
  optimizer_: unknown;
  makeTrainFunction(): TrainFunction;
  collectedTrainableWeights?: { read(): tf.Variable }[];
}
interface MinimizeCapture {
  minimize(f: () => tf.Scalar, returnCost: boolean, varList?: tf.Variable[]): tf.Scalar | null;
}

/**
 * A float32 tensor from values in memory that will be overwritten (shared memory reused by the next step). The wasm
 * backend copies the values into its heap when the tensor is made; others (cpu) may keep the array itself, so they
 * get a private copy first.
 */
export function tensorFromVolatile(values: Float32Array, shape: readonly number[]): tf.Tensor {
  return tf.tensor(tf.getBackend() === 'wasm' ? values : values.slice(), shape as number[], 'float32');
}

/**
 * Copies a float32 tensor's values into `out` at `offset`. On wasm straight from the backend's heap (one copy, no
 * allocation: dataSync would slice the heap into a fresh array first, ~1 MB per step for a 270k-weight model).
 */
function copyInto(t: tf.Tensor, out: Float32Array, offset: number): void {
  const backend = tf.backend();
  if (backend instanceof BackendWasm && t.dtype === 'float32') out.set(backend.typedArrayFromHeap(t) as Float32Array, offset);
  else out.set(t.dataSync() as Float32Array, offset);
}

function sizeOf(v: tf.Variable): number {
  return v.shape.reduce((a, b) => a * b, 1);
}

export interface GradientStep {
  /** Trainable variables in gradient order (the order tfjs-layers itself hands to the optimizer). */
  readonly variables: readonly tf.Variable[];
  /** Non-trainable weights (BatchNorm moving mean/variance), averaged between replicas after each step. */
  readonly statistics: readonly tf.Variable[];
  readonly gradientSize: number;
  readonly statisticsSize: number;
  /**
   * Forward + backward on one (part of a) batch: writes the flattened gradients into `gradients` and the current
   * non-trainable weights (already updated by this forward pass) into `statistics`; returns [loss, ...metrics].
   */
  compute(xs: tf.Tensor, ys: tf.Tensor, gradients: Float32Array, statistics: Float32Array): number[];
  /**
   * Applies flattened gradients with the model's optimizer and overwrites the non-trainable weights. The inputs often
   * live in shared memory that the next step overwrites: see tensorFromVolatile.
   */
  apply(gradients: Float32Array, statistics: Float32Array): void;
  /** Copies the current trainable weights, flattened in `variables` order, into `out` (adaptive gradient clipping). */
  readWeights(out: Float32Array): void;
}

/** `model` must be compiled with `optimizer`. */
export function createGradientStep(model: tfl.LayersModel, optimizer: tf.Optimizer): GradientStep {
  // A Sequential compiles and trains an inner functional model; that one holds the train function and weights.
  const target = model instanceof tfl.Sequential ? (model as unknown as { model: tfl.LayersModel }).model : model;
  const internals = target as unknown as LayersModelInternals;
  if (typeof internals.makeTrainFunction !== 'function' || !internals.collectedTrainableWeights) {
    throw new Error('data-parallel training needs a compiled tfjs-layers model (makeTrainFunction is missing)');
  }
  const variables = internals.collectedTrainableWeights.map((w) => w.read());
  const statistics = model.nonTrainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
  const gradientSize = variables.reduce((a, v) => a + sizeOf(v), 0);
  const statisticsSize = statistics.reduce((a, v) => a + sizeOf(v), 0);

  let captured: tf.NamedTensorMap | undefined;
  const capture: MinimizeCapture = {
    minimize(f, _returnCost, varList) {
      const { value, grads } = optimizer.computeGradients(f, varList);
      captured = grads;
      return value;
    },
  };

  return {
    variables,
    statistics,
    gradientSize,
    statisticsSize,
    compute(xs, ys, gradients, statisticsOut) {
      const saved = internals.optimizer_;
      internals.optimizer_ = capture;
      let outputs: tf.Scalar[];
      try {
        outputs = internals.makeTrainFunction()([xs, ys]);
      } finally {
        internals.optimizer_ = saved;
      }
      const grads = captured;
      captured = undefined;
      try {
        if (!grads) throw new Error('tfjs-layers did not compute gradients');
        let offset = 0;
        for (const v of variables) {
          const g = grads[v.name];
          if (!g) throw new Error(`no gradient for weight ${v.name}`);
          copyInto(g, gradients, offset);
          offset += sizeOf(v);
        }
        offset = 0;
        for (const s of statistics) {
          copyInto(s, statisticsOut, offset);
          offset += sizeOf(s);
        }
        return outputs.map((o) => o.dataSync()[0]!);
      } finally {
        if (grads) tf.dispose(grads);
        tf.dispose(outputs);
      }
    },
    apply(gradients, statisticsIn) {
      const named: tf.NamedTensorMap = {};
      let offset = 0;
      for (const v of variables) {
        const n = sizeOf(v);
        named[v.name] = tensorFromVolatile(gradients.subarray(offset, offset + n), v.shape);
        offset += n;
      }
      try {
        optimizer.applyGradients(named);
      } finally {
        tf.dispose(named);
      }
      offset = 0;
      for (const s of statistics) {
        const n = sizeOf(s);
        tf.tidy(() => s.assign(tensorFromVolatile(statisticsIn.subarray(offset, offset + n), s.shape)));
        offset += n;
      }
    },
    readWeights(out) {
      let offset = 0;
      for (const v of variables) {
        copyInto(v, out, offset);
        offset += sizeOf(v);
      }
    },
  };
}
