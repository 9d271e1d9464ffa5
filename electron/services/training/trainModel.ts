/**
 * The training loop for an already built tfjs model: our own batch loop around `trainOnBatch` so pause and stop land
 * on a batch boundary, progress is reported per batch, and divergence (a NaN loss, a loss stuck at the clipped
 * cross-entropy maximum, exploding weights: ./divergence.ts) ends the run as `failed` at the batch that showed it.
 * Nothing non-finite reaches the summary or the events: JSON (the run history, the IPC) cannot carry it.
 *
 * Training options: the learning rate of every step comes from shared/training/learningRateSchedule.ts (the same
 * function the chart under the loss curve draws), gradient clipping (./gradientTransforms.ts) sits between the
 * gradients and the update on every step, and early stopping watches one metric after each epoch's validation,
 * keeping a copy of the best epoch's weights (BatchNorm moving statistics included) to put back at the end.
 *
 * Memory discipline: per batch we create exactly the x/y tensors and dispose them; evaluation tensors are disposed
 * after use; everything else lives inside tf.tidy. The tensor count is the same after every epoch (tested).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { HeadDesc } from '../../../shared/catalog/spec';
import type { BatchEvent, BoundaryEvent, EpochEvent, StartedEvent } from '../../../shared/contracts/trainer';
import type { TelemetrySample } from '../../../shared/contracts/telemetry';
import { BOUNDARY_EVENT_GAP_MS, MAX_BATCH_EVENTS_PER_SECOND } from '../../../shared/contracts/trainer';
import { LIVE_BOUNDARY_RESOLUTION } from '../../../shared/contracts/evaluation';
import { classificationMetrics } from '../../../shared/evaluation/classificationMetrics';
import type { EpochMetrics, FinalMetrics, RunSummary } from '../../../shared/format/runSummary';
import type { EarlyStopping, TrainingConfig } from '../../../shared/format/trainingConfig';
import { learningRateAt } from '../../../shared/training/learningRateSchedule';
import { createSeededRandom, seededPermutation } from '../datasets/seededRandom';
import type { DataInfo, DataSplit, LoadedDataset } from '../datasets/loadDataset';
import { planeGridFor, predictBoundary } from '../evaluation/planeBoundary';
import { predictBatched } from '../evaluation/predictBatched';
import { createOptimizer, setLearningRate } from './createOptimizer';
import { clippingHooks, minimizeWith, planGradientClipping, type GradientClipPlan } from './gradientTransforms';
import { DivergenceDetector, lossCeilingOf } from './divergence';
import { evaluationBatchSize } from './evaluationBatchSize';
import { compiledLoss } from './fusedLosses';
import { planDenseStep } from './denseStep';
import type { TrainingControl } from './trainingControl';
import { TelemetryProbe } from './telemetry/TelemetryProbe';
import { TelemetrySchedule } from './telemetry/telemetrySchedule';
import { TelemetryRecorder } from '../../../shared/telemetry/telemetryRecorder';

type Payload<T> = Omit<T, 'type' | 'runId'>;

export interface TrainingCallbacks {
  onStarted?(event: Payload<StartedEvent>): void;
  onBatch?(event: Payload<BatchEvent>): void;
  onEpoch?(event: Payload<EpochEvent>): void;
  onPaused?(at: { epoch: number; batch: number }): void;
  onResumed?(): void;
  /**
   * The live decision boundary (2-D datasets, classifier heads only): at most every BOUNDARY_EVENT_GAP_MS between
   * batches, and at the end of every epoch. Asking for it costs one predict over the grid per call.
   */
  onBoundary?(event: Payload<BoundaryEvent>): void;
  /** Per-node signals inside the network (shared/contracts/telemetry.ts): the first step, then every K steps. */
  onTelemetry?(event: TelemetrySample): void;
}

export interface TrainingFailure {
  readonly reason: string;
  readonly epoch?: number;
  readonly batch?: number;
}

export interface TrainingOutcome {
  readonly summary: RunSummary;
  /** Set when the run failed (e.g. the loss became NaN); `summary.status` is then `failed`. */
  readonly failure?: TrainingFailure;
}

export type TrainingHead = Pick<HeadDesc, 'task' | 'loss' | 'units'>;

