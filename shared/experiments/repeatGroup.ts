/**
 * Repeating a named block ×N in sequence: pure, so both the canvas ("Repeat block") and variant experiments
 * (a block's depth) use it.
 */
import { connect, disconnect, extractSubgraph, pasteFragment } from '../document';
import type { GraphDocument, GraphEdge, GroupId, NodeId } from '../document';

/** The member whose output leaves the group (or, if none leaves yet, the member with no internal successor). */
export function groupExit(doc: GraphDocument, memberIds: readonly NodeId[]): NodeId | undefined {
  const members = new Set(memberIds);
  const leaving = doc.edges.find((e) => members.has(e.source) && !members.has(e.target));
  if (leaving) return leaving.source;
  const sinks = memberIds.filter((id) => !doc.edges.some((e) => e.source === id && members.has(e.target)));
  return sinks[sinks.length - 1];
}

/**
 * Appends `times` copies of a group after it, each fed by the previous copy's exit in place of the group's external
 * inputs; whatever consumed the original group's output now consumes the last copy's.
 */
export function repeatGroup(doc: GraphDocument, groupId: GroupId, times: number, sizeOf: (id: NodeId) => { width: number }): GraphDocument {
  const group = doc.groups.find((g) => g.id === groupId);
  if (!group || times < 1) return doc;
  const members = new Set(group.nodeIds);
  const exit = groupExit(doc, group.nodeIds);
  if (exit === undefined) return doc;
  const incoming = doc.edges.filter((e) => !members.has(e.source) && members.has(e.target));
  const outgoing = doc.edges.filter((e) => e.source === exit && !members.has(e.target));
  const memberNodes = doc.nodes.filter((n) => members.has(n.id));
  const minX = Math.min(...memberNodes.map((n) => n.position.x));
  const maxX = Math.max(...memberNodes.map((n) => n.position.x + sizeOf(n.id).width));
  const stride = Math.ceil((maxX - minX + 80) / 16) * 16;

  let next = disconnect(doc, outgoing.map((e) => e.id));
  // Downstream nodes shift right to make room for the copies.
  const downstream = downstreamOf(doc, outgoing.map((e) => e.target), members);
  next = {
    ...next,
    nodes: next.nodes.map((n) =>
      downstream.has(n.id) ? { ...n, position: { x: n.position.x + stride * times, y: n.position.y } } : n,
    ),
  };
  let previousExit = exit;
  const fragment = extractSubgraph(doc, group.nodeIds);
  for (let k = 1; k <= times; k++) {
    const pasted = pasteFragment(next, fragment, { x: stride * k, y: 0 });
    next = pasted.document;
    for (const e of incoming) {
      next = connect(next, { source: previousExit, target: pasted.idMap.get(e.target)!, targetPort: e.targetPort });
    }
    // The pasted fragment carries a copy of the group (every member is inside); name it after the original.
    previousExit = pasted.idMap.get(exit)!;
    next = renameLastGroup(next, `${group.name} ${k + 1}`);
  }
  for (const e of outgoing) next = connect(next, { source: previousExit, target: e.target, targetPort: e.targetPort });
  return next;
}

function renameLastGroup(doc: GraphDocument, name: string): GraphDocument {
  const last = doc.groups[doc.groups.length - 1];
  if (!last) return doc;
  return { ...doc, groups: [...doc.groups.slice(0, -1), { ...last, name }] };
}

function downstreamOf(doc: GraphDocument, starts: readonly NodeId[], exclude: ReadonlySet<NodeId>): Set<NodeId> {
  const seen = new Set<NodeId>();
  const stack = [...starts];
  const out = new Map<NodeId, GraphEdge[]>();
  for (const e of doc.edges) {
    const list = out.get(e.source) ?? [];
    list.push(e);
    out.set(e.source, list);
  }
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id) || exclude.has(id)) continue;
    seen.add(id);
    for (const e of out.get(id) ?? []) stack.push(e.target);
  }
  return seen;
}
