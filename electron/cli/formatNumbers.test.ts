import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatFlops, formatShapeText } from './formatNumbers';

describe('formatNumbers', () => {
  it('formats counts, FLOPs and bytes with at most three significant digits', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1234)).toBe('1.23K');
    expect(formatCount(1_200_000)).toBe('1.2M');
    expect(formatCount(50_618)).toBe('50.6K');
    expect(formatCount(-2500)).toBe('-2.5K');
    expect(formatFlops(3_400_000)).toBe('3.4 MFLOPs');
    expect(formatFlops(12)).toBe('12 FLOPs');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5 GB');
  });

  it('formats durations and shapes', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3s');
    expect(formatDuration(90_500)).toBe('1m 30.5s');
    expect(formatShapeText([28, 28, 1])).toBe('28×28×1');
    expect(formatShapeText(undefined)).toBe('—');
  });
});
