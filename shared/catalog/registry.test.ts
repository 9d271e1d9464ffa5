import { describe, expect, it } from 'vitest';
import { getLayerSpec, listLayerSpecs, registerLayer } from './registry';
import { resolveParams } from './resolveParams';
import { LAYER_CATEGORIES } from './spec';

const AGREED_TYPES = [
  'Input', 'Dense', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'MaxPool2D', 'AvgPool2D',
  'GlobalAvgPool2D', 'GlobalMaxPool2D', 'Flatten', 'Reshape', 'Dropout', 'BatchNorm', 'LayerNorm', 'Activation', 'Add',
  'Concatenate', 'Multiply', 'Embedding', 'LSTM', 'GRU', 'UpSampling2D', 'ZeroPadding2D', 'WSConv2D', 'SkipInit', 'Output',
];

describe('layer registry', () => {
  it('has exactly the 27 agreed layer types', () => {
    expect(listLayerSpecs().map((s) => s.type).sort()).toEqual([...AGREED_TYPES].sort());
  });

  it('looks specs up by type and returns undefined for unknown types', () => {
    expect(getLayerSpec('Conv2D')?.label).toBe('Conv2D');
    expect(getLayerSpec('conv2d')).toBeUndefined();
  });

  it('refuses a duplicate type', () => {
    const dense = getLayerSpec('Dense');
    expect(dense).toBeDefined();
    if (dense) expect(() => registerLayer(dense)).toThrow("Layer type 'Dense' is already registered");
  });

  it.each(AGREED_TYPES)('%s is a complete spec whose defaults are valid', (type) => {
    const spec = getLayerSpec(type);
    expect(spec).toBeDefined();
    if (!spec) return;
    expect(LAYER_CATEGORIES).toContain(spec.category);
    expect(spec.description.length).toBeGreaterThan(20);
    expect(spec.inputs.min).toBeLessThanOrEqual(spec.inputs.max);
    for (const [name, p] of Object.entries(spec.params)) {
      expect(p.label, `${type}.${name}`).not.toBe('');
      expect(p.help, `${type}.${name}`).not.toBe('');
      if (p.visibleWhen) expect(Object.keys(spec.params)).toContain(p.visibleWhen.param);
    }
    expect(resolveParams(spec, {}).issues).toEqual([]);
    expect(typeof spec.summary(resolveParams(spec, {}).params)).toBe('string');
  });

  it('only Output has a head', () => {
    expect(listLayerSpecs().filter((s) => s.head).map((s) => s.type)).toEqual(['Output']);
  });
});
