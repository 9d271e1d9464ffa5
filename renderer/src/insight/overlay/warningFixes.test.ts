import { describe, expect, it } from 'vitest';
import { buildChain, type NodeTuple } from '../../../../shared/inference/buildGraph';
import { analyzeGraph } from '../../../../shared/inference/analyzeGraph';
import { DEFAULT_TRAINING_CONFIG } from '../../../../shared/format/trainingConfig';
import type { GraphDocument } from '../../../../shared/document/model';
import { createDocumentStore } from '../../store/documentStore';
import { applyWarningFix } from './warningFixes';

function chain(depth: number, activation = 'sigmoid'): GraphDocument {
  const nodes: NodeTuple[] = [['input', 'Input', { kind: 'vector', size: 16 }]];
  for (let i = 1; i <= depth; i++) nodes.push([`d${i}`, 'Dense', { units: 16, activation }]);
  nodes.push(['output', 'Output', { task: 'classification', units: 2 }]);
  return buildChain(nodes);
}

function storeWith(doc: GraphDocument) {
  const store = createDocumentStore();
  store.getState().replaceFile({ graph: doc, training: { ...DEFAULT_TRAINING_CONFIG, learningRate: 0.05 } });
  // Something to undo to first, so the test proves the fix is exactly one step.
  store.getState().edit((d) => ({ ...d, metadata: { name: 'edited' } }));
  return store;
}

function errorsOf(doc: GraphDocument): string[] {
  return analyzeGraph(doc).issues.filter((i) => i.severity === 'error').map((i) => i.message);
}

function expectOneUndoRestores(store: ReturnType<typeof storeWith>, original: GraphDocument) {
  const depth = store.getState().past.length;
  expect(depth).toBeGreaterThan(1);
  store.getState().undo();
  expect(store.getState().document).toBe(original);
  expect(store.getState().past.length).toBe(depth - 1);
}

describe('applyWarningFix', () => {
  it('inserts a BatchNorm after the layer, rewiring its outgoing edges through it, as one undo step', () => {
    const store = storeWith(chain(3));
    const original = store.getState().document;
    expect(applyWarningFix({ kind: 'insert-batchnorm', label: '', nodeId: 'd2' }, store)).toBe(true);
    const doc = store.getState().document;
    const bn = doc.nodes.find((n) => n.type === 'BatchNorm')!;
    expect(bn).toBeDefined();
    expect(doc.edges.filter((e) => e.source === 'd2').map((e) => e.target)).toEqual([bn.id]);
    expect(doc.edges.filter((e) => e.source === bn.id).map((e) => e.target)).toEqual(['d3']);
    expect(doc.edges.some((e) => e.source === 'd2' && e.target === 'd3')).toBe(false);
    expect(errorsOf(doc)).toEqual([]);
    expect(store.getState().selection).toEqual([bn.id]);
    // Room was made: d3 (same row) now starts right of the BatchNorm.
    expect(doc.nodes.find((n) => n.id === 'd3')!.position.x).toBeGreaterThan(bn.position.x);
    expectOneUndoRestores(store, original);
  });

  it('wraps a span in a residual block: an Add after it fed by a skip edge from the span input', () => {
    const store = storeWith(chain(4));
    const original = store.getState().document;
    expect(applyWarningFix({ kind: 'wrap-residual', label: '', inputId: 'd1', firstId: 'd2', lastId: 'd3' }, store)).toBe(true);
    const doc = store.getState().document;
    const add = doc.nodes.find((n) => n.type === 'Add')!;
    expect(doc.edges.filter((e) => e.target === add.id).map((e) => e.source).sort()).toEqual(['d1', 'd3']);
    expect(doc.edges.filter((e) => e.source === add.id).map((e) => e.target)).toEqual(['d4']);
    expect(doc.edges.filter((e) => e.source === 'd1').map((e) => e.target).sort()).toEqual([add.id, 'd2'].sort());
    expect(doc.groups).toEqual([{ id: expect.any(String), name: 'Residual block', nodeIds: ['d2', 'd3', add.id] }]);
    expect(errorsOf(doc)).toEqual([]);
    expectOneUndoRestores(store, original);
  });

  it('switches the activation param', () => {
    const store = storeWith(chain(2));
    const original = store.getState().document;
    applyWarningFix({ kind: 'switch-activation', label: '', nodeId: 'd1', from: 'sigmoid', to: 'relu' }, store);
    expect(store.getState().document.nodes.find((n) => n.id === 'd1')!.params['activation']).toBe('relu');
    expect(store.getState().document.nodes.find((n) => n.id === 'd2')!.params['activation']).toBe('sigmoid');
    expectOneUndoRestores(store, original);
  });

  it('lowers the learning rate as one undoable step of the same history', () => {
    const store = storeWith(chain(2));
    const original = store.getState().document;
    const training = store.getState().training;
    applyWarningFix({ kind: 'lower-learning-rate', label: '', from: 0.05, to: 0.005 }, store);
    expect(store.getState().training).toEqual({ ...training, learningRate: 0.005 });
    expect(store.getState().dirty).toBe(true);
    expectOneUndoRestores(store, original);
    expect(store.getState().training).toBe(training);
    // The graph edit before it is still the next undo step, and it leaves the config alone.
    store.getState().redo();
    expect(store.getState().training?.learningRate).toBe(0.005);
    store.getState().undo();
    store.getState().undo();
    expect(store.getState().training).toBe(training);
    expect(store.getState().document.metadata.name).toBe('chain');
    expect(store.getState().dirty).toBe(false);
  });

  it('refuses a fix for a layer that is gone, leaving the document and history as they were', () => {
    const store = storeWith(chain(2));
    const before = store.getState();
    expect(applyWarningFix({ kind: 'insert-batchnorm', label: '', nodeId: 'gone' }, store)).toBe(false);
    expect(store.getState().document).toBe(before.document);
    expect(store.getState().past).toBe(before.past);
    expect(store.getState().editError?.message).toMatch(/no longer in the graph/);
  });
});
