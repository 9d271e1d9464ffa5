/**
 * Pure document operations for blocks, built on shared/document's paste and group edits:
 * inserting a template as a named group wired after an upstream node, and repeating a group ×N in sequence.
 */
import { connect, disconnect, groupNodes, nextGroupId, pasteFragment, extractSubgraph } from '../../../shared/document';
import type { GraphDocument, GraphEdge, GraphFragment, GroupId, NodeId, Position } from '../../../shared/document';
import type { Fragment } from './blockTemplates';

export interface BlockInsertResult {
  readonly document: GraphDocument;
  readonly newNodeIds: readonly NodeId[];
  readonly exitId: NodeId;
  readonly groupId: GroupId;
}

/** Adds `fragment` at `origin` as a group; wires `upstream` into each entry when given. */
export function insertFragment(doc: GraphDocument, fragment: Fragment, origin: Position, upstream?: NodeId): BlockInsertResult {
  const graphFragment: GraphFragment = {
    nodes: fragment.nodes.map((n) => ({
      id: n.key,
      type: n.type,
      params: n.params,
      position: { x: n.dx, y: n.dy },
      ...(n.label ? { label: n.label } : {}),
    })),
    edges: fragment.edges.map((e, i) => ({ id: `f${i}`, source: e.from, target: e.to, targetPort: e.port })),
    groups: [],
  };
  const pasted = pasteFragment(doc, graphFragment, origin);
  let next = pasted.document;
  const idOf = (key: string): NodeId => {
    const id = pasted.idMap.get(key);
    if (id === undefined) throw new Error(`block '${fragment.name}' names unknown node '${key}'`);
    return id;
  };
  if (upstream !== undefined && next.nodes.some((n) => n.id === upstream)) {
    for (const entry of fragment.entries) next = connect(next, { source: upstream, target: idOf(entry.key), targetPort: entry.port });
  }
  const groupId = nextGroupId(next);
  next = groupNodes(next, pasted.newNodeIds, fragment.name, groupId);
  return { document: next, newNodeIds: pasted.newNodeIds, exitId: idOf(fragment.exit), groupId };
}

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
