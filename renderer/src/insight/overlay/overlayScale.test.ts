import { describe, expect, it } from 'vitest';
import { colorAt, edgeWidthForStd, formatSignal, latestValue, PALETTE, scaleFor, scalePosition, sparklineSegments } from './overlayScale';

describe('scaleFor / scalePosition', () => {
  it('spans the graph range of gradient norms on a log scale', () => {
    const scale = scaleFor('gradients', [1e-5, 1e-3, 0.1]);
    expect(scale).toEqual({ log: true, min: -5, max: -1 });
    expect(scalePosition(1e-5, scale)).toBe(0);
    expect(scalePosition(1e-3, scale)).toBeCloseTo(0.5, 12);
    expect(scalePosition(0.1, scale)).toBe(1);
    expect(scalePosition(10, scale)).toBe(1);
  });

  it('widens a narrow range to one decade so small differences are not painted as extremes', () => {
    const scale = scaleFor('activations', [0.9, 1.1]);
    expect(scale.max - scale.min).toBeCloseTo(1, 12);
    expect(scalePosition(1, scale)).toBeCloseTo(0.5, 1);
  });

  it('puts zero gradients below the smallest positive one, not off the scale', () => {
    const scale = scaleFor('gradients', [0, 1e-2, 1]);
    expect(scale.min).toBe(-3);
    expect(scalePosition(0, scale)).toBe(0);
  });

  it('uses 0..1 for dead units and a fixed decade range with the healthy band for update ratios', () => {
    expect(scaleFor('dead', [0.2])).toEqual({ log: false, min: 0, max: 1 });
    expect(scalePosition(0.25, scaleFor('dead', []))).toBe(0.25);
    expect(scaleFor('updates', [1e-3])).toEqual({ log: true, min: -6, max: 0, band: [-4, -2] });
    expect(scaleFor('updates', [30, 1e-8])).toMatchObject({ min: -8, max: 2 });
  });
});

describe('colorAt', () => {
  it('runs from the first to the last palette colour and interpolates between stops', () => {
    expect(colorAt(0)).toBe(`rgb(${PALETTE[0]!.join(', ')})`);
    expect(colorAt(1)).toBe(`rgb(${PALETTE[PALETTE.length - 1]!.join(', ')})`);
    expect(colorAt(-3)).toBe(colorAt(0));
    expect(colorAt(Number.NaN)).toBe(colorAt(0));
    const half = 0.5 / (PALETTE.length - 1);
    const a = PALETTE[0]!;
    const b = PALETTE[1]!;
    expect(colorAt(half)).toBe(`rgb(${a.map((c, k) => Math.round((c + b[k]!) / 2)).join(', ')})`);
  });
});

describe('sparklineSegments', () => {
  it('maps a series onto the box, highest value at the top', () => {
    expect(sparklineSegments([0, 1, 2], 20, 10, false, 0)).toEqual(['0,10 10,5 20,0']);
  });

  it('uses log units for log modes', () => {
    expect(sparklineSegments([1e-4, 1e-2, 1], 20, 10, true, 0)).toEqual(['0,10 10,5 20,0']);
  });

  it('breaks the line at missing values and draws a lone point as a short segment', () => {
    expect(sparklineSegments([1, 3, null, 2], 30, 10, false, 0)).toEqual(['0,10 10,0', '30,5 30.5,5']);
  });

  it('draws a flat series in the middle and nothing for an empty one', () => {
    expect(sparklineSegments([4, 4], 10, 8, false, 0)).toEqual(['0,4 10,4']);
    expect(sparklineSegments([], 10, 8, false)).toEqual([]);
    expect(sparklineSegments([null, null], 10, 8, false)).toEqual([]);
  });

  it('thins long series evenly, keeping the newest point and the range of the whole series', () => {
    const series = Array.from({ length: 256 }, (_, i) => (i === 5 ? 100 : i % 2));
    const [line] = sparklineSegments(series, 255, 10, false, 0, 64);
    const points = line!.split(' ');
    expect(points).toHaveLength(65);
    expect(points[points.length - 1]).toBe('255,9.9');
    // The spike at index 5 was thinned away, but it still sets the top of the range: 1 sits at 9.9, not at the top.
    expect(points[1]).toBe('4,10');
    expect(sparklineSegments(series.slice(0, 64), 63, 10, false, 0, 64)[0]!.split(' ')).toHaveLength(64);
  });

  it('draws values a log scale cannot show at the lowest point', () => {
    expect(sparklineSegments([0, 1e-2, 1], 20, 10, true, 0)).toEqual(['0,10 10,10 20,0']);
  });
});

describe('latestValue, edgeWidthForStd, formatSignal', () => {
  it('takes the newest finite value', () => {
    expect(latestValue([1, 2, null])).toBe(2);
    expect(latestValue([null])).toBeUndefined();
    expect(latestValue(undefined)).toBeUndefined();
  });

  it('grows the edge 1.5 px per decade of activation scale, within bounds', () => {
    expect(edgeWidthForStd(0.01)).toBeCloseTo(1, 12);
    expect(edgeWidthForStd(1)).toBeCloseTo(4, 12);
    expect(edgeWidthForStd(1e9)).toBe(6);
    expect(edgeWidthForStd(0)).toBe(0.75);
  });

  it('formats numbers and fractions for people', () => {
    expect(formatSignal(0.012345)).toBe('0.0123');
    expect(formatSignal(2.5e-5)).toBe('2.50e-5');
    expect(formatSignal(123456)).toBe('1.23e5');
    expect(formatSignal(0)).toBe('0');
    expect(formatSignal(0.625, 'fraction')).toBe('63 %');
    expect(formatSignal(0.004, 'fraction')).toBe('0.4 %');
  });
});
