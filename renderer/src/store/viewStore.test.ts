import { describe, expect, it } from 'vitest';
import { DEFAULT_PREFS, PANEL_LIMITS, readPrefs, sidePanelShown, viewStore } from './viewStore';

describe('workbench prefs', () => {
  it('falls back to defaults for missing, malformed or out-of-range values, field by field', () => {
    expect(readPrefs(null)).toEqual(DEFAULT_PREFS);
    expect(readPrefs('{not json')).toEqual(DEFAULT_PREFS);
    const read = readPrefs(JSON.stringify({ sideTab: 'nope', theme: 'dark', panels: { side: { width: 99999, collapsed: true } } }));
    expect(read.sideTab).toBe('inspector');
    expect(read.theme).toBe('dark');
    expect(read.panels.side).toEqual({ collapsed: true, width: PANEL_LIMITS.side.max });
    expect(read.panels.palette).toEqual(DEFAULT_PREFS.panels.palette);
  });

  it('clamps panel widths and toggles collapse without touching the width', () => {
    const store = viewStore.getState();
    store.setPanel('palette', { width: 10 });
    expect(viewStore.getState().panels.palette.width).toBe(PANEL_LIMITS.palette.min);
    store.togglePanel('palette');
    expect(viewStore.getState().panels.palette).toEqual({ collapsed: true, width: PANEL_LIMITS.palette.min });
    store.togglePanel('palette');
    expect(viewStore.getState().panels.palette.collapsed).toBe(false);
  });
});

describe('side panel in a narrow window', () => {
  it('opens and closes over the canvas without changing the remembered collapse state', () => {
    const store = viewStore.getState();
    store.setPanel('side', { collapsed: false });
    store.setWindowWidth(1280);
    store.setWindowWidth(800);
    expect(viewStore.getState().sideOverlayOpen).toBe(false);
    expect(sidePanelShown(viewStore.getState())).toBe(false);
    store.togglePanel('side');
    expect(viewStore.getState().sideOverlayOpen).toBe(true);
    expect(sidePanelShown(viewStore.getState())).toBe(true);
    store.togglePanel('side');
    expect(viewStore.getState().sideOverlayOpen).toBe(false);
    expect(viewStore.getState().panels.side.collapsed).toBe(false);
  });

  it('reveals the asked tab: expands a collapsed panel, and opens the overlay only when narrow', () => {
    const store = viewStore.getState();
    store.setWindowWidth(1280);
    store.setSideTab('training');
    store.setPanel('side', { collapsed: true });
    store.revealSidePanel('inspector');
    expect(viewStore.getState()).toMatchObject({ sideTab: 'inspector', sideOverlayOpen: false });
    expect(viewStore.getState().panels.side.collapsed).toBe(false);
    store.setWindowWidth(800);
    store.revealSidePanel('training');
    expect(viewStore.getState()).toMatchObject({ sideTab: 'training', sideOverlayOpen: true });
    // Widening the window docks the panel again and forgets the overlay.
    store.setWindowWidth(1280);
    expect(viewStore.getState().sideOverlayOpen).toBe(false);
  });
});
