/**
 * Reliability diagram: for each confidence bin, a bar as tall as the accuracy there, against the diagonal a
 * calibrated model would follow; the gap to the diagonal is shaded. ECE sums the gaps weighted by bin size.
 */
import type { Calibration } from '../../../shared/evaluation';
import { reliabilityBars } from './reliabilityBars';

const SIZE = 220;
const PAD = { left: 30, bottom: 24, top: 8, right: 8 };

export function ReliabilityDiagram({ calibration }: { calibration: Calibration }) {
  const bars = reliabilityBars(calibration);
  const w = SIZE - PAD.left - PAD.right;
  const h = SIZE - PAD.top - PAD.bottom;
  const x = (v: number) => PAD.left + v * w;
  const y = (v: number) => PAD.top + (1 - v) * h;
  return (
    <figure className="nb-reliability" aria-label="Reliability diagram">
      <svg width={SIZE} height={SIZE} role="img" aria-label={`Accuracy per confidence bin; expected calibration error ${(calibration.expectedCalibrationError * 100).toFixed(1)}%`}>
        <rect x={x(0)} y={y(1)} width={w} height={h} className="nb-reliability-frame" />
        {bars.map((bar) => (
          <g key={bar.lower}>
            <rect className="nb-reliability-bar" x={x(bar.lower) + 1} y={y(bar.accuracy)} width={x(bar.upper) - x(bar.lower) - 2} height={y(0) - y(bar.accuracy)}>
              <title>{`confidence ${Math.round(bar.lower * 100)}–${Math.round(bar.upper * 100)}%: ${bar.count} samples, ${(bar.accuracy * 100).toFixed(1)}% right (mean confidence ${(bar.meanConfidence * 100).toFixed(1)}%)`}</title>
            </rect>
            <rect
              className="nb-reliability-gap"
              x={x(bar.lower) + 1}
              y={y(Math.max(bar.accuracy, bar.meanConfidence))}
              width={x(bar.upper) - x(bar.lower) - 2}
              height={Math.abs(y(bar.accuracy) - y(bar.meanConfidence))}
            />
          </g>
        ))}
        <line className="nb-reliability-diagonal" x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} />
        {[0, 0.5, 1].map((v) => (
          <g key={v} className="nb-reliability-tick">
            <text x={x(v)} y={SIZE - 8} textAnchor="middle">
              {v}
            </text>
            <text x={PAD.left - 4} y={y(v) + 4} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
      </svg>
      <figcaption>
        bars: accuracy per confidence bin · outlined: gap to the diagonal · ECE <strong data-testid="ece">{(calibration.expectedCalibrationError * 100).toFixed(1)}%</strong> · MCE{' '}
        {(calibration.maximumCalibrationError * 100).toFixed(1)}%
      </figcaption>
    </figure>
  );
}
