/**
 * Structured differences between two graph files, for `bricks diff A B` and for review of saved changes.
 * Nodes and groups are matched by id; edges by what they connect (source → target:port), because two people
 * drawing the same wire get different edge ids.
 */
import type { GraphEdge, GraphNode, ParamValue, Position } from '../document/model';
import type { GraphFile } from './graphFileSchema';
import type { TrainingConfig } from './trainingConfig';

export type GraphChange =
  | { readonly kind: 'metadata-changed'; readonly field: 'name' | 'description'; readonly from?: string; readonly to?: string }
  | { readonly kind: 'node-added'; readonly nodeId: string; readonly type: string }
  | { readonly kind: 'node-removed'; readonly nodeId: string; readonly type: string }
  | { readonly kind: 'node-type-changed'; readonly nodeId: string; readonly from: string; readonly to: string }
  | { readonly kind: 'param-changed'; readonly nodeId: string; readonly param: string; readonly from?: ParamValue; readonly to?: ParamValue }
  | { readonly kind: 'node-moved'; readonly nodeId: string; readonly from: Position; readonly to: Position }
  | { readonly kind: 'node-text-changed'; readonly nodeId: string; readonly field: 'label' | 'notes'; readonly from?: string; readonly to?: string }
  | { readonly kind: 'edge-added'; readonly source: string; readonly target: string; readonly targetPort: number }
  | { readonly kind: 'edge-removed'; readonly source: string; readonly target: string; readonly targetPort: number }
  | { readonly kind: 'group-added'; readonly groupId: string; readonly name: string }
  | { readonly kind: 'group-removed'; readonly groupId: string; readonly name: string }
  | { readonly kind: 'group-changed'; readonly groupId: string; readonly name: string }
  | { readonly kind: 'training-changed'; readonly field: string; readonly from?: unknown; readonly to?: unknown }
  | { readonly kind: 'runs-changed'; readonly from: number; readonly to: number };

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return a === b;
}

function edgeKey(e: GraphEdge): string {
  return JSON.stringify([e.source, e.target, e.targetPort]);
}

