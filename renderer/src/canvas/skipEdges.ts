/**
 * Skip connections: an edge into a multi-input node (Add, Concatenate, Multiply) whose source also reaches the
 * target along another path. In a residual block `x → conv → bn → add` plus `x → add`, the direct `x → add` edge
 * is the skip; inception branches that all pass through layers have none. Drawn dashed so the bypass reads at a glance.
 */
import type { EdgeId, GraphDocument } from '../../../shared/document/model';

export function findSkipEdges(doc: GraphDocument, isMultiInput: (type: string) => boolean): ReadonlySet<EdgeId> {
  const skips = new Set<EdgeId>();
  const typeById = new Map(doc.nodes.map((n) => [n.id, n.type]));
  const outgoing = new Map<string, { id: EdgeId; target: string }[]>();
  for (const e of doc.edges) {
    let list = outgoing.get(e.source);
    if (!list) outgoing.set(e.source, (list = []));
    list.push({ id: e.id, target: e.target });
  }
  for (const edge of doc.edges) {
    const targetType = typeById.get(edge.target);
    if (targetType === undefined || !isMultiInput(targetType)) continue;
    if (reachesWithout(outgoing, edge.source, edge.target, edge.id)) skips.add(edge.id);
  }
  return skips;
}

function reachesWithout(
  outgoing: ReadonlyMap<string, readonly { id: EdgeId; target: string }[]>,
  from: string,
  to: string,
  excluded: EdgeId,
): boolean {
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length > 0) {
    const current = stack.pop()!;
    for (const e of outgoing.get(current) ?? []) {
      if (e.id === excluded) continue;
      if (e.target === to) return true;
      if (!seen.has(e.target)) {
        seen.add(e.target);
        stack.push(e.target);
      }
    }
  }
  return false;
}
