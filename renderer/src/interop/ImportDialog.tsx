/**
 * File → Import… (issue 15): a Keras model JSON or a TF.js model.json becomes a graph — what `bricks import` does — and
 * opens on the canvas. The host writes it as a new graph file (the web host: `workspace/<name>.nbrick`, never replacing
 * one; Electron: where its save dialog says), so the imported weights of a TF.js model with its shards are at once a
 * kept run of a saved file: evaluate, export and Save work as for any opened file.
 *
 * Electron asks with its open and save dialogs. In the browser the page uploads the chosen files (model.json and its
 * weight files; the host keeps them in `workspace/imports/<name>/`) or names a model already in the workspace.
 * Layers that cannot be imported are listed here by name, class and why; nothing is written then.
 */
import { useEffect, useRef, useState } from 'react';
import type { ModelImport } from '../../../shared/contracts/api';
import type { ModelFileEntry } from '../../../shared/contracts/interop';
import { confirmDiscardChanges, loadOpenedFile } from '../api/documentFiles';
import { getLabApi } from '../api/getLabApi';
import { hasNativeMenu } from '../commands/host';
import { DialogFrame, closeDialog } from '../dialogs/DialogFrame';
import { viewStore } from '../store/viewStore';
import { bytesToBase64, graphNameFor, uploadProblem } from './interopChoices';
import './interop.css';

type ImportRequest = { readonly path?: string; readonly upload?: { readonly files: { name: string; base64: string }[] }; readonly name?: string };

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the toast says after an import that opened. */
export function importedSummary(result: Extract<ModelImport, { status: 'imported' }>): string {
  const weights = result.weights
    ? `weights kept as run ${result.weights.runId} (outputs match within ${result.weights.maxOutputDiff.toExponential(1)})`
    : `no weights (${result.noWeights ?? 'none in the file'})`;
  return `Imported ${result.opened.name}: ${result.nodes} layers, ${result.params.toLocaleString('en-US')} parameters; ${weights}.`;
}

export function ImportDialog() {
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  const [unsupported, setUnsupported] = useState<Extract<ModelImport, { status: 'unsupported' }>>();
  const open = useRef(true);
  useEffect(() => {
    open.current = true;
    return () => {
      open.current = false;
    };
  }, []);

  const importModel = async (request: ImportRequest, message: string) => {
    if (!confirmDiscardChanges()) return;
    setError(undefined);
    setUnsupported(undefined);
    setBusy(message);
    try {
      const result = await getLabApi().importModel(request);
      if (!open.current || !result) return;
      if (result.status === 'unsupported') {
        setUnsupported(result);
        return;
      }
      loadOpenedFile(result.opened);
      closeDialog();
      viewStore.getState().showToast(importedSummary(result));
    } catch (e) {
      if (open.current) setError(errorText(e));
    } finally {
      if (open.current) setBusy(undefined);
    }
  };

  return (
    <DialogFrame label="Import">
      <div className="nb-interop-dialog">
        <h2>Import a model</h2>
        <p>
          A Keras model JSON (<code>model.to_json()</code>) or a TF.js layers <code>model.json</code>. With its weight files, a
          TF.js model brings its weights as a kept run.
        </p>
        {hasNativeMenu() ? (
          <button type="button" autoFocus disabled={busy !== undefined} onClick={() => void importModel({}, 'Importing…')}>
            Choose a model file…
          </button>
        ) : (
          <WebChoices busy={busy !== undefined} onImport={(request, message) => void importModel(request, message)} />
        )}
        {busy ? (
          <div className="nb-interop-busy">
            <div className="nb-data-progress" role="progressbar" aria-label="Importing" aria-valuetext={busy} data-indeterminate="true">
              <span />
            </div>
            <p className="nb-muted">{busy}</p>
          </div>
        ) : null}
        {error ? (
          <p className="nb-data-error" role="alert">
            {error}
          </p>
        ) : null}
        {unsupported ? (
          <section className="nb-interop-problems" role="alert" aria-label="Layers that cannot be imported">
            <p>{unsupported.message}:</p>
            <ul>
              {unsupported.problems.map((p, i) => (
                <li key={`${p.layer}-${i}`} data-layer={p.layer}>
                  <strong>{p.layer}</strong> ({p.className}): {p.reason}
                </li>
              ))}
            </ul>
            <p className="nb-muted" aria-label="How to import it">
              To import this model, replace these layers in the original with built-in ones (a Lambda or custom layer by the
              standard layers it computes), save its JSON again and import that.
            </p>
          </section>
        ) : null}
        <div className="nb-dialog-buttons">
          <button type="button" onClick={closeDialog}>
            Cancel
          </button>
        </div>
      </div>
    </DialogFrame>
  );
}

