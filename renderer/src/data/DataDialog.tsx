/**
 * New from Data (issue 14): choose a table file or an image folder, look at what the Node side found in it (columns
 * with types, statistics and small charts; or classes with thumbnails, sizes and unreadable files), choose the target
 * and features, then "Create graph" opens the proposed starting graph as a new document that trains on this data.
 *
 * Electron asks with its native dialogs (inspectData with `pick`); the web host reads only its workspace, so the page
 * names a path there (`workspace/…`). Data from elsewhere is imported into `workspace/data/` first: uploaded from the
 * page in the browser (api/dataUpload.ts), copied by Electron from its dialog's choice (`importToWorkspace`); the
 * dialog then inspects the copy as if it had been chosen.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DataColumn, DataInspection, DataProgress, DataProposal, ImageFolderInspectionResult, TableInspectionResult } from '../../../shared/contracts/data';
import { NO_AUGMENTATION, type Augmentation, type DataSpec, type MissingPolicy, type TableFormat } from '../../../shared/data/dataSpec';
import { planUpload, uploadData, type UploadPlan } from '../api/dataUpload';
import { getLabApi } from '../api/getLabApi';
import { hasNativeMenu } from '../commands/host';
import { DialogFrame, closeDialog } from '../dialogs/DialogFrame';
import { documentStore } from '../store/documentStore';
import { CheckedNumberField } from '../training/CheckedNumberField';
import type { NumberRule } from '../training/trainingOptions';
import { viewStore } from '../store/viewStore';
import { layoutDocument } from '../layout/applyLayout';
import { smallClassWarning } from '../../../shared/data/targetClasses';
import {
  choiceForTarget,
  defaultTableChoice,
  formatStat,
  histogramBars,
  missingInFeatures,
  missingValuesSummary,
  problemText,
  tableChoiceProblem,
  targetColumns,
  trainingConfigForProposal,
  unreadableCellsProblem,
  unusedProblemsNote,
  valueBars,
  type Bar,
  type TableChoice,
} from './dataChoices';
import './dataDialog.css';

type Delimiter = TableFormat['delimiter'];
interface FormatOverride {
  readonly delimiter?: Delimiter;
  readonly header?: boolean;
}

type Stage =
  | { readonly kind: 'choose' }
  | { readonly kind: 'busy'; readonly message: string; readonly jobId: string }
  | { readonly kind: 'inspected'; readonly inspection: DataInspection }
  /** A table proposal whose missing-value policy dropped rows or filled cells: the counts are shown before opening it. */
  | { readonly kind: 'proposed'; readonly inspection: DataInspection; readonly proposal: DataProposal; readonly spec: DataSpec; readonly summary: string };

