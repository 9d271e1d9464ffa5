/**
 * Pure document operations for blocks, built on shared/document's paste and group edits:
 * inserting a template as a named group wired after an upstream node, and repeating a group ×N in sequence.
 */
import { connect, groupNodes, nextGroupId, pasteFragment } from '../../../shared/document';
import type { GraphDocument, GraphFragment, GroupId, NodeId, Position } from '../../../shared/document';
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

export { groupExit, repeatGroup } from '../../../shared/experiments/repeatGroup';
