import { describe, expect, it } from 'vitest';
import { binCount, histogram, quantileOfSorted } from './histogram';

describe('histogram', () => {
  it('chooses the bin width by Freedman–Diaconis', () => {
    // 1..8: IQR = 6.25 − 2.75 = 3.5, width = 2 · 3.5 / ∛8 = 3.5, range 7 → 2 bins.
    const result = histogram([8, 1, 2, 3, 4, 5, 6, 7]);
    expect(result.edges).toEqual([1, 4.5, 8]);
    expect(result.counts).toEqual([4, 4]);
    expect(result.skipped).toBe(0);
  });

  it('falls back to Sturges when the interquartile range is zero', () => {
    // Seven zeros and a 10: IQR 0, so ceil(log2 8) + 1 = 4 bins.
    const result = histogram([0, 0, 0, 0, 0, 0, 0, 10]);
    expect(result.counts).toEqual([7, 0, 0, 1]);
    expect(result.edges).toEqual([0, 2.5, 5, 7.5, 10]);
  });

  it('caps the number of bins when a far outlier stretches the range', () => {
    const values = [...Array.from({ length: 1000 }, (_, i) => i / 1000), 1e9];
    const result = histogram(values, { maxBins: 30 });
    expect(result.counts).toHaveLength(30);
    expect(result.counts.reduce((a, b) => a + b, 0)).toBe(1001);
    expect(result.counts[29]).toBe(1);
  });

  it('gives equal values one unit-wide bin, no values no bins, and skips non-finite values', () => {
    expect(histogram([3, 3, 3])).toEqual({ edges: [2.5, 3.5], counts: [3], skipped: 0 });
    expect(histogram([])).toEqual({ edges: [], counts: [], skipped: 0 });
    expect(histogram([NaN, Infinity, 1, 1])).toEqual({ edges: [0.5, 1.5], counts: [2], skipped: 2 });
  });

  it('always counts every finite value once', () => {
    const values = Float32Array.from({ length: 997 }, (_, i) => Math.sin(i) * Math.exp(i % 7));
    const result = histogram(values);
    expect(result.counts.reduce((a, b) => a + b, 0)).toBe(997);
    expect(result.edges).toHaveLength(result.counts.length + 1);
    expect(binCount(Float64Array.from(values).sort())).toBe(result.counts.length);
  });
});

describe('quantileOfSorted', () => {
  it('interpolates linearly as NumPy does', () => {
    expect(quantileOfSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantileOfSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileOfSorted([1, 2, 3, 4], 1)).toBe(4);
    expect(quantileOfSorted([5], 0.75)).toBe(5);
  });
});