export interface TrainModelOptions {
  readonly runId: string;
  /** The backend that really runs, for the summary. */
  readonly backend: { readonly name: string };
  readonly callbacks?: TrainingCallbacks;
  readonly control?: TrainingControl;
  /** When the run began (before compiling), so wall time includes setup. */
  readonly startedAt?: number;
  /**
   * Evaluate the test set when the run was stopped early (default true). The app's trainer turns this off so a
   * stop is acknowledged within a batch instead of after a full test pass; the CLI keeps it for its summary.
   */
  readonly testOnStop?: boolean;
  /** Evaluation chunk size (memory bound for big validation/test sets); default: evaluationBatchSize(model). */
  readonly evalBatchSize?: number;
  /** PARALLEL hook: data-parallel stepping (./parallel/DataParallel) that replaces trainOnBatch when set. */
  readonly parallel?: ParallelStepper;
  /**
   * Measure telemetry (./telemetry/TelemetryProbe) on the first step and every `config.telemetryEvery` steps (auto
   * when absent; 0 turns it off): reported through onTelemetry and kept, downsampled, in `summary.telemetry`.
   * `layerNames` maps graph nodes to their tfjs layers (CompiledGraph.layerNames).
   */
  readonly telemetry?: { readonly layerNames: ReadonlyMap<string, readonly string[]>; readonly inputNodeId?: string };
}

/**
 * Trains one batch across replicas; returns [loss, ...metrics] over the whole batch like trainOnBatch. The replicas
 * apply the rate `optimizer` has now, and the averaged gradients clipped with `clip` when given.
 */
export interface ParallelStepper {
  readonly workers: number;
  trainOnBatch(
    model: tfl.LayersModel,
    optimizer: tf.Optimizer,
    x: Float32Array,
    y: Float32Array,
    rows: number,
    probe?: TelemetryProbe,
    clip?: GradientClipPlan,
  ): Promise<number[]>;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function featureSize(data: LoadedDataset<DataInfo>): number {
  return data.info.inputShape.reduce((a, b) => a * b, 1);
}

/** Width of one target row: one-hot classes, a single 0/1, or (regression) the flattened input it reconstructs. */
export function targetWidth(head: TrainingHead, classes: number, size: number): number {
  return head.task === 'classification' ? classes : head.task === 'binary' ? 1 : size;
}

/** What batches are copied from: a split, its values per sample, the head and the width of a target row. */
interface BatchSource {
  readonly split: DataSplit;
  readonly size: number;
  readonly head: TrainingHead;
  readonly width: number;
}

/**
 * Copies samples `indices[from..to)` into fresh x/y buffers: one-hot for classification, 0/1 for binary heads, and for
 * regression heads the split's own targets (user tables) or else the input itself (the bundled datasets have no
 * regression targets, so there a regression head is an autoencoder).
 */
function gather(source: BatchSource, indices: ArrayLike<number>, from: number, to: number): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array((to - from) * source.size);
  const y = new Float32Array((to - from) * source.width);
  gatherInto(source, indices, from, to, x, y);
  return { x, y };
}

/** gather's copying, into `x` and `y` (y all zeros). */
function gatherInto(source: BatchSource, indices: ArrayLike<number>, from: number, to: number, x: Float32Array, y: Float32Array): void {
  const { split, size, head, width } = source;
  const targets = split.targets;
  for (let k = 0; k < to - from; k++) {
    const i = indices[from + k]!;
    x.set(split.x.subarray(i * size, (i + 1) * size), k * size);
    if (head.task === 'classification') y[k * width + split.labels[i]!] = 1;
    else if (head.task === 'binary') y[k] = split.labels[i]!;
    else if (targets) y.set(targets.subarray(i * width, (i + 1) * width), k * width);
    else y.set(split.x.subarray(i * size, (i + 1) * size), k * width);
  }
}

/**
 * A training batch as tensors. On wasm the samples are copied straight into the tensors' memory on the backend's heap
 * (`tf.tensor` of a gathered array allocates that array and then copies it in again: gather and that copy took
 * ~0.4 ms of a ~2.4 ms dense MLP step, this ~0.12); elsewhere through gather.
 */
