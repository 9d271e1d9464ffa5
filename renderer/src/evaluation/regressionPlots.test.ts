import { describe, expect, it } from 'vitest';
import { histogramGeometry, niceTicks, scatterGeometry, tickLabel, formatValue, type PlotBox } from './regressionPlots';

const box: PlotBox = { width: 120, height: 120, left: 10, right: 10, top: 10, bottom: 10 };

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 × 10^k and widens the domain to whole steps', () => {
    expect(niceTicks(0, 1, 5)).toEqual({ lo: 0, hi: 1, step: 0.2, values: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    // 1.05 / 5 = 0.21: the next round step is 0.5 (never more than `count` intervals).
    expect(niceTicks(-0.13, 0.92, 5)).toMatchObject({ lo: -0.5, hi: 1, step: 0.5, values: [-0.5, 0, 0.5, 1] });
    expect(niceTicks(3, 97, 4)).toMatchObject({ lo: 0, hi: 100, step: 50, values: [0, 50, 100] });
    expect(niceTicks(0.1, 0.7, 6).values).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
  });

  it('gives a constant value some room', () => {
    const { lo, hi, values } = niceTicks(5, 5);
    expect(lo).toBeLessThan(5);
    expect(hi).toBeGreaterThan(5);
    expect(values.length).toBeGreaterThan(1);
    expect(niceTicks(0, 0)).toMatchObject({ lo: -1, hi: 1 });
  });
});

describe('labels', () => {
  it('shows as many decimals as the step needs, never -0', () => {
    expect(tickLabel(0.4, 0.2)).toBe('0.4');
    expect(tickLabel(1.25, 0.05)).toBe('1.25');
    expect(tickLabel(400, 200)).toBe('400');
    expect(tickLabel(-0.00000001, 0.1)).toBe('0.0');
  });

  it('writes metrics with four significant digits', () => {
    expect(formatValue(0.123456)).toBe('0.1235');
    expect(formatValue(1234.5678)).toBe('1235');
    expect(formatValue(0)).toBe('0');
    expect(formatValue(0.00001234)).toBe('1.23e-5');
  });
});

describe('scatterGeometry', () => {
  it('puts both axes on one scale: the diagonal is y = x corner to corner, perfect points lie on it', () => {
    const g = scatterGeometry({ trueValues: [0, 0.5, 1], predictedValues: [0, 0.5, 1] }, box);
    expect(g.domain).toEqual([0, 1]);
    expect(g.diagonal).toEqual({ x1: 10, y1: 110, x2: 110, y2: 10 });
    expect(g.points).toEqual([
      { cx: 10, cy: 110 },
      { cx: 60, cy: 60 },
      { cx: 110, cy: 10 },
    ]);
    expect(g.xTicks.map((t) => t.label)).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0']);
    expect(g.yTicks[0]).toEqual({ value: 0, at: 110, label: '0.0' });
  });

  it('covers predictions outside the true range, above the diagonal when over-predicted', () => {
    const g = scatterGeometry({ trueValues: [0, 1], predictedValues: [0.5, 2] }, box);
    expect(g.domain).toEqual([0, 2]);
    const [, high] = g.points;
    // true 1, predicted 2: halfway across, at the top.
    expect(high).toEqual({ cx: 60, cy: 10 });
  });
});

describe('histogramGeometry', () => {
  it('draws a bar per bin from the baseline, with zero on the axis even when every residual is positive', () => {
    const g = histogramGeometry({ edges: [1, 2, 3], counts: [4, 2] }, box);
    // x domain [0, 3] in steps of 0.5; y domain [0, 4].
    expect(g.zeroX).toBe(10);
    expect(g.bars.map((b) => b.count)).toEqual([4, 2]);
    expect(g.bars[0]!.x).toBeCloseTo(10 + 100 / 3, 9);
    expect(g.bars[1]!.x).toBeCloseTo(10 + 200 / 3, 9);
    for (const bar of g.bars) expect(bar.width).toBeCloseTo(100 / 3, 9);
    expect(g.bars[0]!.y).toBe(10);
    expect(g.bars[0]!.height).toBe(100);
    expect(g.bars[1]!.height).toBe(50);
    expect(g.xTicks.at(-1)).toMatchObject({ value: 3, at: 110 });
  });

  it('centres zero between negative and positive residuals', () => {
    const g = histogramGeometry({ edges: [-1, 0, 1], counts: [3, 3] }, box);
    expect(g.zeroX).toBe(60);
  });
});
