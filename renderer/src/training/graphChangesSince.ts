/**
 * How far the canvas has moved from a graph snapshot (the one a run trains), in undo steps: 0 when the canvas shows
 * that very graph again (after undo, say), null when the snapshot is no longer in the history (another file was
 * opened, or it is older than the history limit) — then all that is known is that the graph differs.
 */
import type { GraphDocument } from '../../../shared/document/model';
import type { DocumentState } from '../store/documentStore';

export type GraphHistory = Pick<DocumentState, 'document' | 'past' | 'future'>;

export function graphChangesSince(snapshot: GraphDocument, history: GraphHistory): number | null {
  if (history.document === snapshot) return 0;
  // Undo restores the same objects, so identity finds the snapshot in the history.
  const before = history.past.lastIndexOf(snapshot);
  if (before >= 0) return history.past.length - before;
  const after = history.future.indexOf(snapshot);
  if (after >= 0) return after + 1;
  return null;
}

/**
 * The line the Training panel shows when the canvas differs from what a run trains, e.g.
 * "Training the graph as it was at 14:02 — 1 change since"; undefined when they are the same graph.
 */
export function snapshotNotice(startedAt: string, changes: number | null, active: boolean): string | undefined {
  if (changes === 0) return undefined;
  const time = new Date(startedAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  const since = changes === null ? 'the canvas has changed since' : `${changes} ${changes === 1 ? 'change' : 'changes'} since`;
  return `${active ? 'Training' : 'Trained'} the graph as it was at ${time} — ${since}`;
}
