/** Pure helpers behind the training panel: smoothing, ETA, chart-friendly series, CSV. Unit-tested beside. */
import type { RunSummary } from '../../../shared/format/runSummary';

/**
 * Exponential moving average with TensorBoard's debiasing, so the first points are not dragged towards zero.
 * `weight` 0 returns the input; 0.9 is heavy smoothing. Nulls pass through and do not update the average.
 */
export function smooth(values: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return [...values];
  let last = 0;
  let steps = 0;
  return values.map((value) => {
    if (value === null || !Number.isFinite(value)) return null;
    last = last * weight + (1 - weight) * value;
    steps++;
    return last / (1 - Math.pow(weight, steps));
  });
}

export interface ProgressState {
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly samplesPerSec: number;
  readonly batchSize: number;
}

/** Share of the run done, 0..1. */
export function progressFraction(p: ProgressState): number {
  const total = p.epochs * p.batchesPerEpoch;
  if (total <= 0) return 0;
  return Math.min(1, ((p.epoch - 1) * p.batchesPerEpoch + p.batch) / total);
}

/** When the panel saw the run reach `done` batches (counted over all epochs), by the wall clock. */
export interface ProgressMark {
  readonly atMs: number;
  readonly done: number;
}

/**
 * How far back the wall-clock rate looks, and the shortest span (and fewest marks) it trusts. Short, because the
 * fallback is worse early on: samples/s covers the epoch so far, first batch included, and that one carries the
 * warm-up (kernel compilation, wasm tier-up), so a 12 s run once showed an ETA of 2 min 22 s at its start. The marks
 * start after the first batch, so their rate has no warm-up in it, only a little noise for the first half second.
 */
export const ETA_WINDOW_MS = 20_000;
const ETA_MIN_SPAN_MS = 500;
const ETA_MIN_MARKS = 3;

/** Appends a mark, dropping those older than the window (one older mark is kept so the window stays full). */
export function addProgressMark(marks: readonly ProgressMark[] | undefined, mark: ProgressMark): ProgressMark[] {
  const all = [...(marks ?? []), mark];
  let first = 0;
  while (first + 1 < all.length && mark.atMs - all[first + 1]!.atMs >= ETA_WINDOW_MS) first++;
  return all.slice(first);
}

/**
 * Seconds left, or undefined while the speed is unknown. From the wall clock over the last ETA_WINDOW_MS of `marks`
 * when there are at least 3 spanning at least 0.5 s: that rate includes what the trainer's samples/s leaves out
 * (validation at each epoch's end, gathering batches, events), and not the start-up before the first batch. Until
 * then, from samples/s.
 */
export function etaSeconds(p: ProgressState, marks?: readonly ProgressMark[]): number | undefined {
  const batchesLeft = Math.max(0, (p.epochs - p.epoch) * p.batchesPerEpoch + (p.batchesPerEpoch - p.batch));
  const first = marks?.[0];
  const last = marks?.[marks.length - 1];
  if (first && last && marks.length >= ETA_MIN_MARKS && last.atMs - first.atMs >= ETA_MIN_SPAN_MS && last.done > first.done) {
    const batchesPerMs = (last.done - first.done) / (last.atMs - first.atMs);
    return batchesLeft / batchesPerMs / 1000;
  }
  if (!(p.samplesPerSec > 0)) return undefined;
  return Math.max(0, (batchesLeft * p.batchSize) / p.samplesPerSec);
}

export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

/** One batch measurement; `x` is fractional epochs (epoch 2, batch 5 of 10 → 1.5) so batches and epochs share an axis. */
export interface BatchPoint {
  readonly x: number;
  readonly loss: number;
  readonly accuracy?: number;
}

export function batchX(epoch: number, batch: number, batchesPerEpoch: number): number {
  return epoch - 1 + batch / batchesPerEpoch;
}

/**
 * The series a chart draws and its legend lists: those with at least one finite value (a validation curve without a
 * validation split, an earlier run stopped inside its first epoch or a variant still queued would be a legend entry
 * with nothing drawn), each with a label ("series 3", by its place, when it came without one: never a bare swatch).
 */
export function legendSeries<S extends { readonly label: string; readonly points: readonly (readonly [number, number | undefined])[] }>(series: readonly S[]): S[] {
  const shown: S[] = [];
  series.forEach((s, i) => {
    if (!s.points.some(([, y]) => y !== undefined && Number.isFinite(y))) return;
    const label = s.label.trim() || `series ${i + 1}`;
    shown.push(label === s.label ? s : { ...s, label });
  });
  return shown;
}

/**
 * Merges several (x, y) series onto one sorted x axis with nulls where a series has no value (what uPlot expects).
 */
