/**
 * The Training tab: pick a dataset (with a preview and a fit check against the graph's Input/Output), set the
 * config, start/pause/resume/stop a run, and watch it on live charts beside the earlier runs of this graph.
 * The config lives in the document (Save keeps it); the run history too (documentStore.addRun on finish).
 * A run trains the graph as it was when it started; when the canvas has moved on, the panel says so.
 * While a run is active the live numbers and charts come first and the settings fold into one line, so the chart
 * stays on screen at 1280×800. Every run with kept weights can be evaluated (EvaluationView).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { DEFAULT_KEEP_CHECKPOINTS } from '../../../shared/contracts/evaluation';
import type { DatasetInfo, DatasetPreview as Preview } from '../../../shared/contracts/trainer';
import {
  DEFAULT_TRAINING_CONFIG,
  OPTIMIZERS,
  TRAINING_BACKENDS,
  TRAINING_WORKERS,
  type TrainingConfig,
} from '../../../shared/format/trainingConfig';
import { checkGraphFitsDataset } from '../../../shared/datasets/checkGraphFitsDataset';
import type { RunSummary } from '../../../shared/format/runSummary';
import { graphHash } from '../../../shared/format/graphHash';
import { getLabApi } from '../api/getLabApi';
import { EvaluationView } from '../evaluation/EvaluationView';
import { labEvaluationSource } from '../evaluation/evaluationApi';
import { openEvaluation, useEvaluation } from '../evaluation/evaluationStore';
import { checkpointWarning, useCheckpointReports } from '../evaluation/checkpointReports';
import { documentStore, useDocumentStore } from '../store/documentStore';
import { viewStore } from '../store/viewStore';
import { ChartsOrInside } from '../insight/panel/ChartsOrInside';
import { CompareVariantsButton, CompareVariantsPanel } from '../experiments/CompareVariants';
import { isExperimentActive, useExperiment } from '../experiments/experimentStore';
import { DatasetPreview } from './DatasetPreview';
import { dataDisplayName, dataSourceFacts } from '../data/dataChoices';
import { useDataStatus } from '../data/useDataStatus';
import { graphChangesSince, snapshotNotice } from './graphChangesSince';
import { commandEnablement, commandTitle, runCommand } from '../commands/commandRegistry';
import { MetricChart, type ChartSeries } from './MetricChart';
import { accuracyApplies, etaSeconds, formatDuration, progressFraction, smooth, thin } from './trainingMath';
import { TrainingOptionsFields } from './TrainingOptionsFields';
import { CheckedNumberField } from './CheckedNumberField';
import { useFieldErrors } from './useFieldErrors';
import { liveMetricsText, percent, runName, runOutcomeText } from './runDescriptions';
import {
  earlyStopNote,
  hasSchedule,
  learningRateSeries,
  optionProblems,
  optionsLine,
  scheduleContextFor,
  startBlockedReason,
  TRAINING_FIELD_RULES,
} from './trainingOptions';
import {
  canExportModel,
  connectRunEvents,
  isOwnDocument,
  pauseRun,
  resumeRun,
  startRun,
  stopRun,
  useTrainingRun,
  type LiveRun,
} from './trainingRunStore';
import './training.css';

const BACKEND_BADGES: Record<string, string> = { tensorflow: 'native', wasm: 'wasm', cpu: 'cpu' };
const MAX_CHART_POINTS = 2000;
const EARLIER_RUNS_SHOWN = 3;

function useDatasets() {
  const [datasets, setDatasets] = useState<DatasetInfo[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(() => {
    getLabApi()
      .listDatasets()
      .then(setDatasets)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setLoaded(true));
  }, []);
  return { datasets, loaded, error };
}

/** `datasetId` undefined: no bundled dataset to preview (the file trains on its own data). */
function usePreview(datasetId: string | undefined) {
  const [preview, setPreview] = useState<Preview>();
  useEffect(() => {
    let live = true;
    setPreview(undefined);
    if (datasetId === undefined) return;
    getLabApi()
      .previewDataset({ dataset: datasetId, count: datasetId === 'mnist' ? 10 : 300 })
      .then((p) => live && setPreview(p))
      .catch(() => live && setPreview(undefined));
    return () => {
      live = false;
    };
  }, [datasetId]);
  return preview;
}

