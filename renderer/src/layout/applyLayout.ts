/**
 * Commits a document with an elk layout applied, as ONE undo step.
 */
import { moveNodes } from '../../../shared/document/edits';
import type { GraphDocument, NodeId } from '../../../shared/document/model';
import { documentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
import { layoutPositions, type LayoutDirection } from './autoLayout';

/** `direction` defaults to the one the user last chose (view store; top to bottom unless changed). */
export async function layoutDocument(doc: GraphDocument, direction: LayoutDirection = viewStore.getState().layoutDirection): Promise<GraphDocument> {
  if (doc.nodes.length === 0) return doc;
  const measured = viewStore.getState().measured;
  const origin = {
    x: Math.min(...doc.nodes.map((n) => n.position.x)),
    y: Math.min(...doc.nodes.map((n) => n.position.y)),
  };
  const positions = await layoutPositions(doc, (id) => measured.get(id), origin, direction);
  return moveNodes(doc, positions);
}

let runs = 0;

/**
 * `next` replaces the current document at once (so nothing waits on elk), then is swapped for its laid-out version
 * in the same undo step — unless the user edited in between, in which case their edit wins and layout is skipped.
 */
export async function applyLayout(next: GraphDocument, select?: readonly NodeId[], direction?: LayoutDirection): Promise<void> {
  const key = `layout:${++runs}`;
  documentStore.getState().edit(() => next, { coalesce: key, ...(select ? { select } : {}) });
  let laidOut: GraphDocument;
  try {
    laidOut = await layoutDocument(next, direction);
  } catch (error) {
    console.warn('Auto-layout failed:', error);
    return;
  }
  const state = documentStore.getState();
  if (state.document !== next) return;
  state.edit(() => laidOut, { coalesce: key });
  state.endCoalesce();
  viewStore.getState().requestFit();
}

/**
 * The "Auto layout" command on the current graph, in `direction` (remembered as the user's choice) or else the one
 * chosen last.
 */
export async function autoLayoutCurrent(direction?: LayoutDirection): Promise<void> {
  if (direction) viewStore.getState().setLayoutDirection(direction);
  await applyLayout(documentStore.getState().document, undefined, viewStore.getState().layoutDirection);
}
