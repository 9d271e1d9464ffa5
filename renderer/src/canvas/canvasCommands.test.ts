import { describe, expect, it } from 'vitest';
import { addNode, connect } from '../../../shared/document';
import { createDocumentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
import { connectionVerdict, createCanvasCommands, freePort, portOfHandle } from './canvasCommands';

function setup() {
  const store = createDocumentStore();
  store.getState().edit((d) => {
    let doc = addNode(d, { id: 'in', type: 'Input', params: { kind: 'vector', size: 4 } });
    doc = addNode(doc, { id: 'h', type: 'Dense', params: { units: 8 }, position: { x: 300, y: 0 } });
    return connect(doc, { source: 'in', target: 'h', id: 'e1' });
  });
  return { store, commands: createCanvasCommands(store) };
}

describe('canvas commands', () => {
  it('addLayer after a node wires it and selects the new node, as one undo step', () => {
    const { store, commands } = setup();
    const depth = store.getState().past.length;
    const id = commands.addLayer('Dropout', { x: 500, y: 3 }, 'h');
    const s = store.getState();
    expect(s.selection).toEqual([id]);
    expect(s.document.edges.some((e) => e.source === 'h' && e.target === id)).toBe(true);
    expect(s.document.nodes.find((n) => n.id === id)?.position).toEqual({ x: 496, y: 0 });
    expect(s.past.length).toBe(depth + 1);
  });

  it('addLayer after a node does not wire what can never connect (Output → anything)', () => {
    const { store, commands } = setup();
    const out = commands.addLayer('Output', { x: 0, y: 0 }, 'h');
    const next = commands.addLayer('Dense', { x: 0, y: 0 }, out);
    expect(store.getState().document.edges.some((e) => e.target === next)).toBe(false);
  });

  it('spliceIntoEdge puts a layer between the two ends of an edge', () => {
    const { store, commands } = setup();
    const id = commands.spliceIntoEdge('BatchNorm', 'e1', { x: 150, y: 0 })!;
    const edges = store.getState().document.edges;
    expect(edges.some((e) => e.source === 'in' && e.target === 'h')).toBe(false);
    expect(edges).toHaveLength(2);
    // The layer it feeds moved right to make room.
    expect(store.getState().document.nodes.find((n) => n.id === 'h')!.position.x).toBeGreaterThanOrEqual(150 + 256);
    expect(edges.some((e) => e.source === 'in' && e.target === id)).toBe(true);
    expect(edges.some((e) => e.source === id && e.target === 'h' && e.targetPort === 0)).toBe(true);
    store.getState().undo();
    expect(store.getState().document.edges).toEqual([{ id: 'e1', source: 'in', target: 'h', targetPort: 0 }]);
  });

  it('refuses a second edge into a single-input port and keeps the graph unchanged', () => {
    const { store, commands } = setup();
    store.getState().edit((d) => addNode(d, { id: 'in2', type: 'Input' }));
    const before = store.getState().document;
    expect(connectionVerdict(before, 'in2', 'h', 0).ok).toBe(false);
    expect(commands.connect('in2', 'h', 0)).toBe(false);
    expect(store.getState().document).toBe(before);
    expect(freePort(before, 'h')).toBeUndefined();
  });

  it('deleteSelection removes a middle layer and wires its neighbours together, as one undo step', () => {
    const { store, commands } = setup();
    const drop = commands.addLayer('Dropout', { x: 500, y: 0 }, 'h');
    const out = commands.addLayer('Output', { x: 700, y: 0 }, drop);
    const before = store.getState().document;
    store.getState().select([drop]);
    commands.deleteSelection();
    const doc = store.getState().document;
    expect(doc.nodes.map((n) => n.id)).toEqual(['in', 'h', out]);
    expect(doc.edges.map((e) => `${e.source}>${e.target}`)).toEqual(['in>h', `h>${out}`]);
    expect(store.getState().selection).toEqual([]);
    store.getState().undo();
    expect(store.getState().document).toBe(before);
  });

  it('deleteSelection says which neighbours it could not wire together, and why', () => {
    const store = createDocumentStore();
    const commands = createCanvasCommands(store);
    store.getState().edit((d) => {
      let doc = addNode(d, { id: 'in', type: 'Input', params: { kind: 'image', height: 8, width: 8, channels: 1 } });
      doc = addNode(doc, { id: 'conv', type: 'Conv2D', params: { filters: 4, kernelSize: [3, 3] } });
      doc = addNode(doc, { id: 'flat', type: 'Flatten', label: 'Flatten it' });
      doc = addNode(doc, { id: 'dense', type: 'Dense', params: { units: 4 } });
      doc = connect(doc, { source: 'in', target: 'conv' });
      doc = connect(doc, { source: 'conv', target: 'flat' });
      return connect(doc, { source: 'flat', target: 'dense' });
    });
    viewStore.setState({ toast: undefined });
    store.getState().select(['flat']);
    commands.deleteSelection();
    const doc = store.getState().document;
    expect(doc.nodes.map((n) => n.id)).toEqual(['in', 'conv', 'dense']);
    expect(doc.edges.map((e) => `${e.source}>${e.target}`)).toEqual(['in>conv']);
    expect(viewStore.getState().toast).toMatch(/^Deleted Flatten it; conv and dense were not reconnected: .*Dense/);
  });

  it('param edits on several nodes of one type are one undo step per field run', () => {
    const { store, commands } = setup();
    store.getState().edit((d) => addNode(d, { id: 'h2', type: 'Dense' }));
    const before = store.getState().document;
    commands.setParam(['h', 'h2'], 'units', 1);
    commands.setParam(['h', 'h2'], 'units', 16);
    expect(store.getState().document.nodes.filter((n) => n.type === 'Dense').map((n) => n.params.units)).toEqual([16, 16]);
    store.getState().undo();
    expect(store.getState().document).toBe(before);
  });

  it('parses handle ids into ports', () => {
    expect(portOfHandle('in-3')).toBe(3);
    expect(portOfHandle(null)).toBe(0);
  });
});