/** A run whose model can still be asked: its weights were kept with the file, or its trainer still holds them. */
function canEvaluate(run: RunSummary, live: LiveRun | undefined): boolean {
  if (run.status === 'failed') return false;
  return run.checkpoint === true || (live?.runId === run.id && canExportModel(live));
}

type TelemetryMode = 'auto' | 'every' | 'off';
/** What "every N steps" starts at when picked. */
const DEFAULT_TELEMETRY_EVERY = 10;
const TELEMETRY_HELP =
  'Per-layer gradients, activations and dead units for the Inside view and the canvas overlay. auto spaces the samples so they cost about 3 % of training time; off measures nothing';

/** `telemetryEvery` as the setting shows it: absent is auto, 0 is off, N is every N steps. */
function telemetryMode(every: number | undefined): TelemetryMode {
  return every === undefined ? 'auto' : every === 0 ? 'off' : 'every';
}

function settingsLine(config: TrainingConfig): string {
  const options = optionsLine(config);
  return `${config.optimizer} · lr ${config.learningRate} · batch ${config.batchSize} · ${config.epochs} epochs · val ${config.validationSplit} · seed ${config.seed}${options ? ` · ${options}` : ''}`;
}

/** The last few earlier runs, dashed grey, each named as the history names it ("run 2 · 14:05" or its variant). */
function epochSeries(runs: readonly RunSummary[], history: readonly RunSummary[], pick: (e: RunSummary['epochs'][number]) => number | undefined): ChartSeries[] {
  return runs.slice(-EARLIER_RUNS_SHOWN).map((run, i, shown) => ({
    label: runName(run, history),
    points: run.epochs.map((e) => [e.epoch, pick(e)] as const),
    color: `rgba(120,120,120,${0.35 + (0.4 * (i + 1)) / shown.length})`,
    dash: [4, 4],
    width: 1,
  }));
}

function chartSeries(
  run: LiveRun | undefined,
  earlier: readonly RunSummary[],
  history: readonly RunSummary[],
  metric: 'loss' | 'accuracy',
  smoothing: number,
): ChartSeries[] {
  const series: ChartSeries[] = epochSeries(earlier, history, (e) => (metric === 'loss' ? e.valLoss ?? e.loss : e.valAccuracy ?? e.accuracy));
  if (!run) return series;
  const batches = run.batches.filter((b) => (metric === 'loss' ? true : b.accuracy !== undefined));
  const raw = batches.map((b) => (metric === 'loss' ? b.loss : b.accuracy!));
  const smoothed = smooth(raw, smoothing);
  const batchPoints = thin(batches.map((b, i) => [b.x, raw[i]!, smoothed[i] ?? undefined] as const), MAX_CHART_POINTS);
  series.push(
    { label: 'training, each batch', points: batchPoints.map(([x, y]) => [x, y] as const), color: 'rgba(46,134,222,0.25)', width: 1 },
    { label: 'training, smoothed', points: batchPoints.map(([x, , s]) => [x, s] as const), color: '#2e86de', width: 2 },
    {
      label: 'training, per epoch',
      points: run.epochs.map((e) => [e.epoch, metric === 'loss' ? e.loss : e.accuracy] as const),
      color: '#1b4f72',
      markers: true,
    },
    {
      label: 'validation, per epoch',
      points: run.epochs.map((e) => [e.epoch, metric === 'loss' ? e.valLoss : e.valAccuracy] as const),
      color: '#e4572e',
      markers: true,
      width: 2,
    },
  );
  return series;
}

