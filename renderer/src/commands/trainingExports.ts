/**
 * The training exports as functions any caller can run (the File → Export commands and the Training panel's own
 * buttons): metrics as CSV straight from the stores, charts as PNG from the charts that registered an exporter.
 */
import { documentStore } from '../store/documentStore';
import { trainingRunStore } from '../training/trainingRunStore';
import { metricsCsv } from '../training/trainingMath';
import { downloadBlob } from '../training/download';

/** Whether there is anything to export: a live run or a recorded one. */
export function hasMetrics(): boolean {
  return trainingRunStore.getState().run !== undefined || documentStore.getState().runs.length > 0;
}

/** Downloads every run's metrics (the recorded history and the live run) as one CSV. */
export function exportMetricsCsv(): void {
  const run = trainingRunStore.getState().run;
  const { runs, document } = documentStore.getState();
  const csv = metricsCsv(run?.runId ? { runId: run.runId, batches: run.batches, epochs: run.epochs } : undefined, runs);
  downloadBlob(new Blob([csv], { type: 'text/csv' }), `${document.metadata.name || 'graph'}-metrics.csv`);
}

/** A mounted chart's PNG export; `hasData` false means it would be an empty picture. */
export interface ChartExporter {
  readonly title: string;
  readonly hasData: () => boolean;
  readonly exportPng: () => void;
}

const charts = new Set<ChartExporter>();

/** Charts register while mounted; returns the unregister function (use it as an effect cleanup). */
export function registerChartExporter(chart: ChartExporter): () => void {
  charts.add(chart);
  return () => {
    charts.delete(chart);
  };
}

/** Exports every mounted chart that has data; returns how many were exported. */
export function exportChartsPng(): number {
  let count = 0;
  for (const chart of charts) {
    if (!chart.hasData()) continue;
    chart.exportPng();
    count++;
  }
  return count;
}
