/**
 * Where the minimap may sit without covering a layer: the first corner of the pane (bottom right, then top right —
 * the zoom controls and the inside-view switch hold the left corners) whose minimap rectangle no node touches on
 * screen, or nowhere. The minimap helps most with a graph bigger than the pane, and such a graph usually leaves a
 * corner free beside its main line; when it does not, the minimap is hidden rather than laid over the layers.
 */
import type { Rect } from './edgeRoute';

export type MinimapCorner = 'bottom-right' | 'top-right' | 'hidden';

export const MINIMAP_SIZE = { width: 150, height: 100 } as const;
/** React Flow's Panel margin. */
export const MINIMAP_MARGIN = 15;

/** The minimap's rectangle in pane coordinates for `corner`. */
export function minimapRect(corner: Exclude<MinimapCorner, 'hidden'>, pane: { width: number; height: number }): Rect {
  const x = pane.width - MINIMAP_MARGIN - MINIMAP_SIZE.width;
  const y = corner === 'top-right' ? MINIMAP_MARGIN : pane.height - MINIMAP_MARGIN - MINIMAP_SIZE.height;
  return { x, y, ...MINIMAP_SIZE };
}

/**
 * `nodes` are in flow coordinates; `transform` is React Flow's [x, y, zoom]. A few pixels of clearance count as
 * touching, so a node's shadow or port never sits under the minimap either.
 */
export function minimapCorner(
  nodes: Iterable<Rect>,
  transform: readonly [number, number, number],
  pane: { width: number; height: number },
): MinimapCorner {
  const [tx, ty, zoom] = transform;
  const clearance = 6;
  const candidates = (['bottom-right', 'top-right'] as const).map((corner) => ({ corner, rect: minimapRect(corner, pane), free: true }));
  // A pane too small for the minimap beside anything (narrow windows) shows none.
  if (pane.width < MINIMAP_SIZE.width * 2.5 || pane.height < MINIMAP_SIZE.height * 2.5) return 'hidden';
  for (const n of nodes) {
    const x = n.x * zoom + tx;
    const y = n.y * zoom + ty;
    const w = n.width * zoom;
    const h = n.height * zoom;
    for (const c of candidates) {
      if (!c.free) continue;
      const r = c.rect;
      if (x < r.x + r.width + clearance && r.x - clearance < x + w && y < r.y + r.height + clearance && r.y - clearance < y + h) c.free = false;
    }
    if (candidates.every((c) => !c.free)) return 'hidden';
  }
  return candidates.find((c) => c.free)?.corner ?? 'hidden';
}
