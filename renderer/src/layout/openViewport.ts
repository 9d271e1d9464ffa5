/**
 * The viewport a graph opens at. It is framed whole when that keeps text readable; otherwise it is shown at the
 * readable zoom from its input end (top when the flow runs DOWN, left when RIGHT), centred across the flow, and the
 * user scrolls. It depends only on the graph's bounds and the pane, never re-lays anything out.
 */
import type { LayoutDirection } from './autoLayout';
import type { Rect } from './edgeRoute';

/** Below this zoom layer titles (13 px) shrink under ~10 px. */
export const MIN_OPEN_ZOOM = 0.75;
export const MAX_OPEN_ZOOM = 1.2;
/** Share of the pane kept free around a framed graph (as React Flow's fitView padding). */
export const OPEN_PADDING = 0.1;
/** Screen pixels between the pane's edge and the graph's input end when it does not fit (clear of the canvas's
 * top-left controls). */
export const START_MARGIN = 56;

export interface Viewport {
  readonly x: number;
  readonly y: number;
  readonly zoom: number;
}

export function openViewport(bounds: Rect, pane: { width: number; height: number }, direction: LayoutDirection): Viewport {
  const fitZoom = Math.min(
    pane.width / (bounds.width * (1 + 2 * OPEN_PADDING)),
    pane.height / (bounds.height * (1 + 2 * OPEN_PADDING)),
    MAX_OPEN_ZOOM,
  );
  const zoom = Math.max(fitZoom, MIN_OPEN_ZOOM);
  const centreX = pane.width / 2 - (bounds.x + bounds.width / 2) * zoom;
  const centreY = pane.height / 2 - (bounds.y + bounds.height / 2) * zoom;
  if (fitZoom >= MIN_OPEN_ZOOM) return { x: centreX, y: centreY, zoom };
  // Too big to frame readably: start at the input end. Across the flow it stays centred when it fits, else starts at
  // its first column too.
  const fitsAcross = direction === 'DOWN' ? bounds.width * zoom <= pane.width : bounds.height * zoom <= pane.height;
  if (direction === 'DOWN') {
    return { x: fitsAcross ? centreX : START_MARGIN - bounds.x * zoom, y: START_MARGIN - bounds.y * zoom, zoom };
  }
  return { x: START_MARGIN - bounds.x * zoom, y: fitsAcross ? centreY : START_MARGIN - bounds.y * zoom, zoom };
}
