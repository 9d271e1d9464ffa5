/**
 * The canvas overlay's numbers: which signal each mode shows, its colour scale (log10 for norms and ratios), the
 * colour of a value, and sparkline geometry. Pure, so the math is tested without a DOM.
 */
import type { TelemetrySignal } from '../../../../shared/contracts/telemetry';
import type { OverlayMode } from '../insightStore';

export type ShownMode = Exclude<OverlayMode, 'off'>;

export const MODE_SIGNAL: Readonly<Record<ShownMode, TelemetrySignal>> = {
  gradients: 'gradNorm',
  activations: 'activationStd',
  dead: 'deadFraction',
  updates: 'updateRatio',
};

export const MODE_HELP: Readonly<Record<OverlayMode, string>> = {
  off: 'No overlay: layers show their category colours.',
  gradients: 'Gradient flow: how strongly the loss gradient reaches each layer\'s weights (‖∇w‖, log scale). Much smaller early than late = vanishing gradients.',
  activations: 'Activations: the spread (standard deviation) of each layer\'s output, log scale. Near zero = the signal dies out; huge = it blows up.',
  dead: 'Dead units: the share of a ReLU layer\'s units that output zero for every sample (0–100 %).',
  updates: 'Update ratio: how much one step changes the weights, ‖Δw‖ / ‖w‖ (log scale); about 1e-3 is healthy.',
};

/** The healthy band of the update ratio (log10), centred on 1e-3. */
export const HEALTHY_UPDATE_BAND: readonly [number, number] = [-4, -2];
/** Log-scaled values at or below zero are drawn at this floor (log10) below the smallest positive value. */
const LOG_FLOOR_GAP = 1;

export interface ColorScale {
  readonly log: boolean;
  /** Domain in scale units (log10 of the value for log scales). */
  readonly min: number;
  readonly max: number;
  /** A band to mark on the legend, in scale units. */
  readonly band?: readonly [number, number];
}

export function isLogMode(mode: ShownMode): boolean {
  return mode !== 'dead';
}

/** A value in scale units (log10 for log scales; non-positive values go to `floor`). */
export function toScale(value: number, log: boolean, floor = -Infinity): number {
  if (!log) return value;
  return value > 0 ? Math.log10(value) : floor;
}

/**
 * The colour scale of a mode over the latest values of the graph's nodes: gradients and activations span the graph's
 * own range (they are compared across layers); dead units 0..1; update ratios a fixed 1e-6..1 widened to the data,
 * with the healthy band marked.
 */
export function scaleFor(mode: ShownMode, values: readonly number[]): ColorScale {
  if (mode === 'dead') return { log: false, min: 0, max: 1 };
  const logs = values.filter((v) => v > 0 && Number.isFinite(v)).map((v) => Math.log10(v));
  let min = logs.length ? Math.min(...logs) : -3;
  let max = logs.length ? Math.max(...logs) : 0;
  if (values.some((v) => v <= 0)) min -= LOG_FLOOR_GAP;
  if (mode === 'updates') {
    min = Math.min(-6, Math.floor(min));
    max = Math.max(0, Math.ceil(max));
    return { log: true, min, max, band: HEALTHY_UPDATE_BAND };
  }
  if (max - min < 1) {
    // A narrow range would paint small differences as extremes: show at least one decade, centred.
    const mid = (min + max) / 2;
    min = mid - 0.5;
    max = mid + 0.5;
  }
  return { log: true, min, max };
}

/** Position 0..1 of a value on the scale (clamped). */
export function scalePosition(value: number, scale: ColorScale): number {
  const s = toScale(value, scale.log, scale.min);
  if (scale.max === scale.min) return 0.5;
  return Math.min(1, Math.max(0, (s - scale.min) / (scale.max - scale.min)));
}

