/**
 * File → Export… (issue 15): the open graph for PyTorch, ONNX, Keras or TF.js — what `bricks export` writes — with the
 * weights of a kept run (the newest by default) or, when the graph has none, freshly initialised ones (said so).
 * The host writes the files (the web host under `workspace/exports/<name>-<format>/`, Electron into a folder the user
 * picks) and answers with the files written, shown here; nodes a format cannot express are listed by id, type and why.
 * Several exports can be made one after another; each result stays listed until the dialog closes, the newest brought
 * into view.
 */
import { useEffect, useRef, useState } from 'react';
import { EXPORT_FORMATS, EXPORT_FORMAT_NAMES, type ExportFormat, type GraphExport } from '../../../shared/contracts/interop';
import { getLabApi } from '../api/getLabApi';
import { DialogFrame, closeDialog } from '../dialogs/DialogFrame';
import { useCheckpointReports } from '../evaluation/checkpointReports';
import { useDocumentStore, documentStore } from '../store/documentStore';
import { useTrainingRun } from '../training/trainingRunStore';
import { keptRunChoices } from './interopChoices';
import './interop.css';

const FORMAT_NOTES: Readonly<Record<ExportFormat, string>> = {
  pytorch: 'model.py (an nn.Module) + weights.safetensors',
  onnx: 'model.onnx (opset 13, weights inside)',
  keras: 'model.py (tf.keras) + weights.safetensors; needs TensorFlow 2',
  tfjs: 'model.json + weights.bin (TF.js layers model)',
};

/** The "freshly initialised" choice in the weights list. */
const FRESH = '';

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface ExportDialogProps {
  /** A kept run to take the weights from (the Training panel's Export model); absent or not kept: the newest. */
  readonly runId?: string;
  readonly format?: ExportFormat;
}

export function ExportDialog({ runId: wantedRun, format: wantedFormat }: ExportDialogProps = {}) {
  const runs = useDocumentStore((s) => s.runs);
  const name = useDocumentStore((s) => s.document.metadata.name);
  const reports = useCheckpointReports();
  const liveRunId = useTrainingRun((s) => (s.run && (s.run.status === 'completed' || s.run.status === 'stopped') ? s.run.runId : undefined));
  const choices = keptRunChoices(runs, reports, liveRunId);
  const [format, setFormat] = useState<ExportFormat>(wantedFormat ?? 'pytorch');
  const [runId, setRunId] = useState<string>(() => choices.find((c) => c.runId === wantedRun)?.runId ?? choices[0]?.runId ?? FRESH);
  const [busy, setBusy] = useState<ExportFormat>();
  const [error, setError] = useState<string>();
  const [results, setResults] = useState<readonly GraphExport[]>([]);
  const open = useRef(true);
  useEffect(() => {
    open.current = true;
    return () => {
      open.current = false;
    };
  }, []);
  // Each result is listed below the earlier ones: bring the newest into view (after a few exports it would otherwise
  // land below the dialog's fold, and the click would seem to have done nothing).
  const newest = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (results.length > 0) newest.current?.lastElementChild?.scrollIntoView?.({ block: 'nearest' });
  }, [results.length]);

  const run = async () => {
    setError(undefined);
    setBusy(format);
    const state = documentStore.getState();
    try {
      const result = await getLabApi().exportGraph({
        file: state.toFile(),
        path: state.filePath ?? null,
        format,
        ...(runId !== FRESH ? { runId } : {}),
        name: name || 'model',
      });
      if (!open.current) return;
      if (result) setResults((list) => [...list, result]);
    } catch (e) {
      if (open.current) setError(errorText(e));
    } finally {
      if (open.current) setBusy(undefined);
    }
  };

  return (
    <DialogFrame label="Export">
      <form
        className="nb-interop-dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy) void run();
        }}
      >
        <h2>Export</h2>
        <fieldset className="nb-interop-formats">
          <legend>Format</legend>
          {EXPORT_FORMATS.map((f) => (
            <label key={f} className="nb-interop-format">
              <input type="radio" name="nb-export-format" value={f} checked={format === f} onChange={() => setFormat(f)} autoFocus={f === format} />
              <span>{EXPORT_FORMAT_NAMES[f]}</span>
              <span className="nb-muted"> — {FORMAT_NOTES[f]}</span>
            </label>
          ))}
        </fieldset>
        <label className="nb-field nb-interop-weights">
          <span>Weights</span>
          <select aria-label="Weights" value={runId} onChange={(e) => setRunId(e.target.value)}>
            {choices.map((c) => (
              <option key={c.runId} value={c.runId}>
                {c.label}
              </option>
            ))}
            <option value={FRESH}>Freshly initialised (no training)</option>
          </select>
        </label>
        {choices.length === 0 ? (
          <p className="nb-muted" role="note" aria-label="No kept run">
            This graph has no kept run, so the export has freshly initialised weights. Train it (a finished or stopped run
            keeps its weights) to export trained ones.
          </p>
        ) : null}
        {busy ? (
          <div className="nb-interop-busy">
            <div className="nb-data-progress" role="progressbar" aria-label="Exporting" aria-valuetext={`Exporting to ${EXPORT_FORMAT_NAMES[busy]}…`} data-indeterminate="true">
              <span />
            </div>
            <p className="nb-muted">Exporting to {EXPORT_FORMAT_NAMES[busy]}…</p>
          </div>
        ) : null}
        {error ? (
          <p className="nb-data-error" role="alert">
            {error}
          </p>
        ) : null}
        <div ref={newest} className="nb-interop-results">
          {results.map((result, i) => (
            <ExportResult key={i} result={result} runName={result.status === 'exported' ? choices.find((c) => c.runId === result.runId)?.name : undefined} />
          ))}
        </div>
        <div className="nb-dialog-buttons">
          <button type="submit" className="nb-primary" disabled={busy !== undefined}>
            Export to {EXPORT_FORMAT_NAMES[format]}
          </button>
          <button type="button" onClick={closeDialog}>
            {results.length > 0 ? 'Close' : 'Cancel'}
          </button>
        </div>
      </form>
    </DialogFrame>
  );
}

/** One export's outcome; `runName` ("Run 1", as the Weights list and the run history call it) beside the run's id. */
export function ExportResult({ result, runName }: { result: GraphExport; runName?: string | undefined }) {
  const title = EXPORT_FORMAT_NAMES[result.format];
  if (result.status === 'unsupported') {
    return (
      <section className="nb-interop-problems" role="alert" aria-label={`${title} export problems`} data-format={result.format}>
        <p>
          Cannot export to {title}: {result.problems.length} node{result.problems.length === 1 ? '' : 's'} not supported. Nothing was written.
        </p>
        <ul>
          {result.problems.map((p) => (
            <li key={p.nodeId} data-node={p.nodeId}>
              <strong>{p.nodeId}</strong> ({p.type}): {p.reason}
            </li>
          ))}
        </ul>
      </section>
    );
  }
  return (
    <section className="nb-interop-result" aria-label={`${title} export`} data-format={result.format} data-directory={result.directory}>
      <p>
        {title}: {result.files.length} file{result.files.length === 1 ? '' : 's'} in <code>{result.directory}</code>
      </p>
      <ul aria-label={`${title} files`}>
        {result.files.map((f) => (
          <li key={f}>
            <code>{f}</code>
          </li>
        ))}
      </ul>
      <p className="nb-muted">
        Weights: {result.weightsFrom}
        {runName ? ` — ${runName} in the run history` : ''}
      </p>
      {result.summary.map((line, i) => (
        <p key={i} className="nb-muted nb-interop-summary">
          {line}
        </p>
      ))}
    </section>
  );
}
