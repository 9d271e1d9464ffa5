/**
 * One training step of a dense network — Flatten, Dense (linear or ReLU), BatchNorm and Add layers under a softmax
 * Dense head trained with categorical cross-entropy, or a linear/ReLU Dense output trained with mean squared error
 * (regression, autoencoders) — run as the same kernels `model.trainOnBatch` runs, called directly on the wasm
 * backend: no tfjs-layers executor, no engine bookkeeping per op, no tape, no saved clones.
 *
 * Why: the bench MLP's step is ~66 kernel calls that take ~2.9 ms, inside a trainOnBatch of ~4.4 ms. The other
 * ~1.5 ms is JavaScript — tfjs-layers' feed dict and executor, the engine's scopes, tracking and tape for every op,
 * the clones it saves for the backward pass (half of those 66 calls are Identity), gradient bookkeeping. A dense
 * network's step is short enough that this is a third of it.
 *
 * The same math, to the bit: every value comes from the kernel tfjs would run for it, with the same inputs and
 * attributes, in the same order — the forward in the order tfjs-layers' executor sorts the layers (the same
 * depth-first walk from the output), the backward in reverse, each tensor's gradients summed with the same Add in the
 * same operand order (eagerBackprop.ts: existing + new) — and the weights are updated by the model's own optimizer
 * (`applyGradients` with the gradients in `trainableWeights` order, as `minimize` hands them over). So a run is the
 * same run, step for step, with or without this path (denseStep.test.ts checks weights, moments, moving statistics,
 * loss and accuracy bit for bit), and any step can take either path: the trainer uses tfjs' own step whenever it
 * needs the tape — telemetry measuring that step, gradient clipping — and this one otherwise.
 *
 * What qualifies (`planDenseStep` says why not, and the trainer then keeps trainOnBatch): the wasm backend with our
 * fused kernels (fusedTraining.ts, fastBatchNorm.ts, classificationHead.ts, the ReLU gradient); a single-input,
 * single-output functional model of InputLayer, Flatten, Dense (rank-2 input; linear or ReLU, softmax on the output
 * layer only; no regularizers), our BatchNormalization (rank 2, last axis, scale and centre), Add; every layer
 * trainable and used once; loss categorical cross-entropy (metrics none or accuracy) or mean squared error (none).
 * NB_DENSE_STEP=0 turns it off.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { fusedTrainingEnabled } from '../backends/fusedTraining';
import { hasBatchNormTrainingKernels, NB_BATCH_NORM_TRAIN, NB_BATCH_NORM_TRAIN_GRAD } from '../backends/wasmKernels/batchNormTraining';
import {
  hasClassificationHeadKernels,
  NB_CATEGORICAL_ACCURACY,
  NB_CATEGORICAL_CROSSENTROPY,
  NB_CATEGORICAL_CROSSENTROPY_GRAD,
  NB_SOFTMAX_GRAD,
} from '../backends/wasmKernels/classificationHead';
import { hasMovingAveragesKernel, NB_MOVING_AVERAGES } from '../backends/wasmKernels/movingAverages';
import { NB_RELU_GRAD, reluGradEnabled } from '../backends/wasmKernels/reluGrad';
import { FastBatchNormalization } from '../compiler/fastBatchNorm';

let enabled = process.env['NB_DENSE_STEP'] !== '0';

/** For tests and A/B runs. */
export function setDenseStepEnabled(on: boolean): void {
  enabled = on;
}

/** Steps this path ran in this process (tests check the path they meant to run did). */
export const denseStepStats = { steps: 0 };

/** A weight as tfjs-layers holds it: `read()` gives the engine variable. */
interface LayerWeight {
  read(): tf.Variable;
  write(value: tf.Tensor): void;
}

