import { describe, expect, it } from 'vitest';
import { emptyDocument } from './model';
import { idPrefixForType, nextNodeId, nextNumberedId } from './ids';

describe('ids', () => {
  it('uses short readable prefixes', () => {
    expect(idPrefixForType('Conv2D')).toBe('conv');
    expect(idPrefixForType('Dense')).toBe('dense');
    expect(idPrefixForType('GlobalAvgPool2D')).toBe('gap');
    expect(idPrefixForType('My Layer3')).toBe('mylayer3_');
    expect(idPrefixForType('!!!')).toBe('node');
    expect(idPrefixForType('constructor')).toBe('constructor');
    expect(idPrefixForType('L'.repeat(500))).toHaveLength(32);
  });

  it('numbers one past the highest in use, deterministically', () => {
    expect(nextNumberedId('dense', [])).toBe('dense1');
    expect(nextNumberedId('dense', ['dense1', 'dense7', 'dense02', 'densely9'])).toBe('dense8');
    const doc = { ...emptyDocument(), nodes: [{ id: 'conv2', type: 'Conv2D', params: {}, position: { x: 0, y: 0 } }] };
    expect(nextNodeId(doc, 'Conv2D')).toBe('conv3');
    expect(nextNodeId(doc, 'Conv2D', ['conv3'])).toBe('conv4');
    expect(nextNodeId(doc, 'Conv2D')).toBe(nextNodeId(doc, 'Conv2D'));
  });
});
