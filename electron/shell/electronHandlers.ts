/**
 * The LabApi as Electron main implements it: native dialogs filtered to .nbrick, absolute paths. The renderer may
 * write only to paths the user chose in a dialog or opened this session (a compromised page cannot pick a target),
 * and the bundled templates are read-only.
 */
import os from 'node:os';
import path from 'node:path';
import { app, dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import type { ApiHandlers, DocumentStateSink, OpenedFile } from './shellTypes';
import { exportModelWithCheckpointFallback } from '../host/checkpointHandlers';
import { createDataHandlers, type DataPaths } from '../host/dataHandlers';
import { createEvaluationHandlers } from '../host/evaluationHandlers';
import { createInsightHandlers } from '../host/insightHandlers';
import { createInteropHandlers, type InteropPaths } from '../host/interopHandlers';
import { EXPORT_FORMAT_NAMES } from '../../shared/contracts/interop';
import { createServiceHandlers, type LabServices } from '../host/labServices';
import { listWorkspaceFiles } from '../host/workspaceFolders';
import { createDataImporter } from '../services/data/importData';
import { withDataPathForSave } from '../../shared/data/dataPathOnSave';
import { safeFileName } from '../../shared/format/fileNames';
import { GRAPH_FILE_EXTENSION, type GraphFile } from '../../shared/format/graphFileSchema';

export interface ElectronHandlerDeps extends LabServices {
  readonly window: () => BrowserWindow | undefined;
  readonly examplesDir: string;
  readonly onDocumentState: DocumentStateSink;
  /** Where New from Data's import copies data (`<workspace>/data/…`); default ~/NeuralBricks, as the web host's. */
  readonly dataWorkspace?: string;
}

const FILTERS = [{ name: 'Neural Bricks graph', extensions: [GRAPH_FILE_EXTENSION.slice(1)] }];

export function createElectronHandlers(deps: ElectronHandlerDeps) {
  /** Paths the user handed us this session: the only places saveFile may write. */
  const granted = new Set<string>();

  const isTemplate = (absolute: string) => {
    const relative = path.relative(deps.examplesDir, absolute);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  };

  async function openPath(absolute: string): Promise<OpenedFile> {
    if (!absolute.toLowerCase().endsWith(GRAPH_FILE_EXTENSION)) throw new Error(`Not a ${GRAPH_FILE_EXTENSION} file: ${absolute}`);
    const file = await deps.files.read(absolute);
    const readOnly = isTemplate(absolute);
    if (!readOnly) {
      granted.add(absolute);
      await deps.recent.add(absolute);
      app.addRecentDocument(absolute);
    }
    const checkpoints = (await deps.checkpoints?.reportsFor(file, absolute)) ?? [];
    return { file, path: absolute, name: path.basename(absolute), readOnly, checkpoints };
  }

  /**
   * Save and Save As: checkpoints beside the target first, the file, then older checkpoints pruned. The file records its
   * own data relative to itself where possible (an absolute path from New from Data, or one relative to `source`).
   */
  async function writeWithCheckpoints(absolute: string, given: GraphFile, source?: string) {
    const file = withDataPathForSave(given, absolute, source);
    const checkpoints = await deps.checkpoints?.carryTo(file, absolute, source);
    await deps.files.write(absolute, file);
    await deps.checkpoints?.prune(file, absolute);
    return checkpoints ? { checkpoints } : {};
  }

  /** A source the page names is read only if the user opened or saved it (a compromised page cannot point anywhere). */
  async function knownSource(source: string | undefined): Promise<string | undefined> {
    if (source === undefined) return undefined;
    const absolute = path.resolve(source);
    return granted.has(absolute) || isTemplate(absolute) || (await deps.recent.list()).includes(absolute) ? absolute : undefined;
  }

  async function runsOf(requested: string): Promise<string> {
    const absolute = path.resolve(requested);
    const known = granted.has(absolute) || isTemplate(absolute) || (await deps.recent.list()).includes(absolute);
    if (!known) throw new Error(`Refused to read the runs of ${absolute}: open it with File › Open first.`);
    return absolute;
  }

  /** Data (a table file or an image folder) the user chose in a dialog this session: the only data paths a request may name. */
  const grantedData = new Set<string>();

  /**
   * The user's own data (issue 14): a request names only data chosen in the native dialog; a graph file's recorded data
   * (resolved beside a file the user opened) is the user's own choice too and is read where it is.
   */
  const dataPaths: DataPaths = {
    async dataPath(requested) {
      const absolute = path.resolve(requested);
      if (!grantedData.has(absolute)) throw new Error(`Refused to read ${absolute}: choose it with the data dialog first.`);
      return absolute;
    },
    graphPath: runsOf,
    graphLocation: (requested) => path.resolve(requested),
    async allowData() {},
    display: (text) => text,
    // New from Data → Import: the chosen data is copied into the user's workspace folder, then read from there.
    importer: createDataImporter({ workspace: deps.dataWorkspace ?? path.join(os.homedir(), 'NeuralBricks') }),
    grant: (absolute) => grantedData.add(path.resolve(absolute)),
    async choose(pick) {
      const window = deps.window();
      const options =
        pick === 'imageFolder'
          ? { title: 'Choose a folder of images (one sub-folder per class)', properties: ['openDirectory' as const] }
          : {
              title: 'Choose a table (CSV or TSV)',
              filters: [{ name: 'Tables', extensions: ['csv', 'tsv', 'txt'] }],
              properties: ['openFile' as const],
            };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      const chosen = result.filePaths[0];
      if (result.canceled || !chosen) return undefined;
      grantedData.add(path.resolve(chosen));
      return path.resolve(chosen);
    },
  };

  async function showOpen(options: OpenDialogOptions): Promise<string | undefined> {
    const window = deps.window();
    const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    const chosen = result.filePaths[0];
    return result.canceled || !chosen ? undefined : path.resolve(chosen);
  }

  /**
   * File → Export… / Import… (issue 15): the user picks the export folder, the model to import and where its graph is
   * saved with native dialogs; a request cannot name a path of its own.
   */
  const interopPaths: InteropPaths = {
    graphPath: runsOf,
    async exportFolder(name, format) {
      const base = name.replace(/[\\/:*?"<>|]+/g, '-');
      const chosen = await showOpen({
        title: `Export ${base} for ${EXPORT_FORMAT_NAMES[format]}: choose a folder`,
        buttonLabel: 'Export here',
        defaultPath: app.getPath('documents'),
        properties: ['openDirectory', 'createDirectory'],
      });
      return chosen ? { absolute: chosen, display: chosen, show: (file: string) => path.join(chosen, file) } : null;
    },
    async importPlan({ path: requested, upload }) {
      if (requested !== undefined || upload !== undefined) throw new Error('Choose the model with File › Import… (the desktop app reads it where it is).');
      const model = await showOpen({
        title: 'Import a Keras model JSON or a TF.js model.json',
        filters: [{ name: 'Model JSON', extensions: ['json'] }],
        properties: ['openFile'],
      });
      if (!model) return null;
      const base = path.basename(model).replace(/\.json$/i, '');
      const window = deps.window();
      const options = {
        title: 'Save the imported graph as',
        filters: FILTERS,
        defaultPath: path.join(app.getPath('documents'), safeFileName(base.toLowerCase() === 'model' ? path.basename(path.dirname(model)) : base)),
      };
      const saved = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      if (saved.canceled || !saved.filePath) return null;
      let target = saved.filePath;
      if (!target.toLowerCase().endsWith(GRAPH_FILE_EXTENSION)) target += GRAPH_FILE_EXTENSION;
      if (isTemplate(target)) throw new Error('Templates are read-only: choose another place.');
      // The save dialog asked before replacing an existing file.
      return { model, target, replace: true };
    },
    open: (absolute) => openPath(absolute),
    display: (text) => text,
    async listModelFiles() {
      return [];
    },
  };

  const handlers: ApiHandlers = {
    ...createServiceHandlers(deps, dataPaths),
    ...createInteropHandlers(deps, interopPaths),
    ...createDataHandlers(dataPaths, deps.dataJobs),
    // Checkpoints are read beside files the user opened or saved, as openFile allows.
    ...createEvaluationHandlers(deps, runsOf),
    ...createInsightHandlers(deps, runsOf, dataPaths),
    async getHostInfo() {
      return { transport: 'electron', appVersion: app.getVersion() };
    },
    async openFile({ path: requested }) {
      if (requested !== undefined) {
        const absolute = path.resolve(requested);
        const known = granted.has(absolute) || isTemplate(absolute) || (await deps.recent.list()).includes(absolute);
        if (!known) throw new Error(`Refused to open ${absolute}: choose it with File › Open first.`);
        return openPath(absolute);
      }
      const window = deps.window();
      const options = { title: 'Open graph', filters: FILTERS, properties: ['openFile' as const] };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      const chosen = result.filePaths[0];
      return result.canceled || !chosen ? null : openPath(chosen);
    },
    async saveFile({ file, path: target }) {
      const absolute = path.resolve(target);
      if (!granted.has(absolute)) throw new Error(`Refused to write ${absolute}: use Save As to choose where to save.`);
      if (isTemplate(absolute)) throw new Error('Templates are read-only: use Save As.');
      // The file it was is this one: a relative data path stays, an absolute one becomes relative to it.
      const carried = await writeWithCheckpoints(absolute, file, absolute);
      await deps.recent.add(absolute);
      return { path: absolute, name: path.basename(absolute), ...carried };
    },
    async saveFileAs({ file, suggestedName, source }) {
      const window = deps.window();
      // The same name rules as the web host (Unicode kept, only what some OS forbids replaced); the dialog asks
      // before replacing an existing file, so the write below may replace the one chosen.
      const options = {
        title: 'Save graph as',
        filters: FILTERS,
        defaultPath: path.join(app.getPath('documents'), safeFileName(suggestedName ?? file.graph.metadata.name)),
      };
      const result = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      if (result.canceled || !result.filePath) return null;
      let absolute = result.filePath;
      if (!absolute.toLowerCase().endsWith(GRAPH_FILE_EXTENSION)) absolute += GRAPH_FILE_EXTENSION;
      if (isTemplate(absolute)) throw new Error('Templates are read-only: choose another place.');
      granted.add(absolute);
      const carried = await writeWithCheckpoints(absolute, file, await knownSource(source));
      await deps.recent.add(absolute);
      app.addRecentDocument(absolute);
      return { path: absolute, name: path.basename(absolute), ...carried };
    },
    async listFiles() {
      // No workspace in the desktop app: the templates, addressed by absolute path.
      const entries = await listWorkspaceFiles({ workspace: path.join(deps.examplesDir, '.none'), examples: deps.examplesDir });
      return entries.map((e) => ({ ...e, path: path.join(deps.examplesDir, e.name) }));
    },
    async recentFiles() {
      return (await deps.recent.list()).map((p) => ({ path: p, name: path.basename(p), readOnly: isTemplate(p) }));
    },
    async exportModel({ runId, name }) {
      // The user picks the folder; the files are written straight into it (model.json + weights.bin).
      const window = deps.window();
      const base = (name || 'model').replace(/[\\/:*?"<>|]+/g, '-');
      const options = {
        title: `Export the trained model of ${base}`,
        buttonLabel: 'Export here',
        defaultPath: app.getPath('documents'),
        properties: ['openDirectory' as const, 'createDirectory' as const],
      };
      const result = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      const chosen = result.filePaths[0];
      if (result.canceled || !chosen) return null;
      const files = await exportModelWithCheckpointFallback(deps, runId, chosen);
      return { directory: chosen, files };
    },
    async reportDocumentState(state) {
      deps.autosave.report(state);
      deps.onDocumentState(state);
    },
  };
  return { handlers, openPath };
}