/** The browser's choices: upload files from this computer, or a model already in the workspace. */
function WebChoices({ busy, onImport }: { busy: boolean; onImport: (request: ImportRequest, message: string) => void }) {
  const [files, setFiles] = useState<readonly File[]>([]);
  const [name, setName] = useState('');
  const [models, setModels] = useState<readonly ModelFileEntry[]>();
  const [picked, setPicked] = useState('');
  const [readError, setReadError] = useState<string>();
  useEffect(() => {
    let live = true;
    getLabApi()
      .listModelFiles()
      .then((list) => {
        if (!live) return;
        setModels(list);
        setPicked((p) => p || list[0]?.path || '');
      })
      .catch(() => live && setModels([]));
    return () => {
      live = false;
    };
  }, []);
  const problem = files.length > 0 ? uploadProblem(files) : undefined;

  const upload = async () => {
    setReadError(undefined);
    try {
      const encoded = await Promise.all(files.map(async (f) => ({ name: f.name, base64: bytesToBase64(new Uint8Array(await f.arrayBuffer())) })));
      const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
      onImport({ upload: { files: encoded }, name: name.trim() || graphNameFor(json?.name ?? 'model.json') }, `Uploading and importing ${files.length} file${files.length === 1 ? '' : 's'}…`);
    } catch (e) {
      setReadError(`Cannot read the chosen files: ${errorText(e)}`);
    }
  };

  return (
    <div className="nb-interop-choices">
      <form
        className="nb-interop-upload"
        aria-label="Upload a model"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy && files.length > 0 && !problem) void upload();
        }}
      >
        <h3>From this computer</h3>
        <label className="nb-field">
          <span>Model files (model.json and its weight files)</span>
          <input
            type="file"
            multiple
            accept=".json,.bin,application/json,application/octet-stream"
            autoFocus
            onChange={(e) => setFiles(e.target.files ? [...e.target.files] : [])}
          />
        </label>
        <label className="nb-field">
          <span>Graph name</span>
          <input type="text" value={name} placeholder={graphNameFor(files.find((f) => f.name.toLowerCase().endsWith('.json'))?.name ?? 'model.json')} onChange={(e) => setName(e.target.value)} />
        </label>
        {problem ? <p className="nb-data-error" role="alert">{problem}</p> : null}
        {readError ? <p className="nb-data-error" role="alert">{readError}</p> : null}
        <button type="submit" className="nb-primary" disabled={busy || files.length === 0 || problem !== undefined}>
          Upload and import
        </button>
      </form>
      <form
        className="nb-interop-workspace"
        aria-label="Import from the workspace"
        onSubmit={(e) => {
          e.preventDefault();
          if (!busy && picked) onImport({ path: picked }, `Importing ${picked}…`);
        }}
      >
        <h3>From the workspace</h3>
        {models === undefined ? <p className="nb-muted">Looking for model files…</p> : null}
        {models?.length === 0 ? <p className="nb-muted">No model JSON in the workspace folder.</p> : null}
        {models && models.length > 0 ? (
          <label className="nb-field">
            <span>Model file</span>
            <select aria-label="Model file" value={picked} onChange={(e) => setPicked(e.target.value)}>
              {models.map((m) => (
                <option key={m.path} value={m.path}>
                  {m.path} · {m.kind === 'tfjs' ? `TF.js${m.shards ? `, ${m.shards.present} of ${m.shards.named} weight files` : ''}` : 'Keras JSON, no weights'}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <button type="submit" disabled={busy || !picked}>
          Import
        </button>
      </form>
    </div>
  );
}
