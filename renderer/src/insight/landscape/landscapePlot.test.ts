import { describe, expect, it } from 'vitest';
import { contourLevels, contourSegments, formatEta, linearScale, lossExtent, normalizedLoss, rampColor } from './landscapePlot';

describe('landscape plot math', () => {
  it('scales linearly, also onto a flipped range', () => {
    const y = linearScale(-1, 1, 200, 0);
    expect(y(-1)).toBe(200);
    expect(y(0)).toBe(100);
    expect(y(1)).toBe(0);
  });

  it('takes the extent of the finite losses and is log when all are positive', () => {
    expect(lossExtent([0.5, null, 8])).toEqual({ min: 0.5, max: 8, log: true });
    expect(lossExtent([0, 2])).toEqual({ min: 0, max: 2, log: false });
    expect(lossExtent([null])).toBeUndefined();
  });

  it('spaces contour levels evenly on the log scale, strictly inside the extent', () => {
    const levels = contourLevels({ min: 1, max: 1000, log: true }, 2);
    expect(levels[0]).toBeCloseTo(10);
    expect(levels[1]).toBeCloseTo(100);
    expect(contourLevels({ min: 0, max: 4, log: false }, 3)).toEqual([1, 2, 3]);
    expect(contourLevels({ min: 2, max: 2, log: true }, 5)).toEqual([]);
  });

  it('normalises a loss for the colour ramp and clamps it', () => {
    const extent = { min: 1, max: 100, log: true };
    expect(normalizedLoss(10, extent)).toBeCloseTo(0.5);
    expect(normalizedLoss(1000, extent)).toBe(1);
    expect(rampColor(0)).toBe('rgb(68, 1, 84)');
    expect(rampColor(1)).toBe('rgb(253, 231, 37)');
  });

  it('draws contours where the interpolated surface equals the level (a bowl gives a closed ring)', () => {
    const n = 9;
    const values: number[] = [];
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) values.push((i - 4) ** 2 + (j - 4) ** 2);
    const level = 6.5;
    const segments = contourSegments(values, n, n, level);
    expect(segments.length).toBeGreaterThan(8);
    // Every end lies on a cell edge where linear interpolation of the two corners gives the level.
    const f = (x: number, y: number) => (x - 4) ** 2 + (y - 4) ** 2;
    for (const [x0, y0, x1, y1] of segments) {
      for (const [x, y] of [
        [x0, y0],
        [x1, y1],
      ] as const) {
        const onVertical = Number.isInteger(x);
        const a = onVertical ? f(x, Math.floor(y)) : f(Math.floor(x), y);
        const b = onVertical ? f(x, Math.ceil(y)) : f(Math.ceil(x), y);
        const t = onVertical ? y - Math.floor(y) : x - Math.floor(x);
        expect(a + t * (b - a)).toBeCloseTo(level, 6);
      }
    }
    // Closed: every end point is shared by exactly two segments.
    const key = (x: number, y: number) => `${x.toFixed(6)},${y.toFixed(6)}`;
    const count = new Map<string, number>();
    for (const [x0, y0, x1, y1] of segments) for (const k of [key(x0, y0), key(x1, y1)]) count.set(k, (count.get(k) ?? 0) + 1);
    expect([...count.values()].every((c) => c === 2)).toBe(true);
  });

  it('skips cells with an overflowed value', () => {
    expect(contourSegments([0, 2, null, 2], 2, 2, 1)).toEqual([]);
  });

  it('says how long is left', () => {
    expect(formatEta(undefined)).toBe('estimating…');
    expect(formatEta(12_300)).toBe('about 12 s left');
    expect(formatEta(300_000)).toBe('about 5 min left');
  });
});
