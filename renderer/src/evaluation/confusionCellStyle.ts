/**
 * Colours of a confusion-matrix cell, from the share of its row (row-normalised, so a small class reads as clearly
 * as a large one). Right answers (the diagonal) and mistakes use different hues, and the count is always printed,
 * so colour is never the only cue; the text turns white where the fill gets dark.
 */

export interface CellStyle {
  readonly background: string;
  readonly color: string;
}

const RIGHT = [41, 128, 185] as const;
const WRONG = [211, 84, 0] as const;
/** Above this share the fill is dark enough that dark text loses contrast. */
const LIGHT_TEXT_FROM = 0.55;

export function confusionCellStyle(rowShare: number, onDiagonal: boolean): CellStyle {
  const share = Number.isFinite(rowShare) ? Math.min(1, Math.max(0, rowShare)) : 0;
  const [r, g, b] = onDiagonal ? RIGHT : WRONG;
  // A small floor keeps a non-empty cell visibly tinted; an empty one stays blank.
  const alpha = share === 0 ? 0 : 0.08 + 0.92 * share;
  return {
    background: `rgba(${r}, ${g}, ${b}, ${alpha.toFixed(3)})`,
    color: alpha >= LIGHT_TEXT_FROM ? '#ffffff' : 'inherit',
  };
}

/** `12%`, `<1%` for a tiny non-zero share, `0%` for none. */
export function shareLabel(share: number): string {
  if (share <= 0) return '0%';
  if (share < 0.005) return '<1%';
  return `${Math.round(share * 100)}%`;
}
