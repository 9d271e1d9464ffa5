/**
 * "Compare variants": a button for the Training panel and the panel it opens — toggles, a preview of the variants they
 * make (from planVariants, with the reasons a toggle is left out), Start/Stop with progress and ETA, the variants'
 * loss and accuracy curves overlaid with a legend naming each, a results table with a gradient-norm sparkline from each
 * run's telemetry, and Open to load a variant as its own document.
 */
import { useEffect, useMemo, useState } from 'react';
import { createPortal } from 'react-dom';
import { ACTIVATIONS, ACTIVATION_LABELS, type ActivationName } from '../../../shared/catalog/activations';
import type { GraphDocument } from '../../../shared/document/model';
import { planVariants } from '../../../shared/experiments/variants';
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';
import { getLabApi } from '../api/getLabApi';
import { confirmDiscardChanges } from '../api/documentFiles';
import { documentStore, useDocumentStore } from '../store/documentStore';
import { MetricChart, type ChartSeries } from '../training/MetricChart';
import { formatDuration, smooth, thin } from '../training/trainingMath';
import { useTrainingRun } from '../training/trainingRunStore';
import {
  experimentProgress,
  isExperimentActive,
  runExperiment,
  setExperimentOpen,
  stopExperiment,
  useExperiment,
  type Experiment,
  type VariantRun,
} from './experimentStore';
import { EMPTY_FORM, togglesFromForm, variantColor, type VariantForm } from './variantForm';
import { firstLayerGradients, sparklinePoints } from './variantTelemetry';
import './experiments.css';

const MAX_POINTS_PER_VARIANT = 600;

/** The button that opens the panel (placed among the Training panel's run controls). */
export function CompareVariantsButton({ disabled }: { disabled?: boolean }) {
  const running = useExperiment((s) => isExperimentActive(s));
  return (
    <button
      type="button"
      data-testid="compare-variants"
      disabled={disabled && !running}
      title="Train variants of this graph side by side: without skip edges, without norms, another activation or depth, several learning rates or seeds"
      onClick={() => setExperimentOpen(true)}
    >
      Compare variants{running ? ' …' : ''}
    </button>
  );
}

/** The panel itself, rendered over the app while open. */
export function CompareVariantsPanel() {
  const open = useExperiment((s) => s.open);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setExperimentOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  if (!open) return null;
  return createPortal(
    <div className="overlay-backdrop nb-exp-backdrop" onMouseDown={(e) => e.target === e.currentTarget && setExperimentOpen(false)}>
      <div className="dialog nb-exp" role="dialog" aria-modal="true" aria-label="Compare variants">
        <ExperimentBody />
      </div>
    </div>,
    document.body,
  );
}

