/**
 * Where an edge runs on the canvas, as pure geometry shared by the edge component (canvas/edges/ShapeEdge.tsx) and the
 * layout-quality test. An ordinary edge leaves its source's output side and enters its target's input side (bottom →
 * top when the flow runs DOWN, right → left when it runs RIGHT). A skip edge is drawn as a bracket beside the nodes it
 * bypasses: out of the source's side, along a lane clear of every node and frame between the two, into the target's
 * side — so it never crosses the residual branch.
 */
import type { LayoutDirection } from './autoLayout';

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Gap between a skip edge's lane and the nodes it passes. */
export const SKIP_LANE_GAP = 28;

/** Swaps x and y, so the RIGHT case is the DOWN case transposed. */
const flipRect = (r: Rect): Rect => ({ x: r.y, y: r.x, width: r.height, height: r.width });
const flipPoint = (p: Point): Point => ({ x: p.y, y: p.x });

export function edgeEndpoints(source: Rect, target: Rect, direction: LayoutDirection): { from: Point; to: Point } {
  if (direction === 'RIGHT') {
    const { from, to } = edgeEndpoints(flipRect(source), flipRect(target), 'DOWN');
    return { from: flipPoint(from), to: flipPoint(to) };
  }
  return {
    from: { x: source.x + source.width / 2, y: source.y + source.height },
    to: { x: target.x + target.width / 2, y: target.y },
  };
}

/**
 * The corner points of a skip edge's bracket (DOWN: right of the nodes; RIGHT: below them). `obstacles` are the
 * rectangles of everything drawn on the canvas (layers and block frames); those that contain the source or the target
 * (their own block's frame) are passed too, so the lane runs outside the frame.
 */
export function skipRoute(source: Rect, target: Rect, obstacles: readonly Rect[], direction: LayoutDirection): Point[] {
  if (direction === 'RIGHT') {
    return skipRoute(flipRect(source), flipRect(target), obstacles.map(flipRect), 'DOWN').map(flipPoint);
  }
  const fromY = source.y + source.height / 2;
  const toY = target.y + target.height / 2;
  const top = Math.min(fromY, toY);
  const bottom = Math.max(fromY, toY);
  const left = Math.min(source.x, target.x);
  let lane = Math.max(source.x + source.width, target.x + target.width) + SKIP_LANE_GAP;
  // Push the lane right past anything between the two ends that it would cut through (sorted, so one pass does).
  const between = obstacles
    .filter((o) => o.y < bottom && o.y + o.height > top && o.x + o.width > left)
    .sort((a, b) => a.x - b.x);
  for (const o of between) if (o.x < lane + SKIP_LANE_GAP / 2) lane = Math.max(lane, o.x + o.width + SKIP_LANE_GAP);
  return [
    { x: source.x + source.width, y: fromY },
    { x: lane, y: fromY },
    { x: lane, y: toY },
    { x: target.x + target.width, y: toY },
  ];
}

/** Whether any leg of `points` passes through one of `obstacles` other than the two ends. */
function blocked(points: readonly Point[], obstacles: readonly Rect[], source: Rect, target: Rect): boolean {
  for (const o of obstacles) {
    if (o === source || o === target) continue;
    // Block frames around an end are passed too; only layers block an ordinary edge.
    if (contains(o, source) || contains(o, target)) continue;
    for (let k = 0; k + 1 < points.length; k++) if (segmentHitsRect(points[k]!, points[k + 1]!, o)) return true;
  }
  return false;
}

const contains = (outer: Rect, inner: Rect) =>
  outer.x <= inner.x && outer.y <= inner.y && outer.x + outer.width >= inner.x + inner.width && outer.y + outer.height >= inner.y + inner.height;

/** How far past its source a detouring edge turns across the flow (half the gap between layers). */
const TURN = 24;

/**
 * The corner points of an ordinary edge: straight (drawn as a bezier) when nothing is in the way; when a layer sits
 * on the straight line (an edge that skips a layer of a branchy graph), it turns across the flow in the gap right
 * after its source, or else right before its target, and runs along the flow in the clear column beside the layers.
 * Only edges longer than a layer can have something in the way, so short ones cost nothing to check.
 */
export function edgeRoute(source: Rect, target: Rect, obstacles: readonly Rect[], direction: LayoutDirection): Point[] {
  if (direction === 'RIGHT') {
    const flipped = obstacles.map(flipRect);
    const s = flipped[obstacles.indexOf(source)] ?? flipRect(source);
    const t = flipped[obstacles.indexOf(target)] ?? flipRect(target);
    return edgeRoute(s, t, flipped, 'DOWN').map(flipPoint);
  }
  const { from, to } = edgeEndpoints(source, target, 'DOWN');
  const straight = [from, to];
  if (to.y - from.y < Math.min(source.height, target.height) || !blocked(straight, obstacles, source, target)) return straight;
  for (const turnY of [from.y + TURN, to.y - TURN]) {
    const dogleg = [from, { x: from.x, y: turnY }, { x: to.x, y: turnY }, to];
    if (!blocked(dogleg, obstacles, source, target)) return dogleg;
  }
  return straight;
}

/** An SVG path through `points` with the corners rounded (radius capped by the shorter neighbouring leg). */
export function roundedPath(points: readonly Point[], radius = 18): string {
  if (points.length === 0) return '';
  let d = `M ${points[0]!.x} ${points[0]!.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [prev, at, next] = [points[i - 1]!, points[i]!, points[i + 1]!];
    const inLen = Math.hypot(at.x - prev.x, at.y - prev.y);
    const outLen = Math.hypot(next.x - at.x, next.y - at.y);
    const r = Math.min(radius, inLen / 2, outLen / 2);
    const a = { x: at.x - ((at.x - prev.x) / (inLen || 1)) * r, y: at.y - ((at.y - prev.y) / (inLen || 1)) * r };
    const b = { x: at.x + ((next.x - at.x) / (outLen || 1)) * r, y: at.y + ((next.y - at.y) / (outLen || 1)) * r };
    d += ` L ${a.x} ${a.y} Q ${at.x} ${at.y} ${b.x} ${b.y}`;
  }
  const last = points[points.length - 1]!;
  return `${d} L ${last.x} ${last.y}`;
}

/** Does segment a→b pass through the inside of `r` (shrunk by `inset`, so touching a side does not count)? */
export function segmentHitsRect(a: Point, b: Point, r: Rect, inset = 1): boolean {
  const [x0, y0, x1, y1] = [r.x + inset, r.y + inset, r.x + r.width - inset, r.y + r.height - inset];
  if (x1 <= x0 || y1 <= y0) return false;
  // Liang–Barsky clipping.
  let t0 = 0;
  let t1 = 1;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  for (const [p, q] of [[-dx, a.x - x0], [dx, x1 - a.x], [-dy, a.y - y0], [dy, y1 - a.y]] as const) {
    if (p === 0) {
      if (q < 0) return false;
      continue;
    }
    const t = q / p;
    if (p < 0) t0 = Math.max(t0, t);
    else t1 = Math.min(t1, t);
    if (t0 > t1) return false;
  }
  return t1 - t0 > 1e-9;
}

/** Do segments a–b and c–d cross at a point inside both (shared end points do not count)? */
export function segmentsCross(a: Point, b: Point, c: Point, d: Point): boolean {
  const cross = (p: Point, q: Point, r: Point) => (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}
