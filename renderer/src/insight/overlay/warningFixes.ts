/**
 * The fixes a telemetry warning suggests (shared/telemetry/telemetryWarnings.ts), as edits of the open document: each
 * is ONE store edit, hence one undo step. Graph fixes are pure recipes (`fixRecipe`); the learning-rate fix is a
 * training-config edit recorded in the same undo history.
 */
import type { StoreApi } from 'zustand/vanilla';
import { addNode, connect, createNode, disconnect, translateNodes, updateParams } from '../../../../shared/document/edits';
import { groupNodes } from '../../../../shared/document/groups';
import type { GraphDocument, GraphNode, NodeId } from '../../../../shared/document/model';
import { DEFAULT_TRAINING_CONFIG } from '../../../../shared/format/trainingConfig';
import type { WarningFix } from '../../../../shared/telemetry/telemetryWarnings';
import { GRID, downstreamOf, snap } from '../../canvas/canvasCommands';
import { documentStore, type DocumentState } from '../../store/documentStore';

/** Horizontal room a new layer needs in front of the layer it feeds (as when splicing into an edge). */
const ROOM = 272;
/** Targets further up or down than this are on another row of a wrapped layout: nothing is pushed aside. */
const SAME_ROW = 64;

/**
 * Puts a new node right of `after` and moves every `source`-fed consumer on: `after`'s outgoing edges start at the
 * new node instead. Consumers on the same row that would overlap it are shifted right with everything downstream.
 */
function insertAfter(doc: GraphDocument, after: GraphNode, type: string, label?: string): { doc: GraphDocument; node: GraphNode } {
  const node = createNode(doc, { type, position: snap({ x: after.position.x + ROOM, y: after.position.y }), ...(label ? { label } : {}) });
  const outgoing = doc.edges.filter((e) => e.source === after.id);
  let next = disconnect(addNode(doc, node), outgoing.map((e) => e.id));
  for (const e of outgoing) next = connect(next, { source: node.id, target: e.target, targetPort: e.targetPort });
  next = connect(next, { source: after.id, target: node.id, targetPort: 0 });
  let dx = 0;
  for (const e of outgoing) {
    const target = next.nodes.find((n) => n.id === e.target);
    if (target && Math.abs(target.position.y - node.position.y) < SAME_ROW) dx = Math.max(dx, node.position.x + ROOM - target.position.x);
  }
  if (dx > 0) {
    const moved = new Set<NodeId>();
    for (const e of outgoing) for (const id of downstreamOf(next, e.target)) moved.add(id);
    next = translateNodes(next, moved, Math.ceil(dx / GRID) * GRID, 0);
  }
  return { doc: joinGroupOf(next, after.id, node.id), node };
}

/** A node inserted inside a block belongs to that block. */
function joinGroupOf(doc: GraphDocument, memberId: NodeId, newId: NodeId): GraphDocument {
  const group = doc.groups.find((g) => g.nodeIds.includes(memberId));
  if (!group) return doc;
  return { ...doc, groups: doc.groups.map((g) => (g === group ? { ...g, nodeIds: [...g.nodeIds, newId] } : g)) };
}

function nodeOf(doc: GraphDocument, id: NodeId): GraphNode {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) throw new Error(`layer "${id}" is no longer in the graph`);
  return node;
}

/** The document edit of a graph fix; undefined for the learning-rate fix (a training-config edit). */
export function fixRecipe(fix: WarningFix): ((doc: GraphDocument) => GraphDocument) | undefined {
  switch (fix.kind) {
    case 'insert-batchnorm':
      return (doc) => insertAfter(doc, nodeOf(doc, fix.nodeId), 'BatchNorm').doc;
    case 'switch-activation':
      return (doc) => {
        nodeOf(doc, fix.nodeId);
        return updateParams(doc, fix.nodeId, { activation: fix.to });
      };
    case 'wrap-residual':
      return (doc) => {
        nodeOf(doc, fix.inputId);
        nodeOf(doc, fix.firstId);
        const span = spanNodes(doc, fix.firstId, fix.lastId);
        const inserted = insertAfter(doc, nodeOf(doc, fix.lastId), 'Add', 'Residual add');
        let next = connect(inserted.doc, { source: fix.inputId, target: inserted.node.id, targetPort: 0 });
        // A span outside any block becomes a block of its own, so the residual reads as one brick.
        const members = [...span, inserted.node.id];
        if (!doc.groups.some((g) => g.nodeIds.some((id) => span.includes(id)))) next = groupNodes(next, members, 'Residual block');
        return next;
      };
    case 'lower-learning-rate':
      return undefined;
  }
}

/** The chain from `firstId` to `lastId` following single outgoing edges. */
function spanNodes(doc: GraphDocument, firstId: NodeId, lastId: NodeId): NodeId[] {
  const span = [firstId];
  for (let current = firstId; current !== lastId; ) {
    const out = doc.edges.filter((e) => e.source === current);
    if (out.length !== 1 || span.length > doc.nodes.length) throw new Error('the layers to wrap are no longer a straight chain');
    current = out[0]!.target;
    span.push(current);
  }
  return span;
}

/** Applies a fix to the open document as one undo step. Returns false (and the store shows why) when it cannot. */
export function applyWarningFix(fix: WarningFix, store: StoreApi<DocumentState> = documentStore): boolean {
  const state = store.getState();
  if (fix.kind === 'lower-learning-rate') {
    const config = state.training ?? DEFAULT_TRAINING_CONFIG;
    state.editTraining({ ...config, learningRate: fix.to });
    return true;
  }
  const before = state.document;
  let next: GraphDocument;
  try {
    next = fixRecipe(fix)!(before);
  } catch (error) {
    // Reported like any refused edit (the store keeps the message for the UI).
    state.edit(() => {
      throw error;
    });
    return false;
  }
  const known = new Set(before.nodes.map((n) => n.id));
  const added = next.nodes.filter((n) => !known.has(n.id)).map((n) => n.id);
  state.edit(() => next, added.length > 0 ? { select: added } : {});
  if (store.getState().document === before) return false;
  return true;
}
