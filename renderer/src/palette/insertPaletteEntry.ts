/**
 * Inserting what the palette offers: a layer (optionally spliced into an edge or wired after the selected node),
 * a block template (built for the incoming shape, grouped, then the graph is auto-laid-out), a block already in
 * this graph, or a block saved to the palette.
 */
import { connect, extractSubgraph, groupNodes, nextGroupId, pasteFragment } from '../../../shared/document';
import type { EdgeId, GraphDocument, GraphFragment, NodeId, Position } from '../../../shared/document';
import { documentStore } from '../store/documentStore';
import { analysisFor } from '../store/analysis';
import { canvasCommands, connectionVerdict, snap } from '../canvas/canvasCommands';
import { getBlockTemplate } from '../blocks/blockTemplates';
import { groupExit, insertFragment } from '../blocks/insertBlock';
import { getLayerSpec } from '../../../shared/catalog/registry';
import { inputParamsForDataset } from './datasetInput';
import { savedBlocksStore } from '../blocks/savedBlocks';
import { applyLayout } from '../layout/applyLayout';
import { viewStore } from '../store/viewStore';
import type { PaletteEntry } from './paletteDrag';

export interface InsertOptions {
  readonly edgeId?: EdgeId;
  /** Wire the new layer/block after this node; defaults to the single selected node, if any. */
  readonly after?: NodeId | null;
}

function defaultAfter(): NodeId | undefined {
  const { selection } = documentStore.getState();
  return selection.length === 1 ? selection[0] : undefined;
}

/**
 * Pastes a block as a group, wired after `upstream` (into each member that takes an input but has none inside the
 * block, where the connection fits). `exit` is the member whose output leaves the block: the next layer goes there.
 */
function pasteAsBlock(doc: GraphDocument, fragment: GraphFragment, name: string, position: Position, upstream?: NodeId) {
  const minX = Math.min(...fragment.nodes.map((n) => n.position.x));
  const minY = Math.min(...fragment.nodes.map((n) => n.position.y));
  const pasted = pasteFragment(doc, { ...fragment, groups: [] }, { x: position.x - minX, y: position.y - minY });
  let next = pasted.document;
  if (upstream !== undefined && next.nodes.some((n) => n.id === upstream)) {
    for (const id of pasted.newNodeIds) {
      const node = next.nodes.find((n) => n.id === id);
      const takesInput = (getLayerSpec(node?.type ?? '')?.inputs.min ?? 0) > 0;
      if (!takesInput || next.edges.some((e) => e.target === id)) continue;
      if (connectionVerdict(next, upstream, id, 0).ok) next = connect(next, { source: upstream, target: id, targetPort: 0 });
    }
  }
  const exit = groupExit(next, pasted.newNodeIds);
  return { document: groupNodes(next, pasted.newNodeIds, name, nextGroupId(next)), exit };
}

/** The gap between a layer and the next one a palette click chains after it (the auto layout's gap, on the grid). */
export const CHAIN_GAP = 56;

/**
 * Where the next layer of a chain goes: below `nodeId` when graphs run top to bottom (the default), right of it when
 * they run left to right; beside any layer already there (a branch). Pure, for tests; see {@link nextInChain}.
 */
export function chainSpot(
  doc: GraphDocument,
  nodeId: NodeId,
  direction: 'DOWN' | 'RIGHT',
  sizeOf: (id: NodeId) => { width: number; height: number },
): Position | undefined {
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) return undefined;
  const own = sizeOf(nodeId);
  const down = direction === 'DOWN';
  const spot = { width: 200, height: 80 };
  let at = down ? { x: node.position.x, y: node.position.y + own.height + CHAIN_GAP } : { x: node.position.x + own.width + 80, y: node.position.y };
  const overlaps = (p: Position) =>
    doc.nodes.some((n) => {
      const size = sizeOf(n.id);
      return n.position.x < p.x + spot.width && n.position.x + size.width > p.x && n.position.y < p.y + spot.height && n.position.y + size.height > p.y;
    });
  // A branch steps sideways from the main line: right when the graph runs down, down when it runs right.
  for (let tries = 0; tries < 50 && overlaps(at); tries++) at = down ? { x: at.x + own.width + 48, y: at.y } : { x: at.x, y: at.y + 112 };
  return at;
}

function nextInChain(nodeId: NodeId): Position | undefined {
  const measured = viewStore.getState().measured;
  return chainSpot(documentStore.getState().document, nodeId, viewStore.getState().layoutDirection, (id) => measured.get(id) ?? { width: 190, height: 76 });
}

/**
 * `position` undefined = next to the node it is wired after (below it top to bottom, right of it left to right) (or `fallback`, e.g. the centre of the view).
 */
export function insertPaletteEntry(
  entry: PaletteEntry,
  position: Position | undefined,
  options: InsertOptions & { fallback?: Position } = {},
): void {
  const store = documentStore.getState();
  const after = options.after === null ? undefined : (options.after ?? defaultAfter());
  const at = snap(position ?? (after ? nextInChain(after) : undefined) ?? options.fallback ?? { x: 0, y: 0 });
  switch (entry.kind) {
    case 'layer': {
      if (entry.type === 'Input') canvasCommands.addLayer(entry.type, at, undefined, inputParamsForDataset(store.training?.dataset));
      else if (options.edgeId) canvasCommands.spliceIntoEdge(entry.type, options.edgeId, at);
      else canvasCommands.addLayer(entry.type, at, after);
      return;
    }
    case 'block': {
      const template = getBlockTemplate(entry.id);
      if (!template) return;
      const incoming = after ? analysisFor(store.document).nodes.get(after)?.output : undefined;
      const result = insertFragment(store.document, template.build(incoming), at, after);
      // The block's output is selected, so the next palette click chains after the block.
      void applyLayout(result.document, [result.exitId]);
      return;
    }
    case 'group': {
      const group = store.document.groups.find((g) => g.id === entry.groupId);
      if (!group) return;
      const { document, exit } = pasteAsBlock(store.document, extractSubgraph(store.document, group.nodeIds), group.name, at, after);
      store.edit(() => document, { select: exit ? [exit] : [] });
      return;
    }
    case 'saved': {
      const saved = savedBlocksStore.getState().blocks.find((b) => b.id === entry.id);
      if (!saved || saved.fragment.nodes.length === 0) return;
      const { document, exit } = pasteAsBlock(store.document, saved.fragment, saved.name, at, after);
      store.edit(() => document, { select: exit ? [exit] : [] });
      return;
    }
  }
}
