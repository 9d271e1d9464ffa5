import { describe, expect, it } from 'vitest';
import { infer, resolved, specOf } from './testUtils';

describe('Conv2D', () => {
  it('infers same and valid padding with strides and dilation', () => {
    expect(infer('Conv2D', [[28, 28, 1]], { filters: 8 })).toEqual({ ok: true, shape: [28, 28, 8] });
    expect(infer('Conv2D', [[28, 28, 1]], { filters: 6, kernelSize: [5, 5], padding: 'valid' })).toEqual({ ok: true, shape: [24, 24, 6] });
    expect(infer('Conv2D', [[15, 15, 3]], { filters: 4, strides: [2, 2], padding: 'same' })).toEqual({ ok: true, shape: [8, 8, 4] });
    expect(infer('Conv2D', [[15, 15, 3]], { filters: 4, strides: [2, 2], padding: 'valid' })).toEqual({ ok: true, shape: [7, 7, 4] });
    expect(infer('Conv2D', [[10, 10, 3]], { filters: 4, dilationRate: [2, 2], padding: 'valid' })).toEqual({ ok: true, shape: [6, 6, 4] });
  });
  it('explains windows that do not fit and bad combinations', () => {
    expect(infer('Conv2D', [[2, 2, 1]], { kernelSize: [3, 3], padding: 'valid' })).toEqual({
      ok: false,
      port: 0,
      message: "Conv2D: the 3×3 window does not fit in the 2×2 input with valid padding — use padding 'same' or a smaller kernel",
    });
    expect(infer('Conv2D', [[8, 8, 1]], { strides: [2, 2], dilationRate: [2, 2] })).toMatchObject({ ok: false, message: expect.stringContaining('dilation') });
    expect(infer('Conv2D', [[64]])).toMatchObject({ ok: false, port: 0, message: expect.stringContaining('Conv2D expects an image (height × width × channels) but gets a flat vector of 64') });
  });
  it('counts kernel and bias and summarises like the node face', () => {
    const p = resolved('Conv2D', { filters: 64, strides: [2, 2] });
    expect(specOf('Conv2D').countParams([[8, 8, 3]], [4, 4, 64], p)).toBe(3 * 3 * 3 * 64 + 64);
    expect(specOf('Conv2D').summary(p)).toBe('64 · 3×3 · s2');
    expect(specOf('Conv2D').summary(resolved('Conv2D', { filters: 6, kernelSize: [5, 5], padding: 'valid' }))).toBe('6 · 5×5 · valid');
  });
});

describe('Depthwise / Separable / Transpose', () => {
  it('infers shapes', () => {
    expect(infer('DepthwiseConv2D', [[8, 8, 3]], { depthMultiplier: 2 })).toEqual({ ok: true, shape: [8, 8, 6] });
    expect(infer('SeparableConv2D', [[8, 8, 3]], { filters: 5, strides: [2, 2] })).toEqual({ ok: true, shape: [4, 4, 5] });
    expect(infer('Conv2DTranspose', [[7, 7, 8]], { filters: 4, strides: [2, 2], padding: 'same' })).toEqual({ ok: true, shape: [14, 14, 4] });
    expect(infer('Conv2DTranspose', [[7, 7, 8]], { filters: 4, kernelSize: [3, 3], strides: [2, 2], padding: 'valid' })).toEqual({ ok: true, shape: [15, 15, 4] });
  });
  it('counts params', () => {
    expect(specOf('DepthwiseConv2D').countParams([[8, 8, 3]], [8, 8, 6], resolved('DepthwiseConv2D', { depthMultiplier: 2 }))).toBe(9 * 6 + 6);
    expect(specOf('SeparableConv2D').countParams([[8, 8, 3]], [8, 8, 5], resolved('SeparableConv2D', { filters: 5 }))).toBe(9 * 3 + 3 * 5 + 5);
    expect(specOf('Conv2DTranspose').countParams([[7, 7, 8]], [14, 14, 4], resolved('Conv2DTranspose', { filters: 4 }))).toBe(9 * 8 * 4 + 4);
  });
});

