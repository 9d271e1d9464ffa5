/**
 * The arithmetic of the signal propagation plot: a log-scaled y axis over both statistics, its decade ticks, and the
 * points of each line. Values that cannot go on a log axis (0, or an overflow sent as null) are left out of the line
 * and reported, so a dead layer is a visible gap rather than a wrong number.
 */
import type { SignalPropagation } from '../../../../shared/contracts/insight';

export interface LogScale {
  readonly min: number;
  readonly max: number;
  /** y in pixels for a value (top = max). */
  readonly y: (value: number) => number;
  /** Powers of ten within [min, max]. */
  readonly ticks: readonly number[];
}

/** A log scale from whole decades around the positive values (one decade when they are all equal). */
export function logScale(values: readonly number[], top: number, bottom: number): LogScale {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  const lo = positive.length > 0 ? Math.floor(Math.log10(Math.min(...positive))) : -1;
  let hi = positive.length > 0 ? Math.ceil(Math.log10(Math.max(...positive))) : 1;
  if (hi <= lo) hi = lo + 1;
  const span = hi - lo;
  const step = Math.max(1, Math.ceil(span / 8));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += step) ticks.push(10 ** e);
  return {
    min: 10 ** lo,
    max: 10 ** hi,
    y: (value) => bottom - ((Math.log10(value) - lo) / span) * (bottom - top),
    ticks,
  };
}

export interface SignalPoint {
  readonly index: number;
  readonly value: number;
}

export interface SignalLines {
  readonly squaredMean: readonly SignalPoint[];
  readonly variance: readonly SignalPoint[];
  /** Node indices whose statistics cannot be drawn on a log axis (zero or overflowed). */
  readonly undrawable: readonly number[];
}

export function signalLines(result: SignalPropagation): SignalLines {
  const squaredMean: SignalPoint[] = [];
  const variance: SignalPoint[] = [];
  const undrawable = new Set<number>();
  result.nodes.forEach((node, index) => {
    for (const [value, into] of [
      [node.avgSquaredMean, squaredMean],
      [node.avgVariance, variance],
    ] as const) {
      if (value !== null && value > 0) into.push({ index, value });
      else undrawable.add(index);
    }
  });
  return { squaredMean, variance, undrawable: [...undrawable] };
}

/** A value in the read-out: 3 significant digits, scientific when tiny or huge. */
export function formatSignalValue(value: number | null): string {
  if (value === null) return 'overflow';
  if (value === 0) return '0';
  return Math.abs(value) < 1e-3 || Math.abs(value) >= 1e4 ? value.toExponential(2) : value.toPrecision(3);
}

/** SVG polyline points for a line, x by node index. */
export function polylinePoints(points: readonly SignalPoint[], x: (index: number) => number, scale: LogScale): string {
  return points.map((p) => `${x(p.index).toFixed(1)},${scale.y(p.value).toFixed(1)}`).join(' ');
}
