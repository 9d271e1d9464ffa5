/**
 * How wide each workbench column is for a window width and the panel sizes the user chose. The canvas keeps at least
 * CANVAS_MIN px: the palette narrows in small windows, the side panel gives up width down to its minimum, and when
 * even that does not fit the side panel leaves a thin strip and opens as an overlay over the canvas on demand.
 * Pure, so the rules are unit-tested without a browser.
 */
export type PanelId = 'palette' | 'side';

export interface PanelState {
  readonly collapsed: boolean;
  /** Width in CSS px while expanded. */
  readonly width: number;
}

export const PANEL_LIMITS: Readonly<Record<PanelId, { readonly min: number; readonly max: number; readonly initial: number }>> = {
  palette: { min: 150, max: 360, initial: 200 },
  side: { min: 260, max: 640, initial: 340 },
};

/** Width of a collapsed panel: a strip holding its expand button. */
export const STRIP_WIDTH = 28;
/** The canvas never gets narrower than this while a panel can give way. */
export const CANVAS_MIN = 400;
/** Below this window width the palette is at most NARROW_PALETTE_MAX wide. */
export const NARROW_WINDOW = 900;
export const NARROW_PALETTE_MAX = 160;

export interface PaletteLayout {
  readonly collapsed: boolean;
  /** The grid column: the palette width, or the strip when collapsed. */
  readonly column: number;
  /** Width the palette is shown at (its separator's value). */
  readonly width: number;
  readonly max: number;
}

export interface SideLayout {
  /** docked: a column beside the canvas; overlay: floating over the canvas's right edge; collapsed: only the strip. */
  readonly mode: 'docked' | 'overlay' | 'collapsed';
  /** True when the window is too narrow to dock the side panel beside a CANVAS_MIN canvas. */
  readonly narrow: boolean;
  readonly column: number;
  readonly width: number;
  readonly max: number;
}

export interface WorkbenchLayout {
  readonly palette: PaletteLayout;
  readonly side: SideLayout;
  /** Width left for the canvas column. */
  readonly canvas: number;
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** The share of the window the side panel takes at least while a view asks for a wide panel (the Inside view's Wider). */
export const WIDE_SIDE_FRACTION = 0.44;

/**
 * `wideSide`: a view in the side panel asked for room (Inside's Wider): the side panel is at least WIDE_SIDE_FRACTION of
 * the window, within its limits, without changing the width the user chose (Narrower gives that back).
 */
export function workbenchLayout(
  windowWidth: number,
  panels: Readonly<Record<PanelId, PanelState>>,
  sideOverlayOpen: boolean,
  wideSide = false,
): WorkbenchLayout {
  const P = PANEL_LIMITS.palette;
  const S = PANEL_LIMITS.side;
  const paletteMax = Math.max(P.min, Math.min(windowWidth < NARROW_WINDOW ? NARROW_PALETTE_MAX : P.max, windowWidth - STRIP_WIDTH - CANVAS_MIN));
  const paletteWidth = clamp(panels.palette.width, P.min, paletteMax);
  const palette: PaletteLayout = panels.palette.collapsed
    ? { collapsed: true, column: STRIP_WIDTH, width: paletteWidth, max: paletteMax }
    : { collapsed: false, column: paletteWidth, width: paletteWidth, max: paletteMax };

  // Room for a docked side panel once the palette and the smallest usable canvas are placed.
  const room = windowWidth - palette.column - CANVAS_MIN;
  const narrow = room < S.min;
  const sideWidth = wideSide ? Math.max(panels.side.width, Math.round(windowWidth * WIDE_SIDE_FRACTION)) : panels.side.width;
  let side: SideLayout;
  if (!narrow) {
    const max = Math.min(S.max, room);
    const width = clamp(sideWidth, S.min, max);
    side = panels.side.collapsed
      ? { mode: 'collapsed', narrow, column: STRIP_WIDTH, width, max }
      : { mode: 'docked', narrow, column: width, width, max };
  } else {
    // Floating: leave a margin of canvas visible to the left of it so the user sees where they are.
    const max = Math.max(S.min, Math.min(S.max, windowWidth - palette.column - STRIP_WIDTH - 48));
    const width = clamp(sideWidth, S.min, max);
    const open = sideOverlayOpen && !panels.side.collapsed;
    side = { mode: open ? 'overlay' : 'collapsed', narrow, column: STRIP_WIDTH, width, max };
  }
  return { palette, side, canvas: windowWidth - palette.column - side.column };
}
