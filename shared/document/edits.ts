/**
 * Pure edit operations on a GraphDocument. Each returns a new document and never mutates its input; an edit that
 * changes nothing returns the input itself, so a store can skip recording it in undo history.
 * Edits keep references intact (no edge or group names a missing node); whether the network is valid is left to
 * analyzeGraph, so a user may build a half-finished graph step by step.
 */
import type { EdgeId, GraphDocument, GraphEdge, GraphNode, NodeId, ParamValue, Params, Position } from './model';
import { nextEdgeId, nextNodeId } from './ids';

export class EditError extends Error {
  override readonly name = 'EditError';
}

export interface NewNode {
  readonly type: string;
  readonly params?: Params;
  readonly position?: Position;
  /** Defaults to a fresh readable id from the type (`dense3`). */
  readonly id?: NodeId;
  readonly label?: string;
  readonly notes?: string;
}

/** Builds a node with a fresh id without adding it: lets a caller know the id before it commits the edit. */
export function createNode(doc: GraphDocument, spec: NewNode): GraphNode {
  const id = spec.id ?? nextNodeId(doc, spec.type);
  return {
    id,
    type: spec.type,
    params: { ...(spec.params ?? {}) },
    position: spec.position ?? { x: 0, y: 0 },
    ...(spec.label === undefined ? {} : { label: spec.label }),
    ...(spec.notes === undefined ? {} : { notes: spec.notes }),
  };
}

/** Adds a node (a NewNode gets a fresh id). Throws EditError when the id is already used. */
export function addNode(doc: GraphDocument, node: GraphNode | NewNode): GraphDocument {
  const full = createNode(doc, node);
  if (doc.nodes.some((n) => n.id === full.id)) throw new EditError(`node id "${full.id}" is already used`);
  return { ...doc, nodes: [...doc.nodes, full] };
}

/** Removes nodes with their edges and group memberships; groups left empty disappear. Unknown ids are ignored. */
export function removeNodes(doc: GraphDocument, nodeIds: Iterable<NodeId>): GraphDocument {
  const gone = new Set(nodeIds);
  if (!doc.nodes.some((n) => gone.has(n.id))) return doc;
  const groups = doc.groups.flatMap((g) => {
    if (!g.nodeIds.some((id) => gone.has(id))) return [g];
    const nodeIds = g.nodeIds.filter((id) => !gone.has(id));
    return nodeIds.length === 0 ? [] : [{ ...g, nodeIds }];
  });
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !gone.has(n.id)),
    edges: doc.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
    groups,
  };
}

export interface Connection {
  readonly source: NodeId;
  readonly target: NodeId;
  readonly targetPort?: number;
  readonly id?: EdgeId;
}

/**
 * Adds an edge `source → target:targetPort`. An identical edge already present makes this a no-op.
 * With `replace`, edges already entering that port are removed first (a single-input port re-wired on the canvas).
 * Throws EditError for an unknown node, a negative or fractional port, or a taken edge id.
 */
export function connect(doc: GraphDocument, conn: Connection, opts: { replace?: boolean } = {}): GraphDocument {
  const targetPort = conn.targetPort ?? 0;
  for (const end of [conn.source, conn.target]) {
    if (!doc.nodes.some((n) => n.id === end)) throw new EditError(`cannot connect: unknown node "${end}"`);
  }
  if (!Number.isInteger(targetPort) || targetPort < 0) throw new EditError(`cannot connect: bad port ${targetPort}`);
  const intoPort = (e: GraphEdge) => e.target === conn.target && e.targetPort === targetPort;
  const existing = doc.edges.filter(intoPort);
  if (existing.some((e) => e.source === conn.source) && (!opts.replace || existing.length === 1)) return doc;
  const kept = opts.replace ? doc.edges.filter((e) => !intoPort(e)) : doc.edges;
  const id = conn.id ?? nextEdgeId(doc);
  if (kept.some((e) => e.id === id)) throw new EditError(`edge id "${id}" is already used`);
  return { ...doc, edges: [...kept, { id, source: conn.source, target: conn.target, targetPort }] };
}

