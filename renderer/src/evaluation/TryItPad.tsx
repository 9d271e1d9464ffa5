/**
 * Draw a digit and see what the model makes of it. The 280×280 pad is read as ink (its alpha), pre-processed the
 * way MNIST was (preprocessDigit: cropped, fitted to 20×20, centred by mass in 28×28) — the small image shows what
 * the model is really given — and sent to predict, debounced.
 */
import { useCallback, useRef, useState, type PointerEvent } from 'react';
import { MNIST_SIZE, preprocessDigit } from '../../../shared/evaluation';
import { DigitImage } from './DigitImage';
import type { ClassificationResult, EvaluationSource } from './evaluationApi';
import { ProbabilityBars } from './ProbabilityBars';
import { useDebouncedPrediction } from './useDebouncedPrediction';

const PAD_SIZE = 280;
/** About the width of an MNIST stroke once the digit is scaled into its 20-pixel box. */
const BRUSH_WIDTH = 22;

function readInk(canvas: HTMLCanvasElement): Float32Array {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const ink = new Float32Array(PAD_SIZE * PAD_SIZE);
  if (!ctx) return ink;
  const { data } = ctx.getImageData(0, 0, PAD_SIZE, PAD_SIZE);
  for (let i = 0; i < ink.length; i++) ink[i] = data[4 * i + 3]! / 255;
  return ink;
}

export function TryItPad({ result, source, path }: { result: ClassificationResult; source: EvaluationSource; path: string | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const last = useRef<{ x: number; y: number } | undefined>(undefined);
  const [digit, setDigit] = useState<Float32Array>();
  const { prediction, error, pending } = useDebouncedPrediction(source, result.runId, path, result.inputShape, digit);

  const point = (e: PointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - rect.left) / rect.width) * PAD_SIZE, y: ((e.clientY - rect.top) / rect.height) * PAD_SIZE };
  };
  const stroke = (to: { x: number; y: number }) => {
    const ctx = canvas.current?.getContext('2d', { willReadFrequently: true });
    if (!ctx) return;
    const from = last.current ?? to;
    ctx.strokeStyle = '#000';
    ctx.lineWidth = BRUSH_WIDTH;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    // A click without movement still leaves a round dot.
    ctx.lineTo(to.x + (from === to ? 0.01 : 0), to.y);
    ctx.stroke();
    last.current = to;
  };
  const update = useCallback(() => {
    if (canvas.current) setDigit(preprocessDigit(readInk(canvas.current), PAD_SIZE, PAD_SIZE));
  }, []);
  const clear = () => {
    canvas.current?.getContext('2d')?.clearRect(0, 0, PAD_SIZE, PAD_SIZE);
    last.current = undefined;
    setDigit(undefined);
  };

  return (
    <div className="nb-try-digit">
      <div className="nb-pad-column">
        <canvas
          ref={canvas}
          className="nb-pad"
          width={PAD_SIZE}
          height={PAD_SIZE}
          aria-label="Drawing pad"
          onPointerDown={(e) => {
            e.currentTarget.setPointerCapture(e.pointerId);
            last.current = undefined;
            stroke(point(e));
          }}
          onPointerMove={(e) => {
            if (e.buttons === 0 || last.current === undefined) return;
            stroke(point(e));
            update();
          }}
          onPointerUp={() => {
            last.current = undefined;
            update();
          }}
        />
        <div className="nb-pad-tools">
          <button type="button" className="nb-small" onClick={clear}>
            Clear
          </button>
          <span className="nb-muted">what the model sees:</span>
          <DigitImage pixels={digit ?? new Float32Array(MNIST_SIZE * MNIST_SIZE)} width={MNIST_SIZE} height={MNIST_SIZE} size={56} label="Pre-processed 28×28 digit" />
        </div>
      </div>
      <div className="nb-try-answer">
        {digit ? null : <p className="nb-muted">Draw a digit in the box.</p>}
        <ProbabilityBars prediction={digit ? prediction : undefined} classNames={result.classNames} pending={pending} />
        {error ? <p className="nb-error" role="alert">{error}</p> : null}
      </div>
    </div>
  );
}