function batchTensors(
  source: BatchSource, indices: ArrayLike<number>, from: number, to: number, inputShape: readonly number[],
): { xs: tf.Tensor; ys: tf.Tensor } {
  const n = to - from;
  if (tf.getBackend() !== 'wasm') {
    const { x, y } = gather(source, indices, from, to);
    return { xs: tf.tensor(x, [n, ...inputShape]), ys: tf.tensor(y, [n, source.width]) };
  }
  const backend = tf.backend() as BackendWasm;
  const xInfo = backend.makeOutput([n, ...inputShape], 'float32');
  const yInfo = backend.makeOutput([n, source.width], 'float32');
  // Views after both allocations (an allocation may grow the heap and detach earlier views).
  const y = backend.typedArrayFromHeap(yInfo) as Float32Array;
  y.fill(0);
  gatherInto(source, indices, from, to, backend.typedArrayFromHeap(xInfo) as Float32Array, y);
  const engine = tf.engine();
  return { xs: engine.makeTensorFromTensorInfo(xInfo), ys: engine.makeTensorFromTensorInfo(yInfo) };
}

/**
 * A gathered training batch through the data's augmentation, seeded by (run seed, epoch, batch) so a run with the same
 * seed sees the same batches. A head that reconstructs its input gets the augmented input as its target too.
 */
function augmentGathered(
  batch: { x: Float32Array; y: Float32Array },
  augment: NonNullable<LoadedDataset['augmentTrainBatch']>,
  count: number,
  epoch: number,
  batchNumber: number,
  seed: number,
  head: TrainingHead,
  targets: DataSplit['targets'],
): { x: Float32Array; y: Float32Array } {
  const x = augment(batch.x, count, epoch, batchNumber, seed);
  const reconstructs = head.task === 'regression' && !targets;
  return { x, y: reconstructs ? x.slice() : batch.y };
}

/** L2 norm of all trainable weights, for the divergence rule on exploding weights. */
function weightNorm(model: tfl.LayersModel): number {
  return tf.tidy(() => {
    const squares = model.trainableWeights.map((w) => tf.sum(tf.square(w.read())));
    return squares.length === 0 ? 0 : Math.sqrt(tf.addN(squares).dataSync()[0]!);
  });
}

/** The epoch metric early stopping watches, and whether bigger is better. */
function watched(metrics: EpochMetrics, metric: EarlyStopping['metric']): number | undefined {
  switch (metric) {
    case 'loss':
      return metrics.loss;
    case 'accuracy':
      return metrics.accuracy;
    case 'val_loss':
      return metrics.valLoss;
    case 'val_accuracy':
      return metrics.valAccuracy;
  }
}

/** Setup problems of an early-stopping config, named by its field (thrown before training starts). */
function checkEarlyStopping(es: EarlyStopping, valSize: number, validationSplit: number, withAccuracy: boolean): void {
  if (es.metric.startsWith('val_') && valSize === 0) {
    throw new Error(
      validationSplit === 0
        ? `earlyStopping.metric '${es.metric}' needs validation data, but validationSplit is 0`
        : `earlyStopping.metric '${es.metric}' needs validation data, but validationSplit ${validationSplit} holds out no samples of this dataset`,
    );
  }
  if (es.metric.endsWith('accuracy') && !withAccuracy) {
    throw new Error(`earlyStopping.metric '${es.metric}' needs an accuracy, which a regression head does not have`);
  }
}

function range(n: number): Int32Array {
  const r = new Int32Array(n);
  for (let i = 0; i < n; i++) r[i] = i;
  return r;
}

