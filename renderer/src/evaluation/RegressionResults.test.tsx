import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { predictionSample, regressionMetrics } from '../../../shared/evaluation';
import type { RegressionResult } from './evaluationApi';
import { RegressionResults, summaryScores } from './RegressionResults';

function result(outputCount: number): RegressionResult {
  const targets = Array.from({ length: 12 * outputCount }, (_, i) => (i % 7) / 7);
  const predictions = targets.map((t, i) => t + (i % 3 === 0 ? 0.1 : -0.05));
  return {
    task: 'regression',
    runId: 'run-3',
    datasetId: 'mnist',
    inputShape: [outputCount],
    metrics: regressionMetrics(targets, predictions, { outputCount }),
    targets: 'input',
    scatter: predictionSample(targets, predictions, { outputCount, output: outputCount === 1 ? 0 : null, maxPoints: 2000 }),
  };
}

const count = (html: string, pattern: RegExp) => html.match(pattern)?.length ?? 0;

describe('RegressionResults', () => {
  it('shows MAE, RMSE, R² and the sample count, a labelled scatter with every pair and the diagonal, and a residual histogram', () => {
    const r = result(1);
    const html = renderToStaticMarkup(<RegressionResults result={r} />);
    expect(html).toContain(`data-testid="regression-mae" data-value="${r.metrics.average.meanAbsoluteError}"`);
    expect(html).toContain('data-testid="regression-samples">12<');
    expect(html).toContain('aria-label="Predicted against true"');
    expect(html).toContain('data-points="12"');
    expect(count(html, /<circle /g)).toBe(12);
    expect(count(html, /class="nb-plot-diagonal"/g)).toBe(1);
    expect(html).toContain('aria-label="Residual histogram"');
    expect(count(html, /class="nb-histogram-bar"/g)).toBe(r.metrics.residualHistogram.counts.length);
    expect(count(html, /class="nb-plot-zero"/g)).toBe(1);
    expect(html).toContain('rebuilds its input');
    expect(html).not.toContain('Per-output scores');
  });

  it('lists a few outputs one by one and averages many (targets other than the input)', () => {
    const { targets: _input, ...threeTargets } = result(3);
    const few = renderToStaticMarkup(<RegressionResults result={threeTargets} />);
    expect(few).toContain('aria-label="Per-output scores"');
    expect(count(few, /<tr>/g)).toBe(4);
    expect(few).toContain('3, averaged');
    const { targets: _none, ...csvLike } = result(20);
    const many = renderToStaticMarkup(<RegressionResults result={csvLike} />);
    expect(many).not.toContain('Per-output scores');
    expect(many).toContain('mean of 20');
    expect(many).toContain('every output pooled');
  });

  it('scores a reconstruction pooled over its outputs, others by the mean over outputs', () => {
    const rebuilt = result(20);
    expect(summaryScores(rebuilt).scores).toEqual(rebuilt.metrics.pooled);
    expect(summaryScores(rebuilt).outputs).toMatch(/^20, pooled \(mean R² per output -?\d\.\d{3}\)$/);
    const { targets: _none, ...other } = rebuilt;
    expect(summaryScores(other).scores).toEqual(rebuilt.metrics.average);
    expect(summaryScores(result(1)).scores).toEqual(result(1).metrics.average);
  });
});
