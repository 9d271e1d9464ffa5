import { describe, expect, it } from 'vitest';
import { epochTicks, stepLabel, stepToEpochX } from './stepAxis';

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
