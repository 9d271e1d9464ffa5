/**
 * App layout: toolbar on top, palette left, canvas centre, inspector / training tabs right, summary bar at the bottom.
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
import { useViewStore, viewStore } from './store/viewStore';
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

function Workbench() {
  const tab = useViewStore((s) => s.sideTab);
  const setTab = viewStore.getState().setSideTab;
  useShortcuts();
  useLabHost();
  return (
    <div className="app">
      <Toolbar />
      <aside className="palette-region" aria-label="Layer palette">
        <Palette />
      </aside>
      <main className="canvas-region" aria-label="Canvas">
        <Canvas />
        <LessonPanel />
      </main>
      <aside className="side-region" aria-label="Side panel">
        <div className="tabs" role="tablist">
          <button role="tab" id="tab-inspector" aria-controls="panel-side" aria-selected={tab === 'inspector'} onClick={() => setTab('inspector')}>
            Inspector
          </button>
          <button role="tab" id="tab-training" aria-controls="panel-side" aria-selected={tab === 'training'} onClick={() => setTab('training')}>
            Training
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
