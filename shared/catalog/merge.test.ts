import { describe, expect, it } from 'vitest';
import { infer } from './testUtils';

describe('Add / Multiply', () => {
  it('need equal shapes', () => {
    expect(infer('Add', [[14, 14, 16], [14, 14, 16]])).toEqual({ ok: true, shape: [14, 14, 16] });
    expect(infer('Add', [[14, 14, 16], [14, 14, 32]])).toEqual({
      ok: false,
      port: 1,
      message: 'Add: input 2 is 14×14×32 but input 1 is 14×14×16 — shapes must be equal',
    });
    expect(infer('Multiply', [[4], [4], [5]])).toMatchObject({ ok: false, port: 2, message: expect.stringContaining('input 3 is 5') });
  });
});

describe('Concatenate', () => {
  it('joins along the last axis by default and along other axes on request', () => {
    expect(infer('Concatenate', [[8, 8, 16], [8, 8, 32], [8, 8, 8]])).toEqual({ ok: true, shape: [8, 8, 56] });
    expect(infer('Concatenate', [[3, 4], [5, 4]], { axis: 1 })).toEqual({ ok: true, shape: [8, 4] });
    expect(infer('Concatenate', [[3, 4], [3, 6]], { axis: -1 })).toEqual({ ok: true, shape: [3, 10] });
  });
  it('names the mismatching input and dimension', () => {
    expect(infer('Concatenate', [[8, 8, 16], [4, 4, 16]])).toEqual({
      ok: false,
      port: 1,
      message: 'Concatenate: input 2 is 4×4×16 but input 1 is 8×8×16 — all dimensions except axis -1 must match (dimension 1: 4 vs 8)',
    });
    expect(infer('Concatenate', [[8, 8, 16], [16]])).toMatchObject({ ok: false, port: 1, message: expect.stringContaining('same number of dimensions') });
  });
  it('refuses the batch axis and out-of-range axes', () => {
    expect(infer('Concatenate', [[3], [3]], { axis: 0 })).toMatchObject({ ok: false, message: expect.stringContaining('batch axis') });
    expect(infer('Concatenate', [[3], [3]], { axis: 3 })).toMatchObject({ ok: false, message: expect.stringContaining('out of range') });
  });
});