export async function trainModel(
  model: tfl.LayersModel,
  head: TrainingHead,
  data: LoadedDataset<DataInfo>,
  config: TrainingConfig,
  options: TrainModelOptions,
): Promise<TrainingOutcome> {
  const startedAtMs = options.startedAt ?? Date.now();
  const callbacks = options.callbacks ?? {};
  const control = options.control;
  const classes = data.info.classes;
  const size = featureSize(data);
  const inputShape = data.info.inputShape;
  const withAccuracy = head.task !== 'regression';
  const evalBatchSize = options.evalBatchSize ?? evaluationBatchSize(model);

  const regressionTargets = data.targetWidth;
  if (regressionTargets !== undefined && head.task !== 'regression') {
    throw new Error(
      `Output does ${head.task} but '${data.info.id}' has a numeric target to predict: use a regression Output with ${regressionTargets} unit${regressionTargets === 1 ? '' : 's'}`,
    );
  }
  if (regressionTargets !== undefined && head.units !== regressionTargets) {
    throw new Error(`Output has ${head.units} units but '${data.info.id}' has ${regressionTargets} regression target${regressionTargets === 1 ? '' : 's'}`);
  }
  if (head.task === 'classification' && head.units !== classes) {
    throw new Error(`Output has ${head.units} units but dataset '${data.info.id}' has ${classes} classes`);
  }
  if (head.task === 'regression' && regressionTargets === undefined && head.units !== size) {
    throw new Error(
      `Output is a regression head with ${head.units} units; dataset '${data.info.id}' has no regression targets, ` +
        `so a regression head must reconstruct the input (${size} units)`,
    );
  }
  if (head.task === 'binary' && classes !== 2) {
    throw new Error(`Output is binary but dataset '${data.info.id}' has ${classes} classes`);
  }

  const width = regressionTargets ?? targetWidth(head, classes, size);
  const trainSource: BatchSource = { split: data.train, size, head, width };
  /** Losses as reported: MSE of standardised targets × std² is the MSE in the target's own units. */
  const lossScale = data.lossScale ?? 1;
  // Hold out the validation set once, from a seeded permutation, so it is the same for every epoch — unless the data
  // brings its own validation split (user data, split by its seed).
  const random = createSeededRandom(`neural-bricks/train:${config.seed}`);
  const all = seededPermutation(data.train.count, random);
  const valSplit = data.val ?? data.train;
  const valSize = data.val ? data.val.count : Math.floor(data.train.count * config.validationSplit);
  const trainIdx = data.val ? all : all.slice(0, data.train.count - valSize);
  const valIdx = data.val ? range(data.val.count) : all.slice(data.train.count - valSize);
  const trainSize = trainIdx.length;
  if (trainSize === 0) throw new Error(`Dataset '${data.info.id}' leaves no training samples after the validation split`);
  const earlyStopping = config.earlyStopping;
  if (earlyStopping) checkEarlyStopping(earlyStopping, valSize, config.validationSplit, withAccuracy);

  const optimizer = createOptimizer(config.optimizer, config.learningRate);
  // The loss/metric functions are tfjs-layers' own or fused equivalents (fusedLosses.ts); the reported name stays head.loss.
  model.compile({ optimizer, ...compiledLoss(head.loss, withAccuracy ? ['accuracy'] : []) });
  const clipPlan = config.clip ? planGradientClipping(model, config.clip) : undefined;
  const clipHooks = clippingHooks(clipPlan);
  // Dense classifiers on wasm: the same step without tfjs-layers' and the engine's per-op work (denseStep.ts); steps
  // that need the tape (telemetry, clipping) keep trainOnBatch.
  const planned = options.parallel || clipPlan ? undefined : planDenseStep(model, head.loss, withAccuracy ? ['accuracy'] : []);
  const denseStep = planned && !('reason' in planned) ? planned : undefined;

  /**
   * The final test metrics of a classifier: one batched predict scored by shared/evaluation, exactly what an
   * evaluation of the kept model computes, so a run's testAccuracy and its evaluation agree to the last bit.
   */
  const scoreTest = (): { loss: number; accuracy?: number } => {
    if (!withAccuracy) return evaluate(data.test, range(data.test.count));
    const { outputs, outputWidth } = predictBatched(model, data.test.x, data.test.count, inputShape, evalBatchSize);
    const metrics = classificationMetrics(data.test.labels, outputs, { outputWidth });
    return { loss: metrics.loss, accuracy: metrics.accuracy };
  };

  const evaluate = (split: DataSplit, indices: ArrayLike<number>): { loss: number; accuracy?: number } => {
    let loss = 0;
    let accuracy = 0;
    for (let from = 0; from < indices.length; from += evalBatchSize) {
      const to = Math.min(indices.length, from + evalBatchSize);
      const { x, y } = gather({ split, size, head, width }, indices, from, to);
      const [l, a] = tf.tidy(() => {
        const xs = tf.tensor(x, [to - from, ...inputShape]);
        const ys = tf.tensor(y, [to - from, width]);
        const out = model.evaluate(xs, ys, { batchSize: evalBatchSize });
        const scalars = Array.isArray(out) ? out : [out];
        return scalars.map((s) => s.dataSync()[0]!);
      });
      loss += l! * (to - from);
      accuracy += (a ?? 0) * (to - from);
    }
    const n = indices.length;
    return withAccuracy ? { loss: (loss / n) * lossScale, accuracy: accuracy / n } : { loss: (loss / n) * lossScale };
  };

  callbacks.onStarted?.({
    backend: options.backend,
    params: model.countParams(),
    trainSize,
    valSize,
    testSize: data.test.count,
    ...(options.parallel ? { workers: options.parallel.workers } : {}),
  });

  /** The data's augmentation (image folders), applied to training batches only: validation and test stay as loaded. */
  const augment = data.augmentTrainBatch;
  const batchSize = Math.min(config.batchSize, trainSize);
  const batchesPerEpoch = Math.ceil(trainSize / batchSize);
  const epochs: EpochMetrics[] = [];
  const minBatchEventGapMs = 1000 / MAX_BATCH_EVENTS_PER_SECOND;
  let lastBatchEventAt = -Infinity;
  let trainingMs = 0;
  let samplesSeen = 0;
  let failure: TrainingFailure | undefined;
  const divergence = new DivergenceDetector({
    lossCeiling: lossCeilingOf(head.loss),
    learningRate: config.learningRate,
    optimizer: config.optimizer,
    totalBatches: batchesPerEpoch * config.epochs,
  });
  divergence.observeWeightNorm(weightNorm(model), { epoch: 0 });
  let lastFiniteLoss: number | undefined;
  const boundaryGrid = callbacks.onBoundary && withAccuracy ? planeGridFor(data, LIVE_BOUNDARY_RESOLUTION) : undefined;
  let lastBoundaryAt = -Infinity;
  /** Gap before the next update between batches: 500 ms, or 50 × what the last one cost, so it stays under ~2 % of training. */
  let boundaryGapMs = BOUNDARY_EVENT_GAP_MS;
  const sendBoundary = (epoch: number, batch: number) => {
    if (!boundaryGrid || !callbacks.onBoundary) return;
    const t0 = performance.now();
    callbacks.onBoundary({ epoch, batch, ...predictBoundary(model, boundaryGrid) });
    lastBoundaryAt = performance.now();
    boundaryGapMs = Math.max(BOUNDARY_EVENT_GAP_MS, 50 * (lastBoundaryAt - t0));
  };
  let partial: { loss: number; accuracy?: number } | undefined;

  const telemetryOn = options.telemetry !== undefined && config.telemetryEvery !== 0;
  const probe = telemetryOn ? new TelemetryProbe(model, options.telemetry!.layerNames, options.telemetry!.inputNodeId) : undefined;
  const schedule = telemetryOn ? new TelemetrySchedule(config.telemetryEvery, { totalSteps: batchesPerEpoch * config.epochs }) : undefined;
  const recorder = telemetryOn ? new TelemetryRecorder(batchesPerEpoch) : undefined;
  let step = 0;
  const scheduleContext = { learningRate: config.learningRate, batchesPerEpoch, epochs: config.epochs };
  const lower = earlyStopping?.metric.endsWith('loss') ?? true;
  /** The best epoch so far under early stopping, and (restoreBest) a copy of its weights. */
  let best: { epoch: number; value: number; weights?: tf.Tensor[] } | undefined;
  let stoppedEarly = false;
  const restoreBest = earlyStopping?.restoreBest ?? true;

  try {
  outer: for (let epoch = 1; epoch <= config.epochs; epoch++) {
    const order = config.shuffle ? trainIdx.slice() : trainIdx;
    if (config.shuffle) {
      const perm = seededPermutation(trainSize, random);
      for (let i = 0; i < trainSize; i++) order[i] = trainIdx[perm[i]!]!;
    }
    let epochLoss = 0;
    let epochAccuracy = 0;
    let epochSamples = 0;
    let epochActiveMs = 0;
    for (let batch = 1; batch <= batchesPerEpoch; batch++) {
      if (control?.paused) {
        callbacks.onPaused?.({ epoch, batch: batch - 1 });
        await control.waitWhilePaused();
        if (!control.stopped) callbacks.onResumed?.();
      }
      if (control?.stopped) break outer;
      const from = (batch - 1) * batchSize;
      const to = Math.min(trainSize, from + batchSize);
      const t0 = performance.now();
      step++;
      const learningRate = learningRateAt(config.lrSchedule, step - 1, scheduleContext);
      setLearningRate(optimizer, learningRate);
      const measured = probe !== undefined && schedule!.due(step, t0);
      // Without augmentation or workers, a 1-worker batch goes straight into tensors (batchTensors).
      const direct = !augment && !options.parallel;
      const gathered = direct ? undefined : gather(trainSource, order, from, to);
      const arrays = gathered && augment ? augmentGathered(gathered, augment, to - from, epoch, batch, config.seed, head, data.train.targets) : gathered;
      let result: number | number[];
      if (measured) probe.begin();
      try {
        if (options.parallel) {
          result = await options.parallel.trainOnBatch(model, optimizer, arrays!.x, arrays!.y, to - from, measured ? probe : undefined, clipPlan);
        } else {
          const { xs, ys } = arrays
            ? { xs: tf.tensor(arrays.x, [to - from, ...inputShape]), ys: tf.tensor(arrays.y, [to - from, width]) }
            : batchTensors(trainSource, order, from, to, inputShape);
          const trainStep = () => model.trainOnBatch(xs, ys);
          try {
            // Telemetry sees the gradients the step applies, i.e. after clipping.
            if (measured) result = await probe.wrapOptimizer(optimizer, trainStep, clipHooks);
            else if (clipPlan) result = await minimizeWith(model, optimizer, clipHooks, trainStep);
            else if (denseStep) result = denseStep.step(xs, ys);
            else result = await trainStep();
          } finally {
            xs.dispose();
            ys.dispose();
          }
        }
      } catch (error) {
        probe?.discard();
        throw error;
      }
      const telemetry = measured ? { epoch, batch, step, ...probe.finish() } : undefined;
      const dt = performance.now() - t0;
      schedule?.observe(step, t0, dt, measured);
      epochActiveMs += dt;
      trainingMs += dt;
      const [loss, accuracy] = Array.isArray(result) ? result : [result];
      const diverged = divergence.observeBatchLoss(loss!, { epoch, batch }, to - from);
      if (diverged && !Number.isFinite(loss)) {
        failure = diverged;
        break outer;
      }
      lastFiniteLoss = loss;
      const n = to - from;
      epochSamples += n;
      samplesSeen += n;
      epochLoss += loss! * lossScale * n;
      epochAccuracy += (accuracy ?? 0) * n;
      partial = withAccuracy ? { loss: epochLoss / epochSamples, accuracy: epochAccuracy / epochSamples } : { loss: epochLoss / epochSamples };
      const now = performance.now();
      if (callbacks.onBatch && now - lastBatchEventAt >= minBatchEventGapMs) {
        lastBatchEventAt = now;
        callbacks.onBatch({
          epoch,
          batch,
          batchesPerEpoch,
          loss: loss! * lossScale,
          ...(withAccuracy && accuracy !== undefined ? { accuracy } : {}),
          samplesPerSec: epochActiveMs > 0 ? (epochSamples * 1000) / epochActiveMs : 0,
          ...(config.lrSchedule ? { learningRate } : {}),
        });
      }
      if (telemetry) {
        recorder!.add(telemetry);
        callbacks.onTelemetry?.(telemetry);
      }
      if (diverged) {
        failure = diverged;
        break outer;
      }
      if (boundaryGrid && batch < batchesPerEpoch && performance.now() - lastBoundaryAt >= boundaryGapMs) sendBoundary(epoch, batch);
      // trainOnBatch settles on microtasks only; give queued messages (pause, stop) a chance to arrive.
      await yieldToEventLoop();
    }
    const metrics: EpochMetrics = { epoch, loss: epochLoss / epochSamples };
    if (withAccuracy) metrics.accuracy = epochAccuracy / epochSamples;
    if (valSize > 0) {
      const val = evaluate(valSplit, valIdx);
      // A non-finite validation loss ends the run; the epoch's training metrics are kept without it.
      failure = divergence.observeEvaluation('validation loss', val.loss, { epoch });
      if (!failure) {
        metrics.valLoss = val.loss;
        if (val.accuracy !== undefined) metrics.valAccuracy = val.accuracy;
      }
    }
    failure ??= divergence.observeWeightNorm(weightNorm(model), { epoch });
    epochs.push(metrics);
    partial = undefined;
    if (!failure && earlyStopping) {
      const value = watched(metrics, earlyStopping.metric);
      if (value !== undefined && (best === undefined || (lower ? value < best.value : value > best.value))) {
        if (best?.weights) tf.dispose(best.weights);
        // Clones share memory with the weights until the next update assigns new tensors, so a copy costs one model
        // of memory at most. model.weights includes the BatchNorm moving statistics.
        best = { epoch, value, ...(restoreBest ? { weights: model.weights.map((w) => tf.keep(tf.clone(w.read()))) } : {}) };
      } else if (best !== undefined && epoch - best.epoch >= earlyStopping.patience && epoch < config.epochs) {
        // Only before the last epoch: patience running out there ends nothing early, the run completes as it is.
        stoppedEarly = true;
      }
    }
    if (!failure) sendBoundary(epoch, batchesPerEpoch);
    callbacks.onEpoch?.({ ...metrics, elapsedMs: Date.now() - startedAtMs });
    if (failure || stoppedEarly) break;
    await yieldToEventLoop();
  }
  } catch (error) {
    if (best?.weights) tf.dispose(best.weights);
    throw error;
  } finally {
    probe?.dispose();
  }

  // Early stopping ended the run: the best epoch's weights go back in (the run ends here, so a data-parallel
  // replica thread needs no copy: only this model is evaluated and kept).
  const restored = stoppedEarly && !failure && best?.weights !== undefined;
  if (restored) model.setWeights(best!.weights!);
  if (best?.weights) tf.dispose(best.weights);

  // With the best weights restored, the final numbers describe them: that epoch's training metrics and a fresh
  // validation pass (test metrics below are taken on the restored model too).
  const last = restored ? epochs[best!.epoch - 1] : epochs[epochs.length - 1];
  let trainMetrics: { loss: number; accuracy?: number };
  if (last) trainMetrics = last;
  else if (partial) trainMetrics = partial; // stopped or failed inside the first epoch: the batches so far
  else if (!failure) trainMetrics = evaluate(data.train, trainIdx.subarray(0, Math.min(trainSize, 1024))); // stopped before any step
  // Diverged on the very first batch: nothing finite to report; summary.error says why (JSON cannot carry NaN).
  else trainMetrics = { loss: (lastFiniteLoss ?? 0) * lossScale };
  const final: FinalMetrics = {
    loss: trainMetrics.loss,
    ...(trainMetrics.accuracy !== undefined ? { accuracy: trainMetrics.accuracy } : {}),
  };
  if (restored && valSize > 0) {
    const val = evaluate(valSplit, valIdx);
    failure = divergence.observeEvaluation('validation loss', val.loss, { epoch: best!.epoch });
    if (!failure) {
      final.valLoss = val.loss;
      if (val.accuracy !== undefined) final.valAccuracy = val.accuracy;
    }
  } else {
    if (last?.valLoss !== undefined) final.valLoss = last.valLoss;
    if (last?.valAccuracy !== undefined) final.valAccuracy = last.valAccuracy;
  }
  const skipTest = control?.stopped === true && options.testOnStop === false;
  if (!failure && !skipTest && data.test.count > 0) {
    const test = scoreTest();
    failure = divergence.observeEvaluation('test loss', test.loss, { epoch: Math.max(1, epochs.length) });
    if (!failure) {
      final.testLoss = test.loss;
      if (test.accuracy !== undefined) final.testAccuracy = test.accuracy;
    }
  }
  optimizer.dispose();

  const finishedAt = Date.now();
  const summary: RunSummary = {
    id: options.runId,
    startedAt: new Date(startedAtMs).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    status: failure ? 'failed' : control?.stopped ? 'stopped' : 'completed',
    backend: options.backend.name,
    ...(options.parallel ? { workers: options.parallel.workers } : {}),
    config,
    epochs,
    final,
    samplesPerSec: trainingMs > 0 ? (samplesSeen * 1000) / trainingMs : 0,
    wallTimeMs: finishedAt - startedAtMs,
  };
  if (failure) summary.error = failure.reason;
  if (stoppedEarly && best) summary.earlyStopped = { bestEpoch: best.epoch, restoredBest: restored };
  if (recorder && recorder.samples > 0) summary.telemetry = recorder.toRecord();
  return failure ? { summary, failure } : { summary };
}