function ExperimentBody() {
  const api = getLabApi();
  const graph = useDocumentStore((s) => s.document);
  const stored = useDocumentStore((s) => s.training);
  const config: TrainingConfig = stored ?? DEFAULT_TRAINING_CONFIG;
  const experiment = useExperiment((s) => s.experiment);
  const mainRun = useTrainingRun((s) => s.run);
  const mainActive = mainRun?.status === 'starting' || mainRun?.status === 'running' || mainRun?.status === 'paused';
  const [form, setForm] = useState<VariantForm>(EMPTY_FORM);
  const [startError, setStartError] = useState<string>();
  const running = experiment !== undefined && !experiment.done;
  const { toggles, errors } = useMemo(() => togglesFromForm(form), [form]);
  const plan = useMemo(() => planVariants(graph, config, toggles), [graph, config, toggles]);
  const hasErrors = useMemo(() => analysisHasErrors(graph), [graph]);
  const canStart = !running && !mainActive && plan.variants.length > 1 && errors.length === 0 && !hasErrors;

  const start = () => {
    setStartError(undefined);
    runExperiment(api, plan.variants).catch((e: unknown) => setStartError(e instanceof Error ? e.message : String(e)));
  };

  return (
    <>
      <header className="nb-exp-header">
        <h2>Compare variants</h2>
        <span className="nb-muted">
          {graph.metadata.name} · {config.dataset} · {config.epochs} epoch{config.epochs === 1 ? '' : 's'} each · same data, one after another
        </span>
        <button type="button" className="nb-small nb-exp-close" aria-label="Close" onClick={() => setExperimentOpen(false)}>
          ✕
        </button>
      </header>
      <div className="nb-exp-layout">
        <section className="nb-exp-setup" aria-label="Variant toggles">
          <ToggleFields form={form} onChange={setForm} disabled={running} />
          <h3>Variants ({plan.variants.length})</h3>
          <ol className="nb-exp-preview" aria-label="Variants to train">
            {plan.variants.map((v, i) => (
              <li key={v.name} data-variant={i} title={v.changes.join('\n') || 'the graph and settings as they are'}>
                <span className="nb-exp-swatch" style={{ background: variantColor(i) }} />
                {v.name}
              </li>
            ))}
          </ol>
          <p className="nb-muted nb-exp-note">Each toggle makes one variant of its own (toggles are not combined), trained with every learning rate and every seed listed.</p>
          {[...errors.map((e) => e.message), ...plan.problems.map((p) => p.message)].map((message) => (
            <p key={message} className="nb-error nb-exp-problem" role="alert">
              {message}
            </p>
          ))}
          {hasErrors ? <p className="nb-error" role="alert">The graph has errors: fix them before comparing variants.</p> : null}
          {mainActive ? <p className="nb-muted">A training run is active: variants start when it has ended.</p> : null}
          <div className="nb-controls">
            {running ? (
              <button type="button" data-testid="experiment-stop" disabled={experiment.stopping} onClick={() => void stopExperiment(api)}>
                {experiment.stopping ? 'Stopping…' : 'Stop'}
              </button>
            ) : (
              <button type="button" className="nb-primary" data-testid="experiment-start" disabled={!canStart} onClick={start}>
                Train {plan.variants.length} variants
              </button>
            )}
          </div>
          {startError ? <p className="nb-error" role="alert">{startError}</p> : null}
        </section>
        <section className="nb-exp-results" aria-label="Variant results">
          {experiment ? <ExperimentResults experiment={experiment} /> : <p className="nb-muted">Pick one or more toggles, then train: the curves and a table of results appear here.</p>}
        </section>
      </div>
    </>
  );
}

function analysisHasErrors(graph: GraphDocument): boolean {
  return analyzeGraph(graph).totals.errors > 0;
}

function ToggleFields({ form, onChange, disabled }: { form: VariantForm; onChange: (f: VariantForm) => void; disabled: boolean }) {
  const groups = useDocumentStore((s) => s.document.groups);
  const activationOptions = ACTIVATIONS.filter((a) => a !== 'softmax');
  const activationSelect = (value: ActivationName, label: string, set: (a: ActivationName) => void) => (
    <select aria-label={label} value={value} disabled={disabled || !form.activation.enabled} onChange={(e) => set(e.target.value as ActivationName)}>
      {activationOptions.map((a) => (
        <option key={a} value={a}>
          {ACTIVATION_LABELS[a]}
        </option>
      ))}
    </select>
  );
  return (
    <fieldset className="nb-exp-toggles" disabled={disabled}>
      <label className="nb-inline">
        <input type="checkbox" data-toggle="no-skips" checked={form.noSkips} onChange={(e) => onChange({ ...form, noSkips: e.target.checked })} /> without skip edges
      </label>
      <label className="nb-inline">
        <input type="checkbox" data-toggle="no-norms" checked={form.noNorms} onChange={(e) => onChange({ ...form, noNorms: e.target.checked })} /> without BatchNorm / LayerNorm
      </label>
      <div className="nb-exp-row">
        <label className="nb-inline">
          <input
            type="checkbox"
            data-toggle="activation"
            checked={form.activation.enabled}
            onChange={(e) => onChange({ ...form, activation: { ...form.activation, enabled: e.target.checked } })}
          />{' '}
          activation
        </label>
        {activationSelect(form.activation.from, 'Activation to replace', (from) => onChange({ ...form, activation: { ...form.activation, from } }))}→
        {activationSelect(form.activation.to, 'Replacement activation', (to) => onChange({ ...form, activation: { ...form.activation, to } }))}
      </div>
      <div className="nb-exp-row">
        <label className="nb-inline">
          <input
            type="checkbox"
            data-toggle="depth"
            checked={form.depth.enabled}
            disabled={groups.length === 0}
            onChange={(e) => onChange({ ...form, depth: { ...form.depth, enabled: e.target.checked, groupId: form.depth.groupId || (groups[0]?.id ?? '') } })}
          />{' '}
          depth
        </label>
        <select
          aria-label="Block to repeat"
          value={form.depth.groupId}
          disabled={disabled || !form.depth.enabled}
          onChange={(e) => onChange({ ...form, depth: { ...form.depth, groupId: e.target.value } })}
        >
          {groups.length === 0 ? <option value="">no blocks in this graph</option> : null}
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
        ×
        <input
          type="number"
          aria-label="Block repeats"
          min={2}
          max={20}
          value={form.depth.repeats}
          disabled={disabled || !form.depth.enabled}
          onChange={(e) => onChange({ ...form, depth: { ...form.depth, repeats: Number(e.target.value) } })}
        />
      </div>
      <label className="nb-field">
        <span>Learning rates</span>
        <input type="text" aria-label="Learning rates" placeholder="e.g. 0.1, 0.01" value={form.learningRates} onChange={(e) => onChange({ ...form, learningRates: e.target.value })} />
      </label>
      <label className="nb-field">
        <span>Seeds</span>
        <input type="text" aria-label="Seeds" placeholder="e.g. 1, 2, 3" value={form.seeds} onChange={(e) => onChange({ ...form, seeds: e.target.value })} />
      </label>
    </fieldset>
  );
}

