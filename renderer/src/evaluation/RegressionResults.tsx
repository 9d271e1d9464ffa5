/**
 * A regression run's evaluation: MAE, RMSE and R² in the target's own units, predicted against true on one scale
 * (points on the y = x diagonal are right), and the residuals y − ŷ as a histogram around zero.
 */
import type { Histogram, PredictionSample, RegressionScores } from '../../../shared/evaluation';
import type { RegressionResult } from './evaluationApi';
import { formatValue, histogramGeometry, scatterGeometry, type PlotBox, type Tick } from './regressionPlots';

/** Up to this many outputs are scored one by one; more (the pixels of an image) are averaged. */
export const MAX_OUTPUTS_LISTED = 8;

const SCATTER_BOX: PlotBox = { width: 360, height: 340, left: 46, right: 10, top: 10, bottom: 38 };
const HISTOGRAM_BOX: PlotBox = { width: 400, height: 260, left: 46, right: 10, top: 10, bottom: 38 };

function targetUnits(result: RegressionResult): string {
  return result.targets === 'input' ? 'the input’s values' : 'the target’s units';
}

/**
 * The scores the summary shows: of the only output; pooled over every output of a reconstruction (they share the
 * input's units, and a nearly constant pixel's own R² is meaningless); else the mean over outputs.
 */
export function summaryScores(result: RegressionResult): { scores: RegressionScores; outputs: string } {
  const { metrics } = result;
  const n = metrics.outputCount;
  if (n === 1) return { scores: metrics.average, outputs: '1' };
  if (result.targets === 'input' && metrics.pooled) {
    return { scores: metrics.pooled, outputs: `${n}, pooled (mean R² per output ${metrics.average.r2.toFixed(3)})` };
  }
  return { scores: metrics.average, outputs: n <= MAX_OUTPUTS_LISTED ? `${n}, averaged` : `mean of ${n}` };
}

function Summary({ scores, sampleCount, outputs }: { scores: RegressionScores; sampleCount: number; outputs: string }) {
  const { meanAbsoluteError, rootMeanSquaredError, r2 } = scores;
  const cards = [
    ['MAE', 'regression-mae', meanAbsoluteError, formatValue(meanAbsoluteError)],
    ['RMSE', 'regression-rmse', rootMeanSquaredError, formatValue(rootMeanSquaredError)],
    ['R²', 'regression-r2', r2, r2.toFixed(3)],
  ] as const;
  return (
    <dl className="nb-eval-summary" aria-label="Overall results">
      {cards.map(([term, testId, value, text]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd data-testid={testId} data-value={value}>
            {text}
          </dd>
        </div>
      ))}
      <div>
        <dt>test samples</dt>
        <dd data-testid="regression-samples">{sampleCount}</dd>
      </div>
      <div className="nb-eval-summary-note">
        <dt>outputs</dt>
        <dd data-testid="regression-outputs">{outputs}</dd>
      </div>
    </dl>
  );
}

