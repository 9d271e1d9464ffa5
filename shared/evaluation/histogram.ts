/**
 * Histograms with an automatic bin count, for residuals and other unbounded values. The bin width follows the
 * Freedman–Diaconis rule, width = 2 · IQR · n^(−1/3), which adapts to the spread of the bulk of the data and is not
 * thrown off by a few outliers; the count is capped so a long tail cannot produce thousands of bins.
 */

export interface Histogram {
  /** Bin edges, ascending: bin i covers [edges[i], edges[i+1]), the last bin also holds its upper edge. */
  readonly edges: number[];
  readonly counts: number[];
  /** Values left out because they were NaN or infinite (e.g. predictions of a diverged model). */
  readonly skipped: number;
}

export interface HistogramOptions {
  /** Upper bound on the number of bins (default 50). */
  readonly maxBins?: number;
}

export const DEFAULT_MAX_HISTOGRAM_BINS = 50;

/** A histogram of the finite values in `values`, with bins chosen by {@link binCount}. */
export function histogram(values: ArrayLike<number>, options: HistogramOptions = {}): Histogram {
  const finite = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) finite[n++] = v;
  }
  const sorted = finite.subarray(0, n).sort();
  return histogramOfSorted(sorted, values.length - n, options);
}

/**
 * {@link histogram} of values already sorted ascending and all finite, without copying them: large callers
 * (a reconstruction's residuals) sort their own buffer once. `skipped` is passed through to the result.
 */
export function histogramOfSorted(sorted: ArrayLike<number>, skipped = 0, options: HistogramOptions = {}): Histogram {
  const n = sorted.length;
  if (n === 0) return { edges: [], counts: [], skipped };
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  // All values equal: one unit-wide bin centred on them.
  if (min === max) return { edges: [min - 0.5, min + 0.5], counts: [n], skipped };
  const bins = binCount(sorted, options.maxBins ?? DEFAULT_MAX_HISTOGRAM_BINS);
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) counts[Math.min(bins - 1, Math.floor((sorted[i]! - min) / width))]!++;
  return { edges, counts, skipped };
}

/**
 * Number of equal-width bins for sorted finite values (at least two distinct), by Freedman–Diaconis:
 * ceil(range / (2 · IQR · n^(−1/3))). When the interquartile range is 0 (more than half the values equal) that
 * width is 0, so Sturges' rule, ceil(log2 n) + 1, is used instead. The result is clamped to [1, maxBins].
 */
export function binCount(sorted: ArrayLike<number>, maxBins = DEFAULT_MAX_HISTOGRAM_BINS): number {
  const n = sorted.length;
  const range = sorted[n - 1]! - sorted[0]!;
  const iqr = quantileOfSorted(sorted, 0.75) - quantileOfSorted(sorted, 0.25);
  const bins = iqr > 0 ? Math.ceil(range / (2 * iqr * Math.cbrt(1 / n))) : Math.ceil(Math.log2(n)) + 1;
  return Math.min(Math.max(1, maxBins), Math.max(1, bins));
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (NumPy's default method). */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}
