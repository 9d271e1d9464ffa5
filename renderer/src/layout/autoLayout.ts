/**
 * Layered layout with elkjs (the bundled build runs in-process: no worker file to ship, works from file://), top to
 * bottom by default (the way papers draw ResNets) or left to right. The graph is never wrapped into rows: a long
 * chain stays one straight line, and the canvas scrolls instead of shrinking it (see canvas/openViewport.ts).
 * Returns new positions; applying them is an ordinary moveNodes edit, so it can be undone.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { GraphDocument, NodeId, Position } from '../../../shared/document/model';

export type LayoutDirection = 'DOWN' | 'RIGHT';

export interface LayoutSize {
  readonly width: number;
  readonly height: number;
}

const elk = new ELK();
/** What a layer node measures on the canvas (172×65 in Chromium) rounded up; used until the real size is known. */
export const FALLBACK_NODE_SIZE: LayoutSize = { width: 176, height: 68 };

export const FRAME_PAD = 16;
export const FRAME_HEADER = 32; // with FRAME_PAD a multiple of the grid, so dragging a frame keeps its layers on the grid
const GRID = 16;
/** Between neighbouring layers of one layer of the flow (side by side branches). */
const SPACING = 48;

/**
 * ELK splits a graph into connected components with a recursive depth-first search, which overflows the stack on
 * chains a few thousand nodes long. Above this many boxes the split is skipped: graphs that large are one component
 * in practice, and the layered algorithm itself walks them iteratively.
 */
const MAX_NODES_FOR_COMPONENT_SPLIT = 1000;

/**
 * Model order keeps branches in the order the file lists them, so Concatenate inputs sit side by side as written.
 * Neither placement strategy keeps a main path straight through an Add with two inputs (elk centres the Add between
 * them), so `straighten` finishes the job. NETWORK_SIMPLEX recurses per node and overflows the stack on the
 * 5000-layer chain, hence BRANDES_KOEPF for huge graphs.
 */
function layeredOptions(direction: LayoutDirection, boxes: number): Record<string, string> {
  return {
    'elk.algorithm': 'layered',
    ...(boxes > MAX_NODES_FOR_COMPONENT_SPLIT ? { 'elk.separateConnectedComponents': 'false' } : {}),
    'elk.direction': direction,
    // Room between layers for the shape label on the edge (16 px tall) in that gap. Multiples of the grid, as are
    // the sizes elk is given, so snapping to the grid leaves every gap the same.
    'elk.layered.spacing.nodeNodeBetweenLayers': direction === 'DOWN' ? '48' : '64',
    'elk.spacing.nodeNode': String(SPACING),
    'elk.layered.spacing.edgeNodeBetweenLayers': '24',
    'elk.layered.nodePlacement.strategy': boxes > MAX_NODES_FOR_COMPONENT_SPLIT ? 'BRANDES_KOEPF' : 'NETWORK_SIMPLEX',
    'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
    'elk.layered.wrapping.strategy': 'OFF',
  };
}

interface Box {
  readonly id: string;
  readonly width: number;
  readonly height: number;
}

interface LayoutEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** Edges of the main path get a high straightness priority. */
  readonly main: boolean;
}

async function layered(boxes: readonly Box[], edges: readonly LayoutEdge[], direction: LayoutDirection) {
  const result = await elk.layout({
    id: 'root',
    layoutOptions: layeredOptions(direction, boxes.length),
    children: boxes.map((b) => ({ id: b.id, width: Math.ceil(b.width / GRID) * GRID, height: Math.ceil(b.height / GRID) * GRID })),
    edges: edges.map((e) => ({
      id: e.id,
      sources: [e.source],
      targets: [e.target],
      ...(e.main ? { layoutOptions: { 'elk.layered.priority.straightness': '10', 'elk.layered.priority.shortness': '5' } } : {}),
    })),
  });
  const out = new Map<string, { x: number; y: number; width: number; height: number }>();
  for (const c of result.children ?? []) out.set(c.id, { x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? 0, height: c.height ?? 0 });
  return out;
}

/**
 * The main path: the longest path (in layers) from a source to a sink, ties broken by file order. Its edges are the
 * ones elk is asked to keep straight; a residual block's skip edge is never on it (the branch is longer).
 */