function curveSeries(variants: readonly VariantRun[], metric: 'loss' | 'accuracy'): ChartSeries[] {
  const series: ChartSeries[] = [];
  for (const v of variants) {
    if (v.status === 'queued' || v.status === 'skipped') continue;
    const color = variantColor(v.index);
    const batches = v.batches.filter((b) => metric === 'loss' || b.accuracy !== undefined);
    const raw = batches.map((b) => (metric === 'loss' ? b.loss : b.accuracy!));
    const smoothed = smooth(raw, 0.8);
    const points = thin(batches.map((b, i) => [b.x, smoothed[i] ?? undefined] as const), MAX_POINTS_PER_VARIANT);
    series.push({ label: v.spec.name, points, color, width: 2 });
    const val = v.epochs.map((e) => [e.epoch, metric === 'loss' ? e.valLoss : e.valAccuracy] as const).filter(([, y]) => y !== undefined);
    if (val.length > 0) series.push({ label: `${v.spec.name} · val`, points: val, color, dash: [5, 4], width: 1.5, markers: true });
  }
  return series;
}

function ExperimentResults({ experiment }: { experiment: Experiment }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (experiment.done) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [experiment.done]);
  const loss = useMemo(() => curveSeries(experiment.variants, 'loss'), [experiment.variants]);
  const accuracy = useMemo(() => curveSeries(experiment.variants, 'accuracy'), [experiment.variants]);
  const { fraction, etaSeconds } = experimentProgress(experiment, now);
  const current = experiment.variants.find((v) => v.status === 'starting' || v.status === 'running');
  const stem = `${documentStore.getState().document.metadata.name || 'graph'}-variants`;
  return (
    <>
      <div className="nb-progress" role="status" aria-label="Experiment progress" data-done={experiment.done ? 'true' : 'false'}>
        <progress max={1} value={fraction} />
        <p>
          {experiment.done
            ? `done · ${experiment.variants.filter((v) => v.status === 'completed').length}/${experiment.variants.length} variants completed`
            : current
              ? `variant ${current.index + 1}/${experiment.variants.length}: ${current.spec.name} · epoch ${Math.max(1, current.epoch)}/${current.spec.config.epochs}`
              : 'starting…'}
          {' · '}ETA {experiment.done ? '—' : formatDuration(etaSeconds)}
        </p>
        {experiment.orphaned ? <p className="nb-snapshot-notice">Another file was opened meanwhile: these runs were not added to it.</p> : null}
      </div>
      <ul className="nb-exp-legend" aria-label="Legend">
        {experiment.variants.map((v) => (
          <li key={v.index} data-variant={v.index}>
            <span className="nb-exp-swatch" style={{ background: variantColor(v.index) }} />
            {v.spec.name}
          </li>
        ))}
        <li className="nb-muted">solid: training (smoothed) · dashed: validation</li>
      </ul>
      <div className="nb-exp-charts">
        <MetricChart title="Loss" series={loss} allowLog initialLog fileStem={`${stem}-loss`} height={170} />
        <MetricChart title="Accuracy" series={accuracy} yRange={[0, 1]} fileStem={`${stem}-accuracy`} height={170} />
      </div>
      <ResultsTable experiment={experiment} />
    </>
  );
}

