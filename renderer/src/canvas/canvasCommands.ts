/**
 * Canvas commands: user intentions (add a layer here, splice it into that edge, delete the selection…) turned into
 * shared/document edits on the store. Each command is ONE store edit, hence one undo step.
 */
import {
  addNode,
  connect,
  createNode,
  disconnect,
  moveNodes,
  removeNodesBridged,
  setLabel,
  setNotes,
  translateNodes,
  updateParams,
} from '../../../shared/document/edits';
import type { RefusedBridge } from '../../../shared/document/edits';
import type { EdgeId, GraphDocument, NodeId, ParamValue, Params, Position } from '../../../shared/document/model';
import { checkConnection } from '../../../shared/inference/checkConnection';
import { analysisFor } from '../store/analysis';
import { getLayerSpec } from '../../../shared/catalog/registry';
import { documentStore, type DocumentState } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
import type { StoreApi } from 'zustand/vanilla';

export const GRID = 16;
/** Horizontal space a spliced-in layer needs before the layer it feeds. */
const SPLICE_ROOM = 272;

/** `start` and every node reachable from it. */
export function downstreamOf(doc: GraphDocument, start: NodeId): Set<NodeId> {
  const seen = new Set<NodeId>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const e of doc.edges) {
      if (e.source === id && !seen.has(e.target)) {
        seen.add(e.target);
        stack.push(e.target);
      }
    }
  }
  return seen;
}

export function snap(p: Position): Position {
  return { x: Math.round(p.x / GRID) * GRID, y: Math.round(p.y / GRID) * GRID };
}

/** Whether `source → target:port` may be drawn; `reason` says why not. */
export function connectionVerdict(
  doc: GraphDocument,
  source: NodeId,
  target: NodeId,
  port: number,
): { ok: true } | { ok: false; reason: string } {
  const result = checkConnection(doc, source, target, port, analysisFor(doc));
  return result.ok ? { ok: true } : { ok: false, reason: result.reason };
}

/** Parses a React Flow target handle id (`in-2`) into a port number. */
export function portOfHandle(handle: string | null | undefined): number {
  const m = /^in-(\d+)$/.exec(handle ?? '');
  return m ? Number(m[1]) : 0;
}

/** First free input port of `target` for an edge, or undefined when every port is taken. */
export function freePort(doc: GraphDocument, target: NodeId): number | undefined {
  const node = doc.nodes.find((n) => n.id === target);
  const spec = node ? getLayerSpec(node.type) : undefined;
  if (!spec || spec.inputs.max === 0) return undefined;
  const into = doc.edges.filter((e) => e.target === target);
  if (!spec.inputs.ordered) return into.length < spec.inputs.max ? 0 : undefined;
  for (let port = 0; port < spec.inputs.max; port++) if (!into.some((e) => e.targetPort === port)) return port;
  return undefined;
}

/** "Deleted flat1; conv1 and dense1 were not reconnected: <reason>", one clause per refused bridge. */
export function refusedBridgesMessage(doc: GraphDocument, refused: readonly RefusedBridge[]): string {
  const name = (id: NodeId) => {
    const node = doc.nodes.find((n) => n.id === id);
    return node?.label ?? id;
  };
  const deleted = [...new Set(refused.flatMap((r) => r.over))].map(name).join(', ');
  const clauses = refused.map((r) => `${name(r.source)} and ${name(r.target)} were not reconnected: ${r.reason}`);
  return `Deleted ${deleted}; ${clauses.join('; ')}`;
}

