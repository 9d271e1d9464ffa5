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
import { formatMegabytes, MAX_FILE_BYTES, utf8BytesOver } from '../../../shared/contracts/wireLimits';
import type { GraphFile } from '../../../shared/format/graphFileSchema';
import { loadGraphFile } from '../../../shared/format/loadGraphFile';
import { serializeGraphFile } from '../../../shared/format/serializeGraphFile';
import { parseAlreadyExists } from '../../../shared/format/fileNames';
import { confirmReplace, pickFileToOpen, pickSaveName } from './webFileDialogs';
import { WsConnection } from './wsConnection';
import './webFileDialogs.css';

interface LocationLike {
  readonly host: string;
  readonly search: string;
}

function downloadText(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
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

export function createWebLabApi(location: LocationLike): LabApi {
  const token = new URLSearchParams(location.search).get('token') ?? '';
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
    const loaded = loadGraphFile(choice.text);
    if (!loaded.ok) throw new Error(`${choice.name}: ${loaded.error.message}`);
    return { file: loaded.file, path: null, name: choice.name, readOnly: false, checkpoints: [] };
  }

  async function saveFileAs(request: ApiRequest<'saveFileAs'>) {
    // Before the name dialog: asking for a name only to refuse the save would waste the user's time.
    assertSavable(request.file);
    const existing = (await call('listFiles')).filter((entry) => !entry.readOnly);
    const choice = await pickSaveName(request.suggestedName ?? request.file.graph.metadata.name, existing);
    if (choice === null) return null;
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
    onRunEvent: (listener) => subscribe('runEvent', listener),
    onMenuCommand: (listener) => subscribe('menuCommand', listener),
    onOpenedFile: (listener) => subscribe('openedFile', listener),
  };
}
