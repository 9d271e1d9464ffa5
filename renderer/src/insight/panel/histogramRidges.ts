/**
 * Histogram snapshots of one node over time, put on one x range so they can be stacked and compared (a ridgeline).
 * Every snapshot has its own [min, max]; re-binning spreads each source bin's count over the common bins it overlaps,
 * in proportion to the overlap, so a snapshot's total count is kept exactly.
 */
import type { Histogram, RunTelemetry } from '../../../../shared/contracts/telemetry';

export type HistogramKind = 'weights' | 'activations';

/** Bins of the common range: finer than the trainer's 16, so a narrow snapshot on a wide range keeps its shape. */
export const RIDGE_BINS = 48;

/** The range covering every snapshot; a single point is widened a little so it has a width to draw. */
export function commonRange(histograms: readonly (Histogram | null)[]): { min: number; max: number } | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (const h of histograms) {
    if (!h) continue;
    min = Math.min(min, h.min);
    max = Math.max(max, h.max);
  }
  if (min === Infinity) return undefined;
  if (max === min) {
    const pad = Math.abs(min) * 0.01 || 0.5;
    return { min: min - pad, max: max + pad };
  }
  return { min, max };
}

/** `histogram`'s counts on `bins` equal bins over [min, max] (which must cover the histogram's range). */
export function rebin(histogram: Histogram, min: number, max: number, bins: number): number[] {
  const out = new Array<number>(bins).fill(0);
  const width = (max - min) / bins;
  const binOf = (x: number) => Math.min(bins - 1, Math.max(0, Math.floor((x - min) / width)));
  const n = histogram.counts.length;
  const sourceWidth = (histogram.max - histogram.min) / n;
  if (!(width > 0)) {
    out[0] = histogram.counts.reduce((a, b) => a + b, 0);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const count = histogram.counts[i]!;
    if (count === 0) continue;
    if (sourceWidth === 0) {
      // Every value equals min: one point.
      out[binOf(histogram.min)]! += count;
      continue;
    }
    const a = histogram.min + i * sourceWidth;
    const b = a + sourceWidth;
    const first = binOf(a);
    const last = binOf(b - sourceWidth * 1e-9);
    if (first === last) {
      out[first]! += count;
      continue;
    }
    for (let j = first; j <= last; j++) {
      const lo = Math.max(a, min + j * width);
      const hi = Math.min(b, j === bins - 1 ? Math.max(b, max) : min + (j + 1) * width);
      if (hi > lo) out[j]! += (count * (hi - lo)) / sourceWidth;
    }
  }
  return out;
}

export interface Ridge {
  readonly step: number;
  /** Counts on the common bins; undefined where the snapshot had no histogram for this node. */
  readonly counts?: readonly number[];
  readonly source?: Histogram;
}

export interface Ridges {
  readonly min: number;
  readonly max: number;
  readonly ridges: readonly Ridge[];
  /** The highest bin of all ridges, so heights compare across time. */
  readonly peak: number;
}

/** One node's snapshots of one kind on a common range, oldest first; undefined when it has none. */
export function nodeRidges(telemetry: RunTelemetry, nodeId: string, kind: HistogramKind, bins = RIDGE_BINS): Ridges | undefined {
  const steps = telemetry.histogramSteps ?? [];
  const snapshots = telemetry.histograms?.[nodeId]?.[kind];
  if (!snapshots) return undefined;
  const range = commonRange(snapshots);
  if (!range) return undefined;
  let peak = 0;
  const ridges = steps.map((step, i): Ridge => {
    const h = snapshots[i];
    if (!h) return { step };
    const counts = rebin(h, range.min, range.max, bins);
    for (const c of counts) peak = Math.max(peak, c);
    return { step, counts, source: h };
  });
  return { ...range, ridges, peak };
}

/** Nodes with histograms of a kind, in `order` (depth order), others after. */
export function histogramNodes(telemetry: RunTelemetry, kind: HistogramKind, order: readonly string[]): string[] {
  const rank = new Map(order.map((id, i) => [id, i]));
  const ids = Object.keys(telemetry.histograms ?? {}).filter((id) => telemetry.histograms![id]![kind]?.some((h) => h !== null));
  return ids.map((id, i) => ({ id, key: rank.get(id) ?? order.length + i })).sort((a, b) => a.key - b.key).map((k) => k.id);
}

/**
 * How much a node's distribution moved from its first snapshot to its last: the total-variation distance of the two
 * (0 same, 1 disjoint) on their common range. The ridgeline opens on the node that changed most.
 */
export function histogramChange(ridges: Ridges): number {
  const present = ridges.ridges.filter((r) => r.counts);
  if (present.length < 2) return 0;
  const first = present[0]!.counts!;
  const last = present[present.length - 1]!.counts!;
  const total = (c: readonly number[]) => c.reduce((a, b) => a + b, 0) || 1;
  const tf = total(first);
  const tl = total(last);
  let distance = 0;
  for (let i = 0; i < first.length; i++) distance += Math.abs(first[i]! / tf - last[i]! / tl);
  return distance / 2;
}

/** The node whose histograms changed most over the run (first in order on ties); undefined when none has any. */
export function mostChangedNode(telemetry: RunTelemetry, kind: HistogramKind, order: readonly string[]): string | undefined {
  let best: { id: string; change: number } | undefined;
  for (const id of histogramNodes(telemetry, kind, order)) {
    const ridges = nodeRidges(telemetry, id, kind);
    const change = ridges ? histogramChange(ridges) : 0;
    if (!best || change > best.change) best = { id, change };
  }
  return best?.id;
}
