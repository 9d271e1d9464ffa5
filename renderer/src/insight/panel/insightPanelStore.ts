/**
 * View state of the Insight panel (what it shows, not what the run measured): the training panel's Charts / Inside
 * tab, the heatmap's signal, the histogram's node and kind, and whether the side panel is widened for it. Kept in a
 * store so switching tabs or runs does not forget the choices.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { HeatmapSignal } from './heatmapModel';
import type { HistogramKind } from './histogramRidges';

export type ChartsView = 'charts' | 'inside';

interface InsightPanelState {
  readonly view: ChartsView;
  readonly signal: HeatmapSignal;
  readonly histogramKind: HistogramKind;
  /** The node whose histograms are shown; undefined: the one that changed most. */
  readonly histogramNode?: string;
  /** The side panel takes a larger share of the window while the Inside view is open. */
  readonly wide: boolean;
}

export const insightPanelStore = createStore<InsightPanelState>()(() => ({
  view: 'charts',
  signal: 'gradNorm',
  histogramKind: 'weights',
  wide: false,
}));

export function useInsightPanel<T>(selector: (state: InsightPanelState) => T): T {
  return useStore(insightPanelStore, selector);
}

export function showChartsView(view: ChartsView): void {
  insightPanelStore.setState({ view });
}

export function setHeatmapSignal(signal: HeatmapSignal): void {
  insightPanelStore.setState({ signal });
}

export function setHistogramKind(histogramKind: HistogramKind): void {
  insightPanelStore.setState({ histogramKind });
}

export function setHistogramNode(histogramNode: string | undefined): void {
  insightPanelStore.setState({ histogramNode });
}

export function setWideInsight(wide: boolean): void {
  insightPanelStore.setState({ wide });
}
