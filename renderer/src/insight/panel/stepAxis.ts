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
