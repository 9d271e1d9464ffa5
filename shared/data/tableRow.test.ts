import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_SPLIT, type TableDataSpec } from './dataSpec';
import { decodeTableRow, encodeTableRow, encodedWidth, numericRanges, regressionInTargetUnits, tableRowFields, UnfittedSpecError } from './tableRow';

const spec = (over: Partial<TableDataSpec> = {}): TableDataSpec => ({
  kind: 'table',
  path: 'data.csv',
  hash: 'a'.repeat(64),
  format: { delimiter: ',', header: true },
  task: 'regression',
  target: { name: 'price', mean: 200, std: 50 },
  features: [
    { name: 'area', kind: 'numeric', mean: 80, std: 20 },
    { name: 'city', kind: 'categorical', categories: ['Bern', 'Oslo', 'Rome'] },
    { name: 'flat', kind: 'numeric', mean: 3, std: 0 },
  ],
  missing: { policy: 'fill' },
  split: DEFAULT_DATA_SPLIT,
  ...over,
});

describe('tableRow', () => {
  it('encodes numbers standardised (std 0 divides by 1) and categories one-hot, in feature order', () => {
    const fields = tableRowFields(spec());
    expect(encodedWidth(fields)).toBe(5);
    expect(encodeTableRow(fields, [100, 'Oslo', 5])).toEqual([1, 0, 1, 0, 2]);
    // A category the training split never had encodes as zeros, as the loader does.
    expect(encodeTableRow(fields, [80, 'Paris', 3])).toEqual([0, 0, 0, 0, 0]);
  });

  it('decodes back to the values, and an all-zero block to no category', () => {
    const fields = tableRowFields(spec());
    expect(decodeTableRow(fields, encodeTableRow(fields, [55, 'Rome', 7]))).toEqual([55, 'Rome', 7]);
    expect(decodeTableRow(fields, [0, 0, 0, 0, 0])).toEqual([80, undefined, 3]);
    expect(() => decodeTableRow(fields, [0, 0])).toThrow(/expected 5 encoded numbers, got 2/);
  });

  it('refuses values of the wrong kind naming the column', () => {
    const fields = tableRowFields(spec());
    expect(() => encodeTableRow(fields, ['100', 'Oslo', 5])).toThrow(/'area' needs a number/);
    expect(() => encodeTableRow(fields, [100, 2, 5])).toThrow(/'city' needs one of its categories/);
    expect(() => encodeTableRow(fields, [NaN, 'Oslo', 5])).toThrow(/'area' needs a number/);
    expect(() => encodeTableRow(fields, [100])).toThrow(/expected 3 values/);
  });

  it('an unfitted spec is refused naming the column', () => {
    expect(() => tableRowFields(spec({ features: [{ name: 'area', kind: 'numeric' }] }))).toThrow(UnfittedSpecError);
    expect(() => tableRowFields(spec({ features: [{ name: 'city', kind: 'categorical' }] }))).toThrow(/'city' has no fitted categories/);
  });

  it('puts a regression output back in the target units', () => {
    expect(regressionInTargetUnits(spec(), 1.5)).toBe(275);
    expect(regressionInTargetUnits(spec({ target: { name: 'price' } }), 1.5)).toBe(1.5);
    expect(regressionInTargetUnits(spec({ target: { name: 'price', mean: 10, std: 0 } }), 1.5)).toBe(11.5);
  });

  it('numeric ranges come from the rows, else mean ± 3 std', () => {
    const fields = tableRowFields(spec());
    const ranges = numericRanges(fields, [
      [60, 'Bern', 3],
      [140, 'Oslo', 3],
    ]);
    expect(ranges.get('area')).toEqual({ min: 60, max: 140 });
    expect(ranges.has('city')).toBe(false);
    expect(numericRanges(fields, []).get('area')).toEqual({ min: 20, max: 140 });
  });
});
