/**
 * A slice of the loss landscape around trained weights (Li, Xu, Taylor, Studer & Goldstein 2018, "Visualizing the
 * Loss Landscape of Neural Nets"): the loss at w + α·d₁ (a line) and at w + α·d₁ + β·d₂ (a grid) for two seeded
 * random Gaussian directions, each *filter-normalised*: per filter (an output unit of a kernel) the direction is
 * rescaled to the norm of the same filter of the weights, so the picture does not depend on how each layer happens to
 * be scaled. As in the paper, biases and normalisation parameters (every weight of rank < 2) get a zero direction and
 * non-trainable state (BatchNorm's moving statistics) stays as trained.
 *
 * The loss is the head's training loss (mean over samples) in inference mode, on one fixed batch of training samples
 * drawn by the seed. Work is chunked per point and yields to the event loop between points, so the trainer process can
 * keep serving messages (a training run, a cancel) while a slice is computed. The weights are put back afterwards.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { LANDSCAPE_DEFAULTS, type LandscapeOptions, type LossLandscape } from '../../../shared/contracts/insight';
import type { HeadDesc } from '../../../shared/catalog/spec';
import type { DataInfo, LoadedDataset } from '../datasets/loadDataset';
import { createSeededRandom } from '../datasets/seededRandom';
import { leafLayers } from '../compiler/leafLayers';
import { categoricalCrossentropy } from '../training/fusedLosses';
import { evaluationBatchSize } from '../training/evaluationBatchSize';
import { featureSize, gatherInputs, gatherTargets, seededSampleIndices } from './insightBatch';

/** Thrown when a slice is cancelled; callers tell it from a failure by its class. */
export class LandscapeCancelledError extends Error {
  override readonly name = 'LandscapeCancelledError';
  constructor() {
    super('cancelled');
  }
}

export interface LandscapeProgress {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  readonly etaMs?: number;
}

export interface LossLandscapeRun extends LandscapeOptions {
  readonly runId: string;
  readonly signal?: AbortSignal;
  /** Called after the first point, then at most every `progressEveryMs`, and after the last point. */
  readonly onProgress?: (progress: LandscapeProgress) => void;
  readonly progressEveryMs?: number;
}

/**
 * How a kernel's values group into filters: value i belongs to filter floor(i / inner) % count (row-major layout).
 * Output units are the last axis in tfjs, except where noted below.
 */
export interface FilterLayout {
  readonly count: number;
  readonly inner: number;
}

export function filterLayoutOf(layerClass: string, weightName: string, shape: readonly number[]): FilterLayout {
  const rank = shape.length;
  const last = shape[rank - 1]!;
  const short = weightName.slice(weightName.lastIndexOf('/') + 1);
  // [kh, kw, in, multiplier]: each (input channel, multiplier) pair is one filter, i.e. one output channel.
  if (short.startsWith('depthwise_kernel')) return { count: shape[rank - 2]! * last, inner: 1 };
  // [kh, kw, out, in]: output channels are the second-to-last axis.
  if (layerClass === 'Conv2DTranspose' && short.startsWith('kernel')) return { count: shape[rank - 2]!, inner: last };
  // [vocabulary, dim]: one vector per token, like PyTorch's per-row filters of an embedding.
  if (short.startsWith('embeddings')) return { count: shape[0]!, inner: shape.slice(1).reduce((a, b) => a * b, 1) };
  return { count: last, inner: 1 };
}

/** Rescales `direction` in place so each filter has the norm of the same filter of `weights`. */
export function filterNormalize(direction: Float32Array, weights: Float32Array | ArrayLike<number>, layout: FilterLayout): Float32Array {
  const { count, inner } = layout;
  const dNorm = new Float64Array(count);
  const wNorm = new Float64Array(count);
  for (let i = 0; i < direction.length; i++) {
    const f = Math.floor(i / inner) % count;
    dNorm[f]! += direction[i]! * direction[i]!;
    wNorm[f]! += weights[i]! * weights[i]!;
  }
  const scale = new Float64Array(count);
  for (let f = 0; f < count; f++) scale[f] = dNorm[f]! > 0 ? Math.sqrt(wNorm[f]!) / Math.sqrt(dNorm[f]!) : 0;
  for (let i = 0; i < direction.length; i++) direction[i] = direction[i]! * scale[Math.floor(i / inner) % count]!;
  return direction;
}

/** One moved weight: its trained value and its two directions. */
export interface DirectionWeight {
  readonly variable: tfl.LayerVariable;
  readonly layout: FilterLayout;
  readonly origin: tf.Tensor;
  readonly d1: tf.Tensor;
  readonly d2: tf.Tensor;
}

/**
 * The two filter-normalised directions for every trainable weight of rank ≥ 2 (in layer order), drawn from
 * generators seeded per direction and weight so the same seed always gives the same directions. Caller disposes.
 */
export function landscapeDirections(model: tfl.LayersModel, seed: number): DirectionWeight[] {
  const moved: DirectionWeight[] = [];
  for (const layer of leafLayers(model)) {
    for (const variable of layer.trainableWeights) {
      if (variable.shape.length < 2 || variable.dtype !== 'float32') continue;
      const layout = filterLayoutOf(layer.getClassName(), variable.originalName, variable.shape.map((d) => d ?? 1));
      const origin = variable.read().clone();
      const weights = origin.dataSync() as Float32Array;
      const draw = (which: number) => {
        const random = createSeededRandom(`neural-bricks/landscape:${seed}:d${which}:w${moved.length}`);
        const values = new Float32Array(weights.length);
        for (let i = 0; i < values.length; i++) values[i] = random.normal();
        return tf.tensor(filterNormalize(values, weights, layout), origin.shape, 'float32');
      };
      moved.push({ variable, layout, origin, d1: draw(1), d2: draw(2) });
    }
  }
  return moved;
}

