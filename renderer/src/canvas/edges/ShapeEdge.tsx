/**
 * An edge labelled with the tensor shape it carries; skip connections dashed, broken ones red.
 *
 * Geometry comes from layout/edgeRoute.ts (the same code the layout-quality test measures): a skip edge is a rounded
 * bracket in a lane beside the branch it bypasses; an ordinary edge is a bezier, or a rounded dogleg when a layer
 * sits on its straight line. Labels are kept from piling up: a fan-out (one output feeding several layers) shows its
 * shape once, just past the source; skip edges show theirs only when selected (the dashed line says what they are,
 * the hover title the rest).
 */
import { memo, useCallback, useMemo } from 'react';
import { BaseEdge, EdgeLabelRenderer, getBezierPath, useStore, type Edge, type EdgeProps, type EdgeTypes, type ReactFlowState } from '@xyflow/react';
import { formatShape, type ShapeFlowEdge } from '../flowMapping';
import { OVERLAY_NONE, OVERLAY_OFF, useNodeOverlay } from '../../insight/overlay/overlayStore';
import { edgeWidthForStd, formatSignal } from '../../insight/overlay/overlayScale';
import { edgeRoute, roundedPath, skipRoute, type Point, type Rect } from '../../layout/edgeRoute';
import { useFlowDirection } from '../../layout/flowDirection';
import type { LayoutDirection } from '../../layout/autoLayout';

type InternalNode = ReactFlowState['nodeLookup'] extends Map<string, infer N> ? N : never;

function rectOf(n: InternalNode | undefined): Rect | undefined {
  if (!n || n.hidden) return undefined;
  const width = n.measured.width ?? n.width;
  const height = n.measured.height ?? n.height;
  if (!width || !height) return undefined;
  return { x: n.internals.positionAbsolute.x, y: n.internals.positionAbsolute.y, width, height };
}

/**
 * The routed corner points as a string ('' = the plain bezier), so the store selector re-renders the edge only when
 * its route changes. Edges between neighbouring layers cannot have a layer in their way and are not checked.
 */
function routeKey(s: ReactFlowState, source: string, target: string, skip: boolean, direction: LayoutDirection): string {
  const from = rectOf(s.nodeLookup.get(source));
  const to = rectOf(s.nodeLookup.get(target));
  if (!from || !to) return '';
  const along = direction === 'DOWN' ? to.y - (from.y + from.height) : to.x - (from.x + from.width);
  const size = direction === 'DOWN' ? Math.min(from.height, to.height) : Math.min(from.width, to.width);
  if (!skip && along < size) return '';
  const obstacles: Rect[] = [];
  for (const n of s.nodeLookup.values()) {
    if (n.id === source) obstacles.push(from);
    else if (n.id === target) obstacles.push(to);
    else {
      const r = rectOf(n);
      if (r) obstacles.push(r);
    }
  }
  const points = skip ? skipRoute(from, to, obstacles, direction) : edgeRoute(from, to, obstacles, direction);
  return points.length > 2 ? points.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`).join(' ') : '';
}

/** Per edge list: the one edge of each source that carries the source's shape label (the first that is not a skip). */
const labelOwners = new WeakMap<readonly Edge[], { owner: Map<string, string>; fanOut: Set<string> }>();

function labelRole(edges: readonly Edge[], id: string, source: string): 'own' | 'fan-out' | 'none' {
  let entry = labelOwners.get(edges);
  if (!entry) {
    entry = { owner: new Map(), fanOut: new Set() };
    const count = new Map<string, number>();
    for (const e of edges) {
      count.set(e.source, (count.get(e.source) ?? 0) + 1);
      if (!(e.data as { skip?: boolean } | undefined)?.skip && !entry.owner.has(e.source)) entry.owner.set(e.source, e.id);
    }
    for (const [s, n] of count) if (n > 1) entry.fanOut.add(s);
    labelOwners.set(edges, entry);
  }
  if (entry.owner.get(source) !== id) return 'none';
  return entry.fanOut.has(source) ? 'fan-out' : 'own';
}

function ShapeEdgeView(props: EdgeProps<ShapeFlowEdge>) {
  const { id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd } = props;
  // With the inside view on, the edge carries its source's activation scale (stroke width and a σ on the label).
  const overlay = useNodeOverlay(source);
  const std = overlay !== OVERLAY_OFF && overlay !== OVERLAY_NONE ? overlay.latest.activationStd : undefined;
  const skip = data?.skip ?? false;
  const error = data?.error;
  const direction = useFlowDirection();
  const route = useStore(useCallback((s: ReactFlowState) => routeKey(s, source, target, skip, direction), [source, target, skip, direction]));
  const role = useStore(useCallback((s: ReactFlowState) => labelRole(s.edges, id, source), [id, source]));
  const [path, labelX, labelY] = useMemo((): [string, number, number] => {
    if (route) {
      const points: Point[] = route.split(' ').map((p) => {
        const [x = 0, y = 0] = p.split(',').map(Number);
        return { x, y };
      });
      // On the leg that runs along the flow (the lane of a skip, the long leg of a dogleg).
      const [a, b] = [points[1]!, points[2]!];
      return [roundedPath(points), (a.x + b.x) / 2, (a.y + b.y) / 2];
    }
    const [bezier, x, y] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
    if (role === 'fan-out') {
      // One label for all the edges leaving this output, just past it, before they spread.
      return direction === 'DOWN' ? [bezier, sourceX, sourceY + 24] : [bezier, sourceX + 34, sourceY];
    }
    return [bezier, x, y];
  }, [route, role, direction, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition]);
  const className = `shape-edge${skip ? ' is-skip' : ''}${error ? ' has-error' : ''}${selected ? ' is-selected' : ''}${std !== undefined ? ' has-scale' : ''}`;
  const shapeText = data?.shape ? formatShape(data.shape) : error ? '✕' : '?';
  // A label wider than the gap it sits in would cover the nodes; the node faces show the same shape anyway.
  // Flowing down, the label sits in the gap between two layers and needs only its own height.
  const fitsText = (t: string) =>
    direction === 'DOWN' ? targetY - sourceY >= 26 : Math.abs(targetX - sourceX) >= t.length * 5.2 + 10 || Math.abs(targetY - sourceY) > 40;
  const scaled = std !== undefined ? `${shapeText} σ ${formatSignal(std)}` : shapeText;
  // In a tight gap the σ goes first (the stroke width still shows it), so the shape stays readable.
  const text = fitsText(scaled) || selected ? scaled : shapeText;
  const fits = fitsText(text) && role !== 'none';
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        className={className}
        {...(markerEnd ? { markerEnd } : {})}
        {...(std !== undefined && !error && !selected ? { style: { strokeWidth: edgeWidthForStd(std) } } : {})}
        interactionWidth={18}
      />
      {fits || selected || error ? (
        <EdgeLabelRenderer>
          <div
            className={`edge-label${skip ? ' is-skip' : ''}${error ? ' has-error' : ''}`}
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            data-testid={`edge-label-${id}`}
            title={
              error ??
              `${skip ? 'Skip connection' : 'Tensor shape per sample'}${std !== undefined ? `; σ: spread (std) of the activations flowing through it` : ''}`
            }
            {...(std !== undefined ? { 'data-activation-std': std } : {})}
          >
            {text}
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  );
}

export const edgeTypes: EdgeTypes = { shape: memo(ShapeEdgeView) } as EdgeTypes;
