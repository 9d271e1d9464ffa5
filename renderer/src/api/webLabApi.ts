/**
 * The LabApi over the web host's WebSocket. Where Electron would show a native dialog, this shows the in-page
 * pickers from webFileDialogs.ts (workspace files, templates, upload; a name for Save As) and then sends a path.
 */
import type {
  ApiEvent,
  ApiMethod,
  ApiRequest,
  ApiResponses,
  LabApi,
  OpenedFile,
} from '../../../shared/contracts/api';
import {
  BUNDLE_EXTENSION,
  BUNDLE_LEFT_OUT_HEADER,
  BUNDLE_NAME_PARAM,
  BUNDLE_PATH_PARAM,
  BUNDLE_ROUTE,
  BUNDLE_SHA256_PARAM,
  MAX_BUNDLE_BYTES,
  TOKEN_HEADER,
} from '../../../shared/contracts/graphBundle';
import { formatMegabytes, MAX_FILE_BYTES, utf8BytesOver } from '../../../shared/contracts/wireLimits';
import { sha256Hex } from '../../../shared/format/sha256';
import type { GraphFile } from '../../../shared/format/graphFileSchema';
import { loadGraphFile } from '../../../shared/format/loadGraphFile';
import { serializeGraphFile } from '../../../shared/format/serializeGraphFile';
import { parseAlreadyExists } from '../../../shared/format/fileNames';
import { confirmReplace, pickFileToOpen, pickSaveName } from './webFileDialogs';
import { WsConnection } from './wsConnection';
import { parseLeftOut } from './bundleLeftOut';
import './webFileDialogs.css';

interface LocationLike {
  readonly host: string;
  readonly search: string;
}

function downloadText(text: string, fileName: string): void {
  downloadBlob(new Blob([text], { type: 'application/json' }), fileName);
}

