import { describe, expect, it } from 'vitest';
import { emptyDocument, type GraphDocument } from './model';
import { addNode, connect, createNode, disconnect, EditError, moveNodes, removeNodes, removeNodesBridged, setLabel, setMetadata, setNotes, translateNodes, updateParams } from './edits';
import { checkConnection } from '../inference/checkConnection';
import { groupNodes } from './groups';
import { deepFreeze } from './deepFreeze';

/** input1 → dense1 → dense2, plus concat1 fed by dense1 (port 0) and dense2 (port 1); group g1 = {dense1, dense2}. */
function sampleDoc(): GraphDocument {
  let doc = emptyDocument('sample');
  doc = addNode(doc, { type: 'Input', params: { kind: 'vector', size: 4 } });
  doc = addNode(doc, { type: 'Dense', params: { units: 8 }, position: { x: 100, y: 0 } });
  doc = addNode(doc, { type: 'Dense', params: { units: 4 }, position: { x: 200, y: 0 } });
  doc = addNode(doc, { type: 'Concatenate', position: { x: 300, y: 0 } });
  doc = connect(doc, { source: 'input1', target: 'dense1' });
  doc = connect(doc, { source: 'dense1', target: 'dense2' });
  doc = connect(doc, { source: 'dense1', target: 'concat1', targetPort: 0 });
  doc = connect(doc, { source: 'dense2', target: 'concat1', targetPort: 1 });
  doc = groupNodes(doc, ['dense1', 'dense2'], 'block');
  return deepFreeze(doc);
}