type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

/** The per-sample loss the trainer compiles for a head (see fusedLosses.ts), as a function. */
export function lossFunctionOf(loss: HeadDesc['loss']): LossFn {
  if (loss === 'categoricalCrossentropy') return categoricalCrossentropy;
  if (loss === 'binaryCrossentropy') return tfl.metrics.binaryCrossentropy;
  return tfl.metrics.meanSquaredError;
}

/** Evenly spaced points from −range to +range, ends included. */
export function offsets(range: number, steps: number): number[] {
  if (steps < 2) return [0];
  return Array.from({ length: steps }, (_, i) => (i === (steps - 1) / 2 ? 0 : -range + (2 * range * i) / (steps - 1)));
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function lossLandscape(
  model: tfl.LayersModel,
  head: Pick<HeadDesc, 'task' | 'loss'>,
  data: LoadedDataset<DataInfo>,
  run: LossLandscapeRun,
): Promise<LossLandscape> {
  const startedAt = performance.now();
  const seed = run.seed ?? LANDSCAPE_DEFAULTS.seed;
  const range = run.range ?? LANDSCAPE_DEFAULTS.range;
  const lineSteps = run.lineSteps ?? LANDSCAPE_DEFAULTS.lineSteps;
  const gridSize = run.gridSize ?? LANDSCAPE_DEFAULTS.gridSize;
  const alphas = offsets(range, lineSteps);
  const gridAxis = gridSize > 0 ? offsets(range, gridSize) : [];
  const total = 1 + alphas.length + gridAxis.length * gridAxis.length;

  const size = featureSize(data);
  const indices = seededSampleIndices(data.train.count, run.samples ?? LANDSCAPE_DEFAULTS.samples, seed);
  const { y, width } = gatherTargets(data.train, indices, size, head, data.info.classes, data.targetWidth);
  const xs = tf.tensor(gatherInputs(data.train, indices, size), [indices.length, ...data.info.inputShape]);
  const ys = tf.tensor(y, [indices.length, width]);
  const lossFn = lossFunctionOf(head.loss);
  const batchSize = evaluationBatchSize(model);
  // A regression on the user's table learns the standardised target: × std² puts the MSE in the target's own units,
  // the units of the run's loss curves, so the landscape's centre matches the run's last training loss.
  const lossScale = data.lossScale ?? 1;
  const lossNow = (): number => {
    const value = tf.tidy(() => {
      const predicted = model.predict(xs, { batchSize }) as tf.Tensor;
      return tf.mean(lossFn(ys, predicted)).dataSync()[0]!;
    });
    return value * lossScale;
  };

  const moved = landscapeDirections(model, seed);
  const moveTo = (alpha: number, beta: number) => {
    for (const w of moved) {
      const value = tf.tidy(() => tf.add(tf.add(w.origin, tf.mul(w.d1, alpha)), tf.mul(w.d2, beta)));
      w.variable.write(value);
      value.dispose();
    }
  };

  let done = 0;
  let lastReport = -Infinity;
  const every = run.progressEveryMs ?? 200;
  const step = async <T>(compute: () => T): Promise<T> => {
    if (run.signal?.aborted) throw new LandscapeCancelledError();
    const value = compute();
    done++;
    const now = performance.now();
    if (run.onProgress && (done === 1 || done === total || now - lastReport >= every)) {
      lastReport = now;
      const elapsedMs = now - startedAt;
      run.onProgress({ done, total, elapsedMs, etaMs: (elapsedMs / done) * (total - done) });
    }
    // Between points the trainer answers other messages (a cancel, a training run's pause).
    await yieldToEventLoop();
    return value;
  };
  const at = (alpha: number, beta: number) => () => {
    moveTo(alpha, beta);
    return finiteOrNull(lossNow());
  };

  try {
    const centerLoss = await step(() => finiteOrNull(lossNow()));
    const lineLosses: (number | null)[] = [];
    for (const alpha of alphas) lineLosses.push(await step(at(alpha, 0)));
    const gridLosses: (number | null)[] = [];
    for (const beta of gridAxis) for (const alpha of gridAxis) gridLosses.push(await step(at(alpha, beta)));
    return {
      runId: run.runId,
      datasetId: data.info.id,
      samples: indices.length,
      seed,
      range,
      backend: tf.getBackend(),
      centerLoss,
      line: { alphas, losses: lineLosses },
      grid: { alphas: gridAxis, betas: gridAxis, losses: gridLosses },
      directionParams: moved.reduce((n, w) => n + w.origin.size, 0),
      elapsedMs: performance.now() - startedAt,
    };
  } finally {
    for (const w of moved) {
      w.variable.write(w.origin);
      tf.dispose([w.origin, w.d1, w.d2]);
    }
    tf.dispose([xs, ys]);
  }
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/**
 * The loss a kept model was trained with, read from its last layer: our Output brick is always a Dense layer with
 * softmax (classification), sigmoid (binary) or no activation (regression) — shared/catalog/io.ts — and its model
 * files carry no training config.
 */
export function headOfModel(model: tfl.LayersModel): Pick<HeadDesc, 'task' | 'loss'> {
  const last = leafLayers(model).at(-1);
  const activation = last?.getConfig().activation;
  if (activation === 'softmax') return { task: 'classification', loss: 'categoricalCrossentropy' };
  if (activation === 'sigmoid') return { task: 'binary', loss: 'binaryCrossentropy' };
  return { task: 'regression', loss: 'meanSquaredError' };
}
