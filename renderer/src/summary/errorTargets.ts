/**
 * Where the summary bar's error button jumps. Errors tied to a layer (directly or through an edge into it) come
 * first, one stop per layer, so a graph-level error such as "no Output" — the usual state while building — never
 * hides the layers that can actually be fixed. Repeated clicks cycle through the layers.
 */
import type { GraphDocument, NodeId } from '../../../shared/document/model';
import type { GraphIssue } from '../../../shared/inference/types';

export interface ErrorTargets {
  /** Layers with at least one error, in the order their first error was reported. */
  readonly nodes: readonly { readonly nodeId: NodeId; readonly message: string }[];
  /** Errors about the whole graph (no layer to show). */
  readonly graphMessages: readonly string[];
}

export function errorTargets(doc: GraphDocument, issues: readonly GraphIssue[]): ErrorTargets {
  const present = new Set(doc.nodes.map((n) => n.id));
  const edgeTarget = new Map(doc.edges.map((e) => [e.id, e.target]));
  const nodes: { nodeId: NodeId; message: string }[] = [];
  const seen = new Set<NodeId>();
  const graphMessages: string[] = [];
  for (const issue of issues) {
    if (issue.severity !== 'error') continue;
    const nodeId = issue.nodeId ?? (issue.edgeId !== undefined ? edgeTarget.get(issue.edgeId) : undefined);
    if (nodeId === undefined || !present.has(nodeId)) {
      graphMessages.push(issue.message);
    } else if (!seen.has(nodeId)) {
      seen.add(nodeId);
      nodes.push({ nodeId, message: issue.message });
    }
  }
  return { nodes, graphMessages };
}

/** The layer to show next: the one after the current single selection if that is an error layer, else the first. */
export function nextErrorNode(targets: ErrorTargets, selection: readonly NodeId[]): { nodeId: NodeId; message: string } | undefined {
  const current = selection.length === 1 ? targets.nodes.findIndex((t) => t.nodeId === selection[0]) : -1;
  return targets.nodes[(current + 1) % Math.max(targets.nodes.length, 1)];
}
