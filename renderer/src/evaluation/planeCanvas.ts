/** Canvas drawing of the data plane: the decision boundary as a background, the points on top. */
import { decisionBoundaryImage } from '../../../shared/evaluation';
import type { BoundaryFrame } from './evaluationApi';
import { CLASS_COLORS, classColor } from './classColors';
import type { PlanePlot } from './planePlot';
import { currentTheme } from '../panels/theme';

export interface PlanePoint {
  readonly x: number;
  readonly y: number;
  readonly label: number;
}

const HEX_COLOUR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

/** The panel colour of the theme in effect (the plot sits on a panel), as the hex decisionBoundaryImage blends towards. */
function plotBackground(): string {
  const panel = getComputedStyle(document.documentElement).getPropertyValue('--panel').trim();
  if (HEX_COLOUR.test(panel)) return panel;
  return currentTheme() === 'dark' ? '#1b1f26' : '#ffffff';
}

/** Ink for rings drawn over the plot: dark on a light theme, light on a dark one. */
function plotInk(): string {
  return currentTheme() === 'dark' ? '#e6e9ef' : '#111';
}

/**
 * Paints the model's answer over the plot box: one pixel per grid cell on a scratch canvas (putImageData ignores
 * transforms), then scaled onto the box with smoothing, which blends cells the way a finer grid would.
 */
export function paintBoundary(ctx: CanvasRenderingContext2D, frame: BoundaryFrame, plot: PlanePlot): void {
  const pixels = decisionBoundaryImage(frame.probabilities, frame, CLASS_COLORS, { background: plotBackground() });
  const scratch = document.createElement('canvas');
  scratch.width = frame.columns;
  scratch.height = frame.rows;
  const image = new ImageData(frame.columns, frame.rows);
  image.data.set(pixels);
  scratch.getContext('2d')?.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, plot.box.left, plot.box.top, plot.box.width, plot.box.height);
}

export function paintPoints(ctx: CanvasRenderingContext2D, points: readonly PlanePoint[], plot: PlanePlot, radius: number, outlined: boolean): void {
  for (const p of points) {
    ctx.fillStyle = classColor(p.label);
    ctx.beginPath();
    ctx.arc(plot.x(p.x), plot.y(p.y), radius, 0, Math.PI * 2);
    ctx.fill();
    if (outlined) {
      ctx.lineWidth = 0.75;
      ctx.strokeStyle = 'rgba(255,255,255,0.85)';
      ctx.stroke();
    }
  }
}

/** Rings around chosen points (the gallery's mistakes), drawn last so they stay on top. */
export function paintHighlights(ctx: CanvasRenderingContext2D, points: readonly PlanePoint[], plot: PlanePlot, radius: number): void {
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = plotInk();
  for (const p of points) {
    ctx.beginPath();
    ctx.arc(plot.x(p.x), plot.y(p.y), radius, 0, Math.PI * 2);
    ctx.stroke();
  }
}

/** Renders a row-major grey image (ink = 1) as dark ink on white, scaled without smoothing to the canvas. */
export function paintGreyImage(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, width: number, height: number): void {
  paintImage(canvas, pixels, width, height, 1, true);
}

/** An image's RGBA bytes: HWC values in [0, 1], 1 or 3 channels; `ink` draws 1 as dark on white (MNIST-style digits). */
export function imageBytes(pixels: ArrayLike<number>, width: number, height: number, channels: number, ink: boolean): Uint8ClampedArray {
  const out = new Uint8ClampedArray(width * height * 4);
  const level = (v: number | undefined) => {
    const byte = Math.round(Math.max(0, Math.min(1, v ?? 0)) * 255);
    return ink ? 255 - byte : byte;
  };
  for (let i = 0; i < width * height; i++) {
    const at = i * channels;
    const r = level(pixels[at]);
    out[4 * i] = r;
    out[4 * i + 1] = channels >= 3 ? level(pixels[at + 1]) : r;
    out[4 * i + 2] = channels >= 3 ? level(pixels[at + 2]) : r;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Renders a row-major HWC image (grey or RGB, values in [0, 1]) scaled without smoothing to the canvas. */
export function paintImage(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, width: number, height: number, channels: number, ink: boolean): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = new ImageData(width, height);
  image.data.set(imageBytes(pixels, width, height, channels, ink));
  const scratch = document.createElement('canvas');
  scratch.width = width;
  scratch.height = height;
  scratch.getContext('2d')?.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}