export function mainPathEdges(nodes: readonly NodeId[], edges: readonly { id: string; source: string; target: string }[]): Set<string> {
  const order = new Map(nodes.map((id, i) => [id, i]));
  const incoming = new Map<string, { id: string; source: string }[]>();
  const outgoing = new Map<string, string[]>();
  const indegree = new Map(nodes.map((id) => [id, 0]));
  for (const e of edges) {
    (incoming.get(e.target) ?? incoming.set(e.target, []).get(e.target)!).push({ id: e.id, source: e.source });
    (outgoing.get(e.source) ?? outgoing.set(e.source, []).get(e.source)!).push(e.target);
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
  }
  // Kahn's order (iterative: a 5000-layer chain must not overflow the stack); cycles are left out of the path.
  const queue = nodes.filter((id) => indegree.get(id) === 0);
  const depth = new Map<string, number>();
  const via = new Map<string, { id: string; source: string }>();
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    let best: { id: string; source: string } | undefined;
    for (const e of incoming.get(id) ?? []) {
      if (!depth.has(e.source)) continue;
      const d = depth.get(e.source)!;
      const bestDepth = best ? depth.get(best.source)! : -1;
      if (d > bestDepth || (d === bestDepth && (order.get(e.source) ?? 0) < (order.get(best!.source) ?? 0))) best = e;
    }
    depth.set(id, best ? depth.get(best.source)! + 1 : 0);
    if (best) via.set(id, best);
    for (const t of outgoing.get(id) ?? []) {
      indegree.set(t, indegree.get(t)! - 1);
      if (indegree.get(t) === 0) queue.push(t);
    }
  }
  let end: string | undefined;
  for (const id of queue) if (end === undefined || depth.get(id)! > depth.get(end)!) end = id;
  const path = new Set<string>();
  for (let at = end; at !== undefined; ) {
    const e = via.get(at);
    if (!e) break;
    path.add(e.id);
    at = e.source;
  }
  return path;
}

type Placed = Map<string, { x: number; y: number; width: number; height: number }>;

/**
 * Puts the main path on one line across the flow (DOWN: one x for the centres), then pushes any other box that now
 * overlaps it in its row aside, keeping the row's order. `lineOf(id)` is where the box's main line sits within it
 * (its centre for a layer; the centre of the member column for a block's box). Works in DOWN coordinates.
 */
function straighten(placed: Placed, mainIds: readonly string[], lineOf: (id: string) => number): void {
  const first = mainIds.find((id) => placed.has(id));
  if (first === undefined) return;
  const line = placed.get(first)!.x + lineOf(first);
  const onLine = new Set<string>();
  for (const id of mainIds) {
    const r = placed.get(id);
    if (!r) continue;
    r.x = line - lineOf(id);
    onLine.add(id);
  }
  // Rows: boxes that share vertical extent with a box on the line.
  for (const id of onLine) {
    const anchor = placed.get(id)!;
    const row = [...placed].filter(([other, r]) => !onLine.has(other) && r.y < anchor.y + anchor.height && anchor.y < r.y + r.height);
    let right = anchor.x + anchor.width + SPACING;
    for (const [, r] of row.filter(([, r]) => r.x + r.width / 2 >= line).sort((a, b) => a[1].x - b[1].x)) {
      if (r.x < right) r.x = right;
      right = r.x + r.width + SPACING;
    }
    let left = anchor.x - SPACING;
    for (const [, r] of row.filter(([, r]) => r.x + r.width / 2 < line).sort((a, b) => b[1].x - a[1].x)) {
      if (r.x + r.width > left) r.x = left - r.width;
      left = r.x - SPACING;
    }
  }
}

/** Transposes x/y so RIGHT layouts can be straightened with the DOWN code. */
function transpose(placed: Placed): void {
  for (const r of placed.values()) [r.x, r.y, r.width, r.height] = [r.y, r.x, r.height, r.width];
}

/**
 * Two passes so blocks stay in one piece: each group is laid out on its own, then the whole graph is laid out with
 * every group as one box of that size (so no other layer lands inside a block's frame).
 */
