import { describe, expect, it } from 'vitest';
import type { GraphDocument, GraphNode } from '../../../shared/document/model';
import { getDatasetInfo } from './datasetRegistry';
import { checkGraphFitsDataset } from './checkGraphFitsDataset';

function graph(input: GraphNode['params'], output: GraphNode['params']): GraphDocument {
  return {
    metadata: { name: 't' },
    groups: [],
    nodes: [
      { id: 'input', type: 'Input', params: input, position: { x: 0, y: 0 } },
      { id: 'd', type: 'Dense', params: { units: 8 }, position: { x: 0, y: 0 } },
      { id: 'out', type: 'Output', params: output, position: { x: 0, y: 0 }, label: 'head' },
    ],
    edges: [
      { id: 'e1', source: 'input', target: 'd', targetPort: 0 },
      { id: 'e2', source: 'd', target: 'out', targetPort: 0 },
    ],
  };
}

describe('checkGraphFitsDataset', () => {
  it('accepts matching graphs', () => {
    expect(checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'classification', units: 2 }), getDatasetInfo('xor'))).toEqual([]);
    expect(checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'binary', units: 1 }), getDatasetInfo('moons'))).toEqual([]);
    expect(
      checkGraphFitsDataset(graph({ kind: 'image', height: 28, width: 28, channels: 1 }, { task: 'classification', units: 10 }), getDatasetInfo('mnist')),
    ).toEqual([]);
  });

  it('names the Input brick and both shapes on a mismatch', () => {
    const issues = checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'classification', units: 10 }), getDatasetInfo('mnist'));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.nodeId).toBe('input');
    expect(issues[0]!.message).toContain("Input 'input' is 2 but dataset 'mnist' gives 28×28×1");
  });

  it('checks the head against the classes', () => {
    const units = checkGraphFitsDataset(graph({ kind: 'vector', size: 4 }, { task: 'classification', units: 2 }), getDatasetInfo('iris'));
    expect(units.map((i) => i.message)).toEqual(["Output 'head' has 2 units but dataset 'iris' has 3 classes"]);
    const binary = checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'binary', units: 1 }), getDatasetInfo('blobs'));
    expect(binary[0]!.message).toMatch(/binary but dataset 'blobs' has 3 classes/);
    const regression = checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'regression', units: 1 }), getDatasetInfo('xor'));
    expect(regression[0]!.message).toMatch(/does regression with 1 units.*needs 2 units/);
    // An autoencoder head (units = input size) fits: the target is the input.
    expect(checkGraphFitsDataset(graph({ kind: 'vector', size: 4 }, { task: 'regression', units: 4 }), getDatasetInfo('iris'))).toEqual([]);
  });

  it('prefers analysed shapes when given an analysis', () => {
    const g = graph({ kind: 'vector', size: 2 }, { task: 'classification', units: 2 });
    const analysis = {
      order: [],
      nodes: new Map([['input', { id: 'input', type: 'Input', inputShapes: [], output: [3], params: 0, flops: 0, activationBytes: 0, issues: [] }]]),
      edgeShapes: new Map(),
      issues: [],
      totals: { params: 0, flops: 0, activationBytes: 0, errors: 0, warnings: 0 },
    };
    expect(checkGraphFitsDataset(g, getDatasetInfo('xor'), analysis)[0]!.message).toContain("is 3 but dataset 'xor' gives 2");
  });

  it('requires exactly one Input and one Output', () => {
    const g = graph({ kind: 'vector', size: 2 }, { task: 'classification', units: 2 });
    const noOut = { ...g, nodes: g.nodes.filter((n) => n.type !== 'Output') };
    expect(checkGraphFitsDataset(noOut, getDatasetInfo('xor')).map((i) => i.message)).toEqual([
      'Training needs exactly one Output brick, but the graph has 0',
    ]);
  });
});
