/**
 * App layout: toolbar on top, palette left, canvas centre, inspector / training tabs right, summary bar at the bottom.
 * The palette and the side panel can be resized (drag their edge) and collapsed to a strip; in windows too narrow to
 * keep a usable canvas beside them they narrow, and the side panel floats over the canvas when opened
 * (panels/panelLayout.ts). The theme switch sits in the side panel header.
 * The training panel belongs to the SHELL engineer (renderer/src/training/TrainingPanel.tsx); it is picked up here when
 * the file exists, so the two halves can land independently.
 */
import { useEffect, type ComponentType } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { Canvas } from './canvas/Canvas';
import { Palette } from './palette/Palette';
import { Inspector } from './inspector/Inspector';
import { SummaryBar } from './summary/SummaryBar';
import { Toolbar } from './Toolbar';
import { LessonPanel } from './lessons/LessonPanel';
import { Dialogs } from './dialogs/Dialogs';
import { useShortcuts } from './shortcuts/useShortcuts';
import { useLabHost } from './api/useLabHost';
import { PANEL_LIMITS, useViewStore, viewStore, type SideTab, type ThemeChoice } from './store/viewStore';
import { workbenchLayout } from './panels/panelLayout';
import { useInsightPanel } from './insight/panel/insightPanelStore';
import { PanelSeparator } from './panels/PanelSeparator';
import { useThemeAttribute } from './panels/theme';
import { useDocumentStore } from './store/documentStore';

const trainingModules = import.meta.glob<{ TrainingPanel?: ComponentType; default?: ComponentType }>(
  './training/TrainingPanel.tsx',
  { eager: true },
);
const trainingModule = Object.values(trainingModules)[0];
const TrainingPanel = trainingModule?.TrainingPanel ?? trainingModule?.default;

function Toast() {
  const toast = useViewStore((s) => s.toast);
  const editError = useDocumentStore((s) => s.editError);
  useEffect(() => {
    if (editError) viewStore.getState().showToast(`Not applied: ${editError.message}`);
  }, [editError]);
  return toast ? (
    <div className="toast" role="status" data-testid="toast">
      {toast}
    </div>
  ) : null;
}

/** Short, so the switch leaves the tabs room in a narrow side panel; the select's name says "Theme". */
const THEME_LABELS: Record<ThemeChoice, string> = { system: '◐ System', light: '☀ Light', dark: '☾ Dark' };

/** The in-app theme switch (also in View ▸ Theme). */
function ThemeSwitch() {
  const theme = useViewStore((s) => s.theme);
  return (
    <select
      className="theme-switch"
      aria-label="Theme"
      title="Theme: light, dark, or follow the system setting"
      value={theme}
      onChange={(e) => viewStore.getState().setTheme(e.target.value as ThemeChoice)}
      data-testid="theme-switch"
    >
      {(Object.keys(THEME_LABELS) as ThemeChoice[]).map((choice) => (
        <option key={choice} value={choice}>
          {THEME_LABELS[choice]}
        </option>
      ))}
    </select>
  );
}

/** Follows the window width: the layout narrows panels in small windows (see panels/panelLayout.ts). */
function useWindowWidth(): void {
  useEffect(() => {
    const update = () => viewStore.getState().setWindowWidth(window.innerWidth);
    update();
    window.addEventListener('resize', update);
    return () => window.removeEventListener('resize', update);
  }, []);
}

const SIDE_TABS: readonly { readonly id: SideTab; readonly label: string }[] = [
  { id: 'inspector', label: 'Inspector' },
  { id: 'training', label: 'Training' },
];