const fixed = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(4));
const pct = (x: number | undefined) => (x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

function variantMetrics(v: VariantRun) {
  if (v.summary) return v.summary.final;
  const last = v.epochs[v.epochs.length - 1];
  return last ? { loss: last.loss, accuracy: last.accuracy, valLoss: last.valLoss, valAccuracy: last.valAccuracy } : undefined;
}

function ResultsTable({ experiment }: { experiment: Experiment }) {
  const openAsDocument = (v: VariantRun) => {
    if (!confirmDiscardChanges()) return;
    // The kept model stays with the original file's run: in the new document the record is history only.
    const runs = v.summary ? [(({ checkpoint: _checkpoint, ...rest }) => rest)(v.summary)] : [];
    documentStore.getState().replaceFile({ graph: v.spec.graph, training: v.spec.config, runs }, undefined, { unsaved: true });
    setExperimentOpen(false);
  };
  return (
    <table className="nb-exp-table" aria-label="Variant results">
      <thead>
        <tr>
          <th>variant</th>
          <th>status</th>
          <th>loss</th>
          <th>acc</th>
          <th>val loss</th>
          <th>val acc</th>
          <th>time</th>
          <th>params</th>
          <th title="Gradient norm of the first layer over the run (log scale), from the run's telemetry">first-layer ‖g‖</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {experiment.variants.map((v) => {
          const m = variantMetrics(v);
          const ms = v.summary?.wallTimeMs ?? (v.startedMs !== undefined ? (v.endedMs ?? Date.now()) - v.startedMs : undefined);
          const gradients = firstLayerGradients(v.summary, v.spec.graph);
          return (
            <tr key={v.index} data-variant={v.index} data-status={v.status} data-run={v.runId ?? ''}>
              <th scope="row" title={v.spec.changes.join('\n') || 'the graph and settings as they are'}>
                <span className="nb-exp-swatch" style={{ background: variantColor(v.index) }} />
                {v.spec.name}
              </th>
              <td className={`nb-run-status nb-run-${v.status}`} title={v.error}>
                {v.status}
              </td>
              <td>{fixed(m?.loss)}</td>
              <td>{pct(m?.accuracy)}</td>
              <td>{fixed(m?.valLoss)}</td>
              <td data-testid="variant-val-accuracy">{pct(m?.valAccuracy)}</td>
              <td>{ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`}</td>
              <td>{v.params.toLocaleString('en-US')}</td>
              <td>
                {gradients ? (
                  <svg className="nb-exp-spark" width={80} height={20} role="img" aria-label={`gradient norm of ${gradients.nodeId}`}>
                    <title>{`${gradients.nodeId}: ‖g‖ ${gradients.values[0]!.toPrecision(3)} → ${gradients.values[gradients.values.length - 1]!.toPrecision(3)}`}</title>
                    <polyline points={sparklinePoints(gradients.values, 80, 20)} fill="none" stroke={variantColor(v.index)} strokeWidth={1.5} />
                  </svg>
                ) : (
                  '—'
                )}
              </td>
              <td>
                <button type="button" className="nb-small" aria-label={`Open variant ${v.spec.name}`} title="Open this variant's graph as a new, unsaved document" onClick={() => openAsDocument(v)}>
                  Open
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
