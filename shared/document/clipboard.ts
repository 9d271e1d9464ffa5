/**
 * Copy and paste of subgraphs. A fragment is plain data (it can go through the system clipboard as JSON); pasting
 * gives every node, edge and group a fresh readable id so a fragment can be pasted any number of times.
 */
import type { GraphDocument, GraphEdge, GraphGroup, GraphNode, NodeId, Position } from './model';
import { nextEdgeId, nextGroupId, nextNodeId } from './ids';

export interface GraphFragment {
  readonly nodes: readonly GraphNode[];
  /** Only edges with both ends inside the fragment. */
  readonly edges: readonly GraphEdge[];
  /** Only groups whose every member is inside the fragment. */
  readonly groups: readonly GraphGroup[];
}

export function extractSubgraph(doc: GraphDocument, nodeIds: Iterable<NodeId>): GraphFragment {
  const ids = new Set(nodeIds);
  return {
    nodes: doc.nodes.filter((n) => ids.has(n.id)),
    edges: doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
    groups: doc.groups.filter((g) => g.nodeIds.length > 0 && g.nodeIds.every((n) => ids.has(n))),
  };
}

export interface PasteResult {
  readonly document: GraphDocument;
  /** Old node id → new node id, in fragment order. */
  readonly idMap: ReadonlyMap<NodeId, NodeId>;
  readonly newNodeIds: readonly NodeId[];
}

/** Adds a copy of `fragment` moved by `offset`, with fresh ids; edges and groups are re-pointed at the copies. */
export function pasteFragment(doc: GraphDocument, fragment: GraphFragment, offset: Position = { x: 40, y: 40 }): PasteResult {
  const idMap = new Map<NodeId, NodeId>();
  const newNodeIds: NodeId[] = [];
  for (const node of fragment.nodes) {
    const id = nextNodeId(doc, node.type, newNodeIds);
    idMap.set(node.id, id);
    newNodeIds.push(id);
  }
  const nodes = fragment.nodes.map((n) => ({
    ...n,
    id: idMap.get(n.id) as NodeId,
    params: structuredCloneParams(n.params),
    position: { x: n.position.x + offset.x, y: n.position.y + offset.y },
  }));
  const edgeIds: string[] = [];
  const edges = fragment.edges.flatMap((e) => {
    const source = idMap.get(e.source);
    const target = idMap.get(e.target);
    if (source === undefined || target === undefined) return [];
    const id = nextEdgeId(doc, edgeIds);
    edgeIds.push(id);
    return [{ id, source, target, targetPort: e.targetPort }];
  });
  const groupIds: string[] = [];
  const groups = fragment.groups.flatMap((g) => {
    const members = g.nodeIds.flatMap((n) => idMap.get(n) ?? []);
    if (members.length === 0) return [];
    const id = nextGroupId(doc, groupIds);
    groupIds.push(id);
    return [{ ...g, id, nodeIds: members }];
  });
  if (nodes.length === 0) return { document: doc, idMap, newNodeIds };
  return {
    document: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges], groups: [...doc.groups, ...groups] },
    idMap,
    newNodeIds,
  };
}

/** Duplicates the given nodes in place (Ctrl+D): copies with fresh ids, internal edges kept, moved by `offset`. */
export function duplicateSubgraph(doc: GraphDocument, nodeIds: Iterable<NodeId>, offset: Position = { x: 40, y: 40 }): PasteResult {
  return pasteFragment(doc, extractSubgraph(doc, nodeIds), offset);
}

function structuredCloneParams(params: GraphNode['params']): GraphNode['params'] {
  const out: Record<string, GraphNode['params'][string]> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === '__proto__') continue;
    out[k] = Array.isArray(v) ? [...v] : v;
  }
  return out;
}
