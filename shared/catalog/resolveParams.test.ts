import { describe, expect, it } from 'vitest';
import { resolveParams } from './resolveParams';
import { specOf } from './testUtils';

describe('resolveParams', () => {
  it('fills every declared param with its default', () => {
    const r = resolveParams(specOf('Conv2D'), {});
    expect(r.issues).toEqual([]);
    expect(r.params).toMatchObject({ filters: 32, kernelSize: [3, 3], strides: [1, 1], padding: 'same', useBias: true });
  });

  it('keeps valid values', () => {
    const r = resolveParams(specOf('Dense'), { units: 10, activation: 'tanh', useBias: false });
    expect(r.issues).toEqual([]);
    expect(r.params).toEqual({ units: 10, activation: 'tanh', useBias: false });
  });

  it('rejects out-of-range and non-integer ints, naming the param', () => {
    const r = resolveParams(specOf('Dense'), { units: 0 });
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ param: 'units', severity: 'error' });
    expect(r.issues[0]?.message).toContain('Units (units) must be between 1 and 1000000, got 0');
    expect(r.params.units).toBe(64);
    expect(resolveParams(specOf('Dense'), { units: 2.5 }).issues[0]?.message).toContain('whole number, got 2.5');
    expect(resolveParams(specOf('Dense'), { units: '8' }).issues[0]?.message).toContain("whole number, got '8'");
  });

  it('checks float ranges', () => {
    expect(resolveParams(specOf('Dropout'), { rate: 0.5 }).issues).toEqual([]);
    expect(resolveParams(specOf('Dropout'), { rate: 1.5 }).issues[0]?.message).toContain('between 0 and 0.95, got 1.5');
  });

  it('checks enum options', () => {
    const issue = resolveParams(specOf('Conv2D'), { padding: 'full' }).issues[0];
    expect(issue?.param).toBe('padding');
    expect(issue?.message).toContain("must be one of 'same', 'valid', got 'full'");
  });

  it('checks booleans', () => {
    expect(resolveParams(specOf('LSTM'), { returnSequences: 'yes' }).issues[0]?.message).toContain('true or false');
  });

  it('checks tuple length and element range', () => {
    expect(resolveParams(specOf('Conv2D'), { kernelSize: [3] }).issues[0]?.message).toContain('exactly 2 values, got 1');
    expect(resolveParams(specOf('Conv2D'), { kernelSize: [3, 0] }).issues[0]?.message).toContain(
      'value 2 must be between 1 and 64, got 0',
    );
    expect(resolveParams(specOf('Conv2D'), { strides: 2 }).issues[0]?.message).toContain('list of whole numbers');
    expect(resolveParams(specOf('Reshape'), { targetShape: [] }).issues[0]?.message).toContain('at least one value');
  });

  it('warns about params the layer does not have', () => {
    const r = resolveParams(specOf('Flatten'), { units: 3 });
    expect(r.issues).toEqual([{ param: 'units', severity: 'warning', message: "Flatten has no param 'units'; it is ignored" }]);
  });
});
