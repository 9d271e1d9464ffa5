import { describe, expect, it } from 'vitest';
import type { SignalPropagation } from '../../../../shared/contracts/insight';
import { formatSignalValue, logScale, polylinePoints, signalLines } from './signalPlot';

const result = (stats: [number | null, number | null][]): SignalPropagation => ({
  datasetId: 'spirals',
  samples: 10,
  seed: 1,
  backend: 'cpu',
  elapsedMs: 1,
  nodes: stats.map(([m, v], i) => ({ nodeId: `n${i}`, type: 'Dense', layer: `n${i}`, shape: [4], channels: 4, avgSquaredMean: m, avgVariance: v })),
});

describe('signal plot math', () => {
  it('spans whole decades around the values, top = max', () => {
    const s = logScale([0.003, 0.2, 45], 10, 110);
    expect(s.min).toBe(1e-3);
    expect(s.max).toBe(100);
    expect(s.ticks).toEqual([1e-3, 1e-2, 1e-1, 1, 10, 100]);
    expect(s.y(100)).toBeCloseTo(10);
    expect(s.y(1e-3)).toBeCloseTo(110);
    expect(s.y(0.1)).toBeCloseTo(110 - (2 / 5) * 100);
  });

  it('keeps one decade when all values are equal or none are positive, and thins the ticks of a wide span', () => {
    expect(logScale([1, 1], 0, 100).ticks).toEqual([1, 10]);
    expect(logScale([0], 0, 100).ticks).toEqual([0.1, 1, 10]);
    expect(logScale([1e-20, 1e10], 0, 100).ticks.length).toBeLessThanOrEqual(9);
  });

  it('leaves zeros and overflows out of the lines and lists them', () => {
    const lines = signalLines(result([[0.5, 1], [0, 2], [null, null], [0.1, 0.2]]));
    expect(lines.squaredMean.map((p) => p.index)).toEqual([0, 3]);
    expect(lines.variance.map((p) => p.index)).toEqual([0, 1, 3]);
    expect(lines.undrawable).toEqual([1, 2]);
    const s = logScale([0.1, 1], 0, 100);
    expect(polylinePoints(lines.squaredMean, (i) => i * 10, s)).toBe('0.0,30.1 30.0,100.0') // 0.5 sits log10(5) ≈ 0.699 of a decade up;
  });

  it('formats read-out values', () => {
    expect(formatSignalValue(null)).toBe('overflow');
    expect(formatSignalValue(0.000012)).toBe('1.20e-5');
    expect(formatSignalValue(0.5)).toBe('0.500');
  });
});
