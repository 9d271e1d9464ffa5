/**
 * Recorded steps (global, 1-based) as the training time people read on the loss chart: epochs. Columns of the heatmap
 * are the recorded steps in order; an epoch tick goes on the first column of an epoch.
 */
import { stepToEpochBatch } from '../../../../shared/telemetry/telemetryRecorder';

/** "epoch 3, batch 12" of a global step. */
export function stepLabel(step: number, batchesPerEpoch: number): string {
  const { epoch, batch } = stepToEpochBatch(step, batchesPerEpoch);
  return `epoch ${epoch}, batch ${batch}`;
}

/** The step on the loss chart's x axis (epochs, fractional): epoch e batch b is e − 1 + b / batchesPerEpoch. */
export function stepToEpochX(step: number, batchesPerEpoch: number): number {
  return step / batchesPerEpoch;
}

export interface AxisTick {
  /** Column index (0-based) the tick sits on. */
  readonly column: number;
  readonly label: string;
}

const NICE_STRIDES = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];

/**
 * Epoch ticks over columns: on the first column that falls in each shown epoch — every epoch, else the multiples of
 * 2, 5, 10… epochs, the first stride that keeps at most `maxTicks`. When no multiple is recorded, the first epoch.
 */
export function epochTicks(steps: readonly number[], batchesPerEpoch: number, maxTicks: number): AxisTick[] {
  if (steps.length === 0 || maxTicks < 1) return [];
  const starts: AxisTick[] = [];
  let previous = -1;
  steps.forEach((step, column) => {
    const { epoch } = stepToEpochBatch(step, batchesPerEpoch);
    if (epoch !== previous) starts.push({ column, label: String(epoch) });
    previous = epoch;
  });
  const shownAt = (stride: number) => starts.filter((t) => Number(t.label) % stride === 0);
  for (const stride of NICE_STRIDES) {
    if (stride === 1 ? starts.length <= maxTicks : shownAt(stride).length <= maxTicks) {
      const picked = stride === 1 ? starts : shownAt(stride);
      return picked.length > 0 ? picked : [starts[0]!];
    }
  }
  return [starts[0]!];
}

/**
 * Where each recorded step's column starts and ends across `width`, so time runs proportionally even where samples
 * are irregular (the first step, a thinned record's newest point): column c is centred on its step and meets its
 * neighbours halfway. n steps give n + 1 edges from 0 to `width`.
 */
export function columnEdges(steps: readonly number[], width: number): number[] {
  const n = steps.length;
  if (n === 0) return [0];
  if (n === 1) return [0, width];
  const lo = steps[0]! - (steps[1]! - steps[0]!) / 2;
  const hi = steps[n - 1]! + (steps[n - 1]! - steps[n - 2]!) / 2;
  const x = (step: number) => ((step - lo) / (hi - lo || 1)) * width;
  const edges = [0];
  for (let c = 1; c < n; c++) edges.push(x((steps[c - 1]! + steps[c]!) / 2));
  edges.push(width);
  return edges;
}

/** The column whose span holds x (edges from columnEdges), clamped to the ends. */
export function columnAt(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  return Math.max(0, lo);
}