let jobCounter = 0;
const newJobId = () => `data-${Date.now().toString(36)}-${(jobCounter++).toString(36)}`;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function DataDialog() {
  const [stage, setStage] = useState<Stage>({ kind: 'choose' });
  const [error, setError] = useState<string>();
  const [override, setOverride] = useState<FormatOverride>({});
  const [progress, setProgress] = useState<DataProgress>();
  /** Where an import put the data (shown above its inspection). */
  const [notice, setNotice] = useState<string>();
  /**
   * The table choices of the last Create graph, so Back (or an error) shows the table as it was left instead of the
   * defaults again: the table view is drawn anew after the proposal step.
   */
  const [lastTableChoice, setLastTableChoice] = useState<{ readonly key: string } & TableStart>();
  // Answers that arrive after the dialog closed (Cancel, Escape) are dropped, and the job still running is cancelled.
  const open = useRef(true);
  const runningJob = useRef<string | undefined>(undefined);
  useEffect(() => {
    open.current = true;
    const api = getLabApi();
    const unsubscribe = api.onDataProgress((p) => {
      if (p.jobId === runningJob.current) setProgress(p);
    });
    return () => {
      open.current = false;
      unsubscribe();
      const jobId = runningJob.current;
      runningJob.current = undefined;
      if (jobId !== undefined) api.cancelDataJob({ jobId }).catch(() => undefined);
    };
  }, []);
  const startJob = (message: string): string => {
    const jobId = newJobId();
    runningJob.current = jobId;
    setProgress(undefined);
    setStage({ kind: 'busy', message, jobId });
    return jobId;
  };
  const endJob = (jobId: string) => {
    if (runningJob.current === jobId) runningJob.current = undefined;
  };

  const inspect = async (request: InspectRequest, format: FormatOverride = {}) => {
    setError(undefined);
    const previous = stage;
    const jobId = startJob(request.path ? `Reading ${request.path}…` : 'Waiting for your choice…');
    try {
      const inspection = await getLabApi().inspectData({ ...request, ...format, jobId }).finally(() => endJob(jobId));
      if (!open.current) return;
      if (inspection === null) setStage(previous.kind === 'busy' ? { kind: 'choose' } : previous);
      else setStage({ kind: 'inspected', inspection });
    } catch (e) {
      if (!open.current) return;
      setError(errorText(e));
      setStage(previous.kind === 'busy' ? { kind: 'choose' } : previous);
    }
  };

  // The browser's upload: sent in batches with its own progress; closing the dialog aborts it (the host removes it).
  const uploadAbort = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => uploadAbort.current?.abort(), []);
  const upload = async (kind: 'table' | 'imageFolder', files: FileList | null) => {
    setError(undefined);
    let plan: UploadPlan;
    try {
      plan = planUpload(kind, [...(files ?? [])].map((f) => ({ name: f.name, webkitRelativePath: f.webkitRelativePath, size: f.size, blob: f })));
    } catch (e) {
      setError(errorText(e));
      return;
    }
    const jobId = startJob(`Uploading ${plan.name}…`);
    const abort = new AbortController();
    uploadAbort.current = abort;
    try {
      const imported = await uploadData(plan, {
        signal: abort.signal,
        onProgress: (p) => open.current && setProgress({ jobId, fraction: p.fraction, message: p.message, elapsedMs: 0 }),
      }).finally(() => endJob(jobId));
      if (!open.current) return;
      setNotice(`Imported into ${imported.path}${plan.skipped > 0 ? ` (${plan.skipped} hidden file${plan.skipped === 1 ? '' : 's'} left out)` : ''}.`);
      await inspect({ path: imported.path });
    } catch (e) {
      if (!open.current) return;
      setError(errorText(e));
      setStage({ kind: 'choose' });
    } finally {
      if (uploadAbort.current === abort) uploadAbort.current = undefined;
    }
  };

  const openProposal = async (proposal: DataProposal, spec: DataSpec) => {
    const { dirty } = documentStore.getState();
    if (dirty && !window.confirm('Discard unsaved changes to this graph?')) return;
    // The host's chain runs left to right at fixed places: laid out like a template (Auto layout, top to bottom unless
    // the user chose otherwise) it opens fitted into the canvas. The Training panel opens first, so the fit is made
    // for the pane that is left beside it.
    const graph = await layoutDocument(proposal.graph).catch((error: unknown) => {
      console.warn('Auto-layout of the proposed graph failed:', error);
      return proposal.graph;
    });
    if (!open.current) return;
    viewStore.getState().revealSidePanel('training');
    documentStore.getState().replaceFile({ graph, training: trainingConfigForProposal({ spec }) }, undefined, { unsaved: true });
    closeDialog();
  };

  const create = async (inspection: DataInspection, choice: TableChoice | undefined, skipUnreadable: boolean, extra: CreateOptions = {}) => {
    setError(undefined);
    const jobId = startJob('Proposing a graph…');
    try {
      const proposal = await getLabApi().proposeFromData({
        jobId,
        path: inspection.path,
        ...(inspection.kind === 'table' && choice ? { target: choice.target, task: choice.task, features: [...choice.features] } : {}),
        ...(inspection.kind === 'table' ? override : {}),
        ...(inspection.kind === 'table' && extra.missing ? { missing: extra.missing } : {}),
        ...(inspection.kind === 'imageFolder' && extra.augment ? { augment: extra.augment } : {}),
      }).finally(() => endJob(jobId));
      if (!open.current) return;
      // Agreeing to skip unreadable files is recorded in the spec: the loader then skips them (and says how many).
      const spec =
        proposal.spec.kind === 'imageFolder' && inspection.kind === 'imageFolder' && skipUnreadable && inspection.problems.length > 0
          ? { ...proposal.spec, skipped: inspection.problems.length }
          : proposal.spec;
      const summary = spec.kind === 'table' ? missingValuesSummary(spec.missing) : undefined;
      if (summary !== undefined) setStage({ kind: 'proposed', inspection, proposal, spec, summary });
      else {
        setStage({ kind: 'inspected', inspection });
        await openProposal(proposal, spec);
      }
    } catch (e) {
      if (!open.current) return;
      setError(errorText(e));
      setStage({ kind: 'inspected', inspection });
    }
  };

  return (
    <DialogFrame label="New from data">
      <div className="nb-data-dialog">
        <h2>New from data</h2>
        {stage.kind === 'choose' ? (
          <ChooseData
            onInspect={(request) => {
              setNotice(undefined);
              void inspect(request);
            }}
            onUpload={(kind, files) => void upload(kind, files)}
          />
        ) : null}
        {notice && stage.kind !== 'choose' ? (
          <p className="nb-muted" role="status" aria-label="Imported">
            {notice}
          </p>
        ) : null}
        {stage.kind === 'busy' ? (
          <BusyBar message={progress?.jobId === stage.jobId ? progress.message : stage.message} fraction={progress?.jobId === stage.jobId ? progress.fraction : undefined} />
        ) : null}
        {error ? (
          <p className="nb-data-error" role="alert">
            {error}
          </p>
        ) : null}
        {stage.kind === 'inspected' && stage.inspection.kind === 'table' ? (
          <TableView
            key={tableKey(stage.inspection)}
            inspection={stage.inspection}
            override={override}
            start={lastTableChoice?.key === tableKey(stage.inspection) ? lastTableChoice : undefined}
            onFormat={(format) => {
              setOverride(format);
              void inspect({ path: stage.inspection.path }, format);
            }}
            onCreate={(choice, missing) => {
              if (stage.inspection.kind === 'table') setLastTableChoice({ key: tableKey(stage.inspection), choice, missing: missing ?? 'fill' });
              void create(stage.inspection, choice, false, { missing });
            }}
          />
        ) : null}
        {stage.kind === 'inspected' && stage.inspection.kind === 'imageFolder' ? (
          <ImageFolderView key={stage.inspection.path} inspection={stage.inspection} onCreate={(skip, augment) => void create(stage.inspection, undefined, skip, { augment })} />
        ) : null}
        {stage.kind === 'proposed' ? <ProposedView summary={stage.summary} onCreate={() => void openProposal(stage.proposal, stage.spec)} onBack={() => setStage({ kind: 'inspected', inspection: stage.inspection })} /> : null}
        <div className="nb-dialog-buttons">
          {stage.kind === 'inspected' || stage.kind === 'proposed' ? (
            <button type="button" onClick={() => setStage({ kind: 'choose' })}>
              Choose other data
            </button>
          ) : null}
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
        </div>
      </div>
    </DialogFrame>
  );
}

