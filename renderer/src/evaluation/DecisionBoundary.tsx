/**
 * A 2-D scatter with the model's prediction painted under it. The boundary grid fixes the plotted extent (else the
 * points do), so every point sits on the cell the model was asked about. Live frames are drawn at most every
 * LIVE_DRAW_INTERVAL_MS, newest first; the canvas reports the last paint's cost in `data-draw-ms`.
 */
import { memo, useEffect, useMemo, useRef, type CanvasHTMLAttributes } from 'react';
import { useTheme } from '../panels/theme';
import type { BoundaryFrame } from './evaluationApi';
import { latestOnly } from './latestOnly';
import { paintBoundary, paintHighlights, paintPoints, type PlanePoint } from './planeCanvas';
import { planePlot, pointsExtent } from './planePlot';

export const LIVE_DRAW_INTERVAL_MS = 100;
const PAD = 6;

export interface DecisionBoundaryProps extends Omit<CanvasHTMLAttributes<HTMLCanvasElement>, 'width' | 'height'> {
  readonly points: readonly PlanePoint[];
  readonly boundary?: BoundaryFrame;
  /** Points to ring (e.g. the listed mistakes). */
  readonly highlighted?: readonly PlanePoint[];
  readonly width: number;
  readonly height: number;
  readonly pointRadius?: number;
}

interface Scene {
  readonly points: readonly PlanePoint[];
  readonly boundary?: BoundaryFrame;
  readonly highlighted?: readonly PlanePoint[];
}

export const DecisionBoundary = memo(function DecisionBoundary({ points, boundary, highlighted, width, height, pointRadius = 2.2, ...canvasProps }: DecisionBoundaryProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const frames = useRef(0);
  const draw = useMemo(
    () =>
      latestOnly((scene: Scene) => {
        const element = canvas.current;
        const ctx = element?.getContext('2d');
        if (!element || !ctx) return;
        const started = performance.now();
        const extent = scene.boundary?.extent ?? pointsExtent(scene.points);
        const plot = planePlot(extent, { left: PAD, top: PAD, width: width - 2 * PAD, height: height - 2 * PAD });
        ctx.clearRect(0, 0, width, height);
        if (scene.boundary) paintBoundary(ctx, scene.boundary, plot);
        paintPoints(ctx, scene.points, plot, pointRadius, scene.boundary !== undefined);
        if (scene.highlighted?.length) paintHighlights(ctx, scene.highlighted, plot, pointRadius + 3);
        frames.current += scene.boundary ? 1 : 0;
        element.dataset.drawMs = (performance.now() - started).toFixed(2);
        element.dataset.boundaryFrames = String(frames.current);
      }, LIVE_DRAW_INTERVAL_MS),
    [width, height, pointRadius],
  );
  useEffect(() => () => draw.cancel(), [draw]);
  // Repainted when the theme changes too: the plot's background and rings follow it.
  const theme = useTheme();
  useEffect(() => draw.push({ points, boundary, highlighted }), [draw, points, boundary, highlighted, theme]);
  return <canvas ref={canvas} width={width} height={height} data-boundary={boundary ? 'yes' : 'no'} {...canvasProps} />;
});
