import { describe, expect, it } from 'vitest';
import type { Histogram, RunTelemetry } from '../../../../shared/contracts/telemetry';
import { commonRange, histogramChange, histogramNodes, mostChangedNode, nodeRidges, rebin } from './histogramRidges';

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function histogram(min: number, max: number, counts: number[]): Histogram {
  return { min, max, counts: [...counts, ...new Array<number>(16 - counts.length).fill(0)] };
}

describe('rebin', () => {
  it('keeps every count when moving a narrow histogram onto a wider range', () => {
    const h = histogram(-0.5, 0.3, [3, 0, 7, 12, 40, 2, 9, 1, 0, 0, 5, 8, 13, 2, 6, 4]);
    const out = rebin(h, -2, 1, 48);
    expect(sum(out)).toBeCloseTo(sum(h.counts), 9);
    // Nothing lands outside the histogram's own range.
    const width = 3 / 48;
    out.forEach((c, i) => {
      if (-2 + (i + 1) * width <= -0.5 || -2 + i * width >= 0.3) expect(c).toBe(0);
    });
  });

  it('splits a bin over the target bins it straddles in proportion to the overlap', () => {
    // One bin [0, 1) with 16 counts… the first of 16 bins over [0, 16]: [0, 1).
    const h = histogram(0, 16, [10]);
    const out = rebin(h, 0, 16, 32);
    expect(out[0]).toBeCloseTo(5);
    expect(out[1]).toBeCloseTo(5);
    expect(sum(out)).toBeCloseTo(10);
  });

  it('puts a one-point histogram (min = max) in the bin holding the point, and handles the range end', () => {
    const point = histogram(0.25, 0.25, [9]);
    const out = rebin(point, 0, 1, 4);
    expect(out).toEqual([0, 9, 0, 0]);
    const atEnd = rebin(histogram(1, 1, [4]), 0, 1, 4);
    expect(atEnd).toEqual([0, 0, 0, 4]);
    expect(sum(rebin(histogram(-1, 1, new Array(16).fill(1)), -1, 1, 7))).toBeCloseTo(16);
  });
});

describe('ridges', () => {
  const telemetry: RunTelemetry = {
    batchesPerEpoch: 5,
    steps: [1],
    nodes: {},
    histogramSteps: [1, 6, 11],
    histograms: {
      steady: { weights: [histogram(-1, 1, [0, 0, 0, 0, 0, 0, 0, 8, 8]), histogram(-1, 1, [0, 0, 0, 0, 0, 0, 0, 8, 8]), null] },
      moving: {
        weights: [histogram(-0.1, 0.1, [16]), null, histogram(0.5, 2, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16])],
        activations: [null, null, null],
      },
    },
  };

  it('puts every snapshot of a node on one range and keeps the gaps', () => {
    expect(commonRange(telemetry.histograms!.moving!.weights!)).toEqual({ min: -0.1, max: 2 });
    expect(commonRange([null])).toBeUndefined();
    expect(commonRange([histogram(0, 0, [3])])).toEqual({ min: -0.5, max: 0.5 });
    const ridges = nodeRidges(telemetry, 'moving', 'weights', 21)!;
    expect(ridges.ridges.map((r) => r.step)).toEqual([1, 6, 11]);
    expect(ridges.ridges[1]!.counts).toBeUndefined();
    expect(sum(ridges.ridges[0]!.counts!)).toBeCloseTo(16);
    expect(sum(ridges.ridges[2]!.counts!)).toBeCloseTo(16);
    expect(ridges.peak).toBeGreaterThan(0);
    expect(nodeRidges(telemetry, 'moving', 'activations')).toBeUndefined();
    expect(nodeRidges(telemetry, 'absent', 'weights')).toBeUndefined();
  });

  it('measures change from the first to the last snapshot and picks the node that moved most', () => {
    expect(histogramChange(nodeRidges(telemetry, 'steady', 'weights')!)).toBeCloseTo(0);
    expect(histogramChange(nodeRidges(telemetry, 'moving', 'weights')!)).toBeCloseTo(1);
    expect(histogramNodes(telemetry, 'weights', ['steady', 'moving'])).toEqual(['steady', 'moving']);
    expect(histogramNodes(telemetry, 'activations', [])).toEqual([]);
    expect(mostChangedNode(telemetry, 'weights', ['steady', 'moving'])).toBe('moving');
    expect(mostChangedNode(telemetry, 'activations', [])).toBeUndefined();
  });
});
