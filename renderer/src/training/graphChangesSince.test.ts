import { describe, expect, it } from 'vitest';
import { addNode, connect, moveNodes, removeNodes, updateParams } from '../../../shared/document';
import { emptyDocument } from '../../../shared/document/model';
import { createDocumentStore } from '../store/documentStore';
import { graphChangesSince, snapshotNotice } from './graphChangesSince';

function withLayers() {
  const store = createDocumentStore();
  store.getState().edit((d) => addNode(d, { id: 'in', type: 'Input', position: { x: 0, y: 0 } }));
  store.getState().edit((d) => addNode(d, { id: 'd', type: 'Dense', position: { x: 200, y: 0 } }));
  store.getState().edit((d) => connect(d, { source: 'in', target: 'd' }));
  return store;
}

describe('graphChangesSince (the graph a run trains against the canvas)', () => {
  it('deleting a layer is 1 change; undo brings back the same graph: none', () => {
    const store = withLayers();
    const snapshot = store.getState().document;
    expect(graphChangesSince(snapshot, store.getState())).toBe(0);
    store.getState().edit((d) => removeNodes(d, ['d']));
    expect(graphChangesSince(snapshot, store.getState())).toBe(1);
    store.getState().undo();
    expect(graphChangesSince(snapshot, store.getState())).toBe(0);
  });

  it('counts undo steps: two edits are 2, a drag is 1, an undo then a new edit is 1', () => {
    const store = withLayers();
    const snapshot = store.getState().document;
    store.getState().edit((d) => updateParams(d, 'd', { units: 3 }));
    store.getState().edit((d) => updateParams(d, 'd', { units: 4 }));
    expect(graphChangesSince(snapshot, store.getState())).toBe(2);
    store.getState().undo();
    store.getState().undo();
    for (let x = 1; x <= 5; x++) store.getState().edit((d) => moveNodes(d, { d: { x: 200 + x, y: 0 } }), { coalesce: 'drag' });
    expect(graphChangesSince(snapshot, store.getState())).toBe(1);
  });

  it('a snapshot taken and then undone past is 1 change away (it sits in redo)', () => {
    const store = withLayers();
    const snapshot = store.getState().document;
    store.getState().undo();
    expect(graphChangesSince(snapshot, store.getState())).toBe(1);
    store.getState().redo();
    expect(graphChangesSince(snapshot, store.getState())).toBe(0);
  });

  it('another file opened: differs, count unknown', () => {
    const store = withLayers();
    const snapshot = store.getState().document;
    store.getState().replaceFile({ graph: emptyDocument('Other') });
    expect(graphChangesSince(snapshot, store.getState())).toBeNull();
  });
});

describe('snapshotNotice', () => {
  const at = new Date(2026, 0, 5, 14, 2).toISOString();
  const time = new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

  it('says plainly which graph is trained and how far the canvas has moved', () => {
    expect(snapshotNotice(at, 1, true)).toBe(`Training the graph as it was at ${time} — 1 change since`);
    expect(snapshotNotice(at, 3, false)).toBe(`Trained the graph as it was at ${time} — 3 changes since`);
    expect(snapshotNotice(at, null, true)).toBe(`Training the graph as it was at ${time} — the canvas has changed since`);
  });

  it('says nothing when the canvas shows the trained graph', () => {
    expect(snapshotNotice(at, 0, true)).toBeUndefined();
  });
});
