/**
 * The arithmetic of the loss landscape pictures: scales, a colour ramp for the heatmap and its legend, contour levels,
 * and contour lines by marching squares over the grid. Losses grow by orders of magnitude away from a minimum, so
 * colours and levels are spaced logarithmically when every loss is positive (always, for our losses, unless one is 0).
 */

export type Scale = (value: number) => number;

/** Maps [d0, d1] onto [r0, r1] linearly. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

export interface LossExtent {
  readonly min: number;
  readonly max: number;
  /** Colours and levels on a log scale (all losses positive). */
  readonly log: boolean;
}

/** The finite losses' range; undefined when there are none. */
export function lossExtent(losses: readonly (number | null)[]): LossExtent | undefined {
  const finite = losses.filter((l): l is number => l !== null && Number.isFinite(l));
  if (finite.length === 0) return undefined;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  return { min, max, log: min > 0 };
}

/** 0..1 position of a loss within the extent (log or linear), clamped. */
export function normalizedLoss(loss: number, extent: LossExtent): number {
  if (extent.max === extent.min) return 0;
  const t = extent.log ? Math.log(loss / extent.min) / Math.log(extent.max / extent.min) : (loss - extent.min) / (extent.max - extent.min);
  return Math.min(1, Math.max(0, t));
}

/** `count` levels strictly between min and max, evenly spaced on the extent's scale. */
export function contourLevels(extent: LossExtent, count: number): number[] {
  if (extent.max === extent.min || count < 1) return [];
  return Array.from({ length: count }, (_, k) => {
    const t = (k + 1) / (count + 1);
    return extent.log ? extent.min * (extent.max / extent.min) ** t : extent.min + t * (extent.max - extent.min);
  });
}

/** Viridis-like stops: dark blue (low loss) through green to yellow (high loss); readable in light and dark themes. */
const STOPS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

export function rampColor(t: number): string {
  const clamped = Math.min(1, Math.max(0, t));
  const f = clamped * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(f));
  const u = f - i;
  const a = STOPS[i]!;
  const b = STOPS[i + 1]!;
  const mix = (k: 0 | 1 | 2) => Math.round(a[k] + (b[k] - a[k]) * u);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** A contour segment in grid coordinates: x = column (α index), y = row (β index), both fractional. */
export type Segment = readonly [x0: number, y0: number, x1: number, y1: number];

/**
 * Marching squares: the segments where the grid (row-major, `rows` × `cols`) crosses `level`, each end linearly
 * interpolated on a cell edge. Cells touching an overflowed value (null) are skipped; saddles take both pairings
 * by the cell's mean, the usual disambiguation.
 */
export function contourSegments(values: readonly (number | null)[], cols: number, rows: number, level: number): Segment[] {
  const segments: Segment[] = [];
  const at = (i: number, j: number) => values[j * cols + i];
  for (let j = 0; j + 1 < rows; j++) {
    for (let i = 0; i + 1 < cols; i++) {
      const v = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
      if (v.some((x) => x === null || x === undefined)) continue;
      const [a, b, c, d] = v as number[];
      const corners: [number, number][] = [
        [i, j],
        [i + 1, j],
        [i + 1, j + 1],
        [i, j + 1],
      ];
      const vals = [a!, b!, c!, d!];
      // Crossing points on the four edges (0: bottom a→b, 1: right b→c, 2: top c→d, 3: left d→a).
      const crossings: ([number, number] | undefined)[] = [0, 1, 2, 3].map((e) => {
        const p = vals[e]!;
        const q = vals[(e + 1) % 4]!;
        if ((p < level) === (q < level)) return undefined;
        const t = (level - p) / (q - p);
        const [x0, y0] = corners[e]!;
        const [x1, y1] = corners[(e + 1) % 4]!;
        return [x0 + t * (x1 - x0), y0 + t * (y1 - y0)];
      });
      const hits = [0, 1, 2, 3].filter((e) => crossings[e] !== undefined);
      const seg = (e: number, f: number) => {
        const p = crossings[e]!;
        const q = crossings[f]!;
        segments.push([p[0], p[1], q[0], q[1]]);
      };
      if (hits.length === 2) seg(hits[0]!, hits[1]!);
      else if (hits.length === 4) {
        // A saddle: join the edges so the cell's centre falls on the side its mean says.
        const centreAbove = (a! + b! + c! + d!) / 4 >= level;
        if (centreAbove === a! >= level) {
          seg(0, 1);
          seg(2, 3);
        } else {
          seg(3, 0);
          seg(1, 2);
        }
      }
    }
  }
  return segments;
}

/** "about 12 s left", "about 2 min left". */
export function formatEta(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return 'estimating…';
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 90 ? `about ${s} s left` : `about ${Math.round(s / 60)} min left`;
}

/** A loss for labels: 3 significant digits, scientific when huge. */
export function formatLoss(loss: number | null): string {
  if (loss === null) return 'overflow';
  return Math.abs(loss) >= 1e4 || (loss !== 0 && Math.abs(loss) < 1e-3) ? loss.toExponential(2) : loss.toPrecision(3);
}
