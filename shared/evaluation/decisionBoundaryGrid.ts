/**
 * The plane a 2-D classifier is drawn on: a regular grid of points covering the data with a margin, fed to the
 * model in one batched `predict` so its answer can be painted under the scatter as TensorFlow Playground does.
 */

/** An axis-aligned rectangle of the data plane. */
export interface PlaneExtent {
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly yMax: number;
}

export interface DecisionBoundaryGrid {
  readonly extent: PlaneExtent;
  readonly columns: number;
  readonly rows: number;
  /**
   * Interleaved (x, y) of each cell's centre, `rows × columns × 2`, in image order: row 0 is the top of the plane
   * (y near yMax), each row runs left to right. Pass it to the model as a `[rows · columns, 2]` tensor.
   */
  readonly points: Float32Array;
}

export interface DecisionBoundaryGridOptions {
  /** Cells per side (default 64), or separate column and row counts. */
  readonly resolution?: number | { readonly columns: number; readonly rows: number };
  /** Fraction of each axis' data range added on both sides (default 0.1), so points are not on the edge. */
  readonly margin?: number;
  /** The rectangle to cover instead of the data's range, e.g. the scatter plot's own axes. */
  readonly extent?: PlaneExtent;
}

export const DEFAULT_GRID_RESOLUTION = 64;
export const DEFAULT_GRID_MARGIN = 0.1;

/**
 * The range of interleaved (x, y) points widened by `margin` times each axis' span on every side. An axis whose
 * points all share one value is given ±1 around it, and no points at all give the square [−1, 1]².
 */
export function dataExtent(points: ArrayLike<number>, margin = DEFAULT_GRID_MARGIN): PlaneExtent {
  if (points.length % 2 !== 0) throw new RangeError(`points must be interleaved (x, y) pairs, got ${points.length} numbers`);
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    xMin = Math.min(xMin, x);
    xMax = Math.max(xMax, x);
    yMin = Math.min(yMin, y);
    yMax = Math.max(yMax, y);
  }
  const [x0, x1] = widen(xMin, xMax, margin);
  const [y0, y1] = widen(yMin, yMax, margin);
  return { xMin: x0, xMax: x1, yMin: y0, yMax: y1 };
}

function widen(min: number, max: number, margin: number): [number, number] {
  if (min > max) return [-1, 1];
  if (min === max) return [min - 1, max + 1];
  const pad = (max - min) * margin;
  return [min - pad, max + pad];
}

/** The grid of cell centres over the data's extent (or `options.extent`), ready for one batched prediction. */
export function decisionBoundaryGrid(points: ArrayLike<number>, options: DecisionBoundaryGridOptions = {}): DecisionBoundaryGrid {
  const extent = options.extent ?? dataExtent(points, options.margin);
  const resolution = options.resolution ?? DEFAULT_GRID_RESOLUTION;
  const { columns, rows } = typeof resolution === 'number' ? { columns: resolution, rows: resolution } : resolution;
  for (const [name, n] of [['columns', columns], ['rows', rows]] as const) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be a positive whole number, got ${n}`);
  }
  if (!(extent.xMax > extent.xMin && extent.yMax > extent.yMin)) throw new RangeError('the extent must have a positive width and height');
  const cellWidth = (extent.xMax - extent.xMin) / columns;
  const cellHeight = (extent.yMax - extent.yMin) / rows;
  const grid = new Float32Array(rows * columns * 2);
  for (let row = 0; row < rows; row++) {
    const y = extent.yMax - (row + 0.5) * cellHeight;
    for (let column = 0; column < columns; column++) {
      const at = 2 * (row * columns + column);
      grid[at] = extent.xMin + (column + 0.5) * cellWidth;
      grid[at + 1] = y;
    }
  }
  return { extent, columns, rows, points: grid };
}
