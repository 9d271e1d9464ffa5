/**
 * One node's weight or activation histograms over time as a ridgeline: one ridge per snapshot, oldest at the top,
 * each re-binned onto the node's common range so widening, drifting or collapsing distributions show as a shape
 * changing down the stack. Heights share one scale, so a distribution that concentrates grows taller.
 */
import { useMemo, useRef, useState, type PointerEvent } from 'react';
import { stepToEpochBatch } from '../../../../shared/telemetry/telemetryRecorder';
import { viridis, rgbCss } from './colorScale';
import type { Ridge, Ridges } from './histogramRidges';
import { stepLabel } from './stepAxis';
import { useElementWidth } from './useElementWidth';

interface HistogramRidgelineProps {
  readonly ridges: Ridges;
  readonly batchesPerEpoch: number;
  /** What the values are, for the read-out ("weights of dense_1"). */
  readonly subject: string;
}

const LABEL_WIDTH = 58;
const RIDGE_GAP = 13;
/** A full-height ridge spans this many gaps, so neighbours overlap like a joyplot. */
const OVERLAP = 2.6;
const TOP = RIDGE_GAP * OVERLAP + 2;
const AXIS = 30;

/** Short value for an axis: 3 significant digits, exponent form when tiny or huge. */
export function formatAxisValue(value: number): string {
  if (value === 0) return '0';
  const a = Math.abs(value);
  return a >= 1e4 || a < 1e-3 ? value.toExponential(1) : Number(value.toPrecision(3)).toString();
}

/** Mean of a histogram's values, from its bin centres. */
function histogramMean(min: number, max: number, counts: readonly number[]): number {
  const width = (max - min) / counts.length;
  let total = 0;
  let weighted = 0;
  counts.forEach((c, i) => {
    total += c;
    weighted += c * (min + (i + 0.5) * width);
  });
  return total > 0 ? weighted / total : min;
}

function readout(subject: string, ridge: Ridge | undefined, batchesPerEpoch: number, count: number): string {
  if (!ridge) return `${subject}: ${count} snapshots, oldest at the top. Hover one for its range.`;
  const when = `${subject} at ${stepLabel(ridge.step, batchesPerEpoch)}`;
  const h = ridge.source;
  if (!h) return `${when}: no histogram`;
  return `${when}: ${formatAxisValue(h.min)} … ${formatAxisValue(h.max)}, mean ≈ ${formatAxisValue(histogramMean(h.min, h.max, h.counts))}`;
}

export function HistogramRidgeline({ ridges, batchesPerEpoch, subject }: HistogramRidgelineProps) {
  const box = useRef<HTMLDivElement>(null);
  const width = Math.max(200, useElementWidth(box, 280));
  const [hover, setHover] = useState<number>();
  const shown = ridges.ridges;
  const plotWidth = width - LABEL_WIDTH - 8;
  const height = TOP + RIDGE_GAP * Math.max(0, shown.length - 1) + AXIS;
  const x = (v: number) => LABEL_WIDTH + ((v - ridges.min) / (ridges.max - ridges.min)) * plotWidth;
  const baseline = (i: number) => TOP + i * RIDGE_GAP;

  const paths = useMemo(
    () =>
      shown.map((ridge, i) => {
        if (!ridge.counts) return undefined;
        const bins = ridge.counts.length;
        const y0 = baseline(i);
        const scale = (RIDGE_GAP * OVERLAP) / (ridges.peak || 1);
        let d = `M${LABEL_WIDTH},${y0.toFixed(1)}`;
        ridge.counts.forEach((c, b) => {
          const left = LABEL_WIDTH + (b / bins) * plotWidth;
          const right = LABEL_WIDTH + ((b + 1) / bins) * plotWidth;
          const y = y0 - c * scale;
          d += `L${left.toFixed(1)},${y.toFixed(1)}L${right.toFixed(1)},${y.toFixed(1)}`;
        });
        return `${d}L${LABEL_WIDTH + plotWidth},${y0.toFixed(1)}Z`;
      }),
    [shown, ridges.peak, plotWidth],
  );

  // Epoch labels on the left, one per epoch, no closer than two ridges.
  const labelled = new Set<number>();
  let lastEpoch = -1;
  let lastIndex = -Infinity;
  shown.forEach((ridge, i) => {
    const { epoch } = stepToEpochBatch(ridge.step, batchesPerEpoch);
    if (epoch !== lastEpoch && i - lastIndex >= 2) {
      labelled.add(i);
      lastEpoch = epoch;
      lastIndex = i;
    }
  });

  // 0 when it lies inside the range and clear of the end labels.
  const zeroFits = ridges.min < 0 && ridges.max > 0 && x(0) - x(ridges.min) > 44 && x(ridges.max) - x(0) > 44;
  const ticks = [ridges.min, ...(zeroFits ? [0] : []), ridges.max];
  const pick = (event: PointerEvent<SVGSVGElement>) => {
    const rect = event.currentTarget.getBoundingClientRect();
    const y = event.clientY - rect.top;
    const i = Math.round((y - TOP) / RIDGE_GAP + 0.35);
    setHover(Math.max(0, Math.min(shown.length - 1, i)));
  };
  const hovered = hover !== undefined ? shown[hover] : undefined;

  return (
    <div className="nb-ridges" ref={box} data-ridges={shown.length} data-min={ridges.min} data-max={ridges.max}>
      <svg width={width} height={height} role="img" aria-label="Histograms over time" onPointerMove={pick} onPointerLeave={() => setHover(undefined)}>
        {ticks.map((t) => (
          <line key={`g${t}`} className="nb-ridges-grid" x1={x(t)} x2={x(t)} y1={4} y2={height - AXIS + 4} />
        ))}
        {shown.map((ridge, i) => {
          const d = paths[i];
          const color = viridis(0.1 + (0.75 * i) / Math.max(1, shown.length - 1));
          return (
            <g key={ridge.step} className="nb-ridge" data-step={ridge.step} data-hovered={hover === i ? 'true' : undefined}>
              {d ? <path d={d} fill={rgbCss(color)} fillOpacity={hover === i ? 0.95 : 0.7} stroke="var(--nb-ridge-stroke, #fff)" strokeWidth={1} /> : null}
              {!d ? <line className="nb-ridges-missing" x1={LABEL_WIDTH} x2={LABEL_WIDTH + plotWidth} y1={baseline(i)} y2={baseline(i)} /> : null}
              {labelled.has(i) ? (
                <text className="nb-ridges-label" x={LABEL_WIDTH - 6} y={baseline(i)} textAnchor="end">
                  epoch {stepToEpochBatch(ridge.step, batchesPerEpoch).epoch}
                </text>
              ) : null}
              <title>{stepLabel(ridge.step, batchesPerEpoch)}</title>
            </g>
          );
        })}
        {ticks.map((t, i) => (
          <text key={`t${t}`} className="nb-ridges-tick" x={x(t)} y={height - AXIS + 18} textAnchor={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}>
            {formatAxisValue(t)}
          </text>
        ))}
      </svg>
      <p className="nb-ridges-readout nb-muted" role="status">
        {readout(subject, hovered, batchesPerEpoch, shown.length)}
      </p>
    </div>
  );
}