/** Removes edges by id; unknown ids are ignored. */
export function disconnect(doc: GraphDocument, edgeIds: Iterable<EdgeId>): GraphDocument {
  const gone = new Set(edgeIds);
  if (!doc.edges.some((e) => gone.has(e.id))) return doc;
  return { ...doc, edges: doc.edges.filter((e) => !gone.has(e.id)) };
}

function sameParam(a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

/** Replaces one node through `update`; returns `doc` itself when the node is missing or unchanged. */
function mapNode(doc: GraphDocument, nodeId: NodeId, update: (node: GraphNode) => GraphNode): GraphDocument {
  const index = doc.nodes.findIndex((n) => n.id === nodeId);
  const node = doc.nodes[index];
  if (!node) return doc;
  const updated = update(node);
  if (updated === node) return doc;
  const nodes = doc.nodes.slice();
  nodes[index] = updated;
  return { ...doc, nodes };
}

/** Merges `patch` into a node's params; a value of `undefined` removes that param. */
export function updateParams(
  doc: GraphDocument,
  nodeId: NodeId,
  patch: Readonly<Record<string, ParamValue | undefined>>,
): GraphDocument {
  return mapNode(doc, nodeId, (node) => {
    const keys = Object.keys(patch);
    if (keys.every((k) => sameParam(node.params[k], patch[k]) && (patch[k] !== undefined || !Object.hasOwn(node.params, k)))) {
      return node;
    }
    // Built on a null prototype and copied out, so a `__proto__` param name stays a plain key.
    const params: Record<string, ParamValue> = Object.create(null) as Record<string, ParamValue>;
    for (const [k, v] of Object.entries(node.params)) params[k] = v;
    for (const k of keys) {
      const v = patch[k];
      if (v === undefined) delete params[k];
      else params[k] = Array.isArray(v) ? [...v] : v;
    }
    return { ...node, params: { ...params } };
  });
}

/** Sets absolute positions for the nodes named in `positions`. */
export function moveNodes(doc: GraphDocument, positions: Readonly<Record<NodeId, Position>> | ReadonlyMap<NodeId, Position>): GraphDocument {
  const map = positions instanceof Map ? positions : new Map(Object.entries(positions));
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = map.get(n.id);
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    changed = true;
    return { ...n, position: { x: p.x, y: p.y } };
  });
  return changed ? { ...doc, nodes } : doc;
}

/** Moves the given nodes by (dx, dy). */
export function translateNodes(doc: GraphDocument, nodeIds: Iterable<NodeId>, dx: number, dy: number): GraphDocument {
  if (dx === 0 && dy === 0) return doc;
  const ids = new Set(nodeIds);
  const positions = new Map<NodeId, Position>();
  for (const n of doc.nodes) if (ids.has(n.id)) positions.set(n.id, { x: n.position.x + dx, y: n.position.y + dy });
  return moveNodes(doc, positions);
}

function setOptionalText(doc: GraphDocument, nodeId: NodeId, key: 'label' | 'notes', value: string | undefined): GraphDocument {
  const text = value === undefined || value.trim() === '' ? undefined : value;
  return mapNode(doc, nodeId, (node) => {
    if (node[key] === text) return node;
    const { [key]: _old, ...rest } = node;
    return text === undefined ? rest : { ...rest, [key]: text };
  });
}

/** Sets a node's display label; empty or undefined removes it (the canvas then shows the type). */
export function setLabel(doc: GraphDocument, nodeId: NodeId, label: string | undefined): GraphDocument {
  return setOptionalText(doc, nodeId, 'label', label);
}

/** Sets a node's free-text notes; empty or undefined removes them. */
export function setNotes(doc: GraphDocument, nodeId: NodeId, notes: string | undefined): GraphDocument {
  return setOptionalText(doc, nodeId, 'notes', notes);
}