type Op =
  | { kind: 'input' }
  | { kind: 'flatten'; input: number }
  | { kind: 'dense'; input: number; activation: 'linear' | 'relu' | 'softmax'; kernel: LayerWeight; bias?: LayerWeight }
  | { kind: 'batchNorm'; input: number; gamma: LayerWeight; beta: LayerWeight; movingMean: LayerWeight; movingVariance: LayerWeight; epsilon: number; momentum: number }
  | { kind: 'add'; inputs: number[] };

export interface DenseStep {
  /** One training step on `xs` / one-hot `ys`: [loss, accuracy] or [loss], the values trainOnBatch returns. */
  step(xs: tf.Tensor, ys: tf.Tensor): number[];
}

interface LayerInternals {
  inboundNodes: { inboundLayers: tfl.layers.Layer[] }[];
  kernel?: LayerWeight;
  bias?: LayerWeight;
  gamma?: LayerWeight;
  beta?: LayerWeight;
  movingMean: LayerWeight;
  movingVariance: LayerWeight;
  axis: number;
  epsilon: number;
  momentum: number;
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  activityRegularizer?: unknown;
  gammaRegularizer?: unknown;
  betaRegularizer?: unknown;
  kernelConstraint?: unknown;
  biasConstraint?: unknown;
  gammaConstraint?: unknown;
  betaConstraint?: unknown;
}

const internals = (layer: tfl.layers.Layer): LayerInternals => layer as unknown as LayerInternals;

/**
 * The layers in the order tfjs-layers' executor runs them (executor.ts getTopologicalSortAndRecipientCountsForOneFetch:
 * a depth-first walk from the output that pushes each unvisited layer's inputs in order, so the last input is walked
 * first), which fixes the order of the tape and so of every gradient sum.
 */
function executionOrder(output: tfl.layers.Layer): tfl.layers.Layer[] {
  const visited = new Set<tfl.layers.Layer>();
  const sorted: tfl.layers.Layer[] = [];
  const stack: tfl.layers.Layer[] = [output];
  const marks: number[] = [];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (visited.has(top)) {
      stack.pop();
      continue;
    }
    const inputs = internals(top).inboundNodes[0]?.inboundLayers ?? [];
    const marked = marks[marks.length - 1] === stack.length - 1;
    if (inputs.length === 0 || marked) {
      stack.pop();
      sorted.push(top);
      visited.add(top);
      if (marked) marks.pop();
    } else {
      marks.push(stack.length - 1);
      for (const input of inputs) if (!visited.has(input)) stack.push(input);
    }
  }
  return sorted;
}

const noRegularizers = (l: LayerInternals): boolean =>
  [l.kernelRegularizer, l.biasRegularizer, l.activityRegularizer, l.gammaRegularizer, l.betaRegularizer, l.kernelConstraint, l.biasConstraint, l.gammaConstraint, l.betaConstraint]
    .every((r) => r == null);

