/**
 * How runs are put in words in the Training panel: the live numbers line, a history entry's outcome and the name a
 * run goes by in chart legends. Each says only what is true of the run: a run stopped inside its first epoch has no
 * completed epoch and no validation accuracy, so it says so instead of showing its batch accuracy as "val acc".
 */
import type { EpochMetrics, RunSummary } from '../../../shared/format/runSummary';
import type { BatchPoint } from './trainingMath';

export function formatLoss(value: number | undefined): string {
  if (value === undefined) return '—';
  return value !== 0 && Math.abs(value) < 0.001 ? value.toExponential(2) : value.toFixed(4);
}

export function percent(value: number | undefined): string {
  return value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;
}

/**
 * The live numbers: the last completed epoch's, or while the first epoch runs the latest batch's (the loss the chart
 * already draws), with validation promised for the end of the epoch.
 */
export function liveMetricsText(epochs: readonly EpochMetrics[], batches: readonly BatchPoint[]): string {
  const epoch = epochs[epochs.length - 1];
  if (epoch) {
    return `loss ${formatLoss(epoch.loss)} · acc ${percent(epoch.accuracy)} · val loss ${formatLoss(epoch.valLoss)} · val acc`;
  }
  const batch = batches[batches.length - 1];
  if (!batch) return 'no metrics yet: the first batch is on its way';
  const acc = batch.accuracy !== undefined ? ` · batch acc ${percent(batch.accuracy)}` : '';
  return `batch loss ${formatLoss(batch.loss)}${acc} · validation after epoch 1`;
}

/**
 * A history entry's outcome: "3 ep · val acc 91.2%", "2 ep · train acc 88.0%" (no validation split), or for a run that
 * ended inside its first epoch "stopped in epoch 1 (no epoch completed) · last batch acc 65.8%".
 */
export function runOutcomeText(run: Pick<RunSummary, 'status' | 'epochs' | 'final' | 'imported'>): string {
  // Weights brought in by `bricks import`: not trained or measured here.
  if (run.imported) return `imported weights (${run.imported.from})`;
  const completed = run.epochs.length;
  if (completed === 0) {
    const verb = run.status === 'failed' ? 'failed' : run.status === 'completed' ? 'ended' : 'stopped';
    const acc = run.final.accuracy !== undefined ? ` · last batch acc ${percent(run.final.accuracy)}` : '';
    return `${verb} in epoch 1 (no epoch completed)${acc}`;
  }
  const ep = `${completed} ep`;
  if (run.final.valAccuracy !== undefined) return `${ep} · val acc ${percent(run.final.valAccuracy)}`;
  if (run.final.accuracy !== undefined) return `${ep} · train acc ${percent(run.final.accuracy)}`;
  if (run.final.valLoss !== undefined) return `${ep} · val loss ${formatLoss(run.final.valLoss)}`;
  return `${ep} · loss ${formatLoss(run.final.loss)}`;
}

function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/**
 * The name a run goes by in legends: its variant's name when it was one, else its number in the history and its
 * start time ("run 2 · 14:05"), never a fragment of its id.
 */
export function runName(run: Pick<RunSummary, 'id' | 'startedAt' | 'variant'>, history: readonly Pick<RunSummary, 'id'>[]): string {
  if (run.variant?.name) return run.variant.name;
  const index = history.findIndex((r) => r.id === run.id);
  return `run ${index >= 0 ? index + 1 : history.length + 1} · ${clock(run.startedAt)}`;
}

/**
 * A run as a picker lists it (the loss landscape's run choice): its number in the history and start time, its variant
 * when it was one, then its outcome as the history words it and its test accuracy once evaluated, e.g.
 * "Run 2 · 14:05 · 3 ep · val acc 91.2%" or "Run 3 · 14:20 · “no skip” · 3 ep · val acc 88.0% · test acc 87.5%".
 * Never its id.
 */
export function runPickerLabel(
  run: Pick<RunSummary, 'id' | 'startedAt' | 'variant' | 'status' | 'epochs' | 'final' | 'imported'>,
  history: readonly Pick<RunSummary, 'id'>[],
): string {
  const index = history.findIndex((r) => r.id === run.id);
  const parts = [`Run ${index >= 0 ? index + 1 : history.length + 1}`, clock(run.startedAt)];
  if (run.variant?.name) parts.push(`“${run.variant.name}”`);
  parts.push(runOutcomeText(run));
  if (run.final.testAccuracy !== undefined) parts.push(`test acc ${percent(run.final.testAccuracy)}`);
  return parts.join(' · ');
}
