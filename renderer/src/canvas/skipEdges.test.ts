import { describe, expect, it } from 'vitest';
import type { GraphDocument } from '../../../shared/document/model';
import { findSkipEdges } from './skipEdges';

const node = (id: string, type: string) => ({ id, type, params: {}, position: { x: 0, y: 0 } });
const edge = (id: string, source: string, target: string, targetPort = 0) => ({ id, source, target, targetPort });
const isMerge = (t: string) => t === 'Add' || t === 'Concatenate';

describe('findSkipEdges', () => {
  it('marks the identity shortcut of a residual block and nothing else', () => {
    const doc: GraphDocument = {
      metadata: { name: 't' },
      groups: [],
      nodes: [node('x', 'Input'), node('c', 'Conv2D'), node('b', 'BatchNorm'), node('a', 'Add')],
      edges: [edge('e1', 'x', 'c'), edge('e2', 'c', 'b'), edge('e3', 'b', 'a'), edge('e4', 'x', 'a')],
    };
    expect([...findSkipEdges(doc, isMerge)]).toEqual(['e4']);
  });

  it('does not mark inception branches that each pass through a layer', () => {
    const doc: GraphDocument = {
      metadata: { name: 't' },
      groups: [],
      nodes: [node('x', 'Input'), node('p', 'Conv2D'), node('q', 'Conv2D'), node('m', 'Concatenate')],
      edges: [edge('e1', 'x', 'p'), edge('e2', 'x', 'q'), edge('e3', 'p', 'm', 0), edge('e4', 'q', 'm', 1)],
    };
    expect(findSkipEdges(doc, isMerge).size).toBe(0);
  });

  it('ignores bypasses into single-input layers', () => {
    const doc: GraphDocument = {
      metadata: { name: 't' },
      groups: [],
      nodes: [node('x', 'Input'), node('d', 'Dense'), node('o', 'Dense')],
      edges: [edge('e1', 'x', 'd'), edge('e2', 'd', 'o'), edge('e3', 'x', 'o')],
    };
    expect(findSkipEdges(doc, isMerge).size).toBe(0);
  });
});
