/**
 * Would a new edge be acceptable? Used by the canvas's `isValidConnection` while the user drags, so it refuses only
 * what can never work: a cycle, an occupied single-input port, or a tensor rank the target cannot take without
 * another layer in between. Fixable problems (wrong sizes, params) are left to the live analysis.
 */
import type { GraphDocument, NodeId } from '../document/model';
import { getLayerSpec } from '../catalog/registry';
import { resolveParams } from '../catalog/resolveParams';
import { formatShape } from '../catalog/shapes';
import { analyzeGraph } from './analyzeGraph';
import type { GraphAnalysis } from './types';

export type ConnectionCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function checkConnection(
  doc: GraphDocument,
  source: NodeId,
  target: NodeId,
  targetPort: number,
  /** Pass the current analysis to avoid recomputing it on every drag event. */
  analysis?: GraphAnalysis,
): ConnectionCheck {
  const sourceNode = doc.nodes.find((n) => n.id === source);
  const targetNode = doc.nodes.find((n) => n.id === target);
  if (!sourceNode) return refuse(`Unknown node '${source}'`);
  if (!targetNode) return refuse(`Unknown node '${target}'`);
  if (source === target) return refuse('A layer cannot feed into itself');
  if (sourceNode.type === 'Output') return refuse('Output is the end of the network; nothing can follow it');
  const spec = getLayerSpec(targetNode.type);
  if (!spec) return refuse(`'${target}' has an unknown layer type '${targetNode.type}'`);
  const { max, ordered } = spec.inputs;
  if (max === 0) return refuse(`${spec.label} has no inputs — data enters the network here`);

  const into = doc.edges.filter((e) => e.target === target);
  if (ordered || max === 1) {
    if (!Number.isInteger(targetPort) || targetPort < 0 || targetPort >= max) {
      return refuse(`${spec.label} has no input ${targetPort + 1}`);
    }
    const holder = into.find((e) => e.targetPort === targetPort);
    if (holder) {
      return refuse(
        max === 1
          ? `'${target}' already has an input (from '${holder.source}') — remove that edge first, or merge with Add/Concatenate`
          : `Input ${targetPort + 1} of '${target}' is already connected (from '${holder.source}')`,
      );
    }
  } else {
    if (into.some((e) => e.source === source)) return refuse(`'${source}' is already connected to '${target}'`);
    if (into.length >= max) return refuse(`${spec.label} takes at most ${max} inputs`);
  }

  if (reaches(doc, target, source)) return refuse(`This edge would make a cycle: '${target}' already leads to '${source}'`);

  const current = analysis ?? analyzeGraph(doc);
  const shape = current.nodes.get(source)?.output;
  if (!shape) return { ok: true };
  if (spec.inputRanks && !spec.inputRanks.includes(shape.length)) {
    const result = spec.inferShape([shape], resolveParams(spec, targetNode.params).params);
    return refuse(
      !result.ok ? result.message : `${spec.label} cannot take a ${shape.length}-dimensional input (${formatShape(shape)})`,
    );
  }
  if (max > 1) {
    // Merge layers need inputs of one rank; a different rank can never be fixed by changing sizes.
    for (const e of into) {
      const other = current.nodes.get(e.source)?.output;
      if (other && other.length !== shape.length) {
        return refuse(
          `${spec.label}: '${source}' gives ${formatShape(shape)} but '${e.source}' gives ${formatShape(other)} — ` +
            'inputs need the same number of dimensions',
        );
      }
    }
  }
  return { ok: true };
}

function refuse(reason: string): ConnectionCheck {
  return { ok: false, reason };
}

/** Whether `to` is reachable from `from` along edges (iterative DFS, linear in the graph size). */
function reaches(doc: GraphDocument, from: NodeId, to: NodeId): boolean {
  const outgoing = new Map<NodeId, NodeId[]>();
  for (const e of doc.edges) {
    const list = outgoing.get(e.source);
    if (list) list.push(e.target);
    else outgoing.set(e.source, [e.target]);
  }
  const seen = new Set<NodeId>([from]);
  const stack: NodeId[] = [from];
  while (stack.length > 0) {
    const id = stack.pop() as NodeId;
    if (id === to) return true;
    for (const next of outgoing.get(id) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}