export function alignSeries(series: readonly (readonly (readonly [number, number | undefined])[])[]): [number[], ...(number | null)[][]] {
  const xs = [...new Set(series.flatMap((s) => s.map(([x]) => x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const columns = series.map((s) => {
    const column: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    for (const [x, y] of s) if (y !== undefined && Number.isFinite(y)) column[index.get(x)!] = y;
    return column;
  });
  return [xs, ...columns];
}

/** Keeps at most `max` points by taking every k-th one (always keeping the last), so long runs stay fast to draw. */
export function thin<T>(points: readonly T[], max: number): readonly T[] {
  if (points.length <= max) return points;
  const step = Math.ceil(points.length / max);
  const kept = points.filter((_, i) => i % step === 0);
  const last = points[points.length - 1]!;
  if (kept[kept.length - 1] !== last) kept.push(last);
  return kept;
}

function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** CSV of the current run's batches and epochs, plus every earlier run's epochs: one row per measurement. */
export function metricsCsv(current: { runId: string; batches: readonly BatchPoint[]; epochs: readonly RunSummary['epochs'][number][] } | undefined, runs: readonly RunSummary[]): string {
  const rows: (string | number | undefined)[][] = [['run', 'level', 'epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy']];
  for (const run of runs) {
    for (const e of run.epochs) rows.push([run.id, 'epoch', e.epoch, e.loss, e.accuracy, e.valLoss, e.valAccuracy]);
  }
  if (current && !runs.some((r) => r.id === current.runId)) {
    for (const e of current.epochs) rows.push([current.runId, 'epoch', e.epoch, e.loss, e.accuracy, e.valLoss, e.valAccuracy]);
  }
  if (current) {
    for (const b of current.batches) rows.push([current.runId, 'batch', Number(b.x.toFixed(6)), b.loss, b.accuracy, undefined, undefined]);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

/**
 * Does accuracy mean anything for this graph? Not when every Output is a regression head (mean squared error, no
 * accuracy metric): the Accuracy chart would stay empty. A missing task is the Output's default, classification.
 */
export function accuracyApplies(graph: { readonly nodes: readonly { readonly type: string; readonly params: Readonly<Record<string, unknown>> }[] }): boolean {
  const outputs = graph.nodes.filter((n) => n.type === 'Output');
  return outputs.length === 0 || outputs.some((n) => (n.params['task'] ?? 'classification') !== 'regression');
}

const UNITS: readonly (readonly [number, string])[] = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/**
 * Axis tick labels that stay short whatever the scale: 120000 → "120k", 1500000 → "1.5M", 0.0005 → "5e-4", 0.25 →
 * "0.25". Losses in a target's own units (a regression on grams has an MSE near 1e5) would otherwise print as
 * "100,000" and be cut off by the axis. `splits` are one axis' ticks; on a linear axis each label gets the decimals
 * the tick step needs (so 1000, 1500 → "1k", "1.5k" stay distinct); on a log axis (`log`) each tick is read alone.
 */
export function formatAxisTicks(splits: readonly (number | null)[], log = false): string[] {
  const finite = splits.filter((v): v is number => v !== null && Number.isFinite(v));
  const sorted = [...finite].sort((a, b) => a - b);
  let step = Infinity;
  if (!log) for (let i = 1; i < sorted.length; i++) if (sorted[i]! > sorted[i - 1]!) step = Math.min(step, sorted[i]! - sorted[i - 1]!);
  return splits.map((value) => (value === null || !Number.isFinite(value) ? '' : compactNumber(value, step)));
}

function compactNumber(value: number, step: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs < 1e-3) return trimExponent(value.toExponential(Number.isFinite(step) ? Math.min(3, Math.max(0, Math.ceil(Math.log10(abs / step) - 1e-9))) : 2));
  const [divisor, suffix] = UNITS.find(([d]) => abs >= d) ?? [1, ''];
  const scaled = value / divisor;
  const decimals = Number.isFinite(step) ? decimalsFor(step / divisor) : Math.max(0, Math.min(3, 2 - Math.floor(Math.log10(Math.abs(scaled)))));
  return `${trimZeros(scaled.toFixed(decimals))}${suffix}`;
}

/** The fewest decimals (at most 4) that write `step` exactly, so neighbouring ticks read differently. */
function decimalsFor(step: number): number {
  for (let d = 0; d < 4; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6 * 10 ** d) return d;
  return 4;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function trimExponent(text: string): string {
  const [mantissa = text, exponent = ''] = text.split('e');
  return `${trimZeros(mantissa)}e${exponent.replace('+', '')}`;
}
