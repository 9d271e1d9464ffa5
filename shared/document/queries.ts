/** Read-only questions about a graph's wiring. */
import type { GraphDocument, NodeId } from './model';

/** `id` and every node upstream of it: what the compiler builds when `id` is the model's output. */
export function ancestors(doc: GraphDocument, id: NodeId): Set<NodeId> {
  const into = new Map<NodeId, NodeId[]>();
  for (const e of doc.edges) into.set(e.target, [...(into.get(e.target) ?? []), e.source]);
  const seen = new Set<NodeId>([id]);
  const stack = [id];
  while (stack.length > 0) {
    for (const s of into.get(stack.pop()!) ?? []) {
      if (!seen.has(s)) {
        seen.add(s);
        stack.push(s);
      }
    }
  }
  return seen;
}