function diffNode(a: GraphNode, b: GraphNode, out: GraphChange[]): void {
  const nodeId = a.id;
  if (a.type !== b.type) out.push({ kind: 'node-type-changed', nodeId, from: a.type, to: b.type });
  const params = [...new Set([...Object.keys(a.params), ...Object.keys(b.params)])].sort();
  for (const param of params) {
    const from = Object.hasOwn(a.params, param) ? a.params[param] : undefined;
    const to = Object.hasOwn(b.params, param) ? b.params[param] : undefined;
    if (!sameValue(from, to)) {
      out.push({ kind: 'param-changed', nodeId, param, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
    }
  }
  for (const field of ['label', 'notes'] as const) {
    if (a[field] !== b[field]) {
      out.push({ kind: 'node-text-changed', nodeId, field, ...(a[field] === undefined ? {} : { from: a[field] }), ...(b[field] === undefined ? {} : { to: b[field] }) });
    }
  }
  if (a.position.x !== b.position.x || a.position.y !== b.position.y) {
    out.push({ kind: 'node-moved', nodeId, from: a.position, to: b.position });
  }
}

/** Changes that turn `a` into `b`, in a stable order: metadata, nodes, edges, groups, training, runs. */
export function diffGraphFiles(a: GraphFile, b: GraphFile): GraphChange[] {
  const out: GraphChange[] = [];
  for (const field of ['name', 'description'] as const) {
    const from = a.graph.metadata[field];
    const to = b.graph.metadata[field];
    if (from !== to) out.push({ kind: 'metadata-changed', field, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
  }

  const aNodes = new Map(a.graph.nodes.map((n) => [n.id, n]));
  const bNodes = new Map(b.graph.nodes.map((n) => [n.id, n]));
  for (const n of a.graph.nodes) if (!bNodes.has(n.id)) out.push({ kind: 'node-removed', nodeId: n.id, type: n.type });
  for (const n of b.graph.nodes) {
    const before = aNodes.get(n.id);
    if (!before) out.push({ kind: 'node-added', nodeId: n.id, type: n.type });
    else diffNode(before, n, out);
  }

  const aEdges = new Set(a.graph.edges.map(edgeKey));
  const bEdges = new Set(b.graph.edges.map(edgeKey));
  for (const e of a.graph.edges) {
    if (!bEdges.has(edgeKey(e))) out.push({ kind: 'edge-removed', source: e.source, target: e.target, targetPort: e.targetPort });
  }
  for (const e of b.graph.edges) {
    if (!aEdges.has(edgeKey(e))) out.push({ kind: 'edge-added', source: e.source, target: e.target, targetPort: e.targetPort });
  }

  const aGroups = new Map(a.graph.groups.map((g) => [g.id, g]));
  const bGroups = new Map(b.graph.groups.map((g) => [g.id, g]));
  for (const g of a.graph.groups) if (!bGroups.has(g.id)) out.push({ kind: 'group-removed', groupId: g.id, name: g.name });
  for (const g of b.graph.groups) {
    const before = aGroups.get(g.id);
    if (!before) out.push({ kind: 'group-added', groupId: g.id, name: g.name });
    else if (before.name !== g.name || !sameValue(before.nodeIds, g.nodeIds) || (before.collapsed ?? false) !== (g.collapsed ?? false)) {
      out.push({ kind: 'group-changed', groupId: g.id, name: g.name });
    }
  }

  diffTraining(a.training, b.training, out);
  const aRuns = a.runs?.length ?? 0;
  const bRuns = b.runs?.length ?? 0;
  if (aRuns !== bRuns) out.push({ kind: 'runs-changed', from: aRuns, to: bRuns });
  return out;
}

function diffTraining(a: TrainingConfig | undefined, b: TrainingConfig | undefined, out: GraphChange[]): void {
  if (a === undefined && b === undefined) return;
  const fields = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort() as (keyof TrainingConfig)[];
  for (const field of fields) {
    const from = a?.[field];
    const to = b?.[field];
    if (from !== to) out.push({ kind: 'training-changed', field, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
  }
}

function show(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}

/** One line of plain text per change, e.g. `~ dense1.units: 32 → 64`. */
export function describeChange(change: GraphChange): string {
  switch (change.kind) {
    case 'metadata-changed':
      return `~ graph ${change.field}: ${show(change.from)} → ${show(change.to)}`;
    case 'node-added':
      return `+ node ${change.nodeId} (${change.type})`;
    case 'node-removed':
      return `- node ${change.nodeId} (${change.type})`;
    case 'node-type-changed':
      return `~ ${change.nodeId} type: ${change.from} → ${change.to}`;
    case 'param-changed':
      return `~ ${change.nodeId}.${change.param}: ${show(change.from)} → ${show(change.to)}`;
    case 'node-moved':
      return `~ ${change.nodeId} moved (${change.from.x}, ${change.from.y}) → (${change.to.x}, ${change.to.y})`;
    case 'node-text-changed':
      return `~ ${change.nodeId} ${change.field}: ${show(change.from)} → ${show(change.to)}`;
    case 'edge-added':
      return `+ edge ${change.source} → ${change.target}:${change.targetPort}`;
    case 'edge-removed':
      return `- edge ${change.source} → ${change.target}:${change.targetPort}`;
    case 'group-added':
      return `+ group ${change.groupId} "${change.name}"`;
    case 'group-removed':
      return `- group ${change.groupId} "${change.name}"`;
    case 'group-changed':
      return `~ group ${change.groupId} "${change.name}" changed`;
    case 'training-changed':
      return `~ training.${change.field}: ${show(change.from)} → ${show(change.to)}`;
    case 'runs-changed':
      return `~ runs: ${change.from} → ${change.to}`;
  }
}
