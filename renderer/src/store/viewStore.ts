/**
 * View state that is not part of the document and not undoable: measured node sizes (React Flow needs them back on
 * every node it is given), the hint shown while dragging a connection, the last cursor position in flow coordinates
 * (quick-add inserts there), transient messages — and the workbench layout the user chose (side tab, panel sizes
 * and collapse, theme, layout direction), which is remembered across launches in localStorage.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { ExportFormat } from '../../../shared/contracts/interop';
import type { Size } from '../canvas/flowMapping';
import { PANEL_LIMITS, workbenchLayout, type PanelId, type PanelState } from '../panels/panelLayout';

export { PANEL_LIMITS };
export type { PanelId, PanelState };

export type SideTab = 'inspector' | 'training';
export type ThemeChoice = 'system' | 'light' | 'dark';
export type LayoutDirection = 'DOWN' | 'RIGHT';

/** The part of the view state that survives a reload. */
export interface WorkbenchPrefs {
  readonly sideTab: SideTab;
  readonly panels: Readonly<Record<PanelId, PanelState>>;
  readonly theme: ThemeChoice;
  readonly layoutDirection: LayoutDirection;
}

export const DEFAULT_PREFS: WorkbenchPrefs = {
  sideTab: 'inspector',
  panels: {
    palette: { collapsed: false, width: PANEL_LIMITS.palette.initial },
    side: { collapsed: false, width: PANEL_LIMITS.side.initial },
  },
  theme: 'system',
  layoutDirection: 'DOWN',
};

const PREFS_KEY = 'neural-bricks.workbench.v1';

function clampWidth(panel: PanelId, width: number): number {
  const { min, max, initial } = PANEL_LIMITS[panel];
  return Number.isFinite(width) ? Math.min(max, Math.max(min, Math.round(width))) : initial;
}

/** Reads remembered prefs; anything missing or malformed falls back to its default, field by field. */
export function readPrefs(raw: string | null | undefined): WorkbenchPrefs {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = raw ? JSON.parse(raw) : {};
    if (value && typeof value === 'object') parsed = value as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  const panelsIn = (parsed.panels ?? {}) as Record<string, Partial<PanelState> | undefined>;
  const panel = (id: PanelId): PanelState => ({
    collapsed: typeof panelsIn[id]?.collapsed === 'boolean' ? panelsIn[id]!.collapsed! : DEFAULT_PREFS.panels[id].collapsed,
    width: typeof panelsIn[id]?.width === 'number' ? clampWidth(id, panelsIn[id]!.width!) : DEFAULT_PREFS.panels[id].width,
  });
  return {
    sideTab: parsed.sideTab === 'training' || parsed.sideTab === 'inspector' ? parsed.sideTab : DEFAULT_PREFS.sideTab,
    panels: { palette: panel('palette'), side: panel('side') },
    theme: parsed.theme === 'light' || parsed.theme === 'dark' || parsed.theme === 'system' ? parsed.theme : DEFAULT_PREFS.theme,
    layoutDirection: parsed.layoutDirection === 'RIGHT' || parsed.layoutDirection === 'DOWN' ? parsed.layoutDirection : DEFAULT_PREFS.layoutDirection,
  };
}

function loadPrefs(): WorkbenchPrefs {
  try {
    return readPrefs(globalThis.localStorage?.getItem(PREFS_KEY));
  } catch {
    return DEFAULT_PREFS;
  }
}

function savePrefs(prefs: WorkbenchPrefs): void {
  try {
    globalThis.localStorage?.setItem(PREFS_KEY, JSON.stringify(prefs));
  } catch {
    // Storage full or disabled (private window): the layout still works for this session.
  }
}

export interface ViewState extends WorkbenchPrefs {
  readonly measured: ReadonlyMap<string, Size>;
  readonly connectionHint?: { readonly ok: boolean; readonly message: string };
  readonly cursor: { readonly x: number; readonly y: number };
  /** Last pointer position over the canvas in screen coordinates, and whether it is still there. */
  readonly pointer?: { readonly x: number; readonly y: number };
  readonly toast?: string;
  /** The modal dialog open, if any. */
  readonly dialog?: Dialog;
  setMeasured(sizes: ReadonlyMap<string, Size>): void;
  setConnectionHint(hint: ViewState['connectionHint']): void;
  setCursor(p: { x: number; y: number }, screen?: { x: number; y: number }): void;
  showToast(message: string): void;
  openDialog(dialog: Dialog | undefined): void;
  /** Bumped to ask the canvas to fit the graph in view (after a layout, say). */
  readonly fitRequests: number;
  requestFit(): void;
  setSideTab(tab: SideTab): void;
  /** Inner width of the window (the layout narrows panels below some widths); not remembered. */
  readonly windowWidth: number;
  setWindowWidth(width: number): void;
  /** In a window too narrow to dock the side panel, whether it is open over the canvas; not remembered. */
  readonly sideOverlayOpen: boolean;
  /**
   * The user asked to see the side panel (double-clicked a layer, clicked a collapsed tab): shows `tab`, expands the
   * panel, and opens it over the canvas when the window is too narrow to dock it.
   */
  revealSidePanel(tab: SideTab): void;
  setPanel(panel: PanelId, change: Partial<PanelState>): void;
  /** Collapse or expand; in a narrow window the side panel's overlay opens or closes instead, keeping the remembered state. */
  togglePanel(panel: PanelId): void;
  setTheme(theme: ThemeChoice): void;
  setLayoutDirection(direction: LayoutDirection): void;
}