/** One table as read (path and format): choices made on it apply to it only. */
const tableKey = (inspection: TableInspectionResult) => `${inspection.path}|${inspection.format.delimiter}|${inspection.format.header}`;

/** What a table view starts with instead of the defaults (the choices left when it was last shown). */
export interface TableStart {
  readonly choice: TableChoice;
  readonly missing: MissingPolicy;
}

interface CreateOptions {
  readonly missing?: MissingPolicy;
  readonly augment?: Augmentation;
}

/** A table's proposal after its missing-value policy: the counts, then Create graph (or back to the choices). */
export function ProposedView({ summary, onCreate, onBack }: { summary: string; onCreate: () => void; onBack: () => void }) {
  return (
    <div className="nb-data-proposed">
      <p aria-label="Missing values handled">Missing values: {summary}.</p>
      <button type="button" onClick={onBack}>
        Back
      </button>
      <button type="button" className="nb-primary" autoFocus onClick={onCreate}>
        Create graph
      </button>
    </div>
  );
}

/** Progress of the running request: a filling bar when the host says how far it is, else an indeterminate one. */
export function BusyBar({ message, fraction }: { message: string; fraction: number | undefined }) {
  const known = fraction !== undefined && Number.isFinite(fraction);
  const share = known ? Math.min(1, Math.max(0, fraction)) : 0;
  return (
    <div className="nb-data-busy">
      <div
        className="nb-data-progress"
        role="progressbar"
        aria-label="Reading the data"
        aria-valuetext={message}
        {...(known ? { 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(share * 100) } : {})}
        data-indeterminate={known ? 'false' : 'true'}
      >
        <span style={known ? { width: `${share * 100}%` } : undefined} />
      </div>
      <p className="nb-muted">{message}</p>
    </div>
  );
}

