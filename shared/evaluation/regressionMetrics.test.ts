import { describe, expect, it } from 'vitest';
import { outputColumn, regressionMetrics, residuals } from './regressionMetrics';

describe('regressionMetrics', () => {
  it('computes MAE, MSE, RMSE and R² by hand', () => {
    // Errors 0, −1, 1, 0; targets' mean 2.5, total sum of squares 5.
    const { perOutput, average, sampleCount, outputCount } = regressionMetrics([1, 2, 3, 4], Float32Array.from([1, 3, 2, 4]));
    expect([sampleCount, outputCount]).toEqual([4, 1]);
    expect(perOutput[0]).toEqual({ meanAbsoluteError: 0.5, meanSquaredError: 0.5, rootMeanSquaredError: Math.sqrt(0.5), r2: 1 - 2 / 5 });
    expect(average).toEqual(perOutput[0]);
  });

  it('gives R² = 1 for perfect predictions and 0 for predicting the mean', () => {
    const targets = [3, -1, 4, 1, 5];
    const mean = targets.reduce((a, b) => a + b, 0) / targets.length;
    expect(regressionMetrics(targets, targets).average).toEqual({ meanAbsoluteError: 0, meanSquaredError: 0, rootMeanSquaredError: 0, r2: 1 });
    expect(regressionMetrics(targets, targets.map(() => mean)).average.r2).toBeCloseTo(0, 12);
    expect(regressionMetrics(targets, targets.map((y) => -y)).average.r2).toBeLessThan(0);
  });

  it('follows scikit-learn for constant targets: R² is 1 if perfect, else 0', () => {
    expect(regressionMetrics([2, 2, 2], [2, 2, 2]).average.r2).toBe(1);
    expect(regressionMetrics([2, 2, 2], [2, 2, 3]).average.r2).toBe(0);
  });

  it('scores each output of an N×D target and averages them uniformly', () => {
    // Output 0: targets 0, 2, errors 0, 0. Output 1: targets 1, 3, predictions 2, 3 → errors −1, 0.
    const result = regressionMetrics([0, 1, 2, 3], [0, 2, 2, 3], { outputCount: 2 });
    expect(result.sampleCount).toBe(2);
    expect(result.perOutput[0]).toEqual({ meanAbsoluteError: 0, meanSquaredError: 0, rootMeanSquaredError: 0, r2: 1 });
    expect(result.perOutput[1]).toEqual({ meanAbsoluteError: 0.5, meanSquaredError: 0.5, rootMeanSquaredError: Math.sqrt(0.5), r2: 1 - 1 / 2 });
    expect(result.average).toEqual({
      meanAbsoluteError: 0.25,
      meanSquaredError: 0.25,
      rootMeanSquaredError: Math.sqrt(0.5) / 2,
      r2: 0.75,
    });
    expect(regressionMetrics([0, 1, 2, 3], [0, 2, 2, 3], { sampleCount: 2 }).outputCount).toBe(2);
  });

  it('also scores every value pooled: R² against the mean of all targets, not averaged per output', () => {
    // Output 0 is constant (R² 0 for any error), output 1 is well predicted; pooled, the targets spread 0..3.
    const result = regressionMetrics([0, 1, 0, 3], [0.5, 1, 0, 3], { outputCount: 2 });
    expect(result.perOutput[0]!.r2).toBe(0);
    expect(result.average.r2).toBe(0.5);
    // Pooled: mean 1, Σ(y − ȳ)² = 1 + 0 + 1 + 4 = 6, Σ(y − ŷ)² = 0.25.
    expect(result.pooled).toEqual({ meanAbsoluteError: 0.125, meanSquaredError: 0.0625, rootMeanSquaredError: 0.25, r2: 1 - 0.25 / 6 });
    expect(regressionMetrics([1, 2], [1, 3]).pooled).toEqual(regressionMetrics([1, 2], [1, 3]).average);
  });

  it('pools the residuals y − ŷ of every output into one histogram', () => {
    const result = regressionMetrics([0, 1, 2, 3, 4, 5], [0, 2, 2, 3, 4, NaN], { outputCount: 3 });
    expect(result.residualHistogram.counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(result.residualHistogram.skipped).toBe(1);
    expect(result.residualHistogram.edges[0]).toBe(-1);
    expect(result.residualHistogram.edges.at(-1)).toBe(0);
  });

  it('handles an empty set and refuses mismatched shapes', () => {
    expect(regressionMetrics([], [], { outputCount: 2 }).perOutput).toEqual([
      { meanAbsoluteError: 0, meanSquaredError: 0, rootMeanSquaredError: 0, r2: 0 },
      { meanAbsoluteError: 0, meanSquaredError: 0, rootMeanSquaredError: 0, r2: 0 },
    ]);
    expect(() => regressionMetrics([1, 2], [1])).toThrow(RangeError);
    expect(() => regressionMetrics([1, 2, 3], [1, 2, 3], { outputCount: 2 })).toThrow(RangeError);
  });

  it('is plain JSON that survives a round trip', () => {
    const result = regressionMetrics([1, 2, 3, 4], [1.5, 2, 2.5, 4.5]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

describe('residuals and outputColumn', () => {
  it('subtract predictions from targets and pick one output column', () => {
    expect(Array.from(residuals([1, 2], [0.5, 3]))).toEqual([0.5, -1]);
    expect(Array.from(outputColumn([0, 1, 2, 3, 4, 5], 3, 1))).toEqual([1, 4]);
    expect(() => outputColumn([0, 1], 2, 2)).toThrow(RangeError);
  });
});
