/**
 * What did the network learn? One run's evaluation on its test split, over the workbench: summary numbers, the
 * confusion matrix (a cell lists its samples), the mistakes, per-class scores, calibration, the decision boundary
 * for 2-D data, and "Try it"; for a regression head, its errors in the target's units. Warnings (a changed graph, a damaged checkpoint) are shown, never in the way.
 */
import { useEffect, useMemo } from 'react';
import { createPortal } from 'react-dom';
import type { CheckpointReport } from '../../../shared/contracts/evaluation';
import type { RunSummary } from '../../../shared/format/runSummary';
import { ConfusionMatrix } from './ConfusionMatrix';
import { DecisionBoundary } from './DecisionBoundary';
import type { TableDataSpec } from '../../../shared/data/dataSpec';
import type { ClassificationResult, EvaluationResult, EvaluationSource } from './evaluationApi';
import { closeEvaluation, selectCell, setEvaluationTab, setMistakeOrder, useEvaluation } from './evaluationStore';
import { GALLERY_LIMIT, MistakesGallery } from './MistakesGallery';
import { PerClassTable } from './PerClassTable';
import { RegressionResults } from './RegressionResults';
import { ReliabilityDiagram } from './ReliabilityDiagram';
import { sampleList } from './sampleList';
import { isDatasetId } from '../../../shared/contracts/trainer';
import { ImageTryIt } from './ImageTryIt';
import { TableInputs } from './TableInputs';
import { TryItPad } from './TryItPad';
import { VectorInputs } from './VectorInputs';
import { runOutcomeText } from '../training/runDescriptions';
import './evaluation.css';

export interface EvaluationContext {
  readonly source: EvaluationSource;
  /** The run's record in the document, when it is there. */
  readonly run?: RunSummary;
  /** The hash of the graph on the canvas now, to tell whether the run trained it. */
  readonly currentGraphHash?: string;
  /** The run's hash of the graph it trained, from its record. */
  readonly trainedGraphHash?: string;
  readonly checkpoint?: CheckpointReport;
}

const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

function Summary({ result }: { result: ClassificationResult }) {
  const { accuracy, loss, sampleCount } = result.metrics;
  return (
    <dl className="nb-eval-summary" aria-label="Overall results">
      <div>
        <dt>accuracy</dt>
        <dd data-testid="eval-accuracy" data-value={accuracy}>
          {percent(accuracy)}
        </dd>
      </div>
      <div>
        <dt>loss</dt>
        <dd>{loss.toFixed(4)}</dd>
      </div>
      <div>
        <dt>ECE</dt>
        <dd>{percent(result.calibration.expectedCalibrationError)}</dd>
      </div>
      <div>
        <dt>test samples</dt>
        <dd>{sampleCount}</dd>
      </div>
    </dl>
  );
}

function ResultsTab({ result, context, path }: { result: ClassificationResult; context: EvaluationContext; path: string | null }) {
  const selection = useEvaluation((s) => s.selection);
  const order = useEvaluation((s) => s.order);
  const entries = useMemo(() => sampleList(result, selection, order), [result, selection, order]);
  const highlighted = useMemo(
    () => (result.points ? entries.slice(0, GALLERY_LIMIT).flatMap((e) => (result.points?.[e.index] ? [result.points[e.index]!] : [])) : undefined),
    [result, entries],
  );
  return (
    <div className={`nb-eval-grid${result.points ? ' has-plane' : ''}`}>
      <section className="nb-card nb-card-matrix">
        <h3>Confusion matrix</h3>
        <p className="nb-muted">rows: true class · colour: share of the row · click a cell for its samples</p>
        <ConfusionMatrix result={result} selection={selection} onSelect={selectCell} />
      </section>
      {result.points ? (
        <section className="nb-card nb-card-plane">
          <h3>Decision boundary</h3>
          <DecisionBoundary
            points={result.points}
            boundary={result.boundary}
            highlighted={highlighted}
            width={360}
            height={300}
            pointRadius={3}
            aria-label="Decision boundary over the test set"
            data-kind="scatter"
          />
          <p className="nb-muted">test points on the model's prediction; ringed: the samples listed</p>
        </section>
      ) : null}
      <section className="nb-card nb-card-gallery">
        <MistakesGallery
          result={result}
          source={context.source}
          path={path}
          entries={entries}
          selection={selection}
          order={order}
          onOrder={setMistakeOrder}
          onShowMistakes={() => selectCell(undefined)}
        />
      </section>
      <section className="nb-card nb-card-perclass">
        <h3>Per class</h3>
        <PerClassTable result={result} />
      </section>
      <section className="nb-card nb-card-calibration">
        <h3>Calibration</h3>
        <ReliabilityDiagram calibration={result.calibration} />
      </section>
    </div>
  );
}

