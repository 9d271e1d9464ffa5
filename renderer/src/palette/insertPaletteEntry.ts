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

/** Just right of `nodeId`, where the next layer of a chain goes; below any layer already there (a branch). */
function rightOf(nodeId: NodeId): Position | undefined {
  const doc = documentStore.getState().document;
  const measured = viewStore.getState().measured;
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) return undefined;
  const width = measured.get(nodeId)?.width ?? 190;
  const spot = { x: node.position.x + width + 80, y: node.position.y, width: 200, height: 80 };
  const overlaps = (y: number) =>
    doc.nodes.some((n) => {
      const size = measured.get(n.id) ?? { width: 190, height: 76 };
      return n.position.x < spot.x + spot.width && n.position.x + size.width > spot.x && n.position.y < y + spot.height && n.position.y + size.height > y;
    });
  let y = spot.y;
  for (let tries = 0; tries < 50 && overlaps(y); tries++) y += 112;
  return { x: spot.x, y };
}

/**
 * `position` undefined = right of the node it is wired after (or `fallback`, e.g. the centre of the view).
 */
export function insertPaletteEntry(
  entry: PaletteEntry,
  position: Position | undefined,
  options: InsertOptions & { fallback?: Position } = {},
): void {
  const store = documentStore.getState();
  const after = options.after === null ? undefined : (options.after ?? defaultAfter());
  const at = snap(position ?? (after ? rightOf(after) : undefined) ?? options.fallback ?? { x: 0, y: 0 });
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