export type Dialog =
  | { readonly kind: 'help' }
  | { readonly kind: 'templates' }
  | { readonly kind: 'data' }
  /** File → Export…; `runId`/`format` preselect a kept run's weights and a format (the Training panel's Export model). */
  | { readonly kind: 'export'; readonly runId?: string; readonly format?: ExportFormat }
  | { readonly kind: 'import' }
  | { readonly kind: 'quickAdd'; readonly screen: { readonly x: number; readonly y: number } }
  | { readonly kind: 'repeat'; readonly groupId: string };

let toastTimer: ReturnType<typeof setTimeout> | undefined;

export const viewStore = createStore<ViewState>()((set, get) => ({
  ...loadPrefs(),
  measured: new Map(),
  cursor: { x: 0, y: 0 },
  setMeasured(sizes) {
    const current = get().measured;
    let changed = false;
    for (const [id, size] of sizes) {
      const old = current.get(id);
      if (!old || old.width !== size.width || old.height !== size.height) changed = true;
    }
    if (!changed) return;
    const next = new Map(current);
    for (const [id, size] of sizes) next.set(id, size);
    set({ measured: next });
  },
  setConnectionHint(hint) {
    const old = get().connectionHint;
    if (old?.ok === hint?.ok && old?.message === hint?.message) return;
    set({ connectionHint: hint });
  },
  setCursor(p, screen) {
    set({ cursor: p, pointer: screen });
  },
  showToast(message) {
    set({ toast: message });
    if (toastTimer) clearTimeout(toastTimer);
    toastTimer = setTimeout(() => set({ toast: undefined }), 2600);
  },
  openDialog(dialog) {
    set({ dialog });
  },
  fitRequests: 0,
  requestFit() {
    set({ fitRequests: get().fitRequests + 1 });
  },
  setSideTab(sideTab) {
    if (get().sideTab !== sideTab) set({ sideTab });
  },
  windowWidth: globalThis.innerWidth ?? 1280,
  setWindowWidth(windowWidth) {
    const { panels, sideOverlayOpen } = get();
    if (windowWidth === get().windowWidth) return;
    const wasNarrow = workbenchLayout(get().windowWidth, panels, sideOverlayOpen).side.narrow;
    const narrow = workbenchLayout(windowWidth, panels, sideOverlayOpen).side.narrow;
    // Entering or leaving the narrow layout starts with the overlay closed, so the canvas is not covered by surprise.
    set({ windowWidth, sideOverlayOpen: wasNarrow === narrow ? sideOverlayOpen : false });
  },
  sideOverlayOpen: false,
  revealSidePanel(tab) {
    get().setSideTab(tab);
    get().setPanel('side', { collapsed: false });
    if (!get().sideOverlayOpen && workbenchLayout(get().windowWidth, get().panels, false).side.narrow) set({ sideOverlayOpen: true });
  },
  setPanel(panel, change) {
    const old = get().panels[panel];
    const next: PanelState = {
      collapsed: change.collapsed ?? old.collapsed,
      width: change.width === undefined ? old.width : clampWidth(panel, change.width),
    };
    if (next.collapsed === old.collapsed && next.width === old.width) return;
    set({ panels: { ...get().panels, [panel]: next } });
  },
  togglePanel(panel) {
    const { windowWidth, panels, sideOverlayOpen } = get();
    const side = workbenchLayout(windowWidth, panels, sideOverlayOpen).side;
    if (panel === 'side' && side.narrow) {
      if (side.mode === 'overlay') set({ sideOverlayOpen: false });
      else {
        get().setPanel('side', { collapsed: false });
        set({ sideOverlayOpen: true });
      }
      return;
    }
    get().setPanel(panel, { collapsed: !get().panels[panel].collapsed });
  },
  setTheme(theme) {
    set({ theme });
  },
  setLayoutDirection(layoutDirection) {
    set({ layoutDirection });
  },
}));

/** Remember the workbench layout whenever it changes. */
viewStore.subscribe((state, previous) => {
  if (
    state.sideTab !== previous.sideTab ||
    state.panels !== previous.panels ||
    state.theme !== previous.theme ||
    state.layoutDirection !== previous.layoutDirection
  ) {
    savePrefs({ sideTab: state.sideTab, panels: state.panels, theme: state.theme, layoutDirection: state.layoutDirection });
  }
});

/**
 * Whether the side panel is on screen (docked, or open over the canvas in a narrow window) — what a "Toggle Side
 * Panel" check mark should show; `panels.side.collapsed` alone is the remembered choice for wide windows.
 */
export function sidePanelShown(state: Pick<ViewState, 'windowWidth' | 'panels' | 'sideOverlayOpen'>): boolean {
  return workbenchLayout(state.windowWidth, state.panels, state.sideOverlayOpen).side.mode !== 'collapsed';
}

export function useViewStore<T>(selector: (state: ViewState) => T): T {
  return useStore(viewStore, selector);
}
