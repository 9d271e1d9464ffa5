/** Short human-readable numbers for terminal output: 1.2M params, 3.4 MFLOPs, 12.5 KB. */

const UNITS = ['', 'K', 'M', 'G', 'T', 'P'] as const;

function scaled(n: number, base: number): { value: string; unit: string } {
  if (!Number.isFinite(n)) return { value: String(n), unit: '' };
  let i = 0;
  let v = Math.abs(n);
  while (v >= base && i < UNITS.length - 1) {
    v /= base;
    i++;
  }
  // Three significant digits at most, without trailing zeros: 1.23M, 12.3M, 123M.
  const digits = i === 0 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0;
  let text = v.toFixed(digits);
  if (text.includes('.')) text = text.replace(/\.?0+$/, '');
  return { value: `${n < 0 ? '-' : ''}${text}`, unit: UNITS[i] ?? '' };
}

/** 999 → "999", 1234 → "1.23K", 1_200_000 → "1.2M". */
export function formatCount(n: number): string {
  const { value, unit } = scaled(n, 1000);
  return `${value}${unit}`;
}

/** 3_400_000 → "3.4 MFLOPs". */
export function formatFlops(n: number): string {
  const { value, unit } = scaled(n, 1000);
  return `${value} ${unit}FLOPs`;
}

/** Binary units: 1536 → "1.5 KB". */
export function formatBytes(n: number): string {
  const { value, unit } = scaled(n, 1024);
  return `${value} ${unit}B`;
}

/** 90_500 ms → "1m 30.5s"; 850 → "850 ms". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1).replace(/\.0$/, '')}s`;
  const m = Math.floor(s / 60);
  return `${m}m ${(s - m * 60).toFixed(1).replace(/\.0$/, '')}s`;
}

/** [28, 28, 1] → "28×28×1"; undefined → "—". */
export function formatShapeText(shape: readonly number[] | undefined): string {
  return shape === undefined ? '—' : shape.length === 0 ? 'scalar' : shape.join('×');
}
