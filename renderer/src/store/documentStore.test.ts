import { describe, expect, it } from 'vitest';
import { addNode, connect, moveNodes, updateParams } from '../../../shared/document';
import { emptyDocument } from '../../../shared/document/model';
import { CURRENT_FORMAT_VERSION } from '../../../shared/format/graphFileSchema';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import type { RunSummary } from '../../../shared/format/runSummary';
import { createDocumentStore } from './documentStore';

function seeded() {
  const store = createDocumentStore();
  store.getState().edit((d) => addNode(d, { id: 'in', type: 'Input', position: { x: 0, y: 0 } }));
  store.getState().edit((d) => addNode(d, { id: 'd', type: 'Dense', position: { x: 200, y: 0 } }));
  store.getState().edit((d) => connect(d, { source: 'in', target: 'd' }));
  return store;
}

describe('documentStore history', () => {
  it('undo and redo restore exactly the same documents', () => {
    const store = seeded();
    const snapshots = [store.getState().document];
    store.getState().edit((d) => updateParams(d, 'd', { units: 8 }));
    snapshots.push(store.getState().document);
    store.getState().undo();
    expect(store.getState().document).toBe(snapshots[0]);
    store.getState().redo();
    expect(store.getState().document).toBe(snapshots[1]);
    expect(store.getState().document.nodes.find((n) => n.id === 'd')?.params.units).toBe(8);
  });

  it('records nothing for a no-op edit', () => {
    const store = seeded();
    const depth = store.getState().past.length;
    store.getState().edit((d) => updateParams(d, 'd', {}));
    store.getState().edit((d) => d);
    expect(store.getState().past.length).toBe(depth);
  });

  it('coalesces a drag into one step and starts a new one after endCoalesce', () => {
    const store = seeded();
    const before = store.getState().document;
    for (let x = 1; x <= 10; x++) store.getState().edit((d) => moveNodes(d, { d: { x: 200 + x, y: 0 } }), { coalesce: 'drag' });
    store.getState().endCoalesce();
    store.getState().edit((d) => moveNodes(d, { d: { x: 500, y: 0 } }), { coalesce: 'drag' });
    store.getState().undo();
    expect(store.getState().document.nodes.find((n) => n.id === 'd')?.position).toEqual({ x: 210, y: 0 });
    store.getState().undo();
    expect(store.getState().document).toBe(before);
  });

  it('a different coalesce key or a plain edit ends the run', () => {
    const store = seeded();
    const base = store.getState().past.length;
    store.getState().edit((d) => updateParams(d, 'd', { units: 1 }), { coalesce: 'param:d:units' });
    store.getState().edit((d) => updateParams(d, 'd', { units: 12 }), { coalesce: 'param:d:units' });
    store.getState().edit((d) => updateParams(d, 'd', { activation: 'tanh' }), { coalesce: 'param:d:activation' });
    store.getState().edit((d) => updateParams(d, 'd', { useBias: false }));
    expect(store.getState().past.length).toBe(base + 3);
  });

  it('a new edit clears redo; undo drops selection of nodes that no longer exist', () => {
    const store = seeded();
    store.getState().edit((d) => addNode(d, { id: 'x', type: 'Dense' }), { select: ['x'] });
    expect(store.getState().selection).toEqual(['x']);
    store.getState().undo();
    expect(store.getState().selection).toEqual([]);
    expect(store.getState().future.length).toBe(1);
    store.getState().edit((d) => updateParams(d, 'd', { units: 3 }));
    expect(store.getState().future.length).toBe(0);
  });

  it('tracks dirty against the saved document, including undo back to it', () => {
    const store = seeded();
    store.getState().markSaved('/tmp/a.nbrick', store.getState());
    expect(store.getState().dirty).toBe(false);
    store.getState().edit((d) => updateParams(d, 'd', { units: 3 }));
    expect(store.getState().dirty).toBe(true);
    store.getState().undo();
    expect(store.getState().dirty).toBe(false);
    expect(store.getState().filePath).toBe('/tmp/a.nbrick');
  });

  it('a refused edit leaves the document and history alone and reports why', () => {
    const store = seeded();
    const before = store.getState().document;
    const depth = store.getState().past.length;
    store.getState().edit((d) => connect(d, { source: 'in', target: 'nowhere' }));
    expect(store.getState().document).toBe(before);
    expect(store.getState().past.length).toBe(depth);
    expect(store.getState().editError?.message).toMatch(/nowhere/);
  });

  it('replaceFile resets history and toFile returns the envelope with training and runs', () => {
    const store = seeded();
    const graph = { ...emptyDocument('Loaded'), nodes: [{ id: 'a', type: 'Input', params: {}, position: { x: 0, y: 0 } }] };
    store.getState().replaceFile({ graph, training: DEFAULT_TRAINING_CONFIG }, '/w/x.nbrick');
    const s = store.getState();
    expect(s.past).toEqual([]);
    expect(s.dirty).toBe(false);
    expect(s.loadCount).toBe(1);
    const file = s.toFile();
    expect(file.format).toBe('neural-bricks/graph');
    expect(file.formatVersion).toBe(CURRENT_FORMAT_VERSION);
    expect(file.graph).toBe(graph);
    expect(file.training).toEqual(DEFAULT_TRAINING_CONFIG);
    expect(file.runs).toBeUndefined();
  });

  it('rearrangeLoaded re-positions a just-opened graph without an undo step or the dirty mark, and never after an edit', () => {
    const store = createDocumentStore();
    const graph = { ...emptyDocument('Loaded'), nodes: [{ id: 'a', type: 'Input', params: {}, position: { x: 0, y: 0 } }] };
    store.getState().replaceFile({ graph });
    const arranged = moveNodes(graph, new Map([['a', { x: 32, y: 48 }]]));
    store.getState().rearrangeLoaded(graph, arranged);
    let s = store.getState();
    expect(s.document).toBe(arranged);
    expect(s.dirty).toBe(false);
    expect(s.past).toEqual([]);
    // Undoing a later edit comes back to the arranged graph, still clean.
    s.edit((d) => updateParams(d, 'a', { size: 3 }));
    store.getState().undo();
    expect(store.getState().document).toBe(arranged);
    expect(store.getState().dirty).toBe(false);
    // Once the user has edited, a late layout result is dropped.
    store.getState().replaceFile({ graph });
    store.getState().edit((d) => updateParams(d, 'a', { size: 5 }));
    const edited = store.getState().document;
    store.getState().rearrangeLoaded(graph, arranged);
    s = store.getState();
    expect(s.document).toBe(edited);
    expect(s.dirty).toBe(true);
  });
});

