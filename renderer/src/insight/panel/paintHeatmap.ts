import type { ColorScale } from './colorScale';
import { colorAt } from './colorScale';
import type { HeatmapRow } from './heatmapModel';

/**
 * Paints the cells on a canvas sized `width` × `height` CSS pixels at the device pixel ratio. Cell edges are rounded
 * to device pixels, so neighbouring cells neither overlap nor leave hairline gaps; a null value stays unpainted.
 */
export function paintHeatmap(canvas: HTMLCanvasElement, rows: readonly HeatmapRow[], columns: number, scale: ColorScale, width: number, height: number): void {
  const ratio = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, w, h);
  if (columns === 0 || rows.length === 0) return;
  const xs = Array.from({ length: columns + 1 }, (_, i) => Math.round((i * w) / columns));
  rows.forEach((row, r) => {
    const top = Math.round((r * h) / rows.length);
    const bottom = Math.round(((r + 1) * h) / rows.length);
    for (let c = 0; c < columns; c++) {
      const position = scale.position(row.values[c]);
      if (position === undefined) continue;
      context.fillStyle = colorAt(position);
      context.fillRect(xs[c]!, top, xs[c + 1]! - xs[c]!, bottom - top);
    }
  });
}
