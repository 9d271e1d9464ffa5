/**
 * Geometry of the regression plots, in SVG pixels (y down): a predicted-vs-true scatter on one scale for both axes
 * (so y = x is the 45° diagonal) and a residual histogram whose x axis always holds zero.
 */
import type { Histogram, PredictionSample } from '../../../shared/evaluation';
import { formatCount } from '../summary/formatNumbers';

export interface PlotBox {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export interface Tick {
  readonly value: number;
  /** Pixel position along its axis. */
  readonly at: number;
  readonly label: string;
}

/** Round steps (1, 2 or 5 × 10^k) covering [min, max] in about `count` intervals, and the domain widened to them. */
export function niceTicks(min: number, max: number, count = 5): { readonly lo: number; readonly hi: number; readonly step: number; readonly values: number[] } {
  if (!(max > min)) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  const values = Array.from({ length: Math.round((hi - lo) / step) + 1 }, (_, i) => roundTo(lo + i * step, step));
  return { lo: roundTo(lo, step), hi: roundTo(hi, step), step, values };
}

/** A tick label with as many decimals as the step needs (0.25 → "0.25", 0.5 step → "1.5", 200 step → "400"). */
export function tickLabel(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  const label = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(label) ? label.slice(1) : label;
}

/** A metric in the target's units: four significant digits, plain unless very large or small. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

export interface ScatterGeometry {
  /** The one domain of both axes, [lo, hi]. */
  readonly domain: readonly [number, number];
  readonly xTicks: Tick[];
  readonly yTicks: Tick[];
  readonly points: { readonly cx: number; readonly cy: number }[];
  /** The y = x line across the plot. */
  readonly diagonal: { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number };
}

/** Predicted (y) against true (x), both axes on the range of every value shown. */
export function scatterGeometry(sample: Pick<PredictionSample, 'trueValues' | 'predictedValues'>, box: PlotBox): ScatterGeometry {
  let min = Infinity;
  let max = -Infinity;
  for (const values of [sample.trueValues, sample.predictedValues]) {
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min > max) [min, max] = [0, 1];
  const { lo, hi, step, values } = niceTicks(min, max, 5);
  const x = linearScale(lo, hi, box.left, box.width - box.right);
  const y = linearScale(lo, hi, box.height - box.bottom, box.top);
  return {
    domain: [lo, hi],
    xTicks: values.map((value) => ({ value, at: x(value), label: tickLabel(value, step) })),
    yTicks: values.map((value) => ({ value, at: y(value), label: tickLabel(value, step) })),
    points: sample.trueValues.map((t, i) => ({ cx: x(t), cy: y(sample.predictedValues[i]!) })),
    diagonal: { x1: x(lo), y1: y(lo), x2: x(hi), y2: y(hi) },
  };
}

export interface HistogramGeometry {
  readonly bars: { readonly x: number; readonly y: number; readonly width: number; readonly height: number; readonly lower: number; readonly upper: number; readonly count: number }[];
  /** Where a residual of zero is: the domain always contains it. */
  readonly zeroX: number;
  readonly xTicks: Tick[];
  readonly yTicks: Tick[];
}

/** One bar per bin (empty bins too: they are gaps), x in residual units, y in counts from zero. */
export function histogramGeometry(histogram: Pick<Histogram, 'edges' | 'counts'>, box: PlotBox): HistogramGeometry {
  const first = histogram.edges[0] ?? -1;
  const last = histogram.edges[histogram.edges.length - 1] ?? 1;
  const xAxis = niceTicks(Math.min(first, 0), Math.max(last, 0), 5);
  const yAxis = niceTicks(0, Math.max(4, ...histogram.counts), 4);
  const x = linearScale(xAxis.lo, xAxis.hi, box.left, box.width - box.right);
  const y = linearScale(0, yAxis.hi, box.height - box.bottom, box.top);
  return {
    bars: histogram.counts.map((count, i) => {
      const lower = histogram.edges[i]!;
      const upper = histogram.edges[i + 1]!;
      return { x: x(lower), y: y(count), width: Math.max(0, x(upper) - x(lower)), height: y(0) - y(count), lower, upper, count };
    }),
    zeroX: x(0),
    xTicks: xAxis.values.map((value) => ({ value, at: x(value), label: tickLabel(value, xAxis.step) })),
    // Counts are whole: 400k, not 400000 (the labels sit in a narrow margin).
    yTicks: yAxis.values.map((value) => ({ value, at: y(value), label: formatCount(value) })),
  };
}

function roundTo(value: number, step: number): number {
  // Strip binary noise (0.30000000000000004) by rounding to a few digits below the step.
  const digits = Math.max(0, Math.min(15, -Math.floor(Math.log10(step)) + 3));
  return Number(value.toFixed(digits));
}
