import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { LabApi } from '../../../../shared/contracts/api';
import { DEFAULT_TRAINING_CONFIG } from '../../../../shared/format/trainingConfig';
import type { RunSummary } from '../../../../shared/format/runSummary';
import type { LiveRun } from '../../training/trainingRunStore';
import type { ShownTelemetry } from '../insightStore';
import { ChartViews } from './ChartsOrInside';
import { EMPTY_INSIGHT_MESSAGE, emptyMessage, InsightView, type InsightViewState } from './InsightPanel';
import { runChoices } from './RunPicker';
import { chainGraph, runWithTelemetry, syntheticTelemetry } from './telemetryFixture.testing';

const graph = chainGraph(5);
const telemetry = syntheticTelemetry(graph, { batchesPerEpoch: 30, epochs: 4, every: 3, histogramEvery: 5 });
const defaults: InsightViewState = { wide: false, signal: 'gradNorm', histogramKind: 'weights' };

function shownOf(run: RunSummary, live = false): ShownTelemetry {
  return { runId: run.id, telemetry: run.telemetry!, live, config: run.config };
}

function render(runs: readonly RunSummary[], shown: ShownTelemetry | undefined, view: Partial<InsightViewState> = {}, liveRun?: LiveRun): string {
  return renderToStaticMarkup(
    <InsightView shown={shown} choices={runChoices(runs, liveRun, shown)} graph={graph} empty={emptyMessage(liveRun, undefined)} view={{ ...defaults, ...view }} />,
  );
}

const attributes = (html: string, name: string) => [...html.matchAll(new RegExp(`${name}="([^"]*)"`, 'g'))].map((m) => m[1]);

function liveRun(patch: Partial<LiveRun>): LiveRun {
  return {
    status: 'running',
    config: DEFAULT_TRAINING_CONFIG,
    graph,
    startedAt: '2026-12-01T10:00:00.000Z',
    epoch: 1,
    batch: 1,
    batchesPerEpoch: 30,
    samplesPerSec: 0,
    batches: [],
    epochs: [],
    ...patch,
  };
}