function Workbench() {
  const tab = useViewStore((s) => s.sideTab);
  const panels = useViewStore((s) => s.panels);
  const windowWidth = useViewStore((s) => s.windowWidth);
  const sideOverlayOpen = useViewStore((s) => s.sideOverlayOpen);
  // Inside's Wider: the side panel takes a larger share of the window while the Inside view is shown.
  const wideInside = useInsightPanel((s) => s.wide && s.view === 'inside') && tab === 'training';
  const layout = workbenchLayout(windowWidth, panels, sideOverlayOpen, wideInside);
  const { palette, side } = layout;
  const view = viewStore.getState();
  useThemeAttribute();
  useWindowWidth();
  useShortcuts();
  useLabHost();
  return (
    <div
      className="app"
      style={{ gridTemplateColumns: `${palette.column}px minmax(0, 1fr) ${side.column}px` }}
      data-side-mode={side.mode}
      data-testid="workbench"
    >
      <Toolbar />
      <aside className="palette-region" aria-label="Layer palette" data-collapsed={palette.collapsed}>
        {palette.collapsed ? (
          <div className="panel-strip">
            <button type="button" className="strip-button" aria-label="Expand layer palette" title="Show the layer palette" onClick={() => view.togglePanel('palette')}>
              »
            </button>
            <button type="button" className="strip-tab" onClick={() => view.togglePanel('palette')} tabIndex={-1}>
              Layers
            </button>
          </div>
        ) : (
          <>
            <div className="panel-header">
              <span className="panel-title">Layers</span>
              <button type="button" className="panel-collapse" aria-label="Collapse layer palette" title="Hide the layer palette" onClick={() => view.togglePanel('palette')}>
                «
              </button>
            </div>
            <div className="palette-body" id="palette-body">
              <Palette />
            </div>
            <PanelSeparator panel="palette" edge="right" width={palette.width} min={PANEL_LIMITS.palette.min} max={palette.max} label="layer palette" controls="palette-body" />
          </>
        )}
      </aside>
      <main className="canvas-region" aria-label="Canvas">
        <Canvas />
        <LessonPanel />
      </main>
      <aside className="side-region" aria-label="Side panel" data-mode={side.mode}>
        {side.mode !== 'docked' ? (
          <div className="panel-strip">
            <button type="button" className="strip-button" aria-label="Expand side panel" title="Show the side panel" onClick={() => view.togglePanel('side')}>
              «
            </button>
            {SIDE_TABS.map((t) => (
              <button key={t.id} type="button" className="strip-tab" aria-pressed={side.mode !== 'collapsed' && tab === t.id} onClick={() => view.revealSidePanel(t.id)}>
                {t.label}
              </button>
            ))}
          </div>
        ) : null}
        {side.mode !== 'collapsed' ? (
          <div className="side-panel" id="side-panel" style={side.mode === 'overlay' ? { width: side.width } : undefined}>
            <PanelSeparator panel="side" edge="left" width={side.width} min={PANEL_LIMITS.side.min} max={side.max} label="side panel" controls="side-panel" />
            <div className="side-header">
              <div className="tabs" role="tablist">
                {SIDE_TABS.map((t) => (
                  <button key={t.id} role="tab" id={`tab-${t.id}`} aria-controls="panel-side" aria-selected={tab === t.id} onClick={() => view.setSideTab(t.id)}>
                    {t.label}
                  </button>
                ))}
              </div>
              <ThemeSwitch />
              <button type="button" className="panel-collapse" aria-label="Collapse side panel" title="Hide the side panel" onClick={() => view.togglePanel('side')}>
                »
              </button>
            </div>
            <div className="tab-body" role="tabpanel" id="panel-side" aria-labelledby={`tab-${tab}`}>
              {tab === 'inspector' ? (
                <Inspector />
              ) : TrainingPanel ? (
                <TrainingPanel />
              ) : (
                <p className="placeholder">Training is not available in this build.</p>
              )}
            </div>
          </div>
        ) : null}
      </aside>
      <SummaryBar />
      <Dialogs />
      <Toast />
    </div>
  );
}

export function App() {
  return (
    <ReactFlowProvider>
      <Workbench />
    </ReactFlowProvider>
  );
}
