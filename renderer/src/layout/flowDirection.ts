/**
 * Which way the open graph flows, read from where its layers are: DOWN when most edges point down, RIGHT when most
 * point right; a graph without edges follows the direction the user last chose for Auto layout. Layers put their
 * ports on the matching sides (inputs top / outputs bottom, or left / right), so a file laid out either way — or
 * arranged by hand — is drawn with edges that leave and enter where they should.
 */
import type { GraphDocument } from '../../../shared/document/model';
import { useDocumentStore } from '../store/documentStore';
import { useViewStore } from '../store/viewStore';
import type { LayoutDirection } from './autoLayout';

const cache = new WeakMap<GraphDocument, LayoutDirection | 'either'>();

export function inferDirection(doc: GraphDocument): LayoutDirection | 'either' {
  const cached = cache.get(doc);
  if (cached) return cached;
  const position = new Map(doc.nodes.map((n) => [n.id, n.position]));
  let down = 0;
  let right = 0;
  for (const e of doc.edges) {
    const s = position.get(e.source);
    const t = position.get(e.target);
    if (!s || !t) continue;
    const dx = t.x - s.x;
    const dy = t.y - s.y;
    if (dy > Math.abs(dx)) down++;
    else if (dx > Math.abs(dy)) right++;
  }
  const direction = down > right ? 'DOWN' : right > down ? 'RIGHT' : 'either';
  cache.set(doc, direction);
  return direction;
}

export function useFlowDirection(): LayoutDirection {
  const inferred = useDocumentStore((s) => inferDirection(s.document));
  const chosen = useViewStore((s) => s.layoutDirection);
  return inferred === 'either' ? chosen : inferred;
}
