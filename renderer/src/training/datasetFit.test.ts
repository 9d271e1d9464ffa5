import { describe, expect, it } from 'vitest';
import type { DatasetInfo } from '../../../shared/contracts/trainer';
import type { GraphDocument, GraphNode, Params } from '../../../shared/document/model';
import { datasetFitProblems } from './datasetFit';

const spirals: DatasetInfo = {
  id: 'spirals',
  name: 'Spirals',
  description: '',
  task: 'classification',
  inputShape: [2],
  inputKind: 'vector',
  classes: 2,
  classNames: ['a', 'b'],
  trainSize: 10,
  testSize: 2,
  normalization: '',
  source: '',
};

function node(id: string, type: string, params: Params): GraphNode {
  return { id, type, params, position: { x: 0, y: 0 } };
}

function graph(input: Params, output: Params): GraphDocument {
  return {
    metadata: { name: 'g' },
    groups: [],
    nodes: [node('in', 'Input', input), node('d', 'Dense', { units: 8 }), node('out', 'Output', output)],
    edges: [
      { id: 'e1', source: 'in', target: 'd', targetPort: 0 },
      { id: 'e2', source: 'd', target: 'out', targetPort: 0 },
    ],
  };
}

describe('datasetFitProblems', () => {
  it('accepts a matching graph', () => {
    expect(datasetFitProblems(graph({ kind: 'vector', size: 2 }, { task: 'classification', units: 2 }), spirals)).toEqual([]);
    expect(datasetFitProblems(graph({ kind: 'vector', size: 2 }, { task: 'binary' }), spirals)).toEqual([]);
  });

  it('names the Input brick and the shape the data has', () => {
    const problems = datasetFitProblems(graph({ kind: 'image', height: 28, width: 28, channels: 1 }, { task: 'classification', units: 2 }), spirals);
    expect(problems).toEqual(["Input 'in' is 28×28×1 but Spirals gives 2: set it to vector 2."]);
  });

  it('checks the Output against the classes, and a regression head as an autoencoder of the input', () => {
    expect(datasetFitProblems(graph({ kind: 'vector', size: 2 }, { task: 'classification', units: 3 }), spirals)).toEqual([
      "Output 'out' has 3 units but Spirals has 2 classes.",
    ]);
    expect(datasetFitProblems(graph({ kind: 'vector', size: 2 }, { task: 'regression', units: 2 }), spirals)).toEqual([]);
    expect(datasetFitProblems(graph({ kind: 'vector', size: 2 }, { task: 'regression', units: 5 }), spirals)[0]).toMatch(/needs 2 units/);
  });

  it('requires exactly one Input and one Output', () => {
    const g = graph({ kind: 'vector', size: 2 }, { task: 'classification', units: 2 });
    const noOutput = { ...g, nodes: g.nodes.filter((n) => n.type !== 'Output'), edges: g.edges.slice(0, 1) };
    expect(datasetFitProblems(noOutput, spirals)).toEqual(['The graph needs exactly one Output brick (it has 0).']);
  });
});