export async function layoutPositions(
  doc: GraphDocument,
  sizeOf: (id: NodeId) => LayoutSize | undefined,
  origin: Position = { x: 0, y: 0 },
  direction: LayoutDirection = 'DOWN',
): Promise<Map<NodeId, Position>> {
  const vertical = direction === 'DOWN';
  const ids = new Set(doc.nodes.map((n) => n.id));
  const edges = doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  const main = mainPathEdges(doc.nodes.map((n) => n.id), edges);
  const mainNodes: NodeId[] = [];
  for (const e of edges) if (main.has(e.id)) mainNodes.push(e.source, e.target);
  const byFlow = (placed: Placed, a: string, b: string) => (vertical ? placed.get(a)!.y - placed.get(b)!.y : placed.get(a)!.x - placed.get(b)!.x);
  const owner = new Map<NodeId, string>();
  for (const g of doc.groups) for (const id of g.nodeIds) if (ids.has(id)) owner.set(id, `group:${g.id}`);
  const size = (id: NodeId) => sizeOf(id) ?? FALLBACK_NODE_SIZE;

  const inner = new Map<string, Map<string, { x: number; y: number }>>();
  // Where a block's main line sits across its box (from the box's left edge for DOWN, top edge for RIGHT).
  const lines = new Map<string, number>();
  const boxes: Box[] = [];
  for (const g of doc.groups) {
    const members = g.nodeIds.filter((id) => ids.has(id));
    if (members.length === 0) continue;
    const memberSet = new Set(members);
    const laid = await layered(
      members.map((id) => ({ id, ...size(id) })),
      edges.filter((e) => memberSet.has(e.source) && memberSet.has(e.target)).map((e) => ({ ...e, main: main.has(e.id) })),
      direction,
    );
    const mainMembers = [...new Set(mainNodes.filter((id) => memberSet.has(id)))].sort((a, b) => byFlow(laid, a, b));
    if (!vertical) transpose(laid);
    straighten(laid, mainMembers, (id) => laid.get(id)!.width / 2);
    if (!vertical) transpose(laid);
    const minX = Math.min(...[...laid.values()].map((r) => r.x));
    const minY = Math.min(...[...laid.values()].map((r) => r.y));
    for (const r of laid.values()) {
      r.x -= minX;
      r.y -= minY;
    }
    const first = mainMembers[0];
    if (first !== undefined) {
      const r = laid.get(first)!;
      lines.set(`group:${g.id}`, vertical ? FRAME_PAD + r.x + r.width / 2 : FRAME_PAD + FRAME_HEADER + r.y + r.height / 2);
    }
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
    .map((e) => ({ id: e.id, source: owner.get(e.source) ?? e.source, target: owner.get(e.target) ?? e.target, main: main.has(e.id) }))
    .filter((e) => e.source !== e.target)
    // A skip into a block duplicates the main edge between the same two boxes; two edges would pull the box off
    // the main path's line (elk centres a node between its edges' ports).
    .sort((a, b) => Number(b.main) - Number(a.main))
    .filter((e, i, all) => all.findIndex((o) => o.source === e.source && o.target === e.target) === i);
  const top = await layered(boxes, outer, direction);
  const mainBoxes = [...new Set(mainNodes.map((id) => owner.get(id) ?? id))].filter((id) => top.has(id)).sort((a, b) => byFlow(top, a, b));
  if (!vertical) transpose(top);
  straighten(top, mainBoxes, (id) => lines.get(id) ?? top.get(id)!.width / 2);
  if (!vertical) transpose(top);

  // On the grid, except across the flow, where the node's centre is snapped: layers of different widths on the main
  // path then keep one straight centre line.
  const snap = (v: number) => Math.round(v / GRID) * GRID;
  const place = (id: NodeId, x: number, y: number): Position => {
    // (x, y) is the corner of the box elk was given (the size rounded up to the grid); the centre is the box's.
    const { width, height } = size(id);
    const [boxWidth, boxHeight] = [Math.ceil(width / GRID) * GRID, Math.ceil(height / GRID) * GRID];
    return direction === 'DOWN'
      ? { x: Math.round(snap(x + boxWidth / 2) - width / 2), y: snap(y) }
      : { x: snap(x), y: Math.round(snap(y + boxHeight / 2) - height / 2) };
  };
  const positions = new Map<NodeId, Position>();
  for (const n of doc.nodes) {
    const group = owner.get(n.id);
    if (group) {
      const box = top.get(group);
      const offset = inner.get(group)?.get(n.id);
      if (!box || !offset) continue;
      positions.set(n.id, place(n.id, origin.x + box.x + FRAME_PAD + offset.x, origin.y + box.y + FRAME_PAD + FRAME_HEADER + offset.y));
    } else {
      const box = top.get(n.id);
      if (box) positions.set(n.id, place(n.id, origin.x + box.x, origin.y + box.y));
    }
  }
  return positions;
}