function PerOutputTable({ metrics }: { metrics: RegressionResult['metrics'] }) {
  return (
    <table className="nb-per-class" aria-label="Per-output scores">
      <thead>
        <tr>
          <th scope="col">output</th>
          <th scope="col">MAE</th>
          <th scope="col">RMSE</th>
          <th scope="col">R²</th>
        </tr>
      </thead>
      <tbody>
        {metrics.perOutput.map((s, d) => (
          <tr key={d}>
            <th scope="row">{d + 1}</th>
            <td>{formatValue(s.meanAbsoluteError)}</td>
            <td>{formatValue(s.rootMeanSquaredError)}</td>
            <td>{s.r2.toFixed(3)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PredictedVsTrue({ sample, units }: { sample: PredictionSample; units: string }) {
  const g = scatterGeometry(sample, SCATTER_BOX);
  const { width, height, left, bottom, top, right } = SCATTER_BOX;
  const shown = sample.trueValues.length;
  const pooled = sample.output === null ? 'every output pooled' : `output ${sample.output + 1}`;
  return (
    <figure className="nb-regression-plot" aria-label="Predicted against true">
      <svg
        width={width}
        height={height}
        role="img"
        data-points={shown}
        aria-label={`Predicted against true value for ${shown} of ${sample.available} pairs (${pooled}), both axes in ${units} from ${g.domain[0]} to ${g.domain[1]}; the diagonal is a perfect prediction`}
      >
        <rect className="nb-plot-frame" x={left} y={top} width={width - left - right} height={height - top - bottom} />
        {g.xTicks.map((t) => (
          <g key={`x${t.value}`} className="nb-plot-tick">
            <line className="nb-plot-grid" x1={t.at} x2={t.at} y1={top} y2={height - bottom} />
            <text x={t.at} y={height - bottom + 14} textAnchor="middle">
              {t.label}
            </text>
          </g>
        ))}
        <YGrid ticks={g.yTicks} box={SCATTER_BOX} />
        <g className="nb-scatter-points">
          {g.points.map((p, i) => (
            <circle key={i} cx={p.cx} cy={p.cy} r={2} />
          ))}
        </g>
        <line className="nb-plot-diagonal" {...g.diagonal} />
        <AxisTitles box={SCATTER_BOX} x="true value" y="predicted" />
      </svg>
      <figcaption>
        {shown === sample.available ? `all ${shown} pairs` : `${shown} of ${sample.available} pairs, spread evenly`} · {pooled} · dashed: y = x
      </figcaption>
    </figure>
  );
}

/** Horizontal grid lines with their value labels on the left, shared by both plots. */
function YGrid({ ticks, box }: { ticks: readonly Tick[]; box: PlotBox }) {
  const { left, right, width } = box;
  return (
    <>
      {ticks.map((t) => (
        <g key={`y${t.value}`} className="nb-plot-tick">
          <line className="nb-plot-grid" x1={left} x2={width - right} y1={t.at} y2={t.at} />
          <text x={left - 5} y={t.at + 3} textAnchor="end">
            {t.label}
          </text>
        </g>
      ))}
    </>
  );
}

/** The x title under the plot and the y title turned along its left edge. */
function AxisTitles({ box, x, y }: { box: PlotBox; x: string; y: string }) {
  const { left, right, top, bottom, width, height } = box;
  return (
    <>
      <text className="nb-plot-axis" x={left + (width - left - right) / 2} y={height - 4} textAnchor="middle">
        {x}
      </text>
      <text className="nb-plot-axis" transform={`translate(11 ${top + (height - top - bottom) / 2}) rotate(-90)`} textAnchor="middle">
        {y}
      </text>
    </>
  );
}

export function ResidualHistogram({ histogram, units }: { histogram: Histogram; units: string }) {
  const g = histogramGeometry(histogram, HISTOGRAM_BOX);
  const { width, height, left, bottom, top, right } = HISTOGRAM_BOX;
  const total = histogram.counts.reduce((a, b) => a + b, 0);
  return (
    <figure className="nb-regression-plot" aria-label="Residual histogram">
      <svg width={width} height={height} role="img" data-bins={histogram.counts.length} aria-label={`Residuals, true minus predicted, in ${units}: ${total} values in ${histogram.counts.length} bins`}>
        <YGrid ticks={g.yTicks} box={HISTOGRAM_BOX} />
        {g.bars.map((bar) => (
          <rect key={bar.lower} className="nb-histogram-bar" x={bar.x + 0.5} y={bar.y} width={Math.max(0.5, bar.width - 1)} height={bar.height}>
            <title>{`${formatValue(bar.lower)} to ${formatValue(bar.upper)}: ${bar.count}`}</title>
          </rect>
        ))}
        <line className="nb-plot-zero" x1={g.zeroX} x2={g.zeroX} y1={top} y2={height - bottom} />
        <line className="nb-plot-baseline" x1={left} x2={width - right} y1={height - bottom} y2={height - bottom} />
        {g.xTicks.map((t) => (
          <text key={`x${t.value}`} className="nb-plot-tick" x={t.at} y={height - bottom + 14} textAnchor="middle">
            {t.label}
          </text>
        ))}
        <AxisTitles box={HISTOGRAM_BOX} x="residual (true − predicted)" y="count" />
      </svg>
      <figcaption>
        {total} residuals · solid line: zero{histogram.skipped > 0 ? ` · ${histogram.skipped} not finite, left out` : ''}
      </figcaption>
    </figure>
  );
}

export function RegressionResults({ result }: { result: RegressionResult }) {
  const { metrics } = result;
  const units = targetUnits(result);
  const listed = metrics.outputCount > 1 && metrics.outputCount <= MAX_OUTPUTS_LISTED;
  const { scores, outputs } = summaryScores(result);
  return (
    <>
      <Summary scores={scores} sampleCount={metrics.sampleCount} outputs={outputs} />
      <p className="nb-muted nb-regression-units">
        MAE and RMSE in {units}
        {result.targets === 'input' ? ' — this model rebuilds its input, so its targets are the input itself' : ''}.
      </p>
      <div className="nb-regression-grid">
        <section className="nb-card">
          <h3>Predicted vs true</h3>
          {result.scatter && result.scatter.trueValues.length > 0 ? (
            <PredictedVsTrue sample={result.scatter} units={units} />
          ) : (
            <p className="nb-muted">No pairs to plot.</p>
          )}
        </section>
        <section className="nb-card">
          <h3>Residuals</h3>
          <ResidualHistogram histogram={metrics.residualHistogram} units={units} />
        </section>
        {listed ? (
          <section className="nb-card">
            <h3>Per output</h3>
            <PerOutputTable metrics={metrics} />
          </section>
        ) : null}
      </div>
    </>
  );
}
