import { describe, expect, it } from 'vitest';
import { infer, resolved, specOf } from './testUtils';

describe('pooling', () => {
  it('halves with 2×2 stride 2 and rounds like tfjs', () => {
    expect(infer('MaxPool2D', [[28, 28, 6]])).toEqual({ ok: true, shape: [14, 14, 6] });
    expect(infer('AvgPool2D', [[7, 7, 6]])).toEqual({ ok: true, shape: [3, 3, 6] });
    expect(infer('AvgPool2D', [[7, 7, 6]], { padding: 'same' })).toEqual({ ok: true, shape: [4, 4, 6] });
    expect(infer('MaxPool2D', [[9, 9, 1]], { poolSize: [3, 3], strides: [1, 1] })).toEqual({ ok: true, shape: [7, 7, 1] });
  });
  it('global pools reduce to channels', () => {
    expect(infer('GlobalAvgPool2D', [[7, 7, 32]])).toEqual({ ok: true, shape: [32] });
    expect(infer('GlobalMaxPool2D', [[7, 7, 32]])).toEqual({ ok: true, shape: [32] });
  });
  it('explain bad inputs', () => {
    expect(infer('MaxPool2D', [[1, 1, 4]])).toMatchObject({ ok: false, message: expect.stringContaining('does not fit in the 1×1 input') });
    expect(infer('GlobalAvgPool2D', [[32]])).toMatchObject({ ok: false, message: expect.stringContaining('expects an image') });
  });
  it('summarise the window', () => {
    expect(specOf('MaxPool2D').summary(resolved('MaxPool2D'))).toBe('2×2 · s2 · valid');
  });
});
