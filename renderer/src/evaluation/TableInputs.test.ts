/** What "Try it" takes from a typed number field on a table run (the interaction itself is in e2e/tryTable.spec.ts). */
import { describe, expect, it } from 'vitest';
import { typedNumber } from './TableInputs';

describe('a typed number', () => {
  it('is a number only once it reads as one: an emptied field or a lone sign is not 0', () => {
    expect(typedNumber('')).toBeUndefined();
    expect(typedNumber('   ')).toBeUndefined();
    expect(typedNumber('-')).toBeUndefined();
    expect(typedNumber('abc')).toBeUndefined();
    expect(typedNumber('Infinity')).toBeUndefined();
    expect(typedNumber('0')).toBe(0);
    expect(typedNumber('230')).toBe(230);
    expect(typedNumber('-1.5')).toBe(-1.5);
    expect(typedNumber('2e3')).toBe(2000);
  });
});
