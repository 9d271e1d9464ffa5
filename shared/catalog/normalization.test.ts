import { describe, expect, it } from 'vitest';
import { infer, resolved, specOf } from './testUtils';

describe('normalization', () => {
  it('keeps the shape', () => {
    expect(infer('BatchNorm', [[8, 8, 16]])).toEqual({ ok: true, shape: [8, 8, 16] });
    expect(infer('LayerNorm', [[10, 4]])).toEqual({ ok: true, shape: [10, 4] });
  });
  it('counts per-channel params (BatchNorm includes the non-trainable moving statistics)', () => {
    expect(specOf('BatchNorm').countParams([[8, 8, 16]], [8, 8, 16], resolved('BatchNorm'))).toBe(64);
    expect(specOf('LayerNorm').countParams([[10, 4]], [10, 4], resolved('LayerNorm'))).toBe(8);
  });
});

describe('SkipInit', () => {
  it('keeps the shape of any input and has one parameter', () => {
    expect(infer('SkipInit', [[8, 8, 16]])).toEqual({ ok: true, shape: [8, 8, 16] });
    expect(infer('SkipInit', [[10]])).toEqual({ ok: true, shape: [10] });
    expect(specOf('SkipInit').countParams([[8, 8, 16]], [8, 8, 16], resolved('SkipInit'))).toBe(1);
  });
  it('costs one multiply per element, starts at 0 by default and becomes the registered custom layer', () => {
    expect(specOf('SkipInit').flops([[8, 8, 16]], [8, 8, 16], resolved('SkipInit'))).toBe(8 * 8 * 16);
    expect(specOf('SkipInit').summary(resolved('SkipInit'))).toBe('α₀ = 0');
    expect(specOf('SkipInit').toTfjs(resolved('SkipInit', { initialValue: 0.25 }), [[4]])).toEqual([
      { className: 'NeuralBricks>SkipInit', config: { initialValue: 0.25 } },
    ]);
  });
});
