/**
 * The heatmap's colour scale: viridis (perceptually uniform, readable in grey and by most colour-blind eyes) over a
 * log10 domain whole decades wide, or over a linear domain for fractions. Zero and values below the domain clamp to
 * its low end (a gradient of 0 is "as small as it gets", not missing); null means "no value" and gets no colour.
 */

/** Viridis at 0, 0.1, … 1 (matplotlib); interpolated linearly in between. */
const VIRIDIS_STOPS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [72, 36, 117],
  [65, 68, 135],
  [53, 95, 141],
  [42, 120, 142],
  [33, 145, 140],
  [34, 168, 132],
  [68, 191, 112],
  [122, 209, 81],
  [189, 223, 38],
  [253, 231, 37],
];

/** RGB of viridis at t ∈ [0, 1] (clamped). */
export function viridis(t: number): readonly [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS_STOPS.length - 1);
  const i = Math.min(VIRIDIS_STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS_STOPS[i]!;
  const b = VIRIDIS_STOPS[i + 1]!;
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

export function rgbCss([r, g, b]: readonly [number, number, number]): string {
  return `rgb(${r},${g},${b})`;
}

export interface ColorScale {
  readonly kind: 'log' | 'linear';
  /** Domain ends: log10 exponents (whole decades) for `log`, plain values for `linear`. */
  readonly lo: number;
  readonly hi: number;
  /** Where a value falls on the scale, 0…1; undefined for null / non-finite (no colour). */
  position(value: number | null | undefined): number | undefined;
  /** Legend ticks: value and its label, low to high. */
  readonly ticks: readonly { readonly at: number; readonly label: string }[];
}

/** The widest log domain shown: smaller values share the lowest colour (they are "vanished" either way). */
export const MAX_DECADES = 12;

const SUPERSCRIPT: Readonly<Record<string, string>> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** 10 to a whole power, as 10⁻³ (1 and 10 stay plain). */
export function decadeLabel(exponent: number): string {
  if (exponent === 0) return '1';
  if (exponent === 1) return '10';
  return `10${String(exponent).replace(/./g, (c) => SUPERSCRIPT[c] ?? c)}`;
}

/**
 * A log10 scale over whole decades covering the positive finite values (zeros and nulls do not widen it), at most
 * MAX_DECADES wide counting down from the largest value. No positive value at all: the decade [10⁻¹, 1].
 */
export function logScale(values: Iterable<number | null | undefined>): ColorScale {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v === null || v === undefined || !Number.isFinite(v) || v <= 0) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  // `+ 0` turns ceil's −0 (of a value in (0.1, 1)) into 0.
  const hi = (max > 0 ? Math.ceil(Math.log10(max)) : 0) + 0;
  let lo = min < Infinity ? Math.floor(Math.log10(min)) : hi - 1;
  if (lo >= hi) lo = hi - 1;
  if (hi - lo > MAX_DECADES) lo = hi - MAX_DECADES;
  const span = hi - lo;
  const step = span <= 6 ? 1 : span <= 12 ? 2 : 3;
  const ticks: { at: number; label: string }[] = [];
  for (let e = hi; e >= lo; e -= step) ticks.unshift({ at: e, label: decadeLabel(e) });
  return {
    kind: 'log',
    lo,
    hi,
    position(value) {
      if (value === null || value === undefined || Number.isNaN(value)) return undefined;
      if (value === Infinity) return 1;
      if (value <= 0) return 0;
      return Math.min(1, Math.max(0, (Math.log10(value) - lo) / span));
    },
    ticks,
  };
}

/** A linear scale over [lo, hi] (fractions: [0, 1]) with ticks at the ends and the middle. */
export function linearScale(lo: number, hi: number, format: (v: number) => string): ColorScale {
  const span = hi - lo || 1;
  return {
    kind: 'linear',
    lo,
    hi,
    position(value) {
      if (value === null || value === undefined || !Number.isFinite(value)) return undefined;
      return Math.min(1, Math.max(0, (value - lo) / span));
    },
    ticks: [lo, (lo + hi) / 2, hi].map((at) => ({ at, label: format(at) })),
  };
}

/** 256 RGB triples along viridis, packed, for painting pixels directly. */
export const VIRIDIS_RGB: Uint8ClampedArray = (() => {
  const table = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) table.set(viridis(i / 255), i * 3);
  return table;
})();

/** 256 CSS colours along viridis, so painting a cell is a table look-up. */
export const VIRIDIS_CSS: readonly string[] = Array.from({ length: 256 }, (_, i) => rgbCss(viridis(i / 255)));

export function colorAt(position: number): string {
  return VIRIDIS_CSS[Math.round(Math.min(1, Math.max(0, position)) * 255)]!;
}
