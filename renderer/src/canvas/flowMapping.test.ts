import { describe, expect, it } from 'vitest';
import { addNode, connect, moveNodes, groupNodes, setGroupCollapsed, updateParams } from '../../../shared/document';
import { emptyDocument, type GraphDocument } from '../../../shared/document/model';
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';
import { nodeDescriber } from '../catalog/nodeDescriber';
import { FlowMapper, withDragPositions, type LayerFlowNode, type MapInput } from './flowMapping';

function mlp(): GraphDocument {
  let d = emptyDocument('t');
  d = addNode(d, { id: 'in', type: 'Input', params: { kind: 'vector', size: 4 }, position: { x: 0, y: 0 } });
  d = addNode(d, { id: 'h', type: 'Dense', params: { units: 8 }, position: { x: 200, y: 0 } });
  d = addNode(d, { id: 'out', type: 'Output', params: { task: 'classification', units: 3 }, position: { x: 400, y: 0 } });
  d = connect(d, { source: 'in', target: 'h', id: 'e1' });
  d = connect(d, { source: 'h', target: 'out', id: 'e2' });
  return d;
}

function input(doc: GraphDocument, selection: string[] = []): MapInput {
  return { doc, analysis: analyzeGraph(doc), selection: new Set(selection), edgeSelection: new Set(), measured: new Map() };
}

