/**
 * One mapping from the data plane to a plot's pixels, used by the scatter and by the decision boundary under it, so
 * points and the painted prediction line up exactly: the boundary grid covers `extent`, and so does the plot box.
 */
import { dataExtent, type PlaneExtent } from '../../../shared/evaluation';

export interface PlotBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

export interface PlanePlot {
  readonly extent: PlaneExtent;
  readonly box: PlotBox;
  x(value: number): number;
  y(value: number): number;
}

export function planePlot(extent: PlaneExtent, box: PlotBox): PlanePlot {
  const spanX = extent.xMax - extent.xMin || 1;
  const spanY = extent.yMax - extent.yMin || 1;
  return {
    extent,
    box,
    x: (value) => box.left + ((value - extent.xMin) / spanX) * box.width,
    // The plane's y grows upwards, the canvas' downwards.
    y: (value) => box.top + ((extent.yMax - value) / spanY) * box.height,
  };
}

/** The extent a scatter of these points is drawn over when no boundary grid fixes it (the grid's own default). */
export function pointsExtent(points: readonly { readonly x: number; readonly y: number }[]): PlaneExtent {
  const flat = new Float64Array(points.length * 2);
  points.forEach((p, i) => {
    flat[2 * i] = p.x;
    flat[2 * i + 1] = p.y;
  });
  return dataExtent(flat);
}