function runRecord(id: string): RunSummary {
  return {
    id,
    startedAt: '2026-01-01T10:00:00.000Z',
    status: 'completed',
    backend: 'cpu',
    config: DEFAULT_TRAINING_CONFIG,
    epochs: [],
    final: { loss: 0.1 },
    samplesPerSec: 100,
    wallTimeMs: 1000,
  };
}

describe('documentStore saved revision (the whole file, not only the graph)', () => {
  function saved() {
    const store = seeded();
    store.getState().setTraining(DEFAULT_TRAINING_CONFIG);
    store.getState().markSaved('/w/a.nbrick', store.getState());
    expect(store.getState().dirty).toBe(false);
    return store;
  }

  it('save, change the learning rate, move a node, undo: still dirty (the learning rate is unsaved)', () => {
    const store = saved();
    store.getState().setTraining({ ...DEFAULT_TRAINING_CONFIG, learningRate: 0.5 });
    store.getState().edit((d) => moveNodes(d, { d: { x: 300, y: 40 } }));
    store.getState().undo();
    expect(store.getState().training?.learningRate).toBe(0.5);
    expect(store.getState().dirty).toBe(true);
  });

  it('save, edit, undo: clean again', () => {
    const store = saved();
    store.getState().edit((d) => updateParams(d, 'd', { units: 3 }));
    expect(store.getState().dirty).toBe(true);
    store.getState().undo();
    expect(store.getState().dirty).toBe(false);
  });

  it('save, change the config: dirty; set it back to the saved values: clean', () => {
    const store = saved();
    store.getState().setTraining({ ...DEFAULT_TRAINING_CONFIG, epochs: 3 });
    expect(store.getState().dirty).toBe(true);
    store.getState().setTraining({ ...DEFAULT_TRAINING_CONFIG });
    expect(store.getState().dirty).toBe(false);
  });

  it('save, a run finishes (a run record is added): dirty', () => {
    const store = saved();
    store.getState().addRun(runRecord('r1'));
    expect(store.getState().dirty).toBe(true);
    store.getState().markSaved('/w/a.nbrick', store.getState());
    expect(store.getState().dirty).toBe(false);
  });

  it('an edit made while a save is on its way stays unsaved', () => {
    const store = saved();
    store.getState().edit((d) => updateParams(d, 'd', { units: 3 }));
    const sent = store.getState(); // what the save serialized
    store.getState().setTraining({ ...DEFAULT_TRAINING_CONFIG, epochs: 7 });
    store.getState().edit((d) => updateParams(d, 'd', { units: 4 }));
    store.getState().markSaved('/w/a.nbrick', sent);
    expect(store.getState().dirty).toBe(true);
    store.getState().undo();
    store.getState().setTraining({ ...DEFAULT_TRAINING_CONFIG });
    expect(store.getState().dirty).toBe(false);
  });

  it('every change to the file content bumps the revision; selection does not', () => {
    const store = saved();
    let revision = store.getState().revision;
    const bumps = (action: () => void) => {
      action();
      const next = store.getState().revision;
      const bumped = next > revision;
      revision = next;
      return bumped;
    };
    expect(bumps(() => store.getState().edit((d) => updateParams(d, 'd', { units: 9 })))).toBe(true);
    expect(bumps(() => store.getState().undo())).toBe(true);
    expect(bumps(() => store.getState().redo())).toBe(true);
    expect(bumps(() => store.getState().setTraining({ ...DEFAULT_TRAINING_CONFIG, seed: 1 }))).toBe(true);
    expect(bumps(() => store.getState().addRun(runRecord('r2')))).toBe(true);
    expect(bumps(() => store.getState().select(['d']))).toBe(false);
  });

  it('a restored copy is unsaved until it is saved, even after undo', () => {
    const store = createDocumentStore();
    const graph = { ...emptyDocument('Restored'), nodes: [{ id: 'a', type: 'Input', params: {}, position: { x: 0, y: 0 } }] };
    store.getState().replaceFile({ graph }, '/w/x.nbrick', { unsaved: true });
    expect(store.getState().dirty).toBe(true);
    store.getState().edit((d) => updateParams(d, 'a', { size: 3 }));
    store.getState().undo();
    expect(store.getState().dirty).toBe(true);
    store.getState().markSaved('/w/x.nbrick', store.getState());
    expect(store.getState().dirty).toBe(false);
  });
});
