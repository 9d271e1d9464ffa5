/**
 * Paints a classifier's predictions over a {@link DecisionBoundaryGrid} as RGBA pixels, one per cell, for a
 * canvas' `putImageData`. Each pixel mixes the class colours by probability and fades towards the background as
 * the prediction nears a coin toss, so confident regions read as solid colour and the boundary as a pale seam.
 */
import { classProbability, readClassOutputs } from './classOutputs';
import type { DecisionBoundaryGrid } from './decisionBoundaryGrid';

export interface DecisionBoundaryImageOptions {
  /** Colour uncertain cells fade to, as `#rgb` or `#rrggbb` (default white; pass the plot's background in a dark theme). */
  readonly background?: string;
  /** How far a fully certain cell goes from the background towards its class colour, in [0, 1] (default 0.6, so points drawn on top stay visible). */
  readonly strength?: number;
}

export const DEFAULT_BOUNDARY_STRENGTH = 0.6;

/**
 * RGBA pixels (`rows × columns × 4`, row 0 at the top, alpha 255) for `probabilities`, the model's output on
 * `grid.points`: N×C softmax rows or N×1 sigmoid values. Class c is painted with `classColors[c]` (`#rgb` or
 * `#rrggbb`; the list repeats if shorter than the classes).
 *
 * A cell's colour is Σ p_c · colour_c, moved from the background by `strength · certainty`, where certainty
 * = (max p − 1/C) / (1 − 1/C) is 0 for a uniform prediction and 1 for a sure one.
 */
export function decisionBoundaryImage(
  probabilities: ArrayLike<number>,
  grid: Pick<DecisionBoundaryGrid, 'columns' | 'rows'>,
  classColors: readonly string[],
  options: DecisionBoundaryImageOptions = {},
): Uint8ClampedArray {
  if (classColors.length === 0) throw new RangeError('at least one class colour is needed');
  const cells = grid.columns * grid.rows;
  const outputs = readClassOutputs(probabilities, cells);
  const colors = Array.from({ length: outputs.classCount }, (_, c) => parseHexColor(classColors[c % classColors.length]!));
  const background = parseHexColor(options.background ?? '#ffffff');
  const strength = Math.min(1, Math.max(0, options.strength ?? DEFAULT_BOUNDARY_STRENGTH));
  const uniform = 1 / outputs.classCount;
  const pixels = new Uint8ClampedArray(cells * 4);
  for (let cell = 0; cell < cells; cell++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let total = 0;
    let top = 0;
    for (let c = 0; c < outputs.classCount; c++) {
      const p = Math.max(0, classProbability(outputs, cell, c));
      const [cr, cg, cb] = colors[c]!;
      r += p * cr;
      g += p * cg;
      b += p * cb;
      total += p;
      top = Math.max(top, p);
    }
    const at = cell * 4;
    pixels[at + 3] = 255;
    // A cell the model has no finite answer for (a diverged run) shows the background.
    if (!(total > 0) || !Number.isFinite(total)) {
      [pixels[at], pixels[at + 1], pixels[at + 2]] = background;
      continue;
    }
    const certainty = Math.min(1, Math.max(0, (top / total - uniform) / (1 - uniform)));
    const t = strength * certainty;
    pixels[at] = background[0] + (r / total - background[0]) * t;
    pixels[at + 1] = background[1] + (g / total - background[1]) * t;
    pixels[at + 2] = background[2] + (b / total - background[2]) * t;
  }
  return pixels;
}

/** `#rgb` or `#rrggbb` as [r, g, b] in 0–255. */
export function parseHexColor(hex: string): [number, number, number] {
  const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!match) throw new RangeError(`'${hex}' is not a #rgb or #rrggbb colour`);
  const digits = match[1]!.length === 3 ? [...match[1]!].map((d) => d + d).join('') : match[1]!;
  return [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16)) as [number, number, number];
}