describe('InsightPanel', () => {
  it('tells the user how to get telemetry when no run has any, and why when it is off', () => {
    const html = render([runWithTelemetry('r1', 3, undefined)], undefined);
    expect(html).toContain(EMPTY_INSIGHT_MESSAGE);
    expect(html).not.toContain('Layer heatmap');
    expect(emptyMessage(undefined, 0)).toMatch(/^Telemetry is off in the training settings/);
    expect(emptyMessage(liveRun({}), undefined)).toMatch(/^Waiting for the first measurements/);
    expect(emptyMessage(liveRun({ config: { ...DEFAULT_TRAINING_CONFIG, telemetryEvery: 0 } }), undefined)).toMatch(/without telemetry/);
    expect(emptyMessage(liveRun({ status: 'completed' }), 5)).toBe(EMPTY_INSIGHT_MESSAGE);
  });

  it('draws a run: heatmap rows in depth order for every recorded step, a decade legend, and histograms', () => {
    const run = runWithTelemetry('r1', 4, telemetry);
    const html = render([run], shownOf(run));
    expect(html).toContain('data-run="r1"');
    expect(html).toContain(`data-rows="6" data-columns="${telemetry.steps.length}" data-signal="gradNorm"`);
    const labels = html.slice(html.indexOf('aria-label="Layers, input to output"'));
    expect(attributes(labels, 'data-node').slice(0, 6)).toEqual(['dense_1', 'dense_2', 'dense_3', 'dense_4', 'dense_5', 'out']);
    expect(html).toContain('Gradient flow');
    expect(html).toContain('aria-label="Layer heatmap legend"');
    expect(html).toContain('>10⁻⁴<');
    expect(html).toContain(`data-ridges="${telemetry.histogramSteps!.length}"`);
    expect(html).toContain('(changed most)');
    // One run: a line names it, no picker.
    expect(html).not.toContain('aria-label="Run shown"');
    expect(html).toContain('Run 1 · completed · 4 ep');
  });

  it('names a run stopped inside its first epoch by what happened, not "0 ep"', () => {
    const run = { ...runWithTelemetry('r1', 4, telemetry), status: 'stopped' as const, epochs: [] };
    expect(runChoices([run], undefined, undefined)[0]!.label).toMatch(/^Run 1 · stopped in epoch 1 \(no epoch completed\)/);
  });

  it('switches the heatmap signal and the histogram values, and offers only signals the run has', () => {
    const run = runWithTelemetry('r1', 4, telemetry);
    const html = render([run], shownOf(run), { signal: 'deadFraction', histogramKind: 'activations' });
    expect(html).toContain('data-signal="deadFraction"');
    expect(html).toContain('<option value="deadFraction" selected="">Dead units</option>');
    expect(html).not.toContain('value="saturatedFraction"');
    expect(html).toContain('100%');
    expect(html).toContain('Activations of ');
    expect(render([run], shownOf(run), { signal: 'saturatedFraction' })).toContain('data-signal="gradNorm"');
  });

  it('picks the histogram node asked for, else the one that changed most', () => {
    const run = runWithTelemetry('r1', 4, telemetry);
    expect(render([run], shownOf(run), { histogramNode: 'dense_2' })).toContain('<option value="dense_2" selected="">dense_2 · Dense');
    expect(render([run], shownOf(run), { histogramNode: 'gone' })).toMatch(/selected="">[^<]*\(changed most\)/);
  });

  it('offers a run picker over the runs with telemetry, the live run last and marked live', () => {
    const older = runWithTelemetry('r1', 2, syntheticTelemetry(graph, { batchesPerEpoch: 30, epochs: 2, every: 3 }));
    const runs = [older, runWithTelemetry('r2', 1, undefined), runWithTelemetry('r3', 4, telemetry)];
    let html = render(runs, shownOf(older));
    expect(html).toContain('aria-label="Run shown"');
    expect(attributes(html.slice(html.indexOf('Run shown')), 'option value').slice(0, 2)).toEqual(['r1', 'r3']);
    expect(html).toContain('data-run="r1"');
    expect(html).toContain(`data-columns="${older.telemetry!.steps.length}"`);
    const live = liveRun({ runId: 'r4', telemetry });
    html = render(runs, { runId: 'r4', telemetry, live: true, config: DEFAULT_TRAINING_CONFIG, graph }, {}, live);
    expect(html).toContain('<option value="r4" selected="">Run 4 · live</option>');
    expect(html).toContain('data-live="true"');
  });
});

describe('InsightPanel hosts the signal-propagation and loss-landscape views', () => {
  it('renders each under its heading when the host API is given, and leaves them out without it', () => {
    const api = {} as LabApi;
    const html = renderToStaticMarkup(<InsightView shown={undefined} choices={[]} graph={graph} empty="" view={defaults} api={api} />);
    expect(html).toMatch(/data-section="signal"><h4>Signal propagation at init<\/h4><section/);
    expect(html).toMatch(/data-section="landscape"><h4>Loss landscape<\/h4><section/);
    expect(render([], undefined)).not.toContain('data-section=');
  });
});

describe('ChartViews', () => {
  it('shows the charts by default and the Insight panel on the Inside tab, with tabs named for both', () => {
    let html = renderToStaticMarkup(<ChartViews view="charts" charts={<p>the charts</p>} inside={<p>inside</p>} />);
    expect(html).toContain('the charts');
    expect(html).toMatch(/aria-selected="true"[^>]*data-view="charts">Charts</);
    html = renderToStaticMarkup(<ChartViews view="inside" charts={<p>the charts</p>} inside={<p>inside</p>} />);
    expect(html).not.toContain('the charts');
    expect(html).toMatch(/aria-selected="true"[^>]*data-view="inside">Inside</);
  });
});
