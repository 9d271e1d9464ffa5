import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadGraphFile } from './loadGraphFile';
import { describeChange, diffGraphFiles } from './diffGraphFiles';
import type { GraphFile } from './graphFileSchema';
import { addNode, connect, disconnect, moveNodes, removeNodes, setLabel, updateParams } from '../document/edits';
import { buildDeepChain } from '../inference/buildGraph';
import { createGraphFile } from './graphFileSchema';
import { MAX_NODES } from './loadGraphFile';

function v1(): GraphFile {
  const result = loadGraphFile(readFileSync(new URL('./fixtures/v1.nbrick', import.meta.url), 'utf8'));
  if (!result.ok) throw new Error(result.error.message);
  return result.file;
}

describe('diffGraphFiles', () => {
  it('finds nothing between a file and itself', () => {
    expect(diffGraphFiles(v1(), v1())).toEqual([]);
  });

  it('lists node, param, move, text, edge, training and run changes', () => {
    const a = v1();
    let graph = removeNodes(a.graph, ['dropout1']);
    graph = connect(graph, { source: 'dense1', target: 'output1' });
    graph = updateParams(graph, 'dense1', { units: 64, useBias: undefined });
    graph = moveNodes(graph, { conv1: { x: 1, y: 2 } });
    graph = setLabel(graph, 'conv1', 'features');
    graph = addNode(graph, { type: 'BatchNorm' });
    const b: GraphFile = { ...a, graph, training: { ...a.training!, epochs: 10 }, runs: [] };
    const changes = diffGraphFiles(a, b);
    expect(changes).toEqual([
      { kind: 'node-removed', nodeId: 'dropout1', type: 'Dropout' },
      { kind: 'node-text-changed', nodeId: 'conv1', field: 'label', to: 'features' },
      { kind: 'node-moved', nodeId: 'conv1', from: { x: 220, y: 0 }, to: { x: 1, y: 2 } },
      { kind: 'param-changed', nodeId: 'dense1', param: 'units', from: 32, to: 64 },
      { kind: 'param-changed', nodeId: 'dense1', param: 'useBias', from: true },
      { kind: 'node-added', nodeId: 'bn1', type: 'BatchNorm' },
      { kind: 'edge-removed', source: 'dense1', target: 'dropout1', targetPort: 0 },
      { kind: 'edge-removed', source: 'dropout1', target: 'output1', targetPort: 0 },
      { kind: 'edge-added', source: 'dense1', target: 'output1', targetPort: 0 },
      { kind: 'training-changed', field: 'epochs', from: 3, to: 10 },
      { kind: 'runs-changed', from: 1, to: 0 },
    ]);
    expect(changes.map(describeChange)).toContain('~ dense1.units: 32 → 64');
    expect(changes.map(describeChange)).toContain('+ edge dense1 → output1:0');
  });

  it('matches edges by endpoints, not ids', () => {
    const a = v1();
    const renamed = disconnect(a.graph, ['e6']);
    const rewired = connect(renamed, { id: 'other-id', source: 'dropout1', target: 'output1' });
    expect(diffGraphFiles(a, { ...a, graph: rewired })).toEqual([]);
  });
});

describe('diffGraphFiles on graphs as deep as the loader allows', () => {
  it(`compares two ${MAX_NODES}-node chains without recursion over their depth`, () => {
    const a = createGraphFile(buildDeepChain(MAX_NODES));
    const graph = a.graph;
    const b = createGraphFile({ ...graph, nodes: graph.nodes.map((n) => (n.id === 'd4000' ? { ...n, params: { ...n.params, units: 8 } } : n)) });
    expect(diffGraphFiles(a, a)).toEqual([]);
    expect(diffGraphFiles(a, b)).toEqual([{ kind: 'param-changed', nodeId: 'd4000', param: 'units', from: 4, to: 8 }]);
  });
});
