/**
 * App layout: toolbar on top, palette left, canvas centre, inspector / training tabs right, summary bar at the bottom.
 * The training panel belongs to the SHELL engineer (renderer/src/training/TrainingPanel.tsx); it is picked up here when
 * the file exists, so the two halves can land independently.
 */
import { useState, type ComponentType } from 'react';

const trainingModules = import.meta.glob<{ TrainingPanel?: ComponentType; default?: ComponentType }>(
  './training/TrainingPanel.tsx',
  { eager: true },
);
const trainingModule = Object.values(trainingModules)[0];
const TrainingPanel = trainingModule?.TrainingPanel ?? trainingModule?.default;

type SideTab = 'inspector' | 'training';

export function App() {
  const [tab, setTab] = useState<SideTab>('inspector');
  return (
    <div className="app">
      <header className="toolbar" role="toolbar" aria-label="Main toolbar">
        <span className="brand">Neural Bricks</span>
      </header>
      <aside className="palette-region" aria-label="Layer palette" />
      <main className="canvas-region" aria-label="Canvas" />
      <aside className="side-region" aria-label="Side panel">
        <div className="tabs" role="tablist">
          <button role="tab" aria-selected={tab === 'inspector'} onClick={() => setTab('inspector')}>
            Inspector
          </button>
          <button role="tab" aria-selected={tab === 'training'} onClick={() => setTab('training')}>
            Training
          </button>
        </div>
        <div className="tab-body" role="tabpanel">
          {tab === 'training' ? (
            TrainingPanel ? <TrainingPanel /> : <p className="placeholder">Training panel not available.</p>
          ) : null}
        </div>
      </aside>
      <footer className="summary-region" aria-label="Summary" />
    </div>
  );
}