/** The plan, or why this model/backend does not qualify. */
export function planDenseStep(model: tfl.LayersModel, loss: string, metrics: readonly string[]): DenseStep | { reason: string } {
  if (!enabled) return { reason: 'NB_DENSE_STEP=0' };
  if (tf.getBackend() !== 'wasm') return { reason: `backend ${tf.getBackend()}` };
  if (!fusedTrainingEnabled() || !reluGradEnabled() || !hasClassificationHeadKernels() || !hasBatchNormTrainingKernels('wasm') || !hasMovingAveragesKernel('wasm')) {
    return { reason: 'a fused kernel is turned off' };
  }
  if (loss !== 'categoricalCrossentropy' && loss !== 'meanSquaredError') return { reason: `loss ${loss}` };
  if (!metrics.every((m) => loss === 'categoricalCrossentropy' && (m === 'accuracy' || m === 'acc'))) return { reason: `metrics ${metrics.join(', ')} with ${loss}` };
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return { reason: 'several inputs or outputs' };
  const outputLayer = model.outputs[0]!.sourceLayer as tfl.layers.Layer;
  const order = executionOrder(outputLayer);
  if (order.length !== model.layers.length) return { reason: 'layers off the path to the output' };
  const index = new Map<tfl.layers.Layer, number>();
  const ops: Op[] = [];
  for (const layer of order) {
    const l = internals(layer);
    const className = layer.getClassName();
    if (l.inboundNodes.length !== 1) return { reason: `layer ${layer.name} is used ${l.inboundNodes.length} times` };
    if (!layer.trainable && layer.weights.length > 0) return { reason: `layer ${layer.name} is frozen` };
    if (!noRegularizers(l)) return { reason: `layer ${layer.name} has a regularizer or constraint` };
    const inputs = (l.inboundNodes[0]?.inboundLayers ?? []).map((i) => index.get(i)!);
    // A node's inputShapes: one shape per input ([[null, 784]]), or the shape itself for some single-input nodes.
    const shapes = layer.inboundNodes[0]?.inputShapes as unknown as (number | null)[][] | (number | null)[] | undefined;
    const firstShape = Array.isArray(shapes?.[0]) ? (shapes[0] as (number | null)[]) : (shapes as (number | null)[] | undefined);
    const rank2 = inputs.length === 1 && firstShape?.length === 2;
    let op: Op | undefined;
    if (className === 'InputLayer' && inputs.length === 0) op = { kind: 'input' };
    else if (className === 'Flatten' && inputs.length === 1) op = { kind: 'flatten', input: inputs[0]! };
    else if (className === 'Dense' && inputs.length === 1 && rank2 && l.kernel) {
      const activation = (layer.getConfig() as { activation?: string }).activation ?? 'linear';
      const last = layer === outputLayer;
      if (!(activation === 'linear' || activation === 'relu' || (activation === 'softmax' && last && loss === 'categoricalCrossentropy'))) {
        return { reason: `Dense ${layer.name} activation ${activation}` };
      }
      op = { kind: 'dense', input: inputs[0]!, activation: activation as 'linear' | 'relu' | 'softmax', kernel: l.kernel, ...(l.bias ? { bias: l.bias } : {}) };
    } else if (layer instanceof FastBatchNormalization && inputs.length === 1 && rank2 && l.gamma && l.beta && (l.axis === -1 || l.axis === 1)) {
      op = { kind: 'batchNorm', input: inputs[0]!, gamma: l.gamma, beta: l.beta, movingMean: l.movingMean, movingVariance: l.movingVariance, epsilon: l.epsilon, momentum: l.momentum };
    } else if (className === 'Add' && inputs.length >= 2) op = { kind: 'add', inputs };
    if (!op) return { reason: `layer ${layer.name} (${className})` };
    index.set(layer, ops.length);
    ops.push(op);
  }
  const head = ops[ops.length - 1]!;
  if (loss === 'categoricalCrossentropy' && (head.kind !== 'dense' || head.activation !== 'softmax')) return { reason: 'the output is not a softmax Dense' };
  if (loss === 'meanSquaredError' && head.kind !== 'dense') return { reason: 'the output is not a Dense' };
  const trainable = model.trainableWeights.map((w) => (w as unknown as LayerWeight).read());
  const weightsInOps = new Set(ops.flatMap((op) => (op.kind === 'dense' ? [op.kernel, op.bias] : op.kind === 'batchNorm' ? [op.gamma, op.beta] : [])).filter((w): w is LayerWeight => w !== undefined).map((w) => w.read()));
  if (trainable.length !== weightsInOps.size || !trainable.every((v) => weightsInOps.has(v))) return { reason: 'trainable weights outside the planned layers' };
  return new PlannedDenseStep(model, ops, loss === 'categoricalCrossentropy' ? 'crossentropy' : 'mse', metrics.length > 0);
}

class PlannedDenseStep implements DenseStep {
  /** Whether op i's output depends on a trainable weight (its gradient is needed). */
  private readonly needsGrad: boolean[];

