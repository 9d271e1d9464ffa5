/**
 * What the "seeing inside the network" views show (issue 11): the canvas overlay chosen, and whose telemetry — the
 * live run's while it trains, otherwise a run of the document's history (the one picked for review, else the newest
 * run that has telemetry). The canvas overlay, its warnings and the Insight panel all read `useShownTelemetry`, so
 * they always agree on the run.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { RunTelemetry } from '../../../shared/contracts/telemetry';
import type { GraphDocument } from '../../../shared/document/model';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import { useDocumentStore } from '../store/documentStore';
import { useTrainingRun, type LiveRun } from '../training/trainingRunStore';

export const OVERLAY_MODES = ['off', 'gradients', 'activations', 'dead', 'updates'] as const;
export type OverlayMode = (typeof OVERLAY_MODES)[number];

export const OVERLAY_LABELS: Readonly<Record<OverlayMode, string>> = {
  off: 'Off',
  gradients: 'Gradient flow',
  activations: 'Activations',
  dead: 'Dead units',
  updates: 'Update ratio',
};

interface InsightState {
  readonly overlay: OverlayMode;
  /** A run of the document's history picked for review; undefined: the live run, else the newest with telemetry. */
  readonly reviewRunId?: string;
}

export const insightStore = createStore<InsightState>()(() => ({ overlay: 'off' }));

export function useInsight<T>(selector: (state: InsightState) => T): T {
  return useStore(insightStore, selector);
}

export function setOverlay(overlay: OverlayMode): void {
  insightStore.setState({ overlay });
}

export function reviewRun(runId: string | undefined): void {
  insightStore.setState({ reviewRunId: runId });
}

export interface ShownTelemetry {
  readonly runId: string;
  readonly telemetry: RunTelemetry;
  /** True while the run is training (values keep coming). */
  readonly live: boolean;
  /** The graph the run trained when known (the live run's snapshot); node ids refer to it. */
  readonly graph?: GraphDocument;
  readonly config: TrainingConfig;
}

/** The telemetry the views show now, or undefined when no run has any. */
export function useShownTelemetry(): ShownTelemetry | undefined {
  const run = useTrainingRun((s) => s.run);
  const runs = useDocumentStore((s) => s.runs);
  const reviewRunId = useInsight((s) => s.reviewRunId);
  if (reviewRunId !== undefined) {
    const picked = runs.find((r) => r.id === reviewRunId);
    if (picked?.telemetry) return { runId: picked.id, telemetry: picked.telemetry, live: false, config: picked.config };
    if (run?.runId === reviewRunId && run.telemetry) return liveShown(run);
  }
  if (run?.runId && run.telemetry && (run.status === 'running' || run.status === 'paused' || run.status === 'starting' || !run.summary)) {
    return liveShown(run);
  }
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i]!;
    if (r.telemetry) {
      const graph = run?.runId === r.id ? run.graph : undefined;
      return { runId: r.id, telemetry: r.telemetry, live: false, config: r.config, ...(graph ? { graph } : {}) };
    }
  }
  if (run?.runId && run.telemetry) return liveShown(run);
  return undefined;
}

function liveShown(run: LiveRun): ShownTelemetry {
  return {
    runId: run.runId!,
    telemetry: run.telemetry!,
    live: run.status === 'running' || run.status === 'paused' || run.status === 'starting',
    graph: run.graph,
    config: run.config,
  };
}
