import { describe, expect, it } from 'vitest';
import { calibration, calibrationFromConfidence } from './calibration';

describe('calibrationFromConfidence', () => {
  it('bins by confidence and measures ECE and MCE on a crafted case', () => {
    // Bin 9: four at 0.95, three right (gap 0.2). Bin 6: 0.62 right, 0.68 wrong (gap 0.15). Bin 3: 0.3 right (gap 0.7).
    const result = calibrationFromConfidence([0.95, 0.95, 0.95, 0.95, 0.62, 0.68, 0.3], [1, 1, 1, 0, 1, 0, 1]);
    expect(result.bins).toHaveLength(10);
    expect(result.bins.map((b) => b.count)).toEqual([0, 0, 0, 1, 0, 0, 2, 0, 0, 4]);
    const bin9 = result.bins[9]!;
    expect(bin9.lower).toBeCloseTo(0.9, 12);
    expect(bin9.upper).toBe(1);
    expect(bin9.meanConfidence).toBeCloseTo(0.95, 12);
    expect(bin9.accuracy).toBe(0.75);
    expect(result.bins[6]!.meanConfidence).toBeCloseTo(0.65, 12);
    expect(result.bins[6]!.accuracy).toBe(0.5);
    expect(result.bins[0]).toEqual({ lower: 0, upper: 0.1, count: 0, meanConfidence: null, accuracy: null });
    expect(result.expectedCalibrationError).toBeCloseTo((4 * 0.2 + 2 * 0.15 + 1 * 0.7) / 7, 12);
    expect(result.maximumCalibrationError).toBeCloseTo(0.7, 12);
  });

  it('puts a bin edge in the upper bin and a confidence of 1 in the last bin', () => {
    const result = calibrationFromConfidence([0, 0.3, 0.5, 1], [1, 1, 1, 1], 10);
    expect(result.bins.map((b) => b.count)).toEqual([1, 0, 0, 1, 0, 1, 0, 0, 0, 1]);
  });

  it('is zero for a perfectly calibrated model', () => {
    // Confidence 0.75 and three out of four right.
    const result = calibrationFromConfidence([0.75, 0.75, 0.75, 0.75], [1, 1, 0, 1], 4);
    expect(result.expectedCalibrationError).toBe(0);
    expect(result.maximumCalibrationError).toBe(0);
    expect(result.bins.map((b) => b.count)).toEqual([0, 0, 0, 4]);
  });

  it('gives zeros with no samples, leaves out NaN confidences and refuses bad bin counts', () => {
    expect(calibrationFromConfidence([], []).expectedCalibrationError).toBe(0);
    const withNaN = calibrationFromConfidence([NaN, 0.95], [0, 1]);
    expect(withNaN.bins.reduce((n, b) => n + b.count, 0)).toBe(1);
    expect(withNaN.expectedCalibrationError).toBeCloseTo(0.05, 12);
    expect(() => calibrationFromConfidence([0.5], [1], 0)).toThrow(RangeError);
    expect(() => calibrationFromConfidence([0.5], [1, 0])).toThrow(RangeError);
  });
});

describe('calibration', () => {
  it('uses the probability of the predicted class as confidence', () => {
    // Softmax rows: predicts 0 at 0.9 (right), predicts 1 at 0.6 (wrong).
    const result = calibration([0, 0], [0.9, 0.1, 0.4, 0.6], { binCount: 5 });
    expect(result.bins[4]).toMatchObject({ count: 1, accuracy: 1 });
    expect(result.bins[4]!.meanConfidence).toBeCloseTo(0.9, 12);
    expect(result.bins[3]).toMatchObject({ count: 1, accuracy: 0 });
    expect(result.expectedCalibrationError).toBeCloseTo((0.1 + 0.6) / 2, 12);
  });

  it('reads a sigmoid output as confidence max(p, 1 − p)', () => {
    const result = calibration([1, 1], [0.9, 0.2], { binCount: 10 });
    expect(result.bins[9]!.count).toBe(1);
    expect(result.bins[8]).toMatchObject({ count: 1, accuracy: 0 });
    expect(result.bins[8]!.meanConfidence).toBeCloseTo(0.8, 12);
  });
});