/** Renames the graph and/or sets its description (empty description removes it). */
export function setMetadata(doc: GraphDocument, patch: { name?: string; description?: string }): GraphDocument {
  const name = patch.name ?? doc.metadata.name;
  const description = patch.description === undefined ? doc.metadata.description : patch.description.trim() === '' ? undefined : patch.description;
  if (name === doc.metadata.name && description === doc.metadata.description) return doc;
  return { ...doc, metadata: description === undefined ? { name } : { name, description } };
}

/** Whether `source → target:targetPort` may be drawn in `doc` (the canvas passes its connection check). */
export type ConnectionCheckFn = (
  doc: GraphDocument,
  source: NodeId,
  target: NodeId,
  targetPort: number,
) => { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** An edge that replaces a removed segment: `source → target:targetPort` wired over the nodes in `over`. */
export interface Bridge {
  readonly source: NodeId;
  readonly target: NodeId;
  readonly targetPort: number;
  readonly over: readonly NodeId[];
}

export interface RefusedBridge extends Bridge {
  readonly reason: string;
}

export interface BridgedRemoval {
  readonly document: GraphDocument;
  readonly bridged: readonly Bridge[];
  readonly refused: readonly RefusedBridge[];
}

/**
 * Removed nodes split into segments (members joined by edges among themselves). A segment is bridged when it has one
 * way in (every edge entering it comes from one node) and one way out (every edge leaving it leaves one member):
 * each edge leaving it is replaced by one from the node feeding it. Anything else (an Add with two inputs, an Input)
 * is removed without rewiring.
 */
function bridgePlans(doc: GraphDocument, gone: ReadonlySet<NodeId>): Bridge[] {
  const segmentOf = new Map<NodeId, NodeId[]>();
  for (const start of doc.nodes.map((n) => n.id).filter((id) => gone.has(id))) {
    if (segmentOf.has(start)) continue;
    const segment = [start];
    segmentOf.set(start, segment);
    for (let i = 0; i < segment.length; i++) {
      const id = segment[i]!;
      for (const e of doc.edges) {
        const other = e.source === id ? e.target : e.target === id ? e.source : undefined;
        if (other !== undefined && gone.has(other) && !segmentOf.has(other)) {
          segmentOf.set(other, segment);
          segment.push(other);
        }
      }
    }
  }
  const plans: Bridge[] = [];
  for (const segment of new Set(segmentOf.values())) {
    const members = new Set(segment);
    const entering = doc.edges.filter((e) => members.has(e.target) && !gone.has(e.source));
    const leaving = doc.edges.filter((e) => members.has(e.source) && !gone.has(e.target));
    const sources = new Set(entering.map((e) => e.source));
    const exits = new Set(leaving.map((e) => e.source));
    if (sources.size !== 1 || exits.size !== 1) continue;
    const source = entering[0]!.source;
    const over = doc.nodes.map((n) => n.id).filter((id) => members.has(id));
    for (const e of leaving) plans.push({ source, target: e.target, targetPort: e.targetPort, over });
  }
  return plans;
}

/**
 * Removes nodes like removeNodes, then wires the graph back together over what was removed: deleting the middle of a
 * chain (one layer or a run of them) connects the layer before to the layer after, on the same input port. Each new
 * edge must pass `canConnect` (checked on the graph as it then stands); one that does not is left out and reported in
 * `refused` with the reason, so the caller can say why the chain stays broken.
 */
export function removeNodesBridged(doc: GraphDocument, nodeIds: Iterable<NodeId>, canConnect: ConnectionCheckFn): BridgedRemoval {
  const gone = new Set(nodeIds);
  const plans = bridgePlans(doc, gone);
  let next = removeNodes(doc, gone);
  const bridged: Bridge[] = [];
  const refused: RefusedBridge[] = [];
  for (const plan of plans) {
    const verdict = canConnect(next, plan.source, plan.target, plan.targetPort);
    if (!verdict.ok) {
      refused.push({ ...plan, reason: verdict.reason });
      continue;
    }
    next = connect(next, { source: plan.source, target: plan.target, targetPort: plan.targetPort });
    bridged.push(plan);
  }
  return { document: next, bridged, refused };
}