describe('toTfjs of the convolutions', () => {
  it('passes the window args, each variant its own extras, and leaky ReLU as a trailing layer', () => {
    const window = { kernelSize: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', useBias: true };
    expect(specOf('Conv2D').toTfjs(resolved('Conv2D', { filters: 8 }), [[8, 8, 3]])).toEqual([
      { className: 'Conv2D', config: { ...window, filters: 8, dilationRate: [1, 1] } },
    ]);
    expect(specOf('DepthwiseConv2D').toTfjs(resolved('DepthwiseConv2D', { depthMultiplier: 2 }), [[8, 8, 3]])).toEqual([
      { className: 'DepthwiseConv2D', config: { ...window, activation: 'linear', depthMultiplier: 2 } },
    ]);
    expect(specOf('SeparableConv2D').toTfjs(resolved('SeparableConv2D', { filters: 5, useBias: false }), [[8, 8, 3]])).toEqual([
      { className: 'SeparableConv2D', config: { ...window, useBias: false, filters: 5, depthMultiplier: 1 } },
    ]);
    expect(specOf('Conv2DTranspose').toTfjs(resolved('Conv2DTranspose', { filters: 4, activation: 'leakyRelu' }), [[7, 7, 8]])).toEqual([
      { className: 'Conv2DTranspose', config: { ...window, strides: [2, 2], activation: 'linear', filters: 4 } },
      { className: 'LeakyReLU', config: { alpha: expect.any(Number) }, nameSuffix: 'act' },
    ]);
  });
});

describe('UpSampling2D / ZeroPadding2D', () => {
  it('resize the image', () => {
    expect(infer('UpSampling2D', [[7, 7, 2]], { size: [2, 3] })).toEqual({ ok: true, shape: [14, 21, 2] });
    expect(infer('ZeroPadding2D', [[7, 7, 2]], { padding: [1, 2, 0, 3] })).toEqual({ ok: true, shape: [10, 10, 2] });
    expect(specOf('ZeroPadding2D').toTfjs(resolved('ZeroPadding2D', { padding: [1, 2, 0, 3] }), [[7, 7, 2]])[0]?.config).toEqual({
      padding: [[1, 2], [0, 3]],
    });
  });
  it('refuse vectors', () => {
    expect(infer('UpSampling2D', [[7]])).toMatchObject({ ok: false, port: 0 });
  });
});

describe('WSConv2D', () => {
  it('infers shapes like Conv2D', () => {
    expect(infer('WSConv2D', [[28, 28, 1]], { filters: 8 })).toEqual({ ok: true, shape: [28, 28, 8] });
    expect(infer('WSConv2D', [[15, 15, 3]], { filters: 4, strides: [2, 2], padding: 'valid' })).toEqual({ ok: true, shape: [7, 7, 4] });
    expect(infer('WSConv2D', [[2, 2, 1]], { padding: 'valid' })).toMatchObject({ ok: false, port: 0, message: expect.stringContaining('WSConv2D: the 3×3 window') });
    expect(infer('WSConv2D', [[64]])).toMatchObject({ ok: false, port: 0 });
  });
  it("counts Conv2D's params plus one gain per filter", () => {
    const spec = specOf('WSConv2D');
    expect(spec.countParams([[8, 8, 3]], [8, 8, 16], resolved('WSConv2D', { filters: 16 }))).toBe(3 * 3 * 3 * 16 + 16 + 16);
    expect(spec.countParams([[8, 8, 3]], [8, 8, 16], resolved('WSConv2D', { filters: 16, useBias: false }))).toBe(3 * 3 * 3 * 16 + 16);
  });
  it("costs the convolution's FLOPs per sample and summarises like Conv2D", () => {
    const p = resolved('WSConv2D', { filters: 16, strides: [2, 2] });
    const conv = resolved('Conv2D', { filters: 16, strides: [2, 2] });
    expect(specOf('WSConv2D').flops([[8, 8, 3]], [4, 4, 16], p)).toBe(2 * 4 * 4 * 16 * 9 * 3 + 4 * 4 * 16);
    expect(specOf('WSConv2D').flops([[8, 8, 3]], [4, 4, 16], p)).toBe(specOf('Conv2D').flops([[8, 8, 3]], [4, 4, 16], conv));
    expect(specOf('WSConv2D').summary(p)).toBe('16 · 3×3 · s2');
  });
  it('becomes the registered custom layer with eps, leaky ReLU as a trailing layer', () => {
    expect(specOf('WSConv2D').toTfjs(resolved('WSConv2D', { filters: 8, activation: 'leakyRelu' }), [[8, 8, 3]])).toEqual([
      {
        className: 'NeuralBricks>WSConv2D',
        config: { filters: 8, eps: 1e-4, kernelSize: [3, 3], strides: [1, 1], padding: 'same', activation: 'linear', useBias: true },
      },
      { className: 'LeakyReLU', config: { alpha: expect.any(Number) }, nameSuffix: 'act' },
    ]);
  });
});
