/**
 * The "Inside" view beside the loss and accuracy charts: a heatmap of a per-layer signal over training time (gradient
 * flow by default) and each layer's weight / activation histograms over time, for the run useShownTelemetry picks (the
 * live run, a reviewed run, else the newest with telemetry). Below them, the signal-propagation and loss-landscape
 * views when this build has them.
 */
import { useMemo, type ComponentType } from 'react';
import type { LabApi } from '../../../../shared/contracts/api';
import type { RunTelemetry } from '../../../../shared/contracts/telemetry';
import type { GraphDocument } from '../../../../shared/document/model';
import { getLabApi } from '../../api/getLabApi';
import { useDocumentStore } from '../../store/documentStore';
import { useTrainingRun, type LiveRun } from '../../training/trainingRunStore';
import { useShownTelemetry, type ShownTelemetry } from '../insightStore';
import { linearScale, logScale } from './colorScale';
import { GradientHeatmap } from './GradientHeatmap';
import { availableSignals, depthOrder, HEATMAP_SIGNAL_INFO, heatmapRows, rowValues, type HeatmapSignal } from './heatmapModel';
import { histogramNodes, mostChangedNode, nodeRidges, type HistogramKind } from './histogramRidges';
import { HistogramRidgeline } from './HistogramRidgeline';
import { setHeatmapSignal, setHistogramKind, setHistogramNode, setWideInsight, useInsightPanel } from './insightPanelStore';
import { RunPicker, runChoices, type RunChoice } from './RunPicker';
import './insightPanel.css';

type ViewModule = Record<string, ComponentType<{ api: LabApi }> | undefined>;
// Views built beside this one; each section renders only when its file is in the build.
const signalModule = Object.values(import.meta.glob<ViewModule>('../signal/SignalView.tsx', { eager: true }))[0];
const landscapeModule = Object.values(import.meta.glob<ViewModule>('../landscape/LandscapeView.tsx', { eager: true }))[0];
const SignalView = signalModule?.SignalView ?? signalModule?.default;
const LandscapeView = landscapeModule?.LandscapeView ?? landscapeModule?.default;

export const EMPTY_INSIGHT_MESSAGE = 'Train the graph to see inside it — telemetry is on by default; the interval is in training settings.';

/** What the panel says when no run has telemetry to show. */
export function emptyMessage(live: LiveRun | undefined, telemetryEvery: number | undefined): string {
  const active = live?.status === 'starting' || live?.status === 'running' || live?.status === 'paused';
  if (active && live?.config.telemetryEvery === 0) return 'This run trains without telemetry: it is off in the training settings.';
  if (active) return 'Waiting for the first measurements from the trainer…';
  if (telemetryEvery === 0) return 'Telemetry is off in the training settings: set it to auto, then train the graph to see inside it.';
  return EMPTY_INSIGHT_MESSAGE;
}

/** The panel's view choices (insightPanelStore), passed down so the views render from props alone. */
export interface InsightViewState {
  readonly wide: boolean;
  readonly signal: HeatmapSignal;
  readonly histogramKind: HistogramKind;
  readonly histogramNode?: string;
}

export function InsightPanel() {
  const shown = useShownTelemetry();
  const runs = useDocumentStore((s) => s.runs);
  const document = useDocumentStore((s) => s.document);
  const telemetryEvery = useDocumentStore((s) => s.training?.telemetryEvery);
  const live = useTrainingRun((s) => s.run);
  const wide = useInsightPanel((s) => s.wide);
  const signal = useInsightPanel((s) => s.signal);
  const histogramKind = useInsightPanel((s) => s.histogramKind);
  const histogramNode = useInsightPanel((s) => s.histogramNode);
  const choices = useMemo(() => runChoices(runs, live, shown), [runs, live, shown]);
  return (
    <InsightView
      shown={shown}
      choices={choices}
      graph={shown?.graph ?? document}
      empty={emptyMessage(live, telemetryEvery)}
      view={{ wide, signal, histogramKind, ...(histogramNode !== undefined ? { histogramNode } : {}) }}
      api={getLabApi()}
    />
  );
}

interface InsightViewProps {
  readonly shown: ShownTelemetry | undefined;
  readonly choices: readonly RunChoice[];
  /** The graph the shown run trained (its snapshot when known, else the open document): labels and depth order. */
  readonly graph: GraphDocument;
  readonly empty: string;
  readonly view: InsightViewState;
  /** For the signal-propagation and loss-landscape views, which ask the host; without it they are left out. */
  readonly api?: LabApi;
}

export function InsightView({ shown, choices, graph, empty, view, api }: InsightViewProps) {
  return (
    <div className="nb-insight" aria-label="Inside the network" data-wide={view.wide ? 'true' : 'false'} data-run={shown?.runId ?? ''}>
      <div className="nb-insight-header">
        {shown ? <RunPicker choices={choices} shown={shown} /> : <span />}
        <button
          type="button"
          className="nb-small"
          aria-pressed={view.wide}
          title={view.wide ? 'Give the canvas its width back' : 'Widen the side panel for a larger heatmap'}
          onClick={() => setWideInsight(!view.wide)}
        >
          {view.wide ? 'Narrower' : 'Wider'}
        </button>
      </div>
      {shown ? (
        <TelemetryViews telemetry={shown.telemetry} graph={graph} view={view} />
      ) : (
        <p className="nb-insight-empty" data-testid="insight-empty">
          {empty}
        </p>
      )}
      {SignalView && api ? (
        <div className="nb-insight-section" data-section="signal">
          <h4>Signal propagation at init</h4>
          <SignalView api={api} />
        </div>
      ) : null}
      {LandscapeView && api ? (
        <div className="nb-insight-section" data-section="landscape">
          <h4>Loss landscape</h4>
          <LandscapeView api={api} />
        </div>
      ) : null}
    </div>
  );
}

