import { describe, expect, it } from 'vitest';
import { calibration } from '../../../shared/evaluation';
import { reliabilityBars } from './reliabilityBars';

describe('reliabilityBars', () => {
  it('draws one bar per non-empty bin, its height the bin’s accuracy and its gap to the diagonal', () => {
    // Two classes (sigmoid): confidences 0.95 (right), 0.95 (wrong), 0.65 (right).
    const bars = reliabilityBars(calibration([1, 0, 0], [0.95, 0.95, 0.35], { binCount: 10 }));
    expect(bars.map((b) => [b.lower, b.count, b.accuracy])).toEqual([
      [0.6, 1, 1],
      [0.9, 2, 0.5],
    ]);
    expect(bars[1]!.gap).toBeCloseTo(-0.45, 10);
  });
});
