import { describe, expect, it } from 'vitest';
import { CANVAS_MIN, NARROW_PALETTE_MAX, PANEL_LIMITS, STRIP_WIDTH, WIDE_SIDE_FRACTION, workbenchLayout } from './panelLayout';

const panels = (palette: { collapsed?: boolean; width?: number } = {}, side: { collapsed?: boolean; width?: number } = {}) => ({
  palette: { collapsed: false, width: PANEL_LIMITS.palette.initial, ...palette },
  side: { collapsed: false, width: PANEL_LIMITS.side.initial, ...side },
});

describe('workbench layout', () => {
  it('widens the side panel for a view that asks (Inside: Wider) without forgetting the chosen width', () => {
    const chosen = panels();
    expect(workbenchLayout(1280, chosen, false, true).side).toMatchObject({ mode: 'docked', column: Math.round(1280 * WIDE_SIDE_FRACTION) });
    // At 1920 the share would pass the panel's maximum: the maximum.
    expect(workbenchLayout(1920, chosen, false, true).side.column).toBe(PANEL_LIMITS.side.max);
    // A width already larger than the share stays; the canvas keeps at least CANVAS_MIN.
    expect(workbenchLayout(1280, panels({}, { width: 600 }), false, true).side.column).toBe(600);
    const tight = workbenchLayout(1024, chosen, false, true);
    expect(tight.canvas).toBeGreaterThanOrEqual(CANVAS_MIN);
    expect(tight.side.column).toBeGreaterThan(340);
    // Off again: the chosen width.
    expect(workbenchLayout(1280, chosen, false, false).side.column).toBe(340);
    // Narrow windows float the panel: wider there too, within the window.
    const floating = workbenchLayout(800, chosen, true, true).side;
    expect(floating.mode).toBe('overlay');
    expect(floating.width).toBeGreaterThan(340);
    expect(floating.width).toBeLessThanOrEqual(floating.max);
  });

  it('docks both panels at their chosen widths in a laptop window', () => {
    const layout = workbenchLayout(1280, panels(), false);
    expect(layout.palette).toMatchObject({ collapsed: false, column: 200 });
    expect(layout.side).toMatchObject({ mode: 'docked', narrow: false, column: 340 });
    expect(layout.canvas).toBe(740);
  });

  it('keeps every region docked at 1024 px with the canvas at least CANVAS_MIN wide', () => {
    const layout = workbenchLayout(1024, panels({}, { width: 640 }), false);
    expect(layout.side.mode).toBe('docked');
    expect(layout.canvas).toBeGreaterThanOrEqual(CANVAS_MIN);
    expect(layout.side.max).toBe(1024 - 200 - CANVAS_MIN);
    expect(layout.side.width).toBe(layout.side.max);
  });

  it('at 800 px narrows the palette and floats the side panel, leaving the canvas most of the window', () => {
    const closed = workbenchLayout(800, panels(), false);
    expect(closed.palette.column).toBe(NARROW_PALETTE_MAX);
    expect(closed.side).toMatchObject({ mode: 'collapsed', narrow: true, column: STRIP_WIDTH });
    expect(closed.canvas).toBe(800 - NARROW_PALETTE_MAX - STRIP_WIDTH);
    const open = workbenchLayout(800, panels(), true);
    expect(open.side).toMatchObject({ mode: 'overlay', column: STRIP_WIDTH, width: 340 });
    expect(open.canvas).toBe(closed.canvas);
  });

  it('docks the side panel again at 800 px once the palette is collapsed', () => {
    const layout = workbenchLayout(800, panels({ collapsed: true }), false);
    expect(layout.palette.column).toBe(STRIP_WIDTH);
    expect(layout.side.mode).toBe('docked');
    expect(layout.canvas).toBeGreaterThanOrEqual(CANVAS_MIN);
  });

  it('shows a collapsed panel as a strip and keeps the width it will reopen at', () => {
    const layout = workbenchLayout(1440, panels({ collapsed: true, width: 300 }, { collapsed: true, width: 500 }), true);
    expect(layout.palette).toMatchObject({ collapsed: true, column: STRIP_WIDTH, width: 300 });
    expect(layout.side).toMatchObject({ mode: 'collapsed', column: STRIP_WIDTH, width: 500 });
    expect(layout.canvas).toBe(1440 - 2 * STRIP_WIDTH);
  });
});
