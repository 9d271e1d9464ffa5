/**
 * A look at the data: a strip of MNIST digits, or a 2-D scatter coloured by class — with, once a model exists, its
 * decision boundary painted under the points (live while training).
 */
import { useEffect, useRef } from 'react';
import type { DatasetPreview as Preview } from '../../../shared/contracts/trainer';
import { DecisionBoundary } from '../evaluation/DecisionBoundary';
import type { BoundaryFrame } from '../evaluation/evaluationApi';

export { CLASS_COLORS } from '../evaluation/classColors';

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

function DigitStrip({ preview }: { preview: Extract<Preview, { kind: 'images' }> }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, SIZE.width, canvasHeight(preview));
    drawImages(ctx, preview);
  }, [preview]);
  return <canvas ref={canvas} width={SIZE.width} height={canvasHeight(preview)} aria-label={`Preview of ${preview.datasetId}`} data-kind={preview.kind} />;
}

/** `boundary`: the model's prediction over the plane (2-D data only), drawn under the points. */
export function DatasetPreview({ preview, boundary, boundaryNote }: { preview: Preview; boundary?: BoundaryFrame; boundaryNote?: string }) {
  const caption =
    preview.kind === 'images' ? `${preview.images.length} sample digits` : `${preview.points.length} points: ${preview.axes[0]} vs ${preview.axes[1]}`;
  return (
    <figure className="nb-dataset-preview">
      {preview.kind === 'images' ? (
        <DigitStrip preview={preview} />
      ) : (
        <DecisionBoundary
          points={preview.points}
          boundary={boundary}
          width={SIZE.width}
          height={SIZE.height}
          aria-label={`Preview of ${preview.datasetId}`}
          data-kind={preview.kind}
        />
      )}
      <figcaption>
        {caption}
        {boundary && boundaryNote ? <> · {boundaryNote}</> : null}
      </figcaption>
    </figure>
  );
}