export function TrainingPanel() {
  const api = getLabApi();
  useEffect(() => connectRunEvents(api), [api]);
  const document = useDocumentStore((s) => s.document);
  const storedConfig = useDocumentStore((s) => s.training);
  const runs = useDocumentStore((s) => s.runs);
  const past = useDocumentStore((s) => s.past);
  const future = useDocumentStore((s) => s.future);
  const run = useTrainingRun((s) => s.run);
  const busy = useTrainingRun((s) => s.busy);
  const requestError = useTrainingRun((s) => s.requestError);
  const filePath = useDocumentStore((s) => s.filePath);
  const evaluatedRunId = useEvaluation((s) => s.open?.runId);
  const evaluationSource = useMemo(() => labEvaluationSource(api), [api]);
  const checkpointReports = useCheckpointReports();
  const { datasets, loaded: datasetsLoaded, error: datasetsError } = useDatasets();
  const config: TrainingConfig = storedConfig ?? DEFAULT_TRAINING_CONFIG;
  // With its own data (New from Data), `dataset` is only that data's name: no bundled dataset, preview or fit check.
  const ownData = config.data;
  const dataset = ownData ? undefined : datasets.find((d) => d.id === config.dataset);
  const preview = usePreview(ownData ? undefined : config.dataset);
  const dataCheck = useDataStatus(filePath, ownData);
  const [smoothing, setSmoothing] = useState(0.6);
  // A variant experiment trains through the same trainer: one run at a time.
  const experimentActive = useExperiment((s) => isExperimentActive(s));

  const active = run?.status === 'starting' || run?.status === 'running' || run?.status === 'paused';
  const panel = useRef<HTMLDivElement>(null);
  // Start sits below the settings, pinned to the panel's bottom edge until a run starts (training.css); once the run is
  // on, or has just ended, the reordered panel shows its outcome and charts from the top.
  const ended = run !== undefined && !active;
  useEffect(() => {
    if ((active || ended) && panel.current) panel.current.scrollTop = 0;
  }, [active, ended]);
  const fieldErrors = useFieldErrors();
  const problems = useMemo(() => (dataset ? checkGraphFitsDataset(document, dataset).map((issue) => issue.message) : []), [document, dataset]);
  const settingsProblems = optionProblems(config);
  const startBlocked = startBlockedReason({ fieldErrors: fieldErrors.errors, settingsProblems, graphProblems: problems, experimentActive, hasDataset: ownData !== undefined || dataset !== undefined, datasetsLoading: !ownData && !datasetsLoaded });
  const divergence = run ? snapshotNotice(run.startedAt, graphChangesSince(run.graph, { document, past, future }), active) : undefined;
  const setConfig = (patch: Partial<TrainingConfig>) => documentStore.getState().setTraining({ ...config, ...patch });
  const setTelemetry = (mode: TelemetryMode) => {
    const { telemetryEvery: _interval, ...rest } = config;
    documentStore.getState().setTraining(mode === 'auto' ? rest : { ...rest, telemetryEvery: mode === 'off' ? 0 : DEFAULT_TELEMETRY_EVERY });
  };

  // Earlier runs: everything in the history except the live run once it has been recorded.
  const earlier = runs.filter((r) => r.id !== run?.runId);
  const lossSeries = useMemo(() => chartSeries(run, earlier, runs, 'loss', smoothing), [run, earlier, runs, smoothing]);
  const accuracySeries = useMemo(() => chartSeries(run, earlier, runs, 'accuracy', smoothing), [run, earlier, runs, smoothing]);
  // The learning-rate curve: the live run's schedule (its own steps per epoch), else the one the settings would train.
  const scheduled = run ? run.config : config;
  const lrStepsPerEpoch = run && run.batchesPerEpoch > 0 ? run.batchesPerEpoch : undefined;
  const lrTrainCount = run?.trainSize !== undefined && run.valSize !== undefined ? run.trainSize + run.valSize : dataset?.trainSize;
  const lrCurrent = run && active ? run : undefined;
  const lrSeries = useMemo(
    () =>
      hasSchedule(scheduled) && lrTrainCount !== undefined
        ? learningRateSeries(scheduled.lrSchedule, scheduleContextFor(scheduled, lrTrainCount, lrStepsPerEpoch), lrCurrent && { epoch: Math.max(1, lrCurrent.epoch), batch: lrCurrent.batch })
        : undefined,
    [scheduled, lrTrainCount, lrStepsPerEpoch, lrCurrent?.epoch, lrCurrent?.batch],
  );
  const lastEpoch = run?.epochs[run.epochs.length - 1];
  // A regression head has no accuracy: its chart would stay empty. Kept when an earlier run has accuracy to show.
  const showAccuracy = accuracyApplies(run?.graph ?? document) || accuracySeries.some((s) => s.points.some(([, y]) => y !== undefined));
  const progress = run
    ? { epoch: Math.max(1, run.epoch), epochs: run.config.epochs, batch: run.batch, batchesPerEpoch: run.batchesPerEpoch, samplesPerSec: run.samplesPerSec, batchSize: run.config.batchSize }
    : undefined;


  const evaluatedRun = runs.find((r) => r.id === evaluatedRunId);
  const currentGraphHash = useMemo(() => (evaluatedRunId ? graphHash(document) : undefined), [document, evaluatedRunId]);
  // The live boundary belongs under this preview only while it shows the dataset the run trains on.
  const boundary = run?.boundary && run.config.dataset === config.dataset ? run.boundary : undefined;

  return (
    <div
      ref={panel}
      className="nb-training"
      aria-label="Training panel"
      data-active={active ? 'true' : 'false'}
      data-ended={ended ? 'true' : 'false'}
      data-preview={preview?.kind ?? ''}
    >
      <CompareVariantsPanel />
      <EvaluationView
        context={{
          source: evaluationSource,
          run: evaluatedRun,
          currentGraphHash,
          trainedGraphHash: evaluatedRun?.graphHash,
          checkpoint: evaluatedRunId ? checkpointReports.get(evaluatedRunId) : undefined,
        }}
      />
      <section className="nb-section nb-dataset">
        <h3>Dataset</h3>
        {ownData ? (
          <div className="nb-own-data" aria-label="Your data" data-check={dataCheck?.status ?? ''}>
            <p>
              <strong title={ownData.path}>{dataDisplayName(ownData.path)}</strong>
            </p>
            <p className="nb-muted nb-dataset-facts">{dataSourceFacts(ownData)}</p>
            {dataCheck && dataCheck.status !== 'same' ? (
              <p className="nb-problems" role="alert" aria-label="Data check" data-status={dataCheck.status}>
                {dataCheck.status === 'error' ? `Could not check the data: ${dataCheck.message}` : dataCheck.message}
              </p>
            ) : null}
            <button
              type="button"
              disabled={active}
              title="Train this graph on one of the bundled datasets instead (New from Data… brings your data back)"
              onClick={() => {
                const { data: _data, ...rest } = config;
                documentStore.getState().editTraining({ ...rest, dataset: DEFAULT_TRAINING_CONFIG.dataset });
              }}
            >
              Use a bundled dataset instead
            </button>
          </div>
        ) : null}
        {!ownData && datasetsError ? <p role="alert">Could not list datasets: {datasetsError}</p> : null}
        {ownData ? null : (
        <label className="nb-field nb-dataset-choice">
          <span>Dataset</span>
          <select aria-label="Dataset" value={config.dataset} disabled={active} onChange={(e) => setConfig({ dataset: e.target.value })}>
            {datasets.length === 0 ? <option value={config.dataset}>{config.dataset}</option> : null}
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        )}
        {dataset ? (
          <p className="nb-muted nb-dataset-facts">
            {dataset.inputKind} {dataset.inputShape.join('×')} · {dataset.classes} classes · {dataset.trainSize} train / {dataset.testSize} test
          </p>
        ) : null}
        {preview ? (
          <DatasetPreview
            preview={preview}
            boundary={boundary}
            boundaryNote={boundary ? `prediction at epoch ${boundary.epoch}, batch ${boundary.batch}` : undefined}
          />
        ) : null}
        {problems.length > 0 ? (
          <ul className="nb-problems" role="alert" aria-label="Graph does not fit the dataset">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        ) : null}
      </section>

      {active ? (
        <section className="nb-section nb-config nb-config-folded" aria-label="Settings">
          <h3>Settings</h3>
          <p className="nb-muted">{settingsLine(config)}</p>
        </section>
      ) : (
      <section className="nb-section nb-config" aria-label="Settings">
        <h3>Settings</h3>
        <label className="nb-field">
          <span>Optimizer</span>
          <select aria-label="Optimizer" value={config.optimizer} disabled={active} onChange={(e) => setConfig({ optimizer: e.target.value as TrainingConfig['optimizer'] })}>
            {OPTIMIZERS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <CheckedNumberField
          label="Learning rate"
          setting="learning-rate"
          value={config.learningRate}
          rule={TRAINING_FIELD_RULES.learningRate}
          step={0.001}
          disabled={active}
          onValidity={fieldErrors.report}
          help="How far each step moves the weights"
          onChange={(v) => setConfig({ learningRate: v })}
        />
        <CheckedNumberField
          label="Batch size"
          setting="batch-size"
          value={config.batchSize}
          rule={TRAINING_FIELD_RULES.batchSize}
          step={1}
          disabled={active}
          onValidity={fieldErrors.report}
          help="Samples per training step"
          onChange={(v) => setConfig({ batchSize: v })}
        />
        <CheckedNumberField
          label="Epochs"
          setting="epochs"
          value={config.epochs}
          rule={TRAINING_FIELD_RULES.epochs}
          step={1}
          disabled={active}
          onValidity={fieldErrors.report}
          help="Passes over the training data"
          onChange={(v) => setConfig({ epochs: v })}
        />
        {ownData ? (
          // Your own data is split by its spec (fractions + seed, recorded in the file); validationSplit is not used.
          <p className="nb-muted" data-setting="data-split">
            Split {Math.round(ownData.split.train * 100)} % train / {Math.round(ownData.split.val * 100)} % validation /{' '}
            {Math.round(ownData.split.test * 100)} % test (seed {ownData.split.seed}), fixed by the data
          </p>
        ) : (
        <CheckedNumberField
          label="Validation split"
          setting="validation-split"
          value={config.validationSplit}
          rule={TRAINING_FIELD_RULES.validationSplit}
          step={0.05}
          disabled={active}
          onValidity={fieldErrors.report}
          help="Share of the training data held out to measure val loss / val acc; 0 for none"
          onChange={(v) => setConfig({ validationSplit: v })}
        />
        )}
        <CheckedNumberField
          label="Seed"
          setting="seed"
          value={config.seed}
          rule={TRAINING_FIELD_RULES.seed}
          step={1}
          disabled={active}
          onValidity={fieldErrors.report}
          help="Fixes the initial weights, the shuffling and the validation split: the same seed trains the same run"
          onChange={(v) => setConfig({ seed: v })}
        />
        <CheckedNumberField
          label="Checkpoints kept"
          setting="keep-checkpoints"
          value={config.keepCheckpoints ?? DEFAULT_KEEP_CHECKPOINTS}
          rule={TRAINING_FIELD_RULES.keepCheckpoints}
          step={1}
          disabled={active}
          onValidity={fieldErrors.report}
          help="Trained weights kept beside the file for the newest runs (0 keeps none): older runs' weights are deleted when the file is saved"
          onChange={(v) => setConfig({ keepCheckpoints: v })}
        />
        <label className="nb-field" title="auto picks native (tfjs-node) when installed, else wasm, else cpu">
          <span>Backend</span>
          <select aria-label="Training backend" value={config.backend ?? 'auto'} disabled={active} onChange={(e) => setConfig({ backend: e.target.value as TrainingConfig['backend'] })}>
            {TRAINING_BACKENDS.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <label className="nb-field" title="2 splits every batch over two threads (data-parallel, same results as 1); auto (the default) does so only where it pays">
          <span>Workers</span>
          <select
            aria-label="Workers"
            value={String(config.workers ?? 'auto')}
            disabled={active}
            onChange={(e) => setConfig({ workers: e.target.value === 'auto' ? 'auto' : (Number(e.target.value) as 1 | 2) })}
          >
            {TRAINING_WORKERS.map((w) => (
              <option key={w} value={String(w)}>
                {w}
              </option>
            ))}
          </select>
        </label>
        <label className="nb-field" title={TELEMETRY_HELP}>
          <span>Telemetry</span>
          <select aria-label="Telemetry" value={telemetryMode(config.telemetryEvery)} disabled={active} onChange={(e) => setTelemetry(e.target.value as TelemetryMode)}>
            <option value="auto">auto</option>
            <option value="every">every N steps</option>
            <option value="off">off</option>
          </select>
        </label>
        {telemetryMode(config.telemetryEvery) === 'every' ? (
          <CheckedNumberField
            label="Every (steps)"
            setting="telemetry-every"
            value={config.telemetryEvery ?? DEFAULT_TELEMETRY_EVERY}
            rule={TRAINING_FIELD_RULES.telemetryEvery}
            step={1}
            disabled={active}
            onValidity={fieldErrors.report}
            help="Training steps between two telemetry samples; smaller shows more detail and slows training more"
            onChange={(v) => setConfig({ telemetryEvery: v })}
          />
        ) : null}
        <TrainingOptionsFields config={config} disabled={active} onValidity={fieldErrors.report} onChange={(next) => documentStore.getState().setTraining(next)} />
      </section>
      )}

      <section className="nb-section nb-run">
        <div className="nb-controls">
          {!active ? (
            <button
              type="button"
              className="nb-primary"
              disabled={busy || startBlocked !== undefined}
              title={startBlocked}
              aria-describedby={startBlocked ? 'nb-start-blocked' : undefined}
              onClick={() => void startRun(api, document, config)}
            >
              Start training
            </button>
          ) : null}
          {!active ? <CompareVariantsButton disabled={busy || (startBlocked !== undefined && !experimentActive)} /> : null}
          {run?.runId && run.status === 'running' ? (
            <button type="button" disabled={busy} onClick={() => void pauseRun(api, run.runId!)}>
              Pause
            </button>
          ) : null}
          {run?.runId && run.status === 'paused' ? (
            <button type="button" disabled={busy} onClick={() => void resumeRun(api, run.runId!)}>
              Resume
            </button>
          ) : null}
          {run?.runId && active ? (
            <button type="button" disabled={busy} onClick={() => void stopRun(api, run.runId!)}>
              Stop
            </button>
          ) : null}
          {run && !active ? (
            <button
              type="button"
              disabled={busy || !canExportModel(run)}
              title={canExportModel(run) ? "Export this run's trained model for PyTorch, ONNX, Keras or TF.js (File → Export…)" : 'Only a completed or stopped run has a model to export'}
              onClick={() => viewStore.getState().openDialog({ kind: 'export', ...(run.runId ? { runId: run.runId } : {}) })}
            >
              Export model
            </button>
          ) : null}
          {run?.runId && !active && canExportModel(run) && isOwnDocument(run) ? (
            <button type="button" aria-label="Evaluate this run" onClick={() => void openEvaluation(evaluationSource, run.runId!, filePath ?? null)}>
              Evaluate
            </button>
          ) : null}
          {run?.backend ? (
            <span className={`nb-badge nb-badge-${BACKEND_BADGES[run.backend] ?? 'other'}`} title={run.backendDetail ?? run.backend} aria-label="Backend">
              {BACKEND_BADGES[run.backend] ?? run.backend}
            </span>
          ) : null}
        </div>
        {!active && startBlocked && fieldErrors.errors.length > 0 ? (
          <p id="nb-start-blocked" className="nb-start-blocked" role="status" aria-label="Why Start waits">
            {startBlocked}
          </p>
        ) : !active && startBlocked ? (
          <p id="nb-start-blocked" className="nb-start-blocked nb-muted" aria-label="Why Start waits">
            {startBlocked}
          </p>
        ) : null}
        {requestError ? <p role="alert" className="nb-error">{requestError}</p> : null}
        {run ? (
          <div className="nb-progress" role="status" aria-label="Training progress" data-status={run.status}>
            <progress max={1} value={progress ? progressFraction(progress) : 0} />
            <p>
              <strong>{run.status}</strong> · epoch {run.epoch}/{run.config.epochs} · batch {run.batch}/{run.batchesPerEpoch} ·{' '}
              {Math.round(run.samplesPerSec)} samples/s · ETA {active && progress ? formatDuration(etaSeconds(progress, run.progressMarks)) : '—'}
            </p>
            <p aria-label="Latest metrics">
              {liveMetricsText(run.epochs, run.batches)}
              {lastEpoch ? ' ' : null}
              {/* Always present (empty until an epoch completes): tests read the number from data-value. */}
              <span data-testid="val-accuracy" data-value={lastEpoch?.valAccuracy ?? ''} hidden={!lastEpoch}>
                {lastEpoch ? percent(lastEpoch.valAccuracy) : ''}
              </span>
            </p>
            {!isOwnDocument(run) ? (
              <p className="nb-snapshot-notice" role="note" aria-label="Run of another file">
                {run.orphaned
                  ? `This run trained “${run.graph.metadata.name || 'Untitled'}”, which is no longer open: its record was not added to this file.`
                  : `This run trains “${run.graph.metadata.name || 'Untitled'}”, which is no longer open: its record will not be added to this file.`}
              </p>
            ) : null}
            {divergence && isOwnDocument(run) ? (
              <p className="nb-snapshot-notice" role="note" aria-label="Trained graph">
                {divergence}
              </p>
            ) : null}
            {run.error ? (
              <p role="alert" className="nb-error">
                Run failed: {run.error}
              </p>
            ) : null}
          </div>
        ) : null}
      </section>

      <section className="nb-section nb-charts">
        <ChartsOrInside
          charts={
            <>
              <div className="nb-chart-tools">
                <label className="nb-inline">
                  smoothing
                  <input type="range" min={0} max={0.99} step={0.01} value={smoothing} onChange={(e) => setSmoothing(Number(e.target.value))} aria-label="Smoothing" />
                </label>
                {/* The File → Export commands, run from here as from the menus. */}
                <button
                  type="button"
                  className="nb-small"
                  data-export="csv"
                  onClick={() => runCommand('file.exportCsv', { source: 'panel' })}
                  disabled={commandEnablement('file.exportCsv') !== true}
                  title={commandTitle('file.exportCsv')}
                >
                  Export CSV
                </button>
                <button
                  type="button"
                  className="nb-small"
                  data-export="charts-png"
                  onClick={() => runCommand('file.exportPng', { source: 'panel' })}
                  disabled={commandEnablement('file.exportPng') !== true}
                  title={commandTitle('file.exportPng')}
                >
                  Export PNG
                </button>
              </div>
              <MetricChart title="Loss" series={lossSeries} allowLog fileStem={`${document.metadata.name || 'graph'}-loss`} />
              {lrSeries ? (
                <MetricChart title="Learning rate" series={lrSeries} allowLog height={110} fileStem={`${document.metadata.name || 'graph'}-learning-rate`} />
              ) : null}
              {showAccuracy ? (
                <MetricChart title="Accuracy" series={accuracySeries} yRange={[0, 1]} fileStem={`${document.metadata.name || 'graph'}-accuracy`} />
              ) : (
                <p className="nb-muted" data-testid="no-accuracy">
                  No accuracy chart: accuracy does not apply to regression. The loss is the mean squared error, in the target's units squared.
                </p>
              )}
            </>
          }
        />
      </section>

      <section className="nb-section nb-history">
        <h3>Run history</h3>
        {runs.length === 0 ? <p className="nb-muted">No runs yet. Finished runs are saved with the graph.</p> : null}
        <ol className="nb-runs" aria-label="Run history">
          {runs.map((r, i) => (
            <li key={r.id} data-status={r.status} data-run={r.id}>
              <span className="nb-run-number" title={`Run ${r.id}`}>
                {i + 1}.
              </span>
              <span className="nb-run-line">
                <span className={`nb-run-status nb-run-${r.status}`}>{r.status}</span> {r.config.dataset} · {r.config.optimizer} · {runOutcomeText(r)} · {r.backend}
                {r.variant ? (
                  <span className="nb-run-variant" data-variant={r.variant.name} title={r.variant.changes.join('\n')}>
                    {' '}
                    · variant “{r.variant.name}”
                  </span>
                ) : null}
                {earlyStopNote(r) ? (
                  <span className="nb-run-early" data-early-stopped={r.earlyStopped!.bestEpoch}>
                    {' '}
                    · {earlyStopNote(r)}
                  </span>
                ) : null}
                {checkpointWarning(checkpointReports.get(r.id)) ? (
                  <span className="nb-run-warning" role="note" aria-label="Checkpoint warning">
                    {' '}
                    · {checkpointWarning(checkpointReports.get(r.id))}
                  </span>
                ) : null}
              </span>
              {canEvaluate(r, run) ? (
                <button
                  type="button"
                  className="nb-small"
                  aria-label={`Evaluate run ${r.id}`}
                  title="Confusion matrix, mistakes, calibration and Try it, on this run's test split"
                  onClick={() => void openEvaluation(evaluationSource, r.id, filePath ?? null)}
                >
                  Evaluate
                </button>
              ) : null}
              {canEvaluate(r, run) ? (
                <button
                  type="button"
                  className="nb-small"
                  aria-label={`Export run ${r.id}`}
                  title="Export this run's trained model for PyTorch, ONNX, Keras or TF.js (File → Export…)"
                  disabled={busy}
                  onClick={() => viewStore.getState().openDialog({ kind: 'export', runId: r.id })}
                >
                  Export
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

export default TrainingPanel;