  constructor(
    private readonly model: tfl.LayersModel,
    private readonly ops: readonly Op[],
    private readonly loss: 'crossentropy' | 'mse',
    private readonly withAccuracy: boolean,
  ) {
    this.needsGrad = [];
    for (const op of ops) {
      const up = op.kind === 'input' ? false : op.kind === 'add' ? op.inputs.some((i) => this.needsGrad[i]) : op.kind === 'flatten' ? this.needsGrad[op.input]! : true;
      this.needsGrad.push(up);
    }
  }

  step(xs: tf.Tensor, ys: tf.Tensor): number[] {
    if (xs.dtype !== 'float32' || ys.dtype !== 'float32') throw new Error(`dense step: float32 inputs and labels only, got ${xs.dtype} and ${ys.dtype}`);
    // What tfjs-layers' standardizeUserData checks before trainOnBatch: the batch's shapes against the model's.
    const fits = (shape: readonly number[], expected: readonly (number | null)[]) =>
      shape.length === expected.length && shape[0] === xs.shape[0] && expected.every((d, i) => i === 0 || d === null || d === shape[i]);
    const inputShape = this.model.inputs[0]!.shape;
    const outputShape = this.model.outputs[0]!.shape;
    if (!fits(xs.shape, inputShape) || !fits(ys.shape, outputShape)) {
      throw new Error(`dense step: the model takes inputs [${inputShape.map((d) => d ?? 'batch')}] and targets [${outputShape.map((d) => d ?? 'batch')}], got [${xs.shape}] and [${ys.shape}]`);
    }
    const backend = tf.backend() as BackendWasm;
    const owned: TensorInfo[] = [];
    /** Runs a kernel on the backend; its outputs are freed at the end of the step unless handed to the engine. */
    const run = (name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo[] => {
      const kernel = tf.getKernel(name, 'wasm');
      if (!kernel) throw new Error(`dense step: wasm kernel ${name} is not registered`);
      const out = kernel.kernelFunc({ inputs, attrs, backend });
      const outs = Array.isArray(out) ? out : [out];
      owned.push(...outs);
      return outs;
    };
    const run1 = (name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo => run(name, inputs, attrs)[0]!;
    /** A tensor the engine owns from now on (taken out of `owned`). */
    const adopt = (info: TensorInfo): tf.Tensor => {
      owned.splice(owned.indexOf(info), 1);
      return tf.engine().makeTensorFromTensorInfo(info);
    };
    const info = (t: tf.Tensor): TensorInfo => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    const rows = xs.shape[0]!;
    try {
      // Forward, keeping what each backward formula reads (the tensors tfjs' tape would save).
      const values: TensorInfo[] = [];
      const saved: { pre?: TensorInfo; mean?: TensorInfo; variance?: TensorInfo; gamma?: TensorInfo }[] = [];
      let probabilities: TensorInfo | undefined;
      for (const op of this.ops) {
        const s: (typeof saved)[number] = {};
        let out: TensorInfo;
        if (op.kind === 'input') out = info(xs);
        else if (op.kind === 'flatten') {
          const x = values[op.input]!;
          out = run1('Reshape', { x }, { shape: [x.shape[0]!, x.shape.slice(1).reduce((a, b) => a * b, 1)] });
        } else if (op.kind === 'dense') {
          const a = values[op.input]!;
          const b = info(op.kernel.read());
          if (op.activation === 'softmax') {
            // tfjs-layers: a product without bias, then biasAdd, then the activation (softmax is not a fused one).
            let logits = run1(tf._FusedMatMul, { a, b }, { transposeA: false, transposeB: false, activation: 'linear' });
            if (op.bias) logits = run1(tf.Add, { a: logits, b: info(op.bias.read()) });
            out = run1(tf.Softmax, { logits }, { dim: logits.shape.length - 1 });
            probabilities = out;
          } else {
            const inputs: NamedTensorInfoMap = op.bias ? { a, b, bias: info(op.bias.read()) } : { a, b };
            out = run1(tf._FusedMatMul, inputs, { transposeA: false, transposeB: false, activation: op.activation });
          }
        } else if (op.kind === 'batchNorm') {
          const gamma = info(op.gamma.read());
          const [y, mean, variance] = run(NB_BATCH_NORM_TRAIN, { x: values[op.input]!, gamma, beta: info(op.beta.read()) }, { epsilon: op.epsilon });
          Object.assign(s, { mean, variance, gamma });
          const [movingMean, movingVariance] = run(
            NB_MOVING_AVERAGES,
            { movingMean: info(op.movingMean.read()), movingVariance: info(op.movingVariance.read()), mean: mean!, variance: variance! },
            { momentum: op.momentum },
          );
          writeWeight(op.movingMean, adopt(movingMean!));
          writeWeight(op.movingVariance, adopt(movingVariance!));
          out = y!;
        } else {
          // tfjs-layers' Add merge: the first input cloned, then the others added one by one.
          out = values[op.inputs[0]!]!;
          for (const i of op.inputs.slice(1)) out = run1(tf.Add, { a: out, b: values[i]! });
        }
        values.push(out);
        saved.push(s);
      }
      const yTrue = info(ys);
      const allAxes = { axis: null, keepDims: false } as unknown as NamedAttrMap;
      const scalar = (shape: number[], value: number): TensorInfo => {
        const t = backend.makeOutput(shape, 'float32', undefined, new Float32Array([value]));
        owned.push(t);
        return t;
      };
      /** tfjs' Mean gradient: reshape(dy) / (values averaged), tiled back over them. */
      const meanGradient = (dy: TensorInfo, shape: readonly number[], reduced: number): TensorInfo => {
        const kept = shape.length === 1 ? [1] : [shape[0]!, 1];
        const expanded = run1('Reshape', { x: dy }, { shape: kept });
        return run1('Tile', { x: run1(tf.RealDiv, { a: expanded, b: scalar([], reduced) }) }, { reps: shape.length === 1 ? [shape[0]!] : [1, shape[1]!] });
      };
      const last = this.ops.length - 1;
      const gradOf: (TensorInfo | undefined)[] = new Array(this.ops.length).fill(undefined);
      let loss: TensorInfo;
      let accuracy: TensorInfo | undefined;
      let dProbabilities: TensorInfo | undefined;
      if (this.loss === 'crossentropy') {
        const yPred = probabilities!;
        const perSample = run1(NB_CATEGORICAL_CROSSENTROPY, { yTrue, yPred });
        loss = run1(tf.Mean, { x: perSample }, allAxes);
        accuracy = this.withAccuracy ? run1(tf.Mean, { x: run1(NB_CATEGORICAL_ACCURACY, { yTrue, yPred }) }, allAxes) : undefined;
        // Backward from the loss (dy = 1): the mean over the rows, then the cross-entropy kernel's gradient.
        const dPerSample = meanGradient(scalar([], 1), [rows], rows);
        dProbabilities = run1(NB_CATEGORICAL_CROSSENTROPY_GRAD, { dy: dPerSample, yTrue, yPred });
      } else {
        // tfjs-layers' meanSquaredError: mean(square(yPred − yTrue), −1) per row, square being x·x; then the mean.
        const yPred = values[last]!;
        const d = run1(tf.Sub, { a: yPred, b: yTrue });
        const perSample = run1(tf.Mean, { x: run1(tf.Multiply, { a: d, b: d }) }, { axis: -1, keepDims: false });
        loss = run1(tf.Mean, { x: perSample }, allAxes);
        const dSquare = meanGradient(meanGradient(scalar([], 1), [rows], rows), yPred.shape, yPred.shape[1]!);
        // Multiply's gradient for a, then for b (both d): dy·b + dy·a, summed in that order; Sub's for yPred is dy.
        gradOf[last] = run1(tf.Add, { a: run1(tf.Multiply, { a: dSquare, b: d }), b: run1(tf.Multiply, { a: dSquare, b: d }) });
      }
      const grads = new Map<tf.Variable, TensorInfo>();
      /** A gradient for op i's output: the first as is, later ones summed onto it (current + new, as eagerBackprop). */
      const accumulate = (i: number, g: TensorInfo) => {
        const current = gradOf[i];
        gradOf[i] = current ? run1(tf.Add, { a: current, b: g }) : g;
      };
      for (let i = last; i >= 0; i--) {
        const op = this.ops[i]!;
        if (op.kind === 'input') continue;
        if (i === last && op.kind === 'dense' && dProbabilities) {
          // Softmax, biasAdd, then the product (no bias input).
          const dLogits = run1(NB_SOFTMAX_GRAD, { dy: dProbabilities, y: probabilities! });
          if (op.bias) grads.set(op.bias.read(), run1(tf.Sum, { x: dLogits }, { axis: [0], keepDims: false }));
          const a = values[op.input]!;
          if (this.needsGrad[op.input]) accumulate(op.input, run1(tf.BatchMatMul, { a: dLogits, b: info(op.kernel.read()) }, { transposeA: false, transposeB: true }));
          grads.set(op.kernel.read(), run1(tf.BatchMatMul, { a, b: dLogits }, { transposeA: true, transposeB: false }));
          continue;
        }
        const dy = gradOf[i];
        if (!dy) continue;
        if (op.kind === 'flatten') {
          if (this.needsGrad[op.input]) accumulate(op.input, run1('Reshape', { x: dy }, { shape: values[op.input]!.shape }));
        } else if (op.kind === 'dense') {
          const dz = op.activation === 'relu' ? run1(NB_RELU_GRAD, { x: values[i]!, dy }) : dy;
          const a = values[op.input]!;
          if (this.needsGrad[op.input]) accumulate(op.input, run1(tf.BatchMatMul, { a: dz, b: info(op.kernel.read()) }, { transposeA: false, transposeB: true }));
          grads.set(op.kernel.read(), run1(tf.BatchMatMul, { a, b: dz }, { transposeA: true, transposeB: false }));
          if (op.bias) grads.set(op.bias.read(), run1(tf.Sum, { x: dz }, { axis: [0], keepDims: false }));
        } else if (op.kind === 'batchNorm') {
          const s = saved[i]!;
          const [dx, dgamma, dbeta] = run(NB_BATCH_NORM_TRAIN_GRAD, { dy, x: values[op.input]!, gamma: s.gamma!, mean: s.mean!, variance: s.variance! }, { epsilon: op.epsilon });
          if (this.needsGrad[op.input]) accumulate(op.input, dx!);
          grads.set(op.gamma.read(), dgamma!);
          grads.set(op.beta.read(), dbeta!);
        } else if (op.kind === 'add') {
          // Add's gradient is dy for every input (same shapes); the chain of binary Adds hands it out last input first.
          for (let k = op.inputs.length - 1; k >= 0; k--) if (this.needsGrad[op.inputs[k]!]) accumulate(op.inputs[k]!, dy);
        }
      }

      // The model's optimizer applies them, in trainableWeights order (what minimize passes to applyGradients).
      const named: tf.NamedTensorMap = {};
      for (const w of this.model.trainableWeights) {
        const v = (w as unknown as LayerWeight).read();
        named[v.name] = adopt(grads.get(v)!);
      }
      try {
        this.model.optimizer.applyGradients(named);
      } finally {
        tf.dispose(Object.values(named));
      }
      const read = (t: TensorInfo) => (backend.typedArrayFromHeap(t) as Float32Array)[0]!;
      denseStepStats.steps++;
      return accuracy ? [read(loss), read(accuracy)] : [read(loss)];
    } finally {
      for (const t of owned) backend.disposeData(t.dataId);
    }
  }
}

/** LayerVariable.write (the moving statistics): assigns the value; the temporary tensor is then released. */
function writeWeight(weight: LayerWeight, value: tf.Tensor): void {
  weight.write(value);
  value.dispose();
}