interface SectionProps {
  readonly telemetry: RunTelemetry;
  readonly graph: GraphDocument;
  readonly view: InsightViewState;
}

function TelemetryViews({ telemetry, graph, view }: SectionProps) {
  const order = useMemo(() => depthOrder(graph), [graph]);
  return (
    <>
      <HeatmapSection telemetry={telemetry} graph={graph} order={order} view={view} />
      <HistogramSection telemetry={telemetry} graph={graph} order={order} view={view} />
    </>
  );
}

function HeatmapSection({ telemetry, graph, order, view }: SectionProps & { readonly order: readonly string[] }) {
  const chosen = view.signal;
  const signals = useMemo(() => availableSignals(telemetry), [telemetry]);
  const signal: HeatmapSignal | undefined = signals.includes(chosen) ? chosen : signals[0];
  const rows = useMemo(() => (signal ? heatmapRows(telemetry, signal, graph, [...order]) : []), [telemetry, signal, graph, order]);
  const scale = useMemo(
    () => (signal && HEATMAP_SIGNAL_INFO[signal].scale === 'linear' ? linearScale(0, 1, (v) => `${Math.round(v * 100)}%`) : logScale(rowValues(rows))),
    [signal, rows],
  );
  return (
    <section className="nb-insight-section nb-insight-heatmap" aria-label="Layers over time">
      <div className="nb-insight-title">
        <h4>{signal === 'gradNorm' ? 'Gradient flow' : 'Layers over time'}</h4>
        {signals.length > 1 ? (
          <select aria-label="Heatmap signal" value={signal} onChange={(e) => setHeatmapSignal(e.target.value as HeatmapSignal)}>
            {signals.map((s) => (
              <option key={s} value={s}>
                {HEATMAP_SIGNAL_INFO[s].label}
              </option>
            ))}
          </select>
        ) : null}
      </div>
      {signal ? (
        <>
          <p className="nb-insight-help nb-muted">{HEATMAP_SIGNAL_INFO[signal].help}</p>
          <GradientHeatmap rows={rows} steps={telemetry.steps} batchesPerEpoch={telemetry.batchesPerEpoch} signal={signal} scale={scale} />
        </>
      ) : (
        <p className="nb-muted">No layer has reported a signal yet.</p>
      )}
    </section>
  );
}

const KIND_LABELS: Readonly<Record<HistogramKind, string>> = { weights: 'Weights', activations: 'Activations' };

function HistogramSection({ telemetry, graph, order, view }: SectionProps & { readonly order: readonly string[] }) {
  const kind = view.histogramKind;
  const picked = view.histogramNode;
  const nodes = useMemo(() => histogramNodes(telemetry, kind, order), [telemetry, kind, order]);
  const auto = useMemo(() => mostChangedNode(telemetry, kind, order), [telemetry, kind, order]);
  const nodeId = picked !== undefined && nodes.includes(picked) ? picked : auto;
  const ridges = useMemo(() => (nodeId ? nodeRidges(telemetry, nodeId, kind) : undefined), [telemetry, nodeId, kind]);
  const types = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n.type])), [graph]);
  const label = (id: string) => (types.get(id) ? `${id} · ${types.get(id)}` : id);

  return (
    <section className="nb-insight-section nb-insight-histograms" aria-label="Histograms">
      <div className="nb-insight-title">
        <h4>Histograms</h4>
        <div className="nb-segmented" role="group" aria-label="Histogram values">
          {(['weights', 'activations'] as const).map((k) => (
            <button key={k} type="button" className="nb-small" aria-pressed={kind === k} onClick={() => setHistogramKind(k)}>
              {KIND_LABELS[k]}
            </button>
          ))}
        </div>
      </div>
      {nodes.length > 0 ? (
        <label className="nb-inline nb-insight-layer">
          <span>Layer</span>
          <select aria-label="Histogram layer" value={nodeId} title={nodeId ? `${label(nodeId)}${nodeId === auto ? ' (changed most)' : ''}` : undefined} onChange={(e) => setHistogramNode(e.target.value === auto ? undefined : e.target.value)}>
            {nodes.map((id) => (
              <option key={id} value={id}>
                {label(id)}
                {id === auto ? ' (changed most)' : ''}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {ridges && nodeId ? (
        <HistogramRidgeline ridges={ridges} batchesPerEpoch={telemetry.batchesPerEpoch} subject={`${KIND_LABELS[kind]} of ${nodeId}`} />
      ) : (
        <p className="nb-muted">{kind === 'weights' ? 'No weight histograms in this run yet.' : 'No activation histograms in this run yet.'}</p>
      )}
    </section>
  );
}
