import { describe, expect, it } from 'vitest';
import '../../../shared/catalog/core';
import { getLayerSpec } from '../../../shared/catalog/registry';
import { formatBound, rangeText } from './rangeText';

describe('rangeText', () => {
  it('shows large bounds with separators, not exponent notation', () => {
    const units = getLayerSpec('Dense')?.params['units'];
    expect(units).toBeDefined();
    expect(rangeText(units!)).toBe('1 – 1,000,000');
  });

  it('keeps small and fractional bounds as written', () => {
    expect(formatBound(0)).toBe('0');
    expect(formatBound(0.5)).toBe('0.5');
    expect(formatBound(1e-7)).toBe('1e-7');
    expect(formatBound(-1)).toBe('-1');
  });
});
