/**
 * What every exporter walks: the graph's Input and Output, the nodes the Output depends on in topological order (so
 * names resolve the same way every time), each node's incoming edges, and per node its analysed shape and resolved
 * params — or the problem that keeps it from being written.
 */
import type { GraphDocument, GraphNode, NodeId } from '../../../shared/document/model';
import { ancestors } from '../../../shared/document/queries';
import { getLayerSpec } from '../../../shared/catalog/registry';
import { resolveParams } from '../../../shared/catalog/resolveParams';
import type { LayerSpec, ResolvedParams, Shape } from '../../../shared/catalog/spec';
import type { GraphAnalysis, NodeAnalysis } from '../../../shared/inference/types';
import type { ExportProblem } from './exportError';

export interface IncomingEdge {
  readonly source: NodeId;
  readonly port: number;
  readonly id: string;
}

export interface ExportPlan {
  readonly input: GraphNode;
  readonly output: GraphNode;
  /** The Output and everything upstream of it, in the analysis's topological order. */
  readonly order: readonly NodeId[];
  readonly nodeById: ReadonlyMap<NodeId, GraphNode>;
  readonly incoming: ReadonlyMap<NodeId, readonly IncomingEdge[]>;
}

export function planExport(doc: GraphDocument, analysis: GraphAnalysis): ExportPlan {
  const input = doc.nodes.find((n) => n.type === 'Input');
  const output = doc.nodes.find((n) => n.type === 'Output');
  if (!input || !output) throw new Error('the graph needs one Input and one Output to be exported');
  const needed = ancestors(doc, output.id);
  const incoming = new Map<NodeId, IncomingEdge[]>();
  for (const e of doc.edges) incoming.set(e.target, [...(incoming.get(e.target) ?? []), { source: e.source, port: e.targetPort, id: e.id }]);
  return {
    input,
    output,
    order: analysis.order.filter((id) => needed.has(id)),
    nodeById: new Map(doc.nodes.map((n) => [n.id, n])),
    incoming,
  };
}

export interface PlannedNode {
  readonly node: GraphNode;
  readonly info: NodeAnalysis & { readonly output: Shape };
  readonly spec: LayerSpec;
  readonly params: ResolvedParams;
}

/** A node of the plan with its shape and resolved params, or why it cannot be written. */
export function planNode(plan: ExportPlan, analysis: GraphAnalysis, id: NodeId): PlannedNode | { readonly problem: ExportProblem } {
  const node = plan.nodeById.get(id)!;
  const info = analysis.nodes.get(id);
  const spec = getLayerSpec(node.type);
  if (!spec || !info?.output) {
    return { problem: { nodeId: id, type: node.type, reason: 'it could not be analysed (unknown type or an error upstream)' } };
  }
  return { node, info: info as PlannedNode['info'], spec, params: resolveParams(spec, node.params).params };
}

/** Python source lines indented by `by` (blank lines stay empty). */
export function indent(lines: readonly string[], by: string): string {
  return lines.map((l) => (l === '' ? '' : `${by}${l}`)).join('\n');
}
