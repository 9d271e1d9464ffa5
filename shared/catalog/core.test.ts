import { describe, expect, it } from 'vitest';
import { infer, resolved, specOf } from './testUtils';

describe('Dense', () => {
  it('maps a vector to units and a sequence per time step', () => {
    expect(infer('Dense', [[784]], { units: 128 })).toEqual({ ok: true, shape: [128] });
    expect(infer('Dense', [[10, 8]], { units: 4 })).toEqual({ ok: true, shape: [10, 4] });
  });
  it('refuses an image with a fix in the message', () => {
    expect(infer('Dense', [[7, 7, 16]])).toEqual({
      ok: false,
      port: 0,
      message: 'Dense expects a flat vector but gets 7×7×16 — add Flatten or GlobalAvgPool2D first',
    });
  });
  it('counts weights and optional bias', () => {
    const spec = specOf('Dense');
    expect(spec.countParams([[784]], [128], resolved('Dense', { units: 128 }))).toBe(784 * 128 + 128);
    expect(spec.countParams([[784]], [128], resolved('Dense', { units: 128, useBias: false }))).toBe(784 * 128);
  });
  it('becomes Dense + LeakyReLU for leaky ReLU', () => {
    const layers = specOf('Dense').toTfjs(resolved('Dense', { units: 3, activation: 'leakyRelu' }), [[2]]);
    expect(layers.map((l) => l.className)).toEqual(['Dense', 'LeakyReLU']);
    expect(layers[0]?.config.activation).toBe('linear');
  });
  it('summarises units and activation', () => {
    expect(specOf('Dense').summary(resolved('Dense', { units: 64, activation: 'relu' }))).toBe('64 · ReLU');
  });
});

describe('Flatten', () => {
  it('unrolls any shape and passes a flat vector through without a tfjs layer', () => {
    expect(infer('Flatten', [[7, 7, 16]])).toEqual({ ok: true, shape: [784] });
    expect(infer('Flatten', [[5]])).toEqual({ ok: true, shape: [5] });
    expect(specOf('Flatten').toTfjs({}, [[5]])).toEqual([]);
    expect(specOf('Flatten').toTfjs({}, [[2, 3]])).toHaveLength(1);
  });
});

describe('Reshape', () => {
  it('reshapes when the sizes agree and resolves -1', () => {
    expect(infer('Reshape', [[784]], { targetShape: [28, 28, 1] })).toEqual({ ok: true, shape: [28, 28, 1] });
    expect(infer('Reshape', [[784]], { targetShape: [-1, 28] })).toEqual({ ok: true, shape: [28, 28] });
  });
  it('explains size mismatches', () => {
    expect(infer('Reshape', [[100]], { targetShape: [28, 28] })).toEqual({
      ok: false,
      port: 0,
      message: 'Reshape: 100 has 100 values but [28, 28] needs 784',
    });
    expect(infer('Reshape', [[100]], { targetShape: [-1, 3] })).toMatchObject({ ok: false, message: expect.stringContaining('cannot be split') });
    expect(infer('Reshape', [[100]], { targetShape: [-1, -1] })).toMatchObject({ ok: false, message: expect.stringContaining('only one') });
    expect(infer('Reshape', [[100]], { targetShape: [0, 100] })).toMatchObject({ ok: false, message: expect.stringContaining('positive') });
  });
});

describe('Dropout / Activation', () => {
  it('keep the shape', () => {
    expect(infer('Dropout', [[3, 4]], { rate: 0.5 })).toEqual({ ok: true, shape: [3, 4] });
    expect(infer('Activation', [[3, 4, 5]], { activation: 'gelu' })).toEqual({ ok: true, shape: [3, 4, 5] });
  });
  it('Activation uses the LeakyReLU layer with its alpha', () => {
    expect(specOf('Activation').toTfjs(resolved('Activation', { activation: 'leakyRelu', alpha: 0.1 }), [[3]])).toEqual([
      { className: 'LeakyReLU', config: { alpha: 0.1 } },
    ]);
    expect(specOf('Activation').toTfjs(resolved('Activation', { activation: 'swish' }), [[3]])).toEqual([
      { className: 'Activation', config: { activation: 'swish' } },
    ]);
  });
});

describe('Embedding', () => {
  it('turns tokens into vectors', () => {
    expect(infer('Embedding', [[20]], { inputDim: 100, outputDim: 8 })).toEqual({ ok: true, shape: [20, 8] });
    expect(specOf('Embedding').countParams([[20]], [20, 8], resolved('Embedding', { inputDim: 100, outputDim: 8 }))).toBe(800);
  });
  it('refuses non-token inputs', () => {
    expect(infer('Embedding', [[20, 3]])).toMatchObject({ ok: false, port: 0, message: expect.stringContaining('token ids') });
  });
});