type InspectRequest = { readonly path?: string; readonly pick?: 'table' | 'imageFolder'; readonly importToWorkspace?: boolean };

/** A folder picker: `webkitdirectory` is not in React's input attributes, so it is set on the element. */
function FolderInput({ label, onFiles }: { label: string; onFiles: (files: FileList | null) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    ref.current?.setAttribute('webkitdirectory', '');
  }, []);
  return <input ref={ref} type="file" multiple aria-label={label} onChange={(e) => onFiles(e.target.files)} />;
}

export function ChooseData({
  onInspect,
  onUpload,
}: {
  onInspect: (request: InspectRequest) => void;
  onUpload: (kind: 'table' | 'imageFolder', files: FileList | null) => void;
}) {
  const [path, setPath] = useState('workspace/');
  if (hasNativeMenu()) {
    return (
      <div className="nb-data-choose">
        <p>A CSV/TSV table (one row per sample, a column to predict) or a folder of images with one sub-folder per class.</p>
        <button type="button" autoFocus onClick={() => onInspect({ pick: 'table' })}>
          Choose a table file…
        </button>
        <button type="button" onClick={() => onInspect({ pick: 'imageFolder' })}>
          Choose an image folder…
        </button>
        <p className="nb-muted">Or keep a copy with your graphs: import it into the workspace's data folder (~/NeuralBricks/data) first.</p>
        <button type="button" onClick={() => onInspect({ pick: 'table', importToWorkspace: true })}>
          Import a table file…
        </button>
        <button type="button" onClick={() => onInspect({ pick: 'imageFolder', importToWorkspace: true })}>
          Import an image folder…
        </button>
      </div>
    );
  }
  return (
    <div className="nb-data-choose">
      <p>A CSV/TSV table (one row per sample, a column to predict) or a folder of images with one sub-folder per class.</p>
      <fieldset className="nb-data-upload">
        <legend>Upload into the workspace (workspace/data/)</legend>
        <label className="nb-field">
          <span>A table file (.csv, .tsv, .txt)</span>
          <input type="file" accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values" aria-label="Upload a table file" onChange={(e) => onUpload('table', e.target.files)} />
        </label>
        <label className="nb-field">
          <span>An image folder (one sub-folder per class)</span>
          <FolderInput label="Upload an image folder" onFiles={(files) => onUpload('imageFolder', files)} />
        </label>
      </fieldset>
      <form
        className="nb-data-choose"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim() !== '') onInspect({ path: path.trim() });
        }}
      >
        <label className="nb-field">
          <span>Or name a table file or image folder already in the workspace</span>
          <input type="text" autoFocus value={path} onChange={(e) => setPath(e.target.value)} placeholder="workspace/my-table.csv" aria-label="Table file or image folder" />
        </label>
        <button type="submit" disabled={path.trim() === '' || path.trim() === 'workspace/'}>
          Inspect
        </button>
      </form>
    </div>
  );
}

const DELIMITERS: readonly { readonly value: Delimiter; readonly label: string }[] = [
  { value: ',', label: 'comma ,' },
  { value: ';', label: 'semicolon ;' },
  { value: '\t', label: 'tab' },
  { value: '|', label: 'bar |' },
];

