/**
 * Left-to-right layered layout with elkjs (the bundled build runs in-process: no worker file to ship, works from
 * file://). Returns new positions; applying them is an ordinary moveNodes edit, so it can be undone.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { GraphDocument, NodeId, Position } from '../../../shared/document/model';

export interface LayoutSize {
  readonly width: number;
  readonly height: number;
}

const elk = new ELK();
const FALLBACK: LayoutSize = { width: 190, height: 80 };

/**
 * Wrapping targets (width / height). The whole graph aims near a canvas pane's shape (about 1.1–1.4 beside the side
 * panels). A block with more layers than WRAP_GROUP_MEMBERS wraps too, into a tall box: a residual block is ~8 layers,
 * and in one row it would make its row of the wrapped graph far too wide (ResNet-mini framed at ~0.2 zoom).
 */
const GRAPH_ASPECT = 1.2;
const GROUP_ASPECT = 0.5;
const WRAP_GROUP_MEMBERS = 4;

const FRAME_PAD = 16;
const FRAME_HEADER = 32; // with FRAME_PAD a multiple of the grid, so dragging a frame keeps its layers on the grid

/**
 * ELK splits a graph into connected components with a recursive depth-first search, which overflows the stack on
 * chains a few thousand nodes long. Above this many boxes the split is skipped: graphs that large are one component
 * in practice, and the layered algorithm itself walks them iteratively.
 */
const MAX_NODES_FOR_COMPONENT_SPLIT = 1000;

function layeredOptions(wrap: number | undefined, boxes: number): Record<string, string> {
  return {
    'elk.algorithm': 'layered',
    ...(boxes > MAX_NODES_FOR_COMPONENT_SPLIT ? { 'elk.separateConnectedComponents': 'false' } : {}),
    'elk.direction': 'RIGHT',
    'elk.layered.spacing.nodeNodeBetweenLayers': '70',
    'elk.spacing.nodeNode': '40',
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    // Long chains (LeNet, deep MLPs) wrap into rows instead of one line too long to read at fit-view zoom.
    // `wrap` is the target aspect ratio; undefined = one row.
    ...(wrap !== undefined ? { 'elk.layered.wrapping.strategy': 'MULTI_EDGE', 'elk.aspectRatio': String(wrap) } : {}),
  };
}

interface Box {
  readonly id: string;
  readonly width: number;
  readonly height: number;
}

async function layered(boxes: readonly Box[], edges: readonly { id: string; source: string; target: string }[], wrap: number | undefined) {
  const result = await elk.layout({
    id: 'root',
    layoutOptions: layeredOptions(wrap, boxes.length),
    children: boxes.map((b) => ({ id: b.id, width: b.width, height: b.height })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const out = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const c of result.children ?? []) out.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
  return out;
}

/**
 * Two passes so blocks stay in one piece: each group is laid out on its own, then the whole graph is laid out with
 * every group as one box of that size (so wrapping a long graph into rows never cuts through a block's frame).
 */
export async function layoutPositions(
  doc: GraphDocument,
  sizeOf: (id: NodeId) => LayoutSize | undefined,
  origin: Position = { x: 0, y: 0 },
): Promise<Map<NodeId, Position>> {
  const ids = new Set(doc.nodes.map((n) => n.id));
  const edges = doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  const owner = new Map<NodeId, string>();
  for (const g of doc.groups) for (const id of g.nodeIds) if (ids.has(id)) owner.set(id, `group:${g.id}`);
  const size = (id: NodeId) => sizeOf(id) ?? FALLBACK;

  const inner = new Map<string, Map<string, { x: number; y: number }>>();
  const boxes: Box[] = [];
  for (const g of doc.groups) {
    const members = g.nodeIds.filter((id) => ids.has(id));
    if (members.length === 0) continue;
    const memberSet = new Set(members);
    const laid = await layered(
      members.map((id) => ({ id, ...size(id) })),
      edges.filter((e) => memberSet.has(e.source) && memberSet.has(e.target)),
      members.length > WRAP_GROUP_MEMBERS ? GROUP_ASPECT : undefined,
    );
    let width = 0;
    let height = 0;
    for (const r of laid.values()) {
      width = Math.max(width, r.x + r.width);
      height = Math.max(height, r.y + r.height);
    }
    inner.set(`group:${g.id}`, new Map([...laid].map(([id, r]) => [id, { x: r.x, y: r.y }])));
    boxes.push({ id: `group:${g.id}`, width: width + 2 * FRAME_PAD, height: height + 2 * FRAME_PAD + FRAME_HEADER });
  }
  for (const n of doc.nodes) if (!owner.has(n.id)) boxes.push({ id: n.id, ...size(n.id) });
  const outer = edges
    .map((e) => ({ id: e.id, source: owner.get(e.source) ?? e.source, target: owner.get(e.target) ?? e.target }))
    .filter((e) => e.source !== e.target);
  const top = await layered(boxes, outer, GRAPH_ASPECT);

  const snap = (v: number) => Math.round(v / 16) * 16;
  const positions = new Map<NodeId, Position>();
  for (const n of doc.nodes) {
    const group = owner.get(n.id);
    if (group) {
      const box = top.get(group);
      const offset = inner.get(group)?.get(n.id);
      if (!box || !offset) continue;
      positions.set(n.id, {
        x: snap(origin.x + box.x + FRAME_PAD + offset.x),
        y: snap(origin.y + box.y + FRAME_PAD + FRAME_HEADER + offset.y),
      });
    } else {
      const box = top.get(n.id);
      if (box) positions.set(n.id, { x: snap(origin.x + box.x), y: snap(origin.y + box.y) });
    }
  }
  return positions;
}
