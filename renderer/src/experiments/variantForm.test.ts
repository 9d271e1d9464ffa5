import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, parseNumberList, togglesFromForm } from './variantForm';
import { sparklinePoints } from './variantTelemetry';

describe('variant form', () => {
  it('turns checked toggles and comma lists into variant toggles', () => {
    const { toggles, errors } = togglesFromForm({
      ...EMPTY_FORM,
      noSkips: true,
      activation: { enabled: true, from: 'relu', to: 'gelu' },
      depth: { enabled: true, groupId: 'block1', repeats: 3 },
      learningRates: '0.1, 0.01,',
      seeds: '1,2',
    });
    expect(errors).toEqual([]);
    expect(toggles).toEqual([
      { kind: 'no-skips' },
      { kind: 'depth', groupId: 'block1', repeats: 3 },
      { kind: 'activation', from: 'relu', to: 'gelu' },
      { kind: 'learningRate', values: [0.1, 0.01] },
      { kind: 'seed', values: [1, 2] },
    ]);
  });

  it('names the entry that is not a number', () => {
    expect(parseNumberList('0.1, x', false).error).toBe("'x' is not a number");
    expect(parseNumberList('1.5', true).error).toBe("'1.5' is not a whole number");
    expect(togglesFromForm({ ...EMPTY_FORM, seeds: '1,b' }).errors).toEqual([{ field: 'seeds', message: "seeds: 'b' is not a whole number" }]);
    expect(togglesFromForm({ ...EMPTY_FORM, depth: { enabled: true, groupId: '', repeats: 2 } }).errors[0]!.field).toBe('depth');
  });

  it('sparkline points span the box on a log scale', () => {
    expect(sparklinePoints([1, 10, 100], 80, 20)).toBe('0.0,19.0 40.0,10.0 80.0,1.0');
  });
});
