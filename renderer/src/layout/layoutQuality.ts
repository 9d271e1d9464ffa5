/**
 * Measures of a laid-out graph as the canvas draws it (edge geometry from edgeRoute.ts): overlapping layers, edges
 * that pass through a layer they do not connect, edge crossings, and the zoom a pane opens it at. Used by the layout
 * test over every example; pure, so it runs without a browser.
 */
import type { GraphDocument, NodeId, Position } from '../../../shared/document/model';
import { FRAME_HEADER, FRAME_PAD, type LayoutDirection, type LayoutSize } from './autoLayout';
import { edgeRoute, segmentHitsRect, segmentsCross, skipRoute, type Point, type Rect } from './edgeRoute';
import { openViewport } from './openViewport';

export interface LayoutQuality {
  readonly overlaps: readonly string[];
  readonly edgesThroughNodes: readonly string[];
  readonly crossings: number;
  /** Bounding box of the layers in flow coordinates. */
  readonly bounds: Rect;
}

export interface DrawnGraph {
  readonly rects: ReadonlyMap<NodeId, Rect>;
  /** Block frames, as flowMapping draws them around their members. */
  readonly frames: readonly Rect[];
  /** Each edge as the polyline the canvas draws (a straight stand-in for the bezier of an ordinary edge). */
  readonly routes: ReadonlyMap<string, readonly Point[]>;
}

export function drawnGraph(
  doc: GraphDocument,
  positions: ReadonlyMap<NodeId, Position>,
  sizeOf: (id: NodeId) => LayoutSize,
  skips: ReadonlySet<string>,
  direction: LayoutDirection,
): DrawnGraph {
  const rects = new Map<NodeId, Rect>();
  for (const n of doc.nodes) {
    const p = positions.get(n.id) ?? n.position;
    rects.set(n.id, { x: p.x, y: p.y, ...sizeOf(n.id) });
  }
  const frames: Rect[] = [];
  for (const g of doc.groups) {
    const members = g.nodeIds.map((id) => rects.get(id)).filter((r): r is Rect => r !== undefined);
    if (members.length === 0) continue;
    const b = boundsOf(members);
    frames.push({ x: b.x - FRAME_PAD, y: b.y - FRAME_PAD - FRAME_HEADER, width: b.width + 2 * FRAME_PAD, height: b.height + 2 * FRAME_PAD + FRAME_HEADER });
  }
  const obstacles = [...rects.values(), ...frames];
  const routes = new Map<string, Point[]>();
  for (const e of doc.edges) {
    const s = rects.get(e.source);
    const t = rects.get(e.target);
    if (!s || !t) continue;
    if (skips.has(e.id)) routes.set(e.id, skipRoute(s, t, obstacles, direction));
    else routes.set(e.id, edgeRoute(s, t, obstacles, direction));
  }
  return { rects, frames, routes };
}

export function boundsOf(rects: Iterable<Rect>): Rect {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const r of rects) {
    x0 = Math.min(x0, r.x);
    y0 = Math.min(y0, r.y);
    x1 = Math.max(x1, r.x + r.width);
    y1 = Math.max(y1, r.y + r.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function layoutQuality(doc: GraphDocument, drawn: DrawnGraph): LayoutQuality {
  const entries = [...drawn.rects];
  const overlaps: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [[ia, a], [ib, b]] = [entries[i]!, entries[j]!];
      if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) overlaps.push(`${ia} × ${ib}`);
    }
  }
  const ends = new Map(doc.edges.map((e) => [e.id, [e.source, e.target] as const]));
  const edgesThroughNodes: string[] = [];
  for (const [edgeId, points] of drawn.routes) {
    const [source, target] = ends.get(edgeId)!;
    for (const [nodeId, r] of drawn.rects) {
      if (nodeId === source || nodeId === target) continue;
      for (let k = 0; k + 1 < points.length; k++) {
        if (segmentHitsRect(points[k]!, points[k + 1]!, r)) {
          edgesThroughNodes.push(`${edgeId} through ${nodeId}`);
          break;
        }
      }
    }
  }
  let crossings = 0;
  const routes = [...drawn.routes];
  for (let i = 0; i < routes.length; i++) {
    for (let j = i + 1; j < routes.length; j++) {
      const [[, p], [, q]] = [routes[i]!, routes[j]!];
      let crossed = false;
      for (let a = 0; a + 1 < p.length && !crossed; a++) {
        for (let b = 0; b + 1 < q.length && !crossed; b++) crossed = segmentsCross(p[a]!, p[a + 1]!, q[b]!, q[b + 1]!);
      }
      if (crossed) crossings++;
    }
  }
  return { overlaps, edgesThroughNodes, crossings, bounds: boundsOf([...drawn.rects.values(), ...drawn.frames]) };
}

export { openViewport };
