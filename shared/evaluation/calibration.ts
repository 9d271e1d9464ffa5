/**
 * Calibration: when the network says "90 % sure", is it right 90 % of the time? Samples are grouped by their
 * confidence (the probability of the predicted class) into equal-width bins; a well-calibrated model's accuracy
 * in each bin equals the bin's mean confidence. The bins draw a reliability diagram; ECE and MCE sum them up
 * (Guo et al., "On Calibration of Modern Neural Networks", 2017).
 */
import { checkLabels, predictClasses, readClassOutputs, type ClassOutputs } from './classOutputs';

export interface ReliabilityBin {
  /** The bin covers confidences in [lower, upper); the last bin also holds exactly 1. */
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean confidence of the bin's samples; null for an empty bin. */
  readonly meanConfidence: number | null;
  /** Fraction of the bin's samples predicted right; null for an empty bin. */
  readonly accuracy: number | null;
}

export interface Calibration {
  readonly bins: ReliabilityBin[];
  /** Expected calibration error: Σ (count / N) · |accuracy − meanConfidence| over the bins; 0 with no samples. */
  readonly expectedCalibrationError: number;
  /** Maximum calibration error: the largest |accuracy − meanConfidence| of a non-empty bin; 0 with no samples. */
  readonly maximumCalibrationError: number;
}

export interface CalibrationOptions {
  /** Number of equal-width bins over [0, 1] (default 10). */
  readonly binCount?: number;
  /** Columns per output row; needed only when there may be no samples. */
  readonly outputWidth?: number;
}

export const DEFAULT_CALIBRATION_BINS = 10;

/** Calibration of a classifier's outputs (N×C softmax or N×1 sigmoid, row-major) against the true classes. */
export function calibration(labels: ArrayLike<number>, probabilities: ArrayLike<number>, options: CalibrationOptions = {}): Calibration {
  return calibrationOf(labels, readClassOutputs(probabilities, labels.length, options.outputWidth), options.binCount);
}

/** {@link calibration} for outputs already read with `readClassOutputs`. */
export function calibrationOf(labels: ArrayLike<number>, outputs: ClassOutputs, binCount = DEFAULT_CALIBRATION_BINS): Calibration {
  checkLabels(labels, outputs);
  const { predicted, confidence } = predictClasses(outputs);
  const correct = predicted.map((p, i) => (p === labels[i] ? 1 : 0));
  return calibrationFromConfidence(confidence, correct, binCount);
}

/**
 * Calibration from each sample's confidence in [0, 1] and whether its prediction was right (1) or wrong (0): the
 * primitive behind {@link calibration}, for callers that score predictions another way. Samples whose confidence
 * is NaN (a diverged model) are left out.
 */
export function calibrationFromConfidence(
  confidence: ArrayLike<number>,
  correct: ArrayLike<number>,
  binCount = DEFAULT_CALIBRATION_BINS,
): Calibration {
  if (!Number.isInteger(binCount) || binCount < 1) throw new RangeError(`binCount must be a positive whole number, got ${binCount}`);
  if (confidence.length !== correct.length) throw new RangeError(`${confidence.length} confidences for ${correct.length} outcomes`);
  const counts = new Array<number>(binCount).fill(0);
  const confidenceSums = new Array<number>(binCount).fill(0);
  const correctCounts = new Array<number>(binCount).fill(0);
  for (let i = 0; i < confidence.length; i++) {
    const c = confidence[i]!;
    if (Number.isNaN(c)) continue;
    // floor(c · B) puts c in [b/B, (b+1)/B); clamping folds c = 1 into the last bin (and guards rounding).
    const bin = Math.min(binCount - 1, Math.max(0, Math.floor(c * binCount)));
    counts[bin]!++;
    confidenceSums[bin]! += c;
    correctCounts[bin]! += correct[i] ? 1 : 0;
  }
  const total = counts.reduce((a, b) => a + b, 0);
  let expected = 0;
  let maximum = 0;
  const bins = counts.map((count, b): ReliabilityBin => {
    const bounds = { lower: b / binCount, upper: (b + 1) / binCount, count };
    if (count === 0) return { ...bounds, meanConfidence: null, accuracy: null };
    const meanConfidence = confidenceSums[b]! / count;
    const accuracy = correctCounts[b]! / count;
    const gap = Math.abs(accuracy - meanConfidence);
    expected += (count / total) * gap;
    maximum = Math.max(maximum, gap);
    return { ...bounds, meanConfidence, accuracy };
  });
  return { bins, expectedCalibrationError: expected, maximumCalibrationError: maximum };
}
