/** A look at the data before training: a strip of MNIST digits, or a 2-D scatter coloured by class. */
import { useEffect, useRef } from 'react';
import type { DatasetPreview as Preview } from '../../../shared/contracts/trainer';

export const CLASS_COLORS = ['#e4572e', '#2e86de', '#29a36a', '#f3a712', '#8e44ad', '#16a5a5', '#d35400', '#7f8c8d', '#c0392b', '#2c3e50'];

const SIZE = { width: 280, height: 160 };
const DIGIT_COLUMNS = 5;

/** Digits get rows of square cells; a scatter gets the full box. */
function canvasHeight(preview: Preview): number {
  if (preview.kind === 'scatter') return SIZE.height;
  return Math.ceil(preview.images.length / DIGIT_COLUMNS) * Math.floor(SIZE.width / DIGIT_COLUMNS);
}

function drawImages(ctx: CanvasRenderingContext2D, preview: Extract<Preview, { kind: 'images' }>) {
  const cols = DIGIT_COLUMNS;
  const cell = Math.floor(SIZE.width / cols);
  preview.images.forEach((image, index) => {
    const rows = image.pixels.length;
    const width = image.pixels[0]?.length ?? 0;
    const img = ctx.createImageData(width, rows);
    image.pixels.forEach((row, r) =>
      row.forEach((value, c) => {
        const v = 255 - Math.round(Math.max(0, Math.min(1, value)) * 255);
        const o = (r * width + c) * 4;
        img.data[o] = v;
        img.data[o + 1] = v;
        img.data[o + 2] = v;
        img.data[o + 3] = 255;
      }),
    );
    const x = (index % cols) * cell;
    const y = Math.floor(index / cols) * cell;
    // putImageData ignores transforms: draw at native size on a scratch canvas, then scale.
    const scratch = document.createElement('canvas');
    scratch.width = width;
    scratch.height = rows;
    scratch.getContext('2d')?.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(scratch, x + 2, y + 2, cell - 4, cell - 4);
    ctx.fillStyle = '#2e86de';
    ctx.font = '10px sans-serif';
    ctx.fillText(String(image.label), x + 4, y + 12);
  });
}

function drawScatter(ctx: CanvasRenderingContext2D, preview: Extract<Preview, { kind: 'scatter' }>) {
  const xs = preview.points.map((p) => p.x);
  const ys = preview.points.map((p) => p.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const pad = 8;
  const sx = (x: number) => pad + ((x - minX) / (maxX - minX || 1)) * (SIZE.width - 2 * pad);
  const sy = (y: number) => SIZE.height - pad - ((y - minY) / (maxY - minY || 1)) * (SIZE.height - 2 * pad);
  for (const p of preview.points) {
    ctx.fillStyle = CLASS_COLORS[p.label % CLASS_COLORS.length]!;
    ctx.beginPath();
    ctx.arc(sx(p.x), sy(p.y), 2.2, 0, Math.PI * 2);
    ctx.fill();
  }
}

export function DatasetPreview({ preview }: { preview: Preview }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, SIZE.width, canvasHeight(preview));
    if (preview.kind === 'images') drawImages(ctx, preview);
    else drawScatter(ctx, preview);
  }, [preview]);
  const caption =
    preview.kind === 'images' ? `${preview.images.length} sample digits` : `${preview.points.length} points: ${preview.axes[0]} vs ${preview.axes[1]}`;
  return (
    <figure className="nb-dataset-preview">
      <canvas ref={canvas} width={SIZE.width} height={canvasHeight(preview)} aria-label={`Preview of ${preview.datasetId}`} data-kind={preview.kind} />
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