describe('FlowMapper', () => {
  it('maps nodes with category look, summary, output shape and params; edges carry shapes', () => {
    const mapper = new FlowMapper(nodeDescriber);
    const doc = mlp();
    const nodes = mapper.nodes(input(doc)) as LayerFlowNode[];
    const hidden = nodes.find((n) => n.id === 'h')!;
    expect(hidden.type).toBe('core');
    expect(hidden.data.analysis?.output).toEqual([8]);
    expect(hidden.data.analysis?.params).toBe(4 * 8 + 8);
    expect(hidden.data.summary).toContain('8');
    expect(nodes.find((n) => n.id === 'in')!.data.inputHandles).toBe(0);
    expect(nodes.find((n) => n.id === 'out')!.data.hasOutput).toBe(false);
    const edges = mapper.edges(input(doc));
    expect(edges.map((e) => e.data?.shape)).toEqual([[4], [8]]);
    expect(edges.every((e) => e.targetHandle === 'in-0' && e.sourceHandle === 'out')).toBe(true);
  });

  it('reuses node objects that did not change, so a drag re-renders only the moved node', () => {
    const mapper = new FlowMapper(nodeDescriber);
    const doc = mlp();
    const first = mapper.nodes(input(doc));
    const moved = moveNodes(doc, { h: { x: 250, y: 10 } });
    const second = mapper.nodes({ ...input(moved), analysis: input(doc).analysis });
    expect(second.find((n) => n.id === 'in')).toBe(first.find((n) => n.id === 'in'));
    expect(second.find((n) => n.id === 'h')).not.toBe(first.find((n) => n.id === 'h'));
    expect(second.find((n) => n.id === 'h')?.position).toEqual({ x: 250, y: 10 });
  });

  it('puts a shape mismatch at an Add on the node and on the offending port', () => {
    let d = mlp();
    d = addNode(d, { id: 'h2', type: 'Dense', params: { units: 5 }, position: { x: 200, y: 200 } });
    d = addNode(d, { id: 'add', type: 'Add', position: { x: 300, y: 100 } });
    d = connect(d, { source: 'in', target: 'h2', id: 'e3' });
    d = connect(d, { source: 'h', target: 'add', id: 'e4' });
    d = connect(d, { source: 'h2', target: 'add', id: 'e5' });
    const mapper = new FlowMapper(nodeDescriber);
    const add = (mapper.nodes(input(d)) as LayerFlowNode[]).find((n) => n.id === 'add')!;
    expect(add.type).toBe('merge');
    expect(add.data.issues.some((i) => i.severity === 'error')).toBe(true);
    expect(Object.keys(add.data.portErrors).length).toBeGreaterThan(0);
    const edges = mapper.edges(input(d));
    expect(edges.filter((e) => e.target === 'add').some((e) => e.data?.error)).toBe(true);
  });

  it('gives Concatenate one handle per port plus a free one, and maps edges to their port handle', () => {
    let d = mlp();
    d = addNode(d, { id: 'cat', type: 'Concatenate', position: { x: 300, y: 100 } });
    d = connect(d, { source: 'h', target: 'cat', targetPort: 1, id: 'e9' });
    const mapper = new FlowMapper(nodeDescriber);
    const cat = (mapper.nodes(input(d)) as LayerFlowNode[]).find((n) => n.id === 'cat')!;
    expect(cat.data.inputHandles).toBe(3);
    expect(mapper.edges(input(d)).find((e) => e.id === 'e9')?.targetHandle).toBe('in-1');
  });

  it('reflects param edits (re-inference) in shapes and params', () => {
    const mapper = new FlowMapper(nodeDescriber);
    const doc = updateParams(mlp(), 'h', { units: 16 });
    const hidden = (mapper.nodes(input(doc)) as LayerFlowNode[]).find((n) => n.id === 'h')!;
    expect(hidden.data.analysis?.output).toEqual([16]);
    expect(mapper.edges(input(doc)).find((e) => e.id === 'e2')?.data?.shape).toEqual([16]);
  });

  it('draws a frame behind an expanded group and one stand-in node for a collapsed group', () => {
    const mapper = new FlowMapper(nodeDescriber);
    let d = groupNodes(mlp(), ['h'], 'Hidden', 'g1');
    let nodes = mapper.nodes(input(d));
    expect(nodes[0]?.type).toBe('blockFrame');
    d = setGroupCollapsed(d, 'g1', true);
    nodes = mapper.nodes(input(d));
    expect(nodes.some((n) => n.id === 'h')).toBe(false);
    expect(nodes.some((n) => n.id === 'block:g1' && n.type === 'collapsedBlock')).toBe(true);
    const edges = mapper.edges(input(d));
    expect(edges.find((e) => e.id === 'e1')?.target).toBe('block:g1');
    expect(edges.find((e) => e.id === 'e2')?.source).toBe('block:g1');
  });

  it('shows a drag in progress without touching the document: only dragged nodes change, and their frame follows', () => {
    const doc = groupNodes(mlp(), ['h', 'out'], 'Head', 'g1');
    expect(withDragPositions(doc, undefined)).toBe(doc);
    expect(withDragPositions(doc, new Map([['h', { x: 200, y: 0 }]]))).toBe(doc); // no real move
    const live = withDragPositions(doc, new Map([['h', { x: 200, y: 96 }]]));
    expect(doc.nodes.find((n) => n.id === 'h')?.position).toEqual({ x: 200, y: 0 });
    expect(live.nodes.find((n) => n.id === 'h')?.position).toEqual({ x: 200, y: 96 });
    expect(live.nodes.filter((n) => n.id !== 'h')).toEqual(doc.nodes.filter((n) => n.id !== 'h'));
    expect(live.nodes.find((n) => n.id === 'in')).toBe(doc.nodes.find((n) => n.id === 'in'));
    expect(live.edges).toBe(doc.edges);
    const mapper = new FlowMapper(nodeDescriber);
    const analysis = analyzeGraph(doc);
    const before = mapper.nodes({ ...input(doc), analysis });
    const during = mapper.nodes({ ...input(live), analysis });
    expect(during.find((n) => n.id === 'in')).toBe(before.find((n) => n.id === 'in'));
    expect(during.find((n) => n.id === 'h')?.position).toEqual({ x: 200, y: 96 });
    // The block frame spans the layers where they are shown: it grows down with the dragged layer.
    const frame = (nodes: typeof before) => nodes.find((n) => n.id === 'frame:g1')!;
    expect(frame(during).height).toBe(frame(before).height! + 96);
    // A layer outside the block moving leaves the frame object as it was (no re-render of the frame).
    const elsewhere = mapper.nodes({ ...input(withDragPositions(live, new Map([['in', { x: 0, y: 400 }]]))), analysis });
    expect(frame(elsewhere)).toBe(frame(during));
  });
});
