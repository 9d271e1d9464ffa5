/**
 * The training exports as functions any caller can run (the File → Export commands and the Training panel's own
 * buttons): metrics as CSV straight from the stores, charts as one PNG drawn from the charts mounted on the page.
 */
import { documentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
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

/** A mounted chart, as File → Export → Charts as PNG sees it. */
export interface ChartExporter {
  readonly title: string;
  /** False while the chart has nothing drawn (it would be an empty picture). */
  readonly hasData: () => boolean;
  /** The plot's drawing (device pixels), if it is drawn. */
  readonly canvas: () => HTMLCanvasElement | null | undefined;
}

const charts = new Set<ChartExporter>();

/** Charts register while mounted; returns the unregister function (use it as an effect cleanup). */
export function registerChartExporter(chart: ChartExporter): () => void {
  charts.add(chart);
  return () => {
    charts.delete(chart);
  };
}

/** The mounted charts that have something drawn, in the order they appear on the page. */
export function chartsWithData(): { title: string; canvas: HTMLCanvasElement }[] {
  const out: { title: string; canvas: HTMLCanvasElement }[] = [];
  for (const chart of charts) {
    const canvas = chart.hasData() ? chart.canvas() : undefined;
    if (canvas && canvas.width > 0 && canvas.height > 0) out.push({ title: chart.title, canvas });
  }
  return out.sort((a, b) => (a.canvas.compareDocumentPosition(b.canvas) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
}

const TITLE_HEIGHT = 28;

/**
 * Draws every chart with data into one PNG, one under the other with its title, on white, and downloads it as
 * `<graph>-charts.png` (one file, so Electron asks where to save once). Returns how many charts it holds.
 */
export function exportChartsPng(): number {
  const shown = chartsWithData();
  if (shown.length === 0) return 0;
  const scale = window.devicePixelRatio || 1;
  const titleHeight = Math.round(TITLE_HEIGHT * scale);
  const width = Math.max(...shown.map((c) => c.canvas.width));
  const height = shown.reduce((sum, c) => sum + titleHeight + c.canvas.height, 0);
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('Charts as PNG: this browser gives no 2D canvas to draw the charts into.');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  let y = 0;
  for (const { title, canvas } of shown) {
    ctx.fillStyle = '#222222';
    ctx.font = `600 ${Math.round(14 * scale)}px system-ui, sans-serif`;
    ctx.textBaseline = 'middle';
    ctx.fillText(title, Math.round(8 * scale), y + titleHeight / 2);
    y += titleHeight;
    ctx.drawImage(canvas, 0, y);
    y += canvas.height;
  }
  const name = documentStore.getState().document.metadata.name || 'graph';
  out.toBlob((blob) => {
    if (blob) downloadBlob(blob, `${name}-charts.png`);
    else viewStore.getState().showToast('Charts as PNG failed: the browser could not encode the image.');
  }, 'image/png');
  return shown.length;
}

/**
 * Exports the charts once they are on screen: the command shows the Training panel's charts first, and they mount
 * and draw over the next frames. Resolves with how many charts were exported (0 when none had data within `frames`).
 */
export function exportChartsPngWhenShown(frames = 30): Promise<number> {
  return new Promise((resolve, reject) => {
    let left = frames;
    const attempt = () => {
      try {
        const count = exportChartsPng();
        if (count > 0 || --left <= 0) resolve(count);
        else requestAnimationFrame(attempt);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    requestAnimationFrame(attempt);
  });
}