export function createCanvasCommands(store: StoreApi<DocumentState>) {
  const edit = store.getState().edit;
  const doc = () => store.getState().document;

  return {
    /**
     * Adds a layer at `position` (with `params` instead of the catalog defaults, e.g. an Input shaped like the
     * dataset); when `after` is given and the connection fits, wires `after → new`.
     */
    addLayer(type: string, position: Position, after?: NodeId, params?: Params): NodeId {
      const node = createNode(doc(), { type, position: snap(position), ...(params ? { params } : {}) });
      store.getState().edit(
        (d) => {
          let next = addNode(d, node);
          if (after && next.nodes.some((n) => n.id === after) && connectionVerdict(next, after, node.id, 0).ok) {
            next = connect(next, { source: after, target: node.id, targetPort: 0 });
          }
          return next;
        },
        { select: [node.id] },
      );
      return node.id;
    },

    /** Puts a new layer in the middle of an edge: source → new → target (same target port). */
    spliceIntoEdge(type: string, edgeId: EdgeId, position: Position): NodeId | undefined {
      const edge = doc().edges.find((e) => e.id === edgeId);
      if (!edge) return undefined;
      const spec = getLayerSpec(type);
      if (!spec || spec.inputs.max === 0 || type === 'Output') return this.addLayer(type, position);
      const node = createNode(doc(), { type, position: snap(position) });
      store.getState().edit(
        (d) => {
          let next = disconnect(addNode(d, node), [edge.id]);
          next = connect(next, { source: edge.source, target: node.id, targetPort: 0 });
          next = connect(next, { source: node.id, target: edge.target, targetPort: edge.targetPort });
          // Make room: everything from the edge's target on moves right until the new layer fits in front of it.
          const target = next.nodes.find((n) => n.id === edge.target);
          const dx = target ? node.position.x + SPLICE_ROOM - target.position.x : 0;
          return dx > 0 ? translateNodes(next, downstreamOf(next, edge.target), snap({ x: dx, y: 0 }).x, 0) : next;
        },
        { select: [node.id] },
      );
      return node.id;
    },

    connect(source: NodeId, target: NodeId, port: number): boolean {
      const verdict = connectionVerdict(doc(), source, target, port);
      if (!verdict.ok) {
        viewStore.getState().showToast(verdict.reason);
        return false;
      }
      edit((d) => connect(d, { source, target, targetPort: port }));
      return true;
    },

    /**
     * Deletes the selected nodes and edges as one undo step. The middle of a chain is bridged (the layer before is
     * wired to the layer after) when the connection check allows; a bridge it refuses is explained in a toast.
     */
    deleteSelection(): void {
      const { selection, edgeSelection } = store.getState();
      if (selection.length === 0 && edgeSelection.length === 0) return;
      const before = doc();
      let refused: readonly RefusedBridge[] = [];
      edit(
        (d) => {
          const result = removeNodesBridged(disconnect(d, edgeSelection), selection, connectionVerdict);
          refused = result.refused;
          return result.document;
        },
        { select: [] },
      );
      if (refused.length > 0) viewStore.getState().showToast(refusedBridgesMessage(before, refused));
    },

    /** Positions from a drag; consecutive calls within one drag coalesce into one undo step. */
    dragTo(positions: ReadonlyMap<NodeId, Position>): void {
      edit((d) => moveNodes(d, positions), { coalesce: 'drag' });
    },

    endDrag(): void {
      store.getState().endCoalesce();
    },

    /** One param change; typing several characters into the same field is one undo step. */
    setParam(nodeIds: readonly NodeId[], name: string, value: ParamValue | undefined): void {
      edit(
        (d) => nodeIds.reduce((acc, id) => updateParams(acc, id, { [name]: value }), d),
        { coalesce: `param:${nodeIds.join(',')}:${name}` },
      );
    },

    setLabel(nodeId: NodeId, label: string): void {
      edit((d) => setLabel(d, nodeId, label), { coalesce: `label:${nodeId}` });
    },

    setNotes(nodeId: NodeId, notes: string): void {
      edit((d) => setNotes(d, nodeId, notes), { coalesce: `notes:${nodeId}` });
    },

    selectAll(): void {
      const d = doc();
      store.getState().select(
        d.nodes.map((n) => n.id),
        d.edges.map((e) => e.id),
      );
    },
  };
}

export type CanvasCommands = ReturnType<typeof createCanvasCommands>;

export const canvasCommands = createCanvasCommands(documentStore);