/** The run's own table (issue 14), when it trained on one: "Try it" then asks in the table's columns and units. */
export function tableSpecOf(context: EvaluationContext): TableDataSpec | undefined {
  const data = context.run?.config.data;
  return data?.kind === 'table' ? data : undefined;
}

function TryTab({ result, context, path }: { result: EvaluationResult; context: EvaluationContext; path: string | null }) {
  const table = tableSpecOf(context);
  return (
    <section className="nb-card nb-card-try">
      <h3>Try it</h3>
      {table && result.inputShape.length === 1 ? (
        <TableInputs
          spec={table}
          runId={result.runId}
          source={context.source}
          path={path}
          {...(result.featureRanges ? { featureRanges: result.featureRanges } : {})}
          {...(result.task === 'classification' ? { classNames: result.classNames } : {})}
        />
      ) : result.task === 'regression' ? (
        <p className="nb-muted">Try it answers for classifiers and for runs on your own table.</p>
      ) : result.inputKind === 'image' && result.inputShape.length === 3 && !isDatasetId(result.datasetId) ? (
        <ImageTryIt result={result} source={context.source} path={path} />
      ) : result.inputKind === 'image' && result.inputShape[0] === 28 && result.inputShape[1] === 28 ? (
        <TryItPad result={result} source={context.source} path={path} />
      ) : result.inputKind === 'vector' ? (
        <VectorInputs result={result} source={context.source} path={path} />
      ) : (
        <p className="nb-muted">Drawing works for 28×28 digit models.</p>
      )}
    </section>
  );
}

export function EvaluationView({ context }: { context: EvaluationContext }) {
  const open = useEvaluation((s) => s.open);
  const loading = useEvaluation((s) => s.loading);
  const result = useEvaluation((s) => s.result);
  const error = useEvaluation((s) => s.error);
  const tab = useEvaluation((s) => s.tab);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && closeEvaluation();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  if (!open) return null;
  const { run, checkpoint } = context;
  const trained = context.trainedGraphHash ?? result?.graphHash;
  const graphChanged = trained !== undefined && context.currentGraphHash !== undefined && trained !== context.currentGraphHash;
  return createPortal(
    <div className="nb-eval-backdrop" onMouseDown={(e) => e.target === e.currentTarget && closeEvaluation()}>
      <div className="nb-eval" role="dialog" aria-modal="true" aria-label="Evaluation" data-run={open.runId}>
        <header className="nb-eval-header">
          <h2>
            Evaluation <span className="nb-muted">run {open.runId.slice(-6)}{run ? ` · ${run.config.dataset} · ${run.epochs.length === 0 ? runOutcomeText(run) : `${run.status} · ${run.epochs.length} epoch${run.epochs.length === 1 ? '' : 's'}`}` : ''}</span>
          </h2>
          <div className="nb-eval-tabs" role="tablist">
            <button type="button" role="tab" aria-selected={tab === 'results'} onClick={() => setEvaluationTab('results')}>
              Results
            </button>
            <button type="button" role="tab" aria-selected={tab === 'try'} onClick={() => setEvaluationTab('try')} disabled={!result || (result.task !== 'classification' && !tableSpecOf(context))}>
              Try it
            </button>
          </div>
          <button type="button" className="nb-eval-close" aria-label="Close evaluation" onClick={closeEvaluation}>
            ×
          </button>
        </header>
        {graphChanged ? (
          <p className="nb-eval-note" role="note" aria-label="Trained graph">
            This run trained an earlier version of the graph: the canvas has changed since.
          </p>
        ) : null}
        {checkpoint && checkpoint.status !== 'ok' ? (
          <p className="nb-eval-warning" role="alert" aria-label="Checkpoint warning">
            The kept weights of this run are {checkpoint.status}
            {checkpoint.reason ? `: ${checkpoint.reason}` : ''}.
          </p>
        ) : null}
        {loading ? <p className="nb-muted" role="status">Evaluating on the test set…</p> : null}
        {error ? (
          <p className="nb-error" role="alert">
            Could not evaluate: {error}
          </p>
        ) : null}
        {result?.task === 'regression' ? (
          <div className="nb-eval-body">
            {tab === 'try' && tableSpecOf(context) ? <TryTab result={result} context={context} path={open.path} /> : <RegressionResults result={result} />}
          </div>
        ) : result ? (
          <div className="nb-eval-body">
            <Summary result={result} />
            {tab === 'results' ? <ResultsTab result={result} context={context} path={open.path} /> : <TryTab result={result} context={context} path={open.path} />}
          </div>
        ) : null}
      </div>
    </div>,
    document.body,
  );
}
