import { beforeEach, describe, expect, it } from 'vitest';
import { addNode, connect, extractSubgraph, groupNodes } from '../../../shared/document';
import { emptyDocument, type GraphDocument } from '../../../shared/document/model';
import type { DatasetInfo } from '../../../shared/contracts/trainer';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { documentStore } from '../store/documentStore';
import { savedBlocksStore } from '../blocks/savedBlocks';
import { CHAIN_GAP, chainSpot, insertPaletteEntry } from './insertPaletteEntry';
import { rememberDatasets } from './datasetInput';

function load(graph: GraphDocument, dataset?: string) {
  documentStore.getState().replaceFile({ graph, ...(dataset ? { training: { ...DEFAULT_TRAINING_CONFIG, dataset } } : {}) });
}

/** Input (image 16×16×3) → conv (8 filters), conv selected. */
function convStem(): GraphDocument {
  let d = emptyDocument('t');
  d = addNode(d, { id: 'in', type: 'Input', params: { kind: 'image', height: 16, width: 16, channels: 3 } });
  d = addNode(d, { id: 'conv', type: 'Conv2D', params: { filters: 8, kernelSize: [3, 3], padding: 'same' }, position: { x: 300, y: 0 } });
  return connect(d, { source: 'in', target: 'conv' });
}

const state = () => documentStore.getState();
const newest = (before: GraphDocument) => state().document.nodes.filter((n) => !before.nodes.some((m) => m.id === n.id));
const hasEdge = (source: string, target: string) => state().document.edges.some((e) => e.source === source && e.target === target);

describe('insertPaletteEntry keeps the chain', () => {
  beforeEach(() => load(convStem()));

  it('after a block template, only the block output is selected and the next layer is wired to it', () => {
    state().select(['conv']);
    insertPaletteEntry({ kind: 'block', id: 'residual' }, undefined);
    const group = state().document.groups[0]!;
    expect(group.nodeIds.length).toBeGreaterThan(5);
    const [exit] = state().selection;
    expect(state().selection).toHaveLength(1);
    // The selected member feeds nothing inside the block: it is where the block's output leaves.
    expect(group.nodeIds).toContain(exit);
    expect(state().document.edges.some((e) => e.source === exit && group.nodeIds.includes(e.target))).toBe(false);

    const before = state().document;
    insertPaletteEntry({ kind: 'layer', type: 'GlobalAvgPool2D' }, undefined);
    const [gap] = newest(before);
    expect(gap?.type).toBe('GlobalAvgPool2D');
    expect(hasEdge(exit!, gap!.id)).toBe(true);
  });

  it('a block dropped on the canvas (not wired) still selects its output', () => {
    state().select(['conv']);
    insertPaletteEntry({ kind: 'block', id: 'conv-bn-relu' }, { x: 600, y: 300 }, { after: null });
    const group = state().document.groups[0]!;
    const exit = state().selection[0]!;
    expect(state().selection).toEqual([exit]);
    expect(state().document.nodes.find((n) => n.id === exit)?.type).toBe('Activation');
    expect(state().document.edges.some((e) => e.source === 'conv' && group.nodeIds.includes(e.target))).toBe(false);
  });

  it('a block already in the graph or saved to the palette is wired after the selection and selects its output', () => {
    let doc = convStem();
    doc = addNode(doc, { id: 'bn', type: 'BatchNorm', position: { x: 500, y: 0 } });
    doc = addNode(doc, { id: 'act', type: 'Activation', params: { activation: 'relu' }, position: { x: 700, y: 0 } });
    doc = connect(connect(doc, { source: 'conv', target: 'bn' }), { source: 'bn', target: 'act' });
    doc = groupNodes(doc, ['bn', 'act'], 'BN ReLU', 'g1');
    load(doc);

    state().select(['act']);
    let before = state().document;
    insertPaletteEntry({ kind: 'group', groupId: 'g1' }, undefined);
    let added = newest(before);
    let bnCopy = added.find((n) => n.type === 'BatchNorm')!;
    let actCopy = added.find((n) => n.type === 'Activation')!;
    expect(hasEdge('act', bnCopy.id)).toBe(true);
    expect(state().selection).toEqual([actCopy.id]);

    savedBlocksStore.getState().save('BN ReLU saved', extractSubgraph(doc, ['bn', 'act']));
    const saved = savedBlocksStore.getState().blocks.at(-1)!;
    before = state().document;
    insertPaletteEntry({ kind: 'saved', id: saved.id }, undefined);
    added = newest(before);
    bnCopy = added.find((n) => n.type === 'BatchNorm')!;
    const previousExit = actCopy.id;
    actCopy = added.find((n) => n.type === 'Activation')!;
    expect(hasEdge(previousExit, bnCopy.id)).toBe(true);
    expect(state().selection).toEqual([actCopy.id]);
    savedBlocksStore.getState().remove(saved.id);
  });
});

describe('a new Input takes the shape of the chosen dataset', () => {
  const info = (id: string, inputKind: 'image' | 'vector', inputShape: number[]) => ({ id, inputKind, inputShape }) as unknown as DatasetInfo;
  beforeEach(() => rememberDatasets([info('mnist', 'image', [28, 28, 1]), info('spirals', 'vector', [2]), info('iris', 'vector', [4])]));

  const addInput = () => {
    const before = state().document;
    insertPaletteEntry({ kind: 'layer', type: 'Input' }, { x: 0, y: 0 });
    const added = newest(before);
    expect(added).toHaveLength(1);
    return added[0]!;
  };

  it('MNIST gives an image 28×28×1, iris a vector 4', () => {
    load(emptyDocument('m'), 'mnist');
    expect(addInput().params).toEqual({ kind: 'image', height: 28, width: 28, channels: 1 });
    load(emptyDocument('i'), 'iris');
    expect(addInput().params).toEqual({ kind: 'vector', size: 4 });
  });

  it('no training config, or a dataset the catalog does not know, keeps the catalog defaults', () => {
    load(emptyDocument('b'));
    expect(addInput().params).toEqual({});
    load(emptyDocument('u'), 'no-such-set');
    expect(addInput().params).toEqual({});
  });

  it('an Input is never wired after the selection', () => {
    load(convStem(), 'mnist');
    state().select(['conv']);
    const input = addInput();
    expect(state().document.edges.some((e) => e.target === input.id)).toBe(false);
  });
});

describe('chainSpot: where a palette click puts the next layer', () => {
  const size = () => ({ width: 180, height: 72 });
  it('goes below the layer top to bottom and right of it left to right, stepping aside from a layer already there', () => {
    const doc = convStem();
    expect(chainSpot(doc, 'conv', 'DOWN', size)).toEqual({ x: 300, y: 72 + CHAIN_GAP });
    expect(chainSpot(doc, 'conv', 'RIGHT', size)).toEqual({ x: 300 + 180 + 80, y: 0 });
    const branched = addNode(doc, { id: 'below', type: 'Flatten', position: { x: 300, y: 72 + CHAIN_GAP } });
    expect(chainSpot(branched, 'conv', 'DOWN', size)).toEqual({ x: 300 + 180 + 48, y: 72 + CHAIN_GAP });
    expect(chainSpot(doc, 'missing', 'DOWN', size)).toBeUndefined();
  });
});
