import { describe, expect, it } from 'vitest';
import { infer, resolved, specOf } from './testUtils';

describe('LSTM / GRU', () => {
  it('return the last step or the whole sequence', () => {
    expect(infer('LSTM', [[10, 8]], { units: 16 })).toEqual({ ok: true, shape: [16] });
    expect(infer('GRU', [[10, 8]], { units: 16, returnSequences: true })).toEqual({ ok: true, shape: [10, 16] });
  });
  it('count gate weights', () => {
    expect(specOf('LSTM').countParams([[10, 8]], [16], resolved('LSTM', { units: 16 }))).toBe(4 * (16 * (8 + 16) + 16));
    expect(specOf('GRU').countParams([[10, 8]], [16], resolved('GRU', { units: 16 }))).toBe(3 * (16 * (8 + 16) + 16));
  });
  it('suggest a Reshape for images', () => {
    expect(infer('LSTM', [[28, 28, 1]])).toEqual({
      ok: false,
      port: 0,
      message: 'LSTM expects a sequence (time × features) but gets an image 28×28×1 (height × width × channels) — add Reshape to [28, 28] first',
    });
  });
  it('do not offer leaky ReLU as a cell activation', () => {
    const act = specOf('LSTM').params.activation;
    expect(act?.kind === 'enum' ? act.options : []).not.toContain('leakyRelu');
  });
});
