import { describe, expect, it } from 'vitest';
import { infer, resolved, specOf } from './testUtils';

describe('Input', () => {
  it('produces the shape for each kind', () => {
    expect(infer('Input', [], { kind: 'image', height: 28, width: 28, channels: 1 })).toEqual({ ok: true, shape: [28, 28, 1] });
    expect(infer('Input', [], { kind: 'vector', size: 4 })).toEqual({ ok: true, shape: [4] });
    expect(infer('Input', [], { kind: 'sequence', length: 10, features: 3 })).toEqual({ ok: true, shape: [10, 3] });
    expect(infer('Input', [], { kind: 'tokens', length: 12 })).toEqual({ ok: true, shape: [12] });
  });
  it('summarises the shape', () => {
    expect(specOf('Input').summary(resolved('Input', { kind: 'image', height: 32, width: 32, channels: 3 }))).toBe('32×32×3');
  });
});

describe('Output', () => {
  it('describes the head per task', () => {
    const head = specOf('Output').head;
    expect(head?.(resolved('Output', { task: 'classification', units: 10 }))).toEqual({
      task: 'classification',
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
      units: 10,
    });
    expect(head?.(resolved('Output', { task: 'binary', units: 7 }))).toMatchObject({ loss: 'binaryCrossentropy', units: 1 });
    expect(head?.(resolved('Output', { task: 'regression', units: 784 }))).toMatchObject({ loss: 'meanSquaredError', units: 784 });
  });
  it('compiles to one Dense with the head activation', () => {
    expect(specOf('Output').toTfjs(resolved('Output', { task: 'classification', units: 3 }), [[8]])).toEqual([
      { className: 'Dense', config: { units: 3, activation: 'softmax', useBias: true } },
    ]);
    expect(specOf('Output').toTfjs(resolved('Output', { task: 'binary' }), [[8]])[0]?.config.activation).toBe('sigmoid');
  });
  it('needs a flat input and at least 2 classes', () => {
    expect(infer('Output', [[4, 4, 2]])).toMatchObject({ ok: false, message: expect.stringContaining('Output expects a flat vector but gets 4×4×2') });
    expect(infer('Output', [[8]], { task: 'classification', units: 1 })).toMatchObject({ ok: false, message: expect.stringContaining("task 'binary'") });
    expect(infer('Output', [[8]], { task: 'binary' })).toEqual({ ok: true, shape: [1] });
  });
});
