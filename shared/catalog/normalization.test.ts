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