function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A save the host would write but could never reopen (the loader's file limit) is refused here, before a byte is
 * sent. Measured on the text the host writes: canonical JSON, indented, so larger than the message carrying it.
 */
function assertSavable(file: GraphFile): void {
  const bytes = utf8BytesOver(serializeGraphFile(file), MAX_FILE_BYTES);
  if (bytes !== undefined) {
    throw new Error(`This graph is ${formatMegabytes(bytes)} as a file; the lab's limit for a file is ${formatMegabytes(MAX_FILE_BYTES)}.`);
  }
}

/** The saved file's trained models can travel with a download: it has a workspace path and claims checkpoints. */
function offersModels(request: ApiRequest<'saveFileAs'>): request is ApiRequest<'saveFileAs'> & { source: string } {
  return request.source?.startsWith('workspace/') === true && (request.file.runs ?? []).some((run) => run.checkpoint === true);
}

/** The text of a refused bundle request: the host says why in plain text. */
async function refusal(response: Response, what: string): Promise<Error> {
  const text = (await response.text().catch(() => '')).slice(0, 2000);
  return new Error(text || `${what} failed (HTTP ${response.status})`);
}

export function createWebLabApi(location: LocationLike): LabApi {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const tokenHeader = { [TOKEN_HEADER]: token };

  /** Downloads the bundle of the saved file `source` as the page holds it (the host refuses if the file differs). */
  async function downloadBundle(file: GraphFile, source: string, name: string): Promise<void> {
    const query = new URLSearchParams({
      [BUNDLE_PATH_PARAM]: source,
      [BUNDLE_NAME_PARAM]: name,
      [BUNDLE_SHA256_PARAM]: sha256Hex(new TextEncoder().encode(serializeGraphFile(file))),
    });
    const response = await fetch(`${BUNDLE_ROUTE}?${query}`, { headers: tokenHeader });
    if (!response.ok) throw await refusal(response, 'The download');
    downloadBlob(await response.blob(), name.replace(/\.nbrick$/i, BUNDLE_EXTENSION));
    const leftOut = parseLeftOut(response.headers.get(BUNDLE_LEFT_OUT_HEADER));
    if (leftOut.length > 0) {
      window.alert(`Left out of the download (not usable):\n${leftOut.map((r) => `• run ${r.runId}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`).join('\n')}`);
    }
  }

  async function uploadBundle(name: string, blob: Blob): Promise<OpenedFile> {
    if (blob.size > MAX_BUNDLE_BYTES) {
      throw new Error(`${name} is ${formatMegabytes(blob.size)}; the lab's limit for a bundle is ${formatMegabytes(MAX_BUNDLE_BYTES)}.`);
    }
    const response = await fetch(BUNDLE_ROUTE, { method: 'POST', headers: { ...tokenHeader, 'Content-Type': 'application/zip' }, body: blob });
    if (!response.ok) throw await refusal(response, `Opening ${name}`);
    return (await response.json()) as OpenedFile;
  }
  const connection = new WsConnection(`ws://${location.host}/api?token=${encodeURIComponent(token)}`);

  function call<M extends ApiMethod>(method: M, payload?: ApiRequest<M>): Promise<ApiResponses[M]> {
    return connection.request(method, payload) as Promise<ApiResponses[M]>;
  }
  function subscribe<E extends ApiEvent>(event: E, listener: (payload: never) => void) {
    return connection.on(event, listener as (payload: unknown) => void);
  }

  async function openFile(request?: ApiRequest<'openFile'>): Promise<OpenedFile | null> {
    if (request?.path !== undefined) return call('openFile', request);
    const choice = await pickFileToOpen(await call('listFiles'));
    if (!choice) return null;
    if (choice.kind === 'path') return call('openFile', { path: choice.path });
    if (choice.kind === 'bundle') return uploadBundle(choice.name, choice.file);
    const loaded = loadGraphFile(choice.text);
    if (!loaded.ok) throw new Error(`${choice.name}: ${loaded.error.message}`);
    return { file: loaded.file, path: null, name: choice.name, readOnly: false, checkpoints: [] };
  }

  async function saveFileAs(request: ApiRequest<'saveFileAs'>) {
    // Before the name dialog: asking for a name only to refuse the save would waste the user's time.
    assertSavable(request.file);
    const existing = (await call('listFiles')).filter((entry) => !entry.readOnly);
    const withModels = offersModels(request);
    const choice = await pickSaveName(request.suggestedName ?? request.file.graph.metadata.name, existing, withModels);
    if (choice === null) return null;
    if (choice.kind === 'download' && choice.withModels && withModels) {
      await downloadBundle(request.file, request.source, choice.name);
      return null;
    }
    if (choice.kind === 'download') {
      // A browser download has no path to save back to: the document stays as it was (still unsaved).
      downloadText(serializeGraphFile(request.file), choice.name);
      return null;
    }
    const asked = {
      file: request.file,
      suggestedName: choice.name,
      ...(choice.overwrite ? { overwrite: choice.overwrite } : {}),
      ...(request.source ? { source: request.source } : {}),
    };
    try {
      return await call('saveFileAs', asked);
    } catch (error) {
      // Someone created that file since the list was read: the host refused to replace it; ask, then send again.
      const existingPath = parseAlreadyExists(error instanceof Error ? error.message : '');
      if (existingPath === undefined || existingPath === choice.overwrite) throw error;
      if (!confirmReplace(existingPath)) return null;
      return call('saveFileAs', { ...asked, overwrite: existingPath });
    }
  }

  return {
    getHostInfo: () => call('getHostInfo'),
    openFile,
    saveFile: async (request) => {
      assertSavable(request.file);
      return call('saveFile', request);
    },
    saveFileAs,
    listFiles: () => call('listFiles'),
    recentFiles: () => call('recentFiles'),
    listDatasets: () => call('listDatasets'),
    previewDataset: (request) => call('previewDataset', request),
    startTraining: (request) => call('startTraining', request),
    pauseTraining: (request) => call('pauseTraining', request),
    resumeTraining: (request) => call('resumeTraining', request),
    stopTraining: (request) => call('stopTraining', request),
    exportModel: (request) => call('exportModel', request),
    reportDocumentState: (request) => call('reportDocumentState', request),
    takeRecovery: (request) => call('takeRecovery', request),
    evaluateRun: (request) => call('evaluateRun', request),
    predict: (request) => call('predict', request),
    datasetSamples: (request) => call('datasetSamples', request),
    signalPropagation: (request) => call('signalPropagation', request),
    lossLandscape: (request) => call('lossLandscape', request),
    cancelInsight: (request) => call('cancelInsight', request),
    inspectData: (request) => call('inspectData', request),
    proposeFromData: (request) => call('proposeFromData', request),
    checkData: (request) => call('checkData', request),
    cancelDataJob: (request) => call('cancelDataJob', request),
    exportGraph: (request) => call('exportGraph', request),
    importModel: (request) => call('importModel', request),
    listModelFiles: () => call('listModelFiles'),
    encodeImage: (request) => call('encodeImage', request),
    onRunEvent: (listener) => subscribe('runEvent', listener),
    onMenuCommand: (listener) => subscribe('menuCommand', listener),
    onOpenedFile: (listener) => subscribe('openedFile', listener),
    onInsightProgress: (listener) => subscribe('insightProgress', listener),
    onDataProgress: (listener) => subscribe('dataProgress', listener),
  };
}
