import { describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../contracts/trainer';
import type { GraphDocument, GraphNode } from '../document/model';
import { assertGraphFitsDataset, checkGraphFitsDataset } from './checkGraphFitsDataset';

/** The facts the check reads, as the datasets registry describes them (electron/services/datasets/datasetRegistry.ts). */
function dataset(id: DatasetInfo['id'], inputShape: number[], classes: number): DatasetInfo {
  return {
    id,
    name: id,
    description: '',
    task: 'classification',
    inputShape,
    inputKind: inputShape.length === 3 ? 'image' : 'vector',
    classes,
    classNames: Array.from({ length: classes }, (_, i) => `class ${i}`),
    trainSize: 10,
    testSize: 2,
    normalization: '',
    source: '',
  };
}
const xor = dataset('xor', [2], 2);
const moons = dataset('moons', [2], 2);
const spirals = dataset('spirals', [2], 2);
const blobs = dataset('blobs', [2], 3);
const iris = dataset('iris', [4], 3);
const mnist = dataset('mnist', [28, 28, 1], 10);

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
    expect(checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'classification', units: 2 }), xor)).toEqual([]);
    expect(checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'binary', units: 1 }), moons)).toEqual([]);
    // A binary head has one unit whatever its units param says (the file may leave it out).
    expect(checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'binary' }), spirals)).toEqual([]);
    expect(checkGraphFitsDataset(graph({ kind: 'image', height: 28, width: 28, channels: 1 }, { task: 'classification', units: 10 }), mnist)).toEqual([]);
  });

  it('names the Input brick and both shapes on a mismatch', () => {
    const issues = checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'classification', units: 10 }), mnist);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.nodeId).toBe('input');
    expect(issues[0]!.message).toContain("Input 'input' is 2 but dataset 'mnist' gives 28×28×1");
    const image = checkGraphFitsDataset(graph({ kind: 'image', height: 28, width: 28, channels: 1 }, { task: 'classification', units: 2 }), spirals);
    expect(image.map((i) => i.message)).toEqual(["Input 'input' is 28×28×1 but dataset 'spirals' gives 2 (set the Input to vector 2)"]);
  });

  it('checks the head against the classes', () => {
    const units = checkGraphFitsDataset(graph({ kind: 'vector', size: 4 }, { task: 'classification', units: 2 }), iris);
    expect(units.map((i) => i.message)).toEqual(["Output 'head' has 2 units but dataset 'iris' has 3 classes"]);
    expect(units[0]!.nodeId).toBe('out');
    const binary = checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'binary', units: 1 }), blobs);
    expect(binary[0]!.message).toMatch(/binary but dataset 'blobs' has 3 classes/);
    const regression = checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'regression', units: 1 }), xor);
    expect(regression[0]!.message).toMatch(/does regression with 1 units.*needs 2 units/);
    expect(checkGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'regression', units: 5 }), spirals)[0]!.message).toMatch(/needs 2 units/);
    // An autoencoder head (units = input size) fits: the target is the input.
    expect(checkGraphFitsDataset(graph({ kind: 'vector', size: 4 }, { task: 'regression', units: 4 }), iris)).toEqual([]);
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
    expect(checkGraphFitsDataset(g, xor, analysis)[0]!.message).toContain("is 3 but dataset 'xor' gives 2");
  });

  it('requires exactly one Input and one Output', () => {
    const g = graph({ kind: 'vector', size: 2 }, { task: 'classification', units: 2 });
    const noOut = { ...g, nodes: g.nodes.filter((n) => n.type !== 'Output'), edges: g.edges.slice(0, 1) };
    expect(checkGraphFitsDataset(noOut, xor).map((i) => i.message)).toEqual(['Training needs exactly one Output brick, but the graph has 0']);
  });

  it('assertGraphFitsDataset throws one error listing every mismatch', () => {
    expect(() => assertGraphFitsDataset(graph({ kind: 'vector', size: 2 }, { task: 'classification', units: 2 }), xor)).not.toThrow();
    expect(() => assertGraphFitsDataset(graph({ kind: 'vector', size: 3 }, { task: 'classification', units: 5 }), xor)).toThrow(
      /Input 'input' is 3 but dataset 'xor' gives 2.*; Output 'head' has 5 units but dataset 'xor' has 2 classes/,
    );
  });
});
