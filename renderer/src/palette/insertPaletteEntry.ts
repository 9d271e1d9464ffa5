/**
 * Inserting what the palette offers: a layer (optionally spliced into an edge or wired after the selected node),
 * a block template (built for the incoming shape, grouped, then the graph is auto-laid-out), a block already in
 * this graph, or a block saved to the palette.
 */
import { extractSubgraph, groupNodes, nextGroupId, pasteFragment } from '../../../shared/document';
import type { EdgeId, GraphDocument, GraphFragment, NodeId, Position } from '../../../shared/document';
import { documentStore } from '../store/documentStore';
import { analysisFor } from '../store/analysis';
import { canvasCommands, snap } from '../canvas/canvasCommands';
import { getBlockTemplate } from '../blocks/blockTemplates';
import { insertFragment } from '../blocks/insertBlock';
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

function pasteAsBlock(doc: GraphDocument, fragment: GraphFragment, name: string, position: Position) {
  const minX = Math.min(...fragment.nodes.map((n) => n.position.x));
  const minY = Math.min(...fragment.nodes.map((n) => n.position.y));
  const pasted = pasteFragment(doc, { ...fragment, groups: [] }, { x: position.x - minX, y: position.y - minY });
  return { document: groupNodes(pasted.document, pasted.newNodeIds, name, nextGroupId(pasted.document)), ids: pasted.newNodeIds };
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
      if (options.edgeId) canvasCommands.spliceIntoEdge(entry.type, options.edgeId, at);
      else canvasCommands.addLayer(entry.type, at, after);
      return;
    }
    case 'block': {
      const template = getBlockTemplate(entry.id);
      if (!template) return;
      const incoming = after ? analysisFor(store.document).nodes.get(after)?.output : undefined;
      const result = insertFragment(store.document, template.build(incoming), at, after);
      void applyLayout(result.document, result.newNodeIds);
      return;
    }
    case 'group': {
      const group = store.document.groups.find((g) => g.id === entry.groupId);
      if (!group) return;
      const { document, ids } = pasteAsBlock(store.document, extractSubgraph(store.document, group.nodeIds), group.name, at);
      store.edit(() => document, { select: ids });
      return;
    }
    case 'saved': {
      const saved = savedBlocksStore.getState().blocks.find((b) => b.id === entry.id);
      if (!saved || saved.fragment.nodes.length === 0) return;
      const { document, ids } = pasteAsBlock(store.document, saved.fragment, saved.name, at);
      store.edit(() => document, { select: ids });
      return;
    }
  }
}