describe('document edits', () => {
  it('builds readable ids from the type', () => {
    const doc = sampleDoc();
    expect(doc.nodes.map((n) => n.id)).toEqual(['input1', 'dense1', 'dense2', 'concat1']);
    expect(doc.edges.map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(createNode(doc, { type: 'Dense' }).id).toBe('dense3');
    expect(createNode(doc, { type: 'Conv2D' }).id).toBe('conv1');
  });

  it('addNode appends without touching the frozen input and refuses a taken id', () => {
    const doc = sampleDoc();
    const next = addNode(doc, { type: 'Dropout', params: { rate: 0.5 }, label: 'drop' });
    expect(next.nodes.at(-1)).toEqual({ id: 'dropout1', type: 'Dropout', params: { rate: 0.5 }, position: { x: 0, y: 0 }, label: 'drop' });
    expect(doc.nodes).toHaveLength(4);
    expect(() => addNode(doc, { id: 'dense1', type: 'Dense' })).toThrow(EditError);
  });

  it('removeNodes drops their edges and memberships and keeps everything else', () => {
    const doc = sampleDoc();
    const next = removeNodes(doc, ['dense2']);
    expect(next.nodes.map((n) => n.id)).toEqual(['input1', 'dense1', 'concat1']);
    expect(next.edges.map((e) => e.id)).toEqual(['e1', 'e3']);
    expect(next.groups).toEqual([{ id: 'g1', name: 'block', nodeIds: ['dense1'] }]);
    expect(next.metadata).toBe(doc.metadata);
    const emptied = removeNodes(doc, ['dense1', 'dense2']);
    expect(emptied.groups).toEqual([]);
    expect(emptied.edges).toEqual([]);
    expect(removeNodes(doc, ['nope'])).toBe(doc);
  });

  it('connect adds an edge with a target port, ignores duplicates, can replace, and refuses unknown nodes', () => {
    const doc = sampleDoc();
    const next = connect(doc, { source: 'input1', target: 'concat1', targetPort: 2 });
    expect(next.edges.at(-1)).toEqual({ id: 'e5', source: 'input1', target: 'concat1', targetPort: 2 });
    expect(connect(doc, { source: 'dense1', target: 'dense2' })).toBe(doc);
    const replaced = connect(doc, { source: 'input1', target: 'dense2' }, { replace: true });
    expect(replaced.edges.filter((e) => e.target === 'dense2')).toEqual([{ id: 'e5', source: 'input1', target: 'dense2', targetPort: 0 }]);
    expect(() => connect(doc, { source: 'ghost', target: 'dense1' })).toThrow(/ghost/);
    expect(() => connect(doc, { source: 'input1', target: 'dense1', targetPort: -1 })).toThrow(EditError);
  });

  it('disconnect removes edges by id', () => {
    const doc = sampleDoc();
    expect(disconnect(doc, ['e2', 'e4']).edges.map((e) => e.id)).toEqual(['e1', 'e3']);
    expect(disconnect(doc, ['zzz'])).toBe(doc);
  });

  it('updateParams merges, removes with undefined, copies tuples, and is a no-op when nothing changes', () => {
    const doc = sampleDoc();
    const kernel = [3, 3];
    const next = updateParams(doc, 'dense1', { units: 16, activation: 'relu', kernelSize: kernel });
    expect(next.nodes[1]?.params).toEqual({ units: 16, activation: 'relu', kernelSize: [3, 3] });
    kernel[0] = 5;
    expect(next.nodes[1]?.params['kernelSize']).toEqual([3, 3]);
    expect(updateParams(next, 'dense1', { activation: undefined }).nodes[1]?.params).toEqual({ units: 16, kernelSize: [3, 3] });
    expect(updateParams(doc, 'dense1', { units: 8 })).toBe(doc);
    expect(updateParams(next, 'dense1', { kernelSize: [3, 3] })).toBe(next);
    expect(updateParams(doc, 'ghost', { units: 1 })).toBe(doc);
  });

  it('updateParams keeps a __proto__ param name a plain key', () => {
    const doc = sampleDoc();
    const patch = JSON.parse('{"__proto__": 5}') as Record<string, number>;
    const next = updateParams(doc, 'dense1', patch);
    const params = next.nodes[1]?.params ?? {};
    expect(Object.getPrototypeOf(params)).toBe(Object.prototype);
    expect(Object.hasOwn(params, '__proto__')).toBe(true);
  });

  it('moveNodes and translateNodes set positions', () => {
    const doc = sampleDoc();
    const moved = moveNodes(doc, { dense1: { x: 5, y: 6 } });
    expect(moved.nodes[1]?.position).toEqual({ x: 5, y: 6 });
    expect(moved.nodes[0]).toBe(doc.nodes[0]);
    expect(moveNodes(doc, new Map([['dense1', { x: 100, y: 0 }]]))).toBe(doc);
    const shifted = translateNodes(doc, ['dense1', 'dense2'], 10, -10);
    expect(shifted.nodes.map((n) => n.position)).toEqual([{ x: 0, y: 0 }, { x: 110, y: -10 }, { x: 210, y: -10 }, { x: 300, y: 0 }]);
  });

  it('setLabel / setNotes / setMetadata set and clear text', () => {
    const doc = sampleDoc();
    const labelled = setNotes(setLabel(doc, 'dense1', 'hidden'), 'dense1', 'why 8 units');
    expect(labelled.nodes[1]).toMatchObject({ label: 'hidden', notes: 'why 8 units' });
    const cleared = setLabel(labelled, 'dense1', '  ');
    expect('label' in (cleared.nodes[1] ?? {})).toBe(false);
    expect(setLabel(doc, 'dense1', undefined)).toBe(doc);
    expect(setMetadata(doc, { name: 'renamed', description: 'd' }).metadata).toEqual({ name: 'renamed', description: 'd' });
    expect(setMetadata(doc, { name: 'sample' })).toBe(doc);
  });
});

/** A chain of nodes `ids[0] → ids[1] → …`; each entry is [id, type, params]. */
function chain(doc: GraphDocument, ...nodes: [string, string, Record<string, unknown>?][]): GraphDocument {
  let next = doc;
  nodes.forEach(([id, type, params], i) => {
    next = addNode(next, { id, type, params: (params ?? {}) as never, position: { x: i * 200, y: 0 } });
    if (i > 0) next = connect(next, { source: nodes[i - 1]![0], target: id });
  });
  return next;
}

const canConnect = (doc: GraphDocument, source: string, target: string, port: number) => checkConnection(doc, source, target, port);
const wires = (doc: GraphDocument) => doc.edges.map((e) => `${e.source}>${e.target}:${e.targetPort}`).sort();

describe('removeNodesBridged', () => {
  const vectorChain = () =>
    deepFreeze(chain(emptyDocument('c'), ['in', 'Input', { kind: 'vector', size: 4 }], ['a', 'Dense', { units: 8 }], ['b', 'Dense', { units: 8 }], ['c', 'Dense', { units: 8 }], ['out', 'Output', { units: 2 }]));

  it('deleting a middle layer wires its neighbours together and leaves the input untouched', () => {
    const doc = vectorChain();
    const result = removeNodesBridged(doc, ['b'], canConnect);
    expect(wires(result.document)).toEqual(['a>c:0', 'c>out:0', 'in>a:0']);
    expect(result.bridged).toEqual([{ source: 'a', target: 'c', targetPort: 0, over: ['b'] }]);
    expect(result.refused).toEqual([]);
    expect(doc.nodes.map((n) => n.id)).toContain('b');
  });

  it('a contiguous run of middle layers is bridged from the layer before to the layer after', () => {
    const result = removeNodesBridged(vectorChain(), ['c', 'b'], canConnect);
    expect(wires(result.document)).toEqual(['a>out:0', 'in>a:0']);
    expect(result.bridged[0]?.over).toEqual(['b', 'c']);
  });

  it('two separate middle layers are each bridged', () => {
    const result = removeNodesBridged(vectorChain(), ['a', 'c'], canConnect);
    expect(wires(result.document)).toEqual(['b>out:0', 'in>b:0']);
  });

  it('the ends of a chain and a merge with two inputs are removed without rewiring', () => {
    expect(wires(removeNodesBridged(vectorChain(), ['in'], canConnect).document)).toEqual(['a>b:0', 'b>c:0', 'c>out:0']);
    expect(wires(removeNodesBridged(vectorChain(), ['out'], canConnect).document)).toEqual(['a>b:0', 'b>c:0', 'in>a:0']);
    const doc = sampleDoc();
    const result = removeNodesBridged(doc, ['concat1'], canConnect);
    expect(result.bridged).toEqual([]);
    expect(result.refused).toEqual([]);
  });

  /** x → conv1 → conv2 → add ← x (skip), add → out. */
  function residual(): GraphDocument {
    let doc = chain(
      emptyDocument('r'),
      ['in', 'Input', { kind: 'image', height: 8, width: 8, channels: 4 }],
      ['x', 'Conv2D', { filters: 4, kernelSize: [3, 3], padding: 'same' }],
      ['conv1', 'Conv2D', { filters: 4, kernelSize: [3, 3], padding: 'same' }],
      ['conv2', 'Conv2D', { filters: 4, kernelSize: [3, 3], padding: 'same' }],
      ['add', 'Add'],
      ['gap', 'GlobalAvgPool2D'],
    );
    doc = connect(doc, { source: 'x', target: 'add', targetPort: 0 });
    return deepFreeze(doc);
  }

  it('deleting a layer inside a residual branch bridges within the branch and keeps the skip', () => {
    const result = removeNodesBridged(residual(), ['conv1'], canConnect);
    expect(wires(result.document)).toEqual(['add>gap:0', 'conv2>add:0', 'in>x:0', 'x>add:0', 'x>conv2:0']);
  });

  it('deleting the layer that forks into a residual feeds both branches from the layer before it', () => {
    const result = removeNodesBridged(residual(), ['x'], canConnect);
    expect(wires(result.document)).toEqual(['add>gap:0', 'conv1>conv2:0', 'conv2>add:0', 'in>add:0', 'in>conv1:0']);
    expect(result.bridged).toHaveLength(2);
  });

  it('deleting a whole residual block (branch, skip and Add) bridges over it', () => {
    const result = removeNodesBridged(residual(), ['conv1', 'conv2', 'add'], canConnect);
    expect(wires(result.document)).toEqual(['in>x:0', 'x>gap:0']);
  });

  it('a bridge the connection check refuses is left out and reported with the reason', () => {
    const doc = deepFreeze(
      chain(
        emptyDocument('s'),
        ['in', 'Input', { kind: 'image', height: 8, width: 8, channels: 1 }],
        ['conv', 'Conv2D', { filters: 4, kernelSize: [3, 3] }],
        ['flat', 'Flatten'],
        ['dense', 'Dense', { units: 8 }],
      ),
    );
    const result = removeNodesBridged(doc, ['flat'], canConnect);
    expect(wires(result.document)).toEqual(['in>conv:0']);
    expect(result.bridged).toEqual([]);
    expect(result.refused).toHaveLength(1);
    expect(result.refused[0]).toMatchObject({ source: 'conv', target: 'dense', over: ['flat'] });
    expect(result.refused[0]?.reason).toMatch(/Dense/);
  });

  it('deleting the only layer of a residual branch does not feed the Add the same tensor twice', () => {
    let doc = chain(emptyDocument('r'), ['in', 'Input', { kind: 'vector', size: 4 }], ['x', 'Dense', { units: 4 }], ['h', 'Dense', { units: 4 }], ['add', 'Add']);
    doc = connect(doc, { source: 'x', target: 'add' });
    const result = removeNodesBridged(doc, ['h'], canConnect);
    expect(wires(result.document)).toEqual(['in>x:0', 'x>add:0']);
    expect(result.refused[0]?.reason).toMatch(/already connected/);
  });
});
