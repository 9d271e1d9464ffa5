/**
 * The canvas corner of "see inside the network": the overlay switch, the colour legend, and the "N warnings" chip
 * with the list of telemetry warnings. It also computes the overlay and the warnings — once per telemetry update
 * (and mode / graph change) — and publishes them to overlayStore, where each node reads only its own entry.
 */
import { useEffect, useMemo, useRef } from 'react';
import { useReactFlow } from '@xyflow/react';
import { DEFAULT_TRAINING_CONFIG } from '../../../../shared/format/trainingConfig';
import { telemetryWarnings, WARNING_TITLES } from '../../../../shared/telemetry/telemetryWarnings';
import { documentStore, useDocumentStore } from '../../store/documentStore';
import { useAnalysis } from '../../store/analysis';
import { OVERLAY_LABELS, OVERLAY_MODES, setOverlay, useInsight, useShownTelemetry, type OverlayMode } from '../insightStore';
import { buildOverlay, type OverlayModel } from './overlayModel';
import { MODE_HELP, MODE_SIGNAL, formatSignal, paletteGradient, type ColorScale } from './overlayScale';
import { SIGNAL_INFO } from './overlayModel';
import { openWarningCard, publishOverlay, publishWarnings, setWarningListOpen, useOverlay } from './overlayStore';
import { WarningFixButtons } from './NodeInsight';
import './overlay.css';

function usePublishedInsight(): { live: boolean; runId?: string; step?: number } {
  const shown = useShownTelemetry();
  const mode = useInsight((s) => s.overlay);
  const doc = useDocumentStore((s) => s.document);
  const learningRate = useDocumentStore((s) => s.training?.learningRate ?? DEFAULT_TRAINING_CONFIG.learningRate);
  const analysis = useAnalysis();
  const telemetry = shown?.telemetry;
  const previous = useRef<OverlayModel | undefined>(undefined);
  const model = useMemo(
    () => (mode === 'off' || !telemetry ? undefined : buildOverlay(mode, telemetry, previous.current)),
    [mode, telemetry],
  );
  const warnings = useMemo(
    () => (telemetry ? telemetryWarnings(telemetry, doc, { learningRate, analysis }) : []),
    [telemetry, doc, learningRate, analysis],
  );
  useEffect(() => {
    previous.current = model;
    publishOverlay(model);
  }, [model]);
  useEffect(() => publishWarnings(warnings), [warnings]);
  // Nothing is drawn once the canvas is gone.
  useEffect(
    () => () => {
      publishOverlay(undefined);
      publishWarnings([]);
    },
    [],
  );
  const step = telemetry?.steps[telemetry.steps.length - 1];
  return { live: shown?.live ?? false, ...(shown ? { runId: shown.runId } : {}), ...(step !== undefined ? { step } : {}) };
}

function scaleLabel(value: number, scale: ColorScale): string {
  return scale.log ? formatSignal(10 ** value) : formatSignal(value, 'fraction');
}

function Legend({ live, step }: { live: boolean; step?: number }) {
  const model = useOverlay((s) => s.model);
  if (!model) return null;
  const { scale, mode } = model;
  const signal = MODE_SIGNAL[mode];
  const span = scale.max - scale.min || 1;
  const band = scale.band;
  return (
    <div className="overlay-legend" data-testid="overlay-legend" aria-label={`Colour legend: ${SIGNAL_INFO[signal].label}`}>
      <div className="overlay-legend-title">
        {SIGNAL_INFO[signal].label}
        {scale.log ? ' (log)' : ''}
        <span className="overlay-legend-run">
          {live ? ' · live' : ''}
          {step !== undefined ? ` · step ${step}` : ''}
          {band ? ' · ▭ healthy' : ''}
        </span>
      </div>
      <div className="overlay-legend-row">
        <span className="overlay-legend-tick">{scaleLabel(scale.min, scale)}</span>
        <div className="overlay-legend-bar" style={{ background: paletteGradient() }}>
          {band ? (
            <div
              className="overlay-legend-band"
              title="Healthy update ratio: about 1e-3 (1e-4 to 1e-2)"
              style={{ left: `${((band[0] - scale.min) / span) * 100}%`, width: `${((band[1] - band[0]) / span) * 100}%` }}
            />
          ) : null}
        </div>
        <span className="overlay-legend-tick">{scaleLabel(scale.max, scale)}</span>
        <span className="overlay-legend-swatch" title="Dimmed, dashed layers have no data for this signal" aria-label="dimmed: no data" />
      </div>
    </div>
  );
}

function WarningList() {
  const list = useOverlay((s) => s.warningList);
  const open = useOverlay((s) => s.listOpen);
  const nodes = useDocumentStore((s) => s.document.nodes);
  const flow = useReactFlow();
  if (list.length === 0) return null;
  const titleOf = (id: string) => {
    const n = nodes.find((x) => x.id === id);
    return n?.label?.trim() || id;
  };
  const show = (id: string) => {
    documentStore.getState().select([id]);
    openWarningCard(id);
    const node = flow.getNode(id);
    if (node) void flow.fitView({ nodes: [node], duration: 250, maxZoom: 1.2 });
  };
  return (
    <div className="overlay-warnings">
      <button
        type="button"
        className="overlay-warnings-chip"
        data-testid="telemetry-warnings-chip"
        aria-expanded={open}
        aria-controls="telemetry-warning-list"
        title="Problems the training signals show, on the layers where they are"
        onClick={() => setWarningListOpen(!open)}
      >
        ⚠ {list.length} {list.length === 1 ? 'warning' : 'warnings'}
      </button>
      {open ? (
        <ul className="overlay-warning-list" id="telemetry-warning-list" data-testid="telemetry-warning-list" aria-label="Training warnings">
          {list.map((w) => (
            <li key={`${w.nodeId}:${w.kind}`} data-node-id={w.nodeId} data-kind={w.kind}>
              <button type="button" className="linkish" onClick={() => show(w.nodeId)} title="Show this layer">
                {titleOf(w.nodeId)}
              </button>{' '}
              <strong>{WARNING_TITLES[w.kind]}</strong>
              <div className="warning-item-message">{w.message}</div>
              <WarningFixButtons warning={w} testIdPrefix={`list-apply-fix-${w.nodeId}-${w.kind}`} />
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function OverlayControls() {
  const mode = useInsight((s) => s.overlay);
  const { live, step } = usePublishedInsight();
  return (
    <div className="overlay-controls" data-testid="overlay-controls">
      <label className="overlay-switch" title={OVERLAY_MODES.map((m) => `${OVERLAY_LABELS[m]}: ${MODE_HELP[m]}`).join('\n')}>
        <span>Inside view</span>
        <select
          data-testid="overlay-switch"
          aria-label="Inside view overlay"
          value={mode}
          onChange={(event) => setOverlay(event.target.value as OverlayMode)}
        >
          {OVERLAY_MODES.map((m) => (
            <option key={m} value={m} title={MODE_HELP[m]}>
              {OVERLAY_LABELS[m]}
            </option>
          ))}
        </select>
      </label>
      {mode !== 'off' ? <Legend live={live} {...(step !== undefined ? { step } : {})} /> : null}
      <WarningList />
      {mode !== 'off' && step === undefined ? (
        <div className="overlay-empty" data-testid="overlay-empty">
          No training signals yet: train the graph (Start) to see inside it.
        </div>
      ) : null}
    </div>
  );
}
