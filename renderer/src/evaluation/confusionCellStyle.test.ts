import { describe, expect, it } from 'vitest';
import { confusionCellStyle, shareLabel } from './confusionCellStyle';

describe('confusionCellStyle', () => {
  it('leaves an empty cell blank and tints a full row solid, with light text on it', () => {
    expect(confusionCellStyle(0, true).background).toMatch(/, 0\.000\)$/);
    expect(confusionCellStyle(1, true)).toEqual({ background: 'rgba(41, 128, 185, 1.000)', color: '#ffffff' });
  });

  it('uses another hue for mistakes than for right answers', () => {
    expect(confusionCellStyle(0.5, true).background.startsWith('rgba(41, 128, 185')).toBe(true);
    expect(confusionCellStyle(0.5, false).background.startsWith('rgba(211, 84, 0')).toBe(true);
  });

  it('keeps a rare mistake visibly tinted and its text dark', () => {
    const style = confusionCellStyle(0.01, false);
    expect(Number(/([\d.]+)\)$/.exec(style.background)![1])).toBeGreaterThan(0.05);
    expect(style.color).toBe('inherit');
  });

  it('clamps shares outside [0, 1] and NaN', () => {
    expect(confusionCellStyle(Number.NaN, false)).toEqual(confusionCellStyle(0, false));
    expect(confusionCellStyle(3, false)).toEqual(confusionCellStyle(1, false));
  });

  it('labels shares as whole percents', () => {
    expect([0, 0.001, 0.125, 1].map(shareLabel)).toEqual(['0%', '<1%', '13%', '100%']);
  });
});
