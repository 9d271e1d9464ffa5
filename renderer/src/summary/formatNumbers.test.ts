import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount } from './formatNumbers';

describe('formatCount / formatBytes', () => {
  it('keeps small numbers exact and abbreviates large ones', () => {
    expect(formatCount(67)).toBe('67');
    expect(formatCount(1234)).toBe('1.23k');
    expect(formatCount(61706)).toBe('61.7k');
    expect(formatCount(2_500_000)).toBe('2.5M');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3 MiB');
  });
});