/** Viridis at 9 stops: perceptually even, readable for colour-blind users, dark = low, yellow = high. */
export const PALETTE: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** The palette colour at t ∈ [0, 1], linearly interpolated between stops, as `rgb(r, g, b)`. */
export function colorAt(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (PALETTE.length - 1);
  const i = Math.min(PALETTE.length - 2, Math.floor(x));
  const f = x - i;
  const a = PALETTE[i]!;
  const b = PALETTE[i + 1]!;
  const mix = (k: number) => Math.round(a[k]! + (b[k]! - a[k]!) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** CSS gradient of the whole palette (for the legend bar). */
export function paletteGradient(): string {
  return `linear-gradient(to right, ${PALETTE.map((c, i) => `rgb(${c.join(', ')}) ${Math.round((i / (PALETTE.length - 1)) * 100)}%`).join(', ')})`;
}

/** The newest finite value of a series. */
export function latestValue(series: readonly (number | null)[] | undefined): number | undefined {
  if (!series) return undefined;
  for (let i = series.length - 1; i >= 0; i--) {
    const v = series[i];
    if (v !== null && v !== undefined && Number.isFinite(v)) return v;
  }
  return undefined;
}

/** Most points a sparkline draws: more than one per 1.5 px would not show, and 500 nodes redraw on each update. */
export const MAX_SPARK_POINTS = 64;

/**
 * SVG polyline `points` of a series in a width × height box: x by index, y over the series' own range in scale units
 * (top = highest). Missing values split the line, so one string per unbroken run; a lone point is drawn as a dot-long
 * segment. Values that cannot go on a log scale (≤ 0) are drawn at the series' lowest positive value. Long series are
 * thinned evenly to `maxPoints` (the newest point always kept); the range is that of the whole series.
 */
export function sparklineSegments(
  series: readonly (number | null)[],
  width: number,
  height: number,
  log: boolean,
  pad = 1.5,
  maxPoints = MAX_SPARK_POINTS,
): string[] {
  const n = series.length;
  if (n === 0) return [];
  const scaled: (number | null)[] = series.map((v) => (v === null || !Number.isFinite(v) ? null : log && v <= 0 ? NaN : toScale(v, log)));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of scaled) {
    if (v === null || Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [];
  const span = hi - lo;
  const x = (i: number) => (n === 1 ? width / 2 : pad + (i / (n - 1)) * (width - 2 * pad));
  const y = (v: number) => (span === 0 ? height / 2 : pad + (1 - (v - lo) / span) * (height - 2 * pad));
  const round = (v: number) => Math.round(v * 10) / 10;
  const stride = Math.max(1, Math.ceil(n / maxPoints));
  const segments: string[] = [];
  let current: string[] = [];
  const flush = () => {
    if (current.length === 1) {
      const [px, py] = current[0]!.split(',').map(Number) as [number, number];
      current.push(`${round(px + 0.5)},${py}`);
    }
    if (current.length > 0) segments.push(current.join(' '));
    current = [];
  };
  for (let i = 0; i < n; i++) {
    const v = scaled[i]!;
    if (v === null) {
      flush();
      continue;
    }
    // Thinned: every stride-th point, the newest one, and the ends of each unbroken run.
    const keep = i % stride === 0 || i === n - 1 || scaled[i - 1] === null || scaled[i + 1] === null;
    if (!keep) continue;
    current.push(`${round(x(i))},${round(y(Number.isNaN(v) ? lo : v))}`);
  }
  flush();
  return segments;
}

/** Edge stroke width for the activation scale (std) flowing out of its source: 1 px at 0.01, +1.5 px per decade. */
export function edgeWidthForStd(std: number): number {
  if (!(std > 0)) return 0.75;
  return Math.min(6, Math.max(0.75, 1 + 1.5 * (Math.log10(std) + 2)));
}

/** A signal value for people: 3 significant digits, exponent notation for very small or large values. */
export function formatSignal(value: number, kind: 'fraction' | 'number' = 'number'): string {
  if (kind === 'fraction') return `${(value * 100).toFixed(value < 0.1 && value > 0 ? 1 : 0)} %`;
  if (value === 0) return '0';
  const a = Math.abs(value);
  if (a >= 1e4 || a < 1e-3) return value.toExponential(2).replace('e+', 'e');
  return Number(value.toPrecision(3)).toString();
}