export function TableView({
  inspection,
  override,
  start,
  onFormat,
  onCreate,
}: {
  inspection: TableInspectionResult;
  override: FormatOverride;
  /** Choices to start from (kept only if they still fit the table's columns), else the defaults. */
  start?: TableStart | undefined;
  onFormat: (format: FormatOverride) => void;
  onCreate: (choice: TableChoice, missing: MissingPolicy | undefined) => void;
}) {
  const [choice, setChoice] = useState<TableChoice | undefined>(() =>
    start && tableChoiceProblem(start.choice, inspection.columns) === undefined ? start.choice : defaultTableChoice(inspection),
  );
  const [missing, setMissing] = useState<MissingPolicy>(start?.missing ?? 'fill');
  const missingCells = choice ? missingInFeatures(inspection.columns, choice.features) : 0;
  const targets = targetColumns(inspection.columns);
  const target = inspection.columns.find((c) => c.name === choice?.target);
  const problem = unreadableCellsProblem(inspection, choice) ?? tableChoiceProblem(choice, inspection.columns);
  const unusedProblems = unusedProblemsNote(inspection, choice);
  // A class too small for every split: said, not blocking (training works; the score is not fair for that class).
  const smallClassNote = target && choice?.task === 'classification' ? smallClassWarning(target) : undefined;
  const toggleFeature = (name: string, on: boolean) => {
    if (!choice) return;
    const features = on ? inspection.columns.map((c) => c.name).filter((n) => n === name || choice.features.includes(n)) : choice.features.filter((n) => n !== name);
    setChoice({ ...choice, features });
  };
  return (
    <div className="nb-data-table" aria-label="Table inspection">
      <p className="nb-muted">
        {inspection.path} · {inspection.rows} rows · {inspection.columns.length} columns
      </p>
      <div className="nb-data-format">
        <label className="nb-field">
          <span>Delimiter</span>
          <select
            aria-label="Delimiter"
            value={override.delimiter ?? ''}
            onChange={(e) => onFormat({ ...override, delimiter: e.target.value === '' ? undefined : (e.target.value as Delimiter) })}
          >
            <option value="">detected ({DELIMITERS.find((d) => d.value === inspection.format.delimiter)?.label ?? inspection.format.delimiter})</option>
            {DELIMITERS.map((d) => (
              <option key={d.label} value={d.value}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        <label className="nb-field">
          <span>First row</span>
          <select
            aria-label="First row"
            value={override.header === undefined ? '' : override.header ? 'header' : 'data'}
            onChange={(e) => onFormat({ ...override, header: e.target.value === '' ? undefined : e.target.value === 'header' })}
          >
            <option value="">detected ({inspection.format.header ? 'column names' : 'data'})</option>
            <option value="header">column names</option>
            <option value="data">data</option>
          </select>
        </label>
      </div>
      <div className="nb-data-columns-scroll">
        <table className="nb-data-columns" aria-label="Columns">
          <thead>
            <tr>
              <th title="Feature: an input of the model">Use</th>
              <th>Column</th>
              <th>Type</th>
              <th>Range</th>
              <th>Mean ± std</th>
              <th>Missing</th>
              <th>Distinct</th>
              <th>Values</th>
            </tr>
          </thead>
          <tbody>
            {inspection.columns.map((column) => {
              const isTarget = column.name === choice?.target;
              return (
                <tr key={column.name} data-column={column.name} data-type={column.type} className={isTarget ? 'nb-data-target' : undefined}>
                  <td>
                    {isTarget ? (
                      <span className="nb-data-badge">target</span>
                    ) : (
                      <input
                        type="checkbox"
                        aria-label={`Use ${column.name} as a feature`}
                        disabled={column.type === 'text' || !choice}
                        checked={choice?.features.includes(column.name) ?? false}
                        onChange={(e) => toggleFeature(column.name, e.target.checked)}
                      />
                    )}
                  </td>
                  <th scope="row">{column.name}</th>
                  <td className="nb-data-type">{column.type === 'text' ? 'text (ignored)' : column.type}</td>
                  <td>{column.type === 'numeric' ? `${formatStat(column.min)} – ${formatStat(column.max)}` : ''}</td>
                  <td>{column.type === 'numeric' ? `${formatStat(column.mean)} ± ${formatStat(column.std)}` : ''}</td>
                  <td>{column.missing}</td>
                  <td>
                    {column.distinct}
                    {column.distinctCapped ? '+' : ''}
                  </td>
                  <td>
                    <ColumnChart column={column} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {inspection.problemCount > 0 ? (
        <div className="nb-data-problems">
          <h3>
            {inspection.problemCount} problem{inspection.problemCount === 1 ? '' : 's'} in the table
          </h3>
          <ul aria-label="Problems in the table">
            {inspection.problems.map((p) => (
              <li key={`${p.line}|${p.column}`}>
                {problemText(p)}
              </li>
            ))}
            {inspection.problemCount > inspection.problems.length ? <li>… and {inspection.problemCount - inspection.problems.length} more</li> : null}
          </ul>
          {unusedProblems ? (
            <p className="nb-muted" aria-label="Problems left out">
              {unusedProblems}
            </p>
          ) : null}
        </div>
      ) : null}
      <div className="nb-data-format">
        <label className="nb-field">
          <span>Target</span>
          <select
            aria-label="Target column"
            value={choice?.target ?? ''}
            disabled={targets.length === 0}
            onChange={(e) => setChoice(choiceForTarget(inspection.columns, e.target.value))}
          >
            {targets.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="nb-field">
          <span>Task</span>
          <select
            aria-label="Task"
            value={choice?.task ?? ''}
            disabled={!target || target.targetTasks.length < 2}
            onChange={(e) => choice && setChoice({ ...choice, task: e.target.value as TableChoice['task'] })}
          >
            {(target?.targetTasks ?? []).map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </div>
      {smallClassNote ? (
        <p className="nb-data-warning" role="note" aria-label="Small classes">
          ⚠ {smallClassNote}
        </p>
      ) : null}
      {missingCells > 0 ? (
        <fieldset className="nb-data-missing">
          <legend>
            Missing values ({missingCells} cell{missingCells === 1 ? '' : 's'} in the chosen columns)
          </legend>
          <label>
            <input type="radio" name="nb-data-missing" value="drop" checked={missing === 'drop'} onChange={() => setMissing('drop')} /> Drop rows
          </label>
          <label>
            <input type="radio" name="nb-data-missing" value="fill" checked={missing === 'fill'} onChange={() => setMissing('fill')} /> Fill with the training mean
            or most frequent value
          </label>
        </fieldset>
      ) : null}
      {problem ? (
        <p className="nb-data-error" role="status">
          {problem}
        </p>
      ) : (
        <p className="nb-muted">
          Predicts {choice?.target} ({choice?.task}) from {choice?.features.length} column{choice?.features.length === 1 ? '' : 's'}.
        </p>
      )}
      <button type="button" className="nb-primary" disabled={problem !== undefined || !choice} onClick={() => choice && onCreate(choice, missingCells > 0 ? missing : undefined)}>
        Create graph
      </button>
    </div>
  );
}

/** Small bars: a numeric column's histogram, a categorical column's most frequent values. */
function ColumnChart({ column }: { column: DataColumn }) {
  if (column.type === 'numeric' && column.histogram) {
    return <BarChart bars={histogramBars(column.histogram)} label={`Histogram of ${column.name}`} />;
  }
  if (column.type === 'categorical') {
    const bars = valueBars(column);
    return (
      <ul className="nb-data-values" aria-label={`Values of ${column.name}`}>
        {bars.map((b) => (
          <li key={b.label} title={`${b.label}: ${b.count}`}>
            <span className="nb-data-value-bar" style={{ width: `${Math.max(2, b.height * 100)}%` }} />
            <span className="nb-data-value-label">
              {b.label} <span className="nb-muted">{b.count}</span>
            </span>
          </li>
        ))}
      </ul>
    );
  }
  return null;
}

function BarChart({ bars, label }: { bars: readonly Bar[]; label: string }) {
  const width = 120;
  const height = 28;
  const step = bars.length > 0 ? width / bars.length : width;
  return (
    <svg className="nb-data-histogram" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
      {bars.map((b, i) => (
        <rect key={i} x={i * step + 0.5} width={Math.max(1, step - 1)} y={height - b.height * height} height={b.height * height}>
          <title>{`${b.label}: ${b.count}`}</title>
        </rect>
      ))}
    </svg>
  );
}

export function ImageFolderView({
  inspection,
  onCreate,
}: {
  inspection: ImageFolderInspectionResult;
  onCreate: (skipUnreadable: boolean, augment: Augmentation | undefined) => void;
}) {
  const [skip, setSkip] = useState(false);
  const [augment, setAugment] = useState<Augmentation>({ ...NO_AUGMENTATION });
  // Entries a field refuses (out of range, not a number): Create waits until they are fixed and says why.
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  const reportField = useCallback((setting: string, error: string | undefined) => {
    setErrors((current) => {
      if (current[setting] === error) return current;
      const next = { ...current };
      if (error === undefined) delete next[setting];
      else next[setting] = error;
      return next;
    });
  }, []);
  const fieldErrors = Object.values(errors);
  const augments = augment.flip || augment.shift > 0 || augment.rotate > 0;
  const unreadable = inspection.problems.length;
  const blocked = inspection.errors.length > 0 || (unreadable > 0 && !skip);
  const input = inspection.proposedInput;
  const channels = (['gray', 'rgb', 'rgba'] as const).filter((c) => inspection.channels[c] > 0).map((c) => `${inspection.channels[c]} ${c}`);
  return (
    <div className="nb-data-images" aria-label="Image folder inspection">
      <p className="nb-muted">
        {inspection.path} · {inspection.images} images in {inspection.classes.length} classes
        {inspection.labelsFile ? ` · labels from ${inspection.labelsFile}` : ''}
      </p>
      <dl className="nb-data-facts">
        <dt>Sizes</dt>
        <dd>
          {inspection.sizes.map((s) => `${s.width}×${s.height} (${s.count})`).join(', ')}
          {inspection.otherSizes > 0 ? `, ${inspection.otherSizes} other` : ''}
        </dd>
        <dt>Colour</dt>
        <dd>{channels.join(', ') || '–'}</dd>
        <dt>Formats</dt>
        <dd>
          {Object.entries(inspection.formats)
            .map(([format, count]) => `${count} ${format}`)
            .join(', ')}
        </dd>
        <dt>Input</dt>
        <dd aria-label="Proposed input">
          {input.height}×{input.width}×{input.channels} <span className="nb-muted">({input.reason})</span>
        </dd>
      </dl>
      <div className="nb-data-classes" aria-label="Classes">
        {inspection.classes.map((c) => (
          <section key={c.name} className="nb-data-class" aria-label={`Class ${c.name}`}>
            <h3>
              {c.name} <span className="nb-muted">{c.count} image{c.count === 1 ? '' : 's'}</span>
            </h3>
            <div className="nb-data-thumbs">
              {c.thumbnails.map((t) => (
                <img key={t.path} src={t.dataUrl} alt={t.path} title={`${t.path} (${t.width}×${t.height})`} width={48} height={48} />
              ))}
            </div>
          </section>
        ))}
      </div>
      {unreadable > 0 ? (
        <div className="nb-data-problems">
          <h3>
            {unreadable} unreadable file{unreadable === 1 ? '' : 's'}
          </h3>
          <ul aria-label="Unreadable files">
            {inspection.problems.map((p) => (
              <li key={p.path}>
                {p.path}: {p.reason}
              </li>
            ))}
          </ul>
          <label>
            <input type="checkbox" checked={skip} onChange={(e) => setSkip(e.target.checked)} /> Skip these {unreadable} file{unreadable === 1 ? '' : 's'}
          </label>
        </div>
      ) : null}
      {inspection.errors.length > 0 ? (
        <ul className="nb-data-error" role="alert" aria-label="Why this folder cannot be trained">
          {inspection.errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      ) : null}
      <fieldset className="nb-data-augment" aria-label="Augment while training">
        <legend>Augment while training (training images only, new each epoch)</legend>
        <label>
          <input type="checkbox" checked={augment.flip} onChange={(e) => setAugment({ ...augment, flip: e.target.checked })} /> Flip left–right
        </label>
        <CheckedNumberField
          label="Shift up to (% of the side)"
          setting="augment-shift"
          value={Math.round(augment.shift * 1000) / 10}
          rule={SHIFT_PERCENT_RULE}
          step={1}
          disabled={false}
          keeper="The graph"
          help="Moves each training image by up to this share of its width and height"
          onValidity={reportField}
          onChange={(v) => setAugment({ ...augment, shift: v / 100 })}
        />
        <CheckedNumberField
          label="Rotate up to (degrees)"
          setting="augment-rotate"
          value={augment.rotate}
          rule={ROTATE_DEGREES_RULE}
          step={1}
          disabled={false}
          keeper="The graph"
          help="Turns each training image by up to this many degrees either way"
          onValidity={reportField}
          onChange={(v) => setAugment({ ...augment, rotate: v })}
        />
      </fieldset>
      {fieldErrors.length > 0 ? (
        <p className="nb-data-error" role="status">
          Create graph waits until the augmentation {fieldErrors.length === 1 ? 'field is' : 'fields are'} fixed.
        </p>
      ) : null}
      <button type="button" className="nb-primary" disabled={blocked || fieldErrors.length > 0} onClick={() => onCreate(skip, augments ? augment : undefined)}>
        Create graph
      </button>
    </div>
  );
}

/** The augmentation fields' ranges (dataSpec's augmentationSchema: shift ≤ 0.25 of the side, rotate ≤ 45°), shift in percent. */
export const SHIFT_PERCENT_RULE: NumberRule = { min: 0, max: 25, unit: '%' };
export const ROTATE_DEGREES_RULE: NumberRule = { min: 0, max: 45, unit: 'degrees' };
