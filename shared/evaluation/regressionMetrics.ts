/**
 * Metrics of a regression head, in the target's own units: mean absolute error, mean squared error, its root and
 * the coefficient of determination R², per output column and averaged over columns, plus a histogram of residuals.
 * Typed arrays in, plain JSON-ready numbers out.
 */
import { histogramOfSorted, type Histogram, type HistogramOptions } from './histogram';

export interface RegressionScores {
  readonly meanAbsoluteError: number;
  readonly meanSquaredError: number;
  readonly rootMeanSquaredError: number;
  /**
   * 1 − Σ(y − ŷ)² / Σ(y − ȳ)²: 1 for perfect predictions, 0 for always predicting the mean, negative for worse.
   * When the targets are constant the ratio is 0/0 or x/0; as scikit-learn's `r2_score` (force_finite) it is then
   * 1 if the predictions are perfect and 0 otherwise.
   */
  readonly r2: number;
}

export interface RegressionMetrics {
  readonly sampleCount: number;
  readonly outputCount: number;
  /** Scores of each output column (target dimension). */
  readonly perOutput: RegressionScores[];
  /** Unweighted mean of the per-output scores (scikit-learn's `multioutput='uniform_average'`; RMSE is the mean of the RMSEs). */
  readonly average: RegressionScores;
  /**
   * Every value of every output scored as one column (R² against the mean of all of them): the score of a
   * reconstruction, whose outputs share units and where a nearly constant pixel's own R² says little.
   */
  readonly pooled: RegressionScores;
  /** Residuals y − ŷ of every output pooled together. */
  readonly residualHistogram: Histogram;
}

export interface RegressionMetricsOptions extends HistogramOptions {
  /** Columns per row (D); needed only when there may be no samples (otherwise inferred from the lengths). */
  readonly outputCount?: number;
  /** Rows (N); defaults to `targets.length / outputCount`, or `targets.length` when neither is given. */
  readonly sampleCount?: number;
}

/**
 * Scores `predictions` against `targets`, both row-major N×D (D = 1 for a single target). Without `outputCount`
 * or `sampleCount`, each value is one sample of a single output. With no samples every score is 0.
 */
export function regressionMetrics(
  targets: ArrayLike<number>,
  predictions: ArrayLike<number>,
  options: RegressionMetricsOptions = {},
): RegressionMetrics {
  if (targets.length !== predictions.length) throw new RangeError(`${targets.length} targets for ${predictions.length} predictions`);
  const { sampleCount, outputCount } = layout(targets.length, options);
  const perOutput = Array.from({ length: outputCount }, (_, d) => scoreColumn(targets, predictions, sampleCount, outputCount, d));
  const mean = (pick: (s: RegressionScores) => number): number =>
    outputCount === 0 ? 0 : perOutput.reduce((total, s) => total + pick(s), 0) / outputCount;
  return {
    sampleCount,
    outputCount,
    perOutput,
    average: {
      meanAbsoluteError: mean((s) => s.meanAbsoluteError),
      meanSquaredError: mean((s) => s.meanSquaredError),
      rootMeanSquaredError: mean((s) => s.rootMeanSquaredError),
      r2: mean((s) => s.r2),
    },
    pooled: scoreColumn(targets, predictions, sampleCount * outputCount, 1, 0),
    residualHistogram: residualHistogram(targets, predictions, options),
  };
}

/** Residuals y − ŷ, element by element. */
export function residuals(targets: ArrayLike<number>, predictions: ArrayLike<number>): Float64Array {
  if (targets.length !== predictions.length) throw new RangeError(`${targets.length} targets for ${predictions.length} predictions`);
  return Float64Array.from({ length: targets.length }, (_, i) => targets[i]! - predictions[i]!);
}

/** A histogram of the residuals y − ŷ (to histogram one output, pass its column from {@link outputColumn}). */
export function residualHistogram(targets: ArrayLike<number>, predictions: ArrayLike<number>, options: HistogramOptions = {}): Histogram {
  const all = residuals(targets, predictions);
  let n = 0;
  for (const r of all) if (Number.isFinite(r)) all[n++] = r;
  return histogramOfSorted(all.subarray(0, n).sort(), all.length - n, options);
}

/** Column `output` of a row-major N×D array, e.g. to plot predicted against true for one target. */
export function outputColumn(values: ArrayLike<number>, outputCount: number, output: number): Float64Array {
  if (output < 0 || output >= outputCount) throw new RangeError(`output ${output} is not in 0..${outputCount - 1}`);
  return Float64Array.from({ length: Math.floor(values.length / outputCount) }, (_, i) => values[i * outputCount + output]!);
}

function layout(length: number, options: RegressionMetricsOptions): { sampleCount: number; outputCount: number } {
  const outputCount = options.outputCount ?? (options.sampleCount ? length / options.sampleCount : 1);
  const sampleCount = options.sampleCount ?? (outputCount > 0 ? length / outputCount : 0);
  if (!Number.isInteger(outputCount) || outputCount < 1 || !Number.isInteger(sampleCount) || sampleCount * outputCount !== length) {
    throw new RangeError(`${length} values do not form ${options.sampleCount ?? 'N'}×${options.outputCount ?? 'D'} rows`);
  }
  return { sampleCount, outputCount };
}

function scoreColumn(
  targets: ArrayLike<number>,
  predictions: ArrayLike<number>,
  sampleCount: number,
  outputCount: number,
  d: number,
): RegressionScores {
  if (sampleCount === 0) return { meanAbsoluteError: 0, meanSquaredError: 0, rootMeanSquaredError: 0, r2: 0 };
  let targetSum = 0;
  for (let i = 0; i < sampleCount; i++) targetSum += targets[i * outputCount + d]!;
  const targetMean = targetSum / sampleCount;
  let absoluteSum = 0;
  let squaredSum = 0;
  let totalSquares = 0;
  for (let i = 0; i < sampleCount; i++) {
    const y = targets[i * outputCount + d]!;
    const error = y - predictions[i * outputCount + d]!;
    absoluteSum += Math.abs(error);
    squaredSum += error * error;
    totalSquares += (y - targetMean) * (y - targetMean);
  }
  const meanSquaredError = squaredSum / sampleCount;
  return {
    meanAbsoluteError: absoluteSum / sampleCount,
    meanSquaredError,
    rootMeanSquaredError: Math.sqrt(meanSquaredError),
    r2: totalSquares === 0 ? (squaredSum === 0 ? 1 : 0) : 1 - squaredSum / totalSquares,
  };
}
