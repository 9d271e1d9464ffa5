import { describe, expect, it } from 'vitest';
import { columnAt, columnEdges, epochTicks, stepLabel, stepToEpochX } from './stepAxis';

describe('step labels', () => {
  it('names the epoch and batch of a global step and its x on the loss chart', () => {
    expect(stepLabel(1, 50)).toBe('epoch 1, batch 1');
    expect(stepLabel(50, 50)).toBe('epoch 1, batch 50');
    expect(stepLabel(51, 50)).toBe('epoch 2, batch 1');
    expect(stepToEpochX(75, 50)).toBe(1.5);
  });

  it('ticks the first recorded column of every epoch while they fit', () => {
    const steps = [1, 20, 40, 60, 80, 100, 120];
    expect(epochTicks(steps, 50, 10)).toEqual([
      { column: 0, label: '1' },
      { column: 3, label: '2' },
      { column: 6, label: '3' },
    ]);
  });

  it('thins ticks to multiples of a nice stride when there are too many', () => {
    const steps = Array.from({ length: 200 }, (_, i) => i * 10 + 1);
    const ticks = epochTicks(steps, 10, 6);
    expect(ticks.map((t) => t.label)).toEqual(['50', '100', '150', '200']);
    expect(ticks[0]!.column).toBe(49);
    expect(epochTicks(steps, 10, 40).map((t) => t.label).slice(0, 2)).toEqual(['5', '10']);
  });

  it('gives a run still in its first epoch one tick, and nothing for no steps', () => {
    expect(epochTicks([1, 5, 9], 100, 5)).toEqual([{ column: 0, label: '1' }]);
    expect(epochTicks([], 100, 5)).toEqual([]);
  });
});

describe('columnEdges', () => {
  it('gives evenly recorded steps equal columns', () => {
    expect(columnEdges([10, 20, 30, 40], 400)).toEqual([0, 100, 200, 300, 400]);
  });

  it('spaces irregular samples by their steps, each column centred on its step', () => {
    const edges = columnEdges([1, 11, 118], 1000);
    expect(edges[0]).toBe(0);
    expect(edges[3]).toBe(1000);
    // Domain 1 − 5 … 118 + 53.5: the first gap is about a tenth of the second.
    expect(edges[1]! - edges[0]!).toBeLessThan((edges[2]! - edges[1]!) / 4);
    expect(columnAt(edges, 0)).toBe(0);
    expect(columnAt(edges, edges[1]! + 0.01)).toBe(1);
    expect(columnAt(edges, 999)).toBe(2);
    expect(columnAt(edges, 5000)).toBe(2);
    expect(columnAt(edges, -3)).toBe(0);
  });

  it('fills the width with one column and has no columns for no steps', () => {
    expect(columnEdges([7], 300)).toEqual([0, 300]);
    expect(columnEdges([], 300)).toEqual([0]);
  });
});
