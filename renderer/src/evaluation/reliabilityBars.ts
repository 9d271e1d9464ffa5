/** Geometry of a reliability diagram: one bar per non-empty calibration bin, in a unit square (y up). */
import type { Calibration } from '../../../shared/evaluation';

export interface ReliabilityBar {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Height of the bar: the bin's accuracy. */
  readonly accuracy: number;
  /** Where a calibrated model's bar would end: the bin's mean confidence. */
  readonly meanConfidence: number;
  /** accuracy − meanConfidence: below zero the model is over-confident in this bin. */
  readonly gap: number;
}

export function reliabilityBars(calibration: Calibration): ReliabilityBar[] {
  return calibration.bins.flatMap((bin) =>
    bin.count > 0 && bin.accuracy !== null && bin.meanConfidence !== null
      ? [{ lower: bin.lower, upper: bin.upper, count: bin.count, accuracy: bin.accuracy, meanConfidence: bin.meanConfidence, gap: bin.accuracy - bin.meanConfidence }]
      : [],
  );
}
