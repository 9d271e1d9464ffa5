/**
 * Collects telemetry samples into the columnar, downsampled form a run record keeps (RunTelemetry). Used by the
 * trainer (the record of a run) and by the renderer (the live run), so both show the same points.
 *
 * Thinning is even and deterministic: samples are kept at a stride that doubles whenever the kept points would exceed
 * the limit (every 1st, then every 2nd, 4th, … sample), and the newest sample is always shown last. A long run
 * therefore keeps points spread evenly over its whole length, at most the limit, whatever its length.
 */
import {
  MAX_RECORDED_HISTOGRAMS,
  MAX_RECORDED_TELEMETRY_POINTS,
  TELEMETRY_SIGNALS,
  type Histogram,
  type NodeHistograms,
  type NodeTelemetry,
  type RunTelemetry,
  type TelemetrySample,
} from '../contracts/telemetry';

/** Keeps every `stride`-th item of a stream, at most `limit` (including the newest, which is always last). */
export class StridedSeries<T> {
  private kept: { index: number; item: T }[] = [];
  private stride = 1;
  private seen = 0;
  private newest: { index: number; item: T } | undefined;

  constructor(private readonly limit: number) {
    if (limit < 2) throw new Error('StridedSeries needs a limit of at least 2');
  }

  push(item: T): void {
    const index = this.seen++;
    this.newest = { index, item };
    if (index % this.stride !== 0) return;
    this.kept.push({ index, item });
    // Room for the newest sample as well: kept ≤ limit − 1.
    while (this.kept.length > this.limit - 1) {
      this.stride *= 2;
      this.kept = this.kept.filter((k) => k.index % this.stride === 0);
    }
  }

  /** The kept items in order, the newest one last. */
  items(): T[] {
    const out = this.kept.map((k) => k.item);
    if (this.newest && this.kept[this.kept.length - 1]?.index !== this.newest.index) out.push(this.newest.item);
    return out;
  }

  get count(): number {
    return this.seen;
  }
}

interface HistogramSample {
  readonly step: number;
  readonly histograms: Readonly<Record<string, NodeHistograms>>;
}

export class TelemetryRecorder {
  private readonly points = new StridedSeries<TelemetrySample>(MAX_RECORDED_TELEMETRY_POINTS);
  private readonly histogramPoints = new StridedSeries<HistogramSample>(MAX_RECORDED_HISTOGRAMS);

  constructor(private readonly batchesPerEpoch: number) {}

  add(sample: TelemetrySample): void {
    this.points.push(sample);
    if (sample.histograms && Object.keys(sample.histograms).length > 0) {
      this.histogramPoints.push({ step: sample.step, histograms: sample.histograms });
    }
  }

  get samples(): number {
    return this.points.count;
  }

  /** The record so far (fresh arrays every call). */
  toRecord(): RunTelemetry {
    const samples = this.points.items();
    const nodeIds = new Set<string>();
    for (const s of samples) for (const id of Object.keys(s.nodes)) nodeIds.add(id);
    const nodes: Record<string, Partial<Record<keyof NodeTelemetry, (number | null)[]>>> = {};
    for (const id of nodeIds) {
      const columns: Partial<Record<keyof NodeTelemetry, (number | null)[]>> = {};
      for (const signal of TELEMETRY_SIGNALS) {
        if (!samples.some((s) => s.nodes[id]?.[signal] !== undefined)) continue;
        columns[signal] = samples.map((s) => recorded(s.nodes[id]?.[signal]));
      }
      nodes[id] = columns;
    }
    const record: RunTelemetry = { batchesPerEpoch: this.batchesPerEpoch, steps: samples.map((s) => s.step), nodes };
    const snapshots = this.histogramPoints.items();
    if (snapshots.length > 0) {
      const histogramIds = new Set<string>();
      for (const s of snapshots) for (const id of Object.keys(s.histograms)) histogramIds.add(id);
      const histograms: NonNullable<RunTelemetry['histograms']> = {};
      for (const id of histogramIds) {
        const entry: { weights?: (Histogram | null)[]; activations?: (Histogram | null)[] } = {};
        for (const kind of ['weights', 'activations'] as const) {
          if (snapshots.some((s) => s.histograms[id]?.[kind])) entry[kind] = snapshots.map((s) => s.histograms[id]?.[kind] ?? null);
        }
        histograms[id] = entry;
      }
      record.histogramSteps = snapshots.map((s) => s.step);
      record.histograms = histograms;
    }
    return record;
  }
}

/**
 * Significant digits a run record keeps: enough for every chart and warning (relative error ≤ 5e-4), and about half
 * the bytes of the 6 digits events carry — a record holds up to 256 points × 9 signals per node.
 */
export const RECORD_DIGITS = 4;

/** A value as the record keeps it (null where absent). */
export function recorded(value: number | undefined): number | null {
  if (value === undefined) return null;
  return value === 0 ? 0 : Number(value.toPrecision(RECORD_DIGITS));
}

/** Epoch (1-based) and batch within it of a global step (1-based). */
export function stepToEpochBatch(step: number, batchesPerEpoch: number): { epoch: number; batch: number } {
  return { epoch: Math.floor((step - 1) / batchesPerEpoch) + 1, batch: ((step - 1) % batchesPerEpoch) + 1 };
}

/** Equal-width histogram of finite values (non-finite ones are skipped); undefined when there are none. */
export function histogramOf(values: ArrayLike<number>, bins: number): Histogram | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return undefined;
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    const bin = width > 0 ? Math.min(bins - 1, Math.floor((v - min) / width)) : 0;
    counts[bin]!++;
  }
  return { min, max, counts };
}
