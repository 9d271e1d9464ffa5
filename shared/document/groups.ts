/**
 * Group edits. A node belongs to at most one group, so a collapsed block on the canvas has one unambiguous owner:
 * grouping nodes takes them out of any group they were in (and a group left empty disappears).
 */
import type { GraphDocument, GraphGroup, GroupId, NodeId } from './model';
import { nextGroupId } from './ids';
import { EditError } from './edits';

/** Puts the existing nodes among `nodeIds` into a new group `name`. No known nodes → returns `doc`. */
export function groupNodes(doc: GraphDocument, nodeIds: Iterable<NodeId>, name: string, id: GroupId = nextGroupId(doc)): GraphDocument {
  const known = new Set(doc.nodes.map((n) => n.id));
  const members = [...new Set(nodeIds)].filter((nodeId) => known.has(nodeId));
  if (members.length === 0) return doc;
  if (doc.groups.some((g) => g.id === id)) throw new EditError(`group id "${id}" is already used`);
  const taken = new Set(members);
  const others = doc.groups.flatMap((g) => {
    if (!g.nodeIds.some((n) => taken.has(n))) return [g];
    const rest = g.nodeIds.filter((n) => !taken.has(n));
    return rest.length === 0 ? [] : [{ ...g, nodeIds: rest }];
  });
  return { ...doc, groups: [...others, { id, name, nodeIds: members }] };
}

/** Dissolves a group; its nodes stay. */
export function ungroup(doc: GraphDocument, groupId: GroupId): GraphDocument {
  if (!doc.groups.some((g) => g.id === groupId)) return doc;
  return { ...doc, groups: doc.groups.filter((g) => g.id !== groupId) };
}

function mapGroup(doc: GraphDocument, groupId: GroupId, update: (g: GraphGroup) => GraphGroup): GraphDocument {
  let changed = false;
  const groups = doc.groups.map((g) => {
    if (g.id !== groupId) return g;
    const updated = update(g);
    changed = updated !== g;
    return updated;
  });
  return changed ? { ...doc, groups } : doc;
}

export function renameGroup(doc: GraphDocument, groupId: GroupId, name: string): GraphDocument {
  return mapGroup(doc, groupId, (g) => (g.name === name ? g : { ...g, name }));
}

export function setGroupCollapsed(doc: GraphDocument, groupId: GroupId, collapsed: boolean): GraphDocument {
  return mapGroup(doc, groupId, (g) => ((g.collapsed ?? false) === collapsed ? g : { ...g, collapsed }));
}

/** The group a node belongs to, if any. */
export function groupOf(doc: GraphDocument, nodeId: NodeId): GraphGroup | undefined {
  return doc.groups.find((g) => g.nodeIds.includes(nodeId));
}
