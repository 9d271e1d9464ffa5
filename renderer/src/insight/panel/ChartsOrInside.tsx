/**
 * The training panel's chart area as two tabs: the loss / accuracy charts, and "Inside" — the Insight panel. The
 * charts stay the default, so starting a run always shows its curves first.
 */
import type { ReactNode } from 'react';
import { InsightPanel } from './InsightPanel';
import { showChartsView, useInsightPanel, type ChartsView } from './insightPanelStore';

const TABS: readonly { readonly view: ChartsView; readonly label: string; readonly title: string }[] = [
  { view: 'charts', label: 'Charts', title: 'Loss and accuracy' },
  { view: 'inside', label: 'Inside', title: 'Inside the network: gradient flow and histograms per layer' },
];

export function ChartsOrInside({ charts }: { readonly charts: ReactNode }) {
  const view = useInsightPanel((s) => s.view);
  return <ChartViews view={view} charts={charts} inside={view === 'inside' ? <InsightPanel /> : null} />;
}

/** The tabs and the chosen view. */
export function ChartViews({ view, charts, inside }: { readonly view: ChartsView; readonly charts: ReactNode; readonly inside: ReactNode }) {
  return (
    <>
      <div className="nb-chart-tabs" role="tablist" aria-label="Chart views">
        {TABS.map((t) => (
          <button
            key={t.view}
            type="button"
            role="tab"
            id={`nb-chart-tab-${t.view}`}
            aria-selected={view === t.view}
            aria-controls="nb-chart-view"
            title={t.title}
            data-view={t.view}
            onClick={() => showChartsView(t.view)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="nb-chart-view" aria-labelledby={`nb-chart-tab-${view}`} className="nb-chart-view" data-view={view}>
        {view === 'charts' ? charts : inside}
      </div>
    </>
  );
}
