/**
 * Electron main: one window on our `app://` scheme (see windowSecurity.ts), the LabApi over IPC (each payload
 * validated, each sender checked), the trainer in a utilityProcess, native menus and dialogs, a title with the
 * file name and a modified marker, a prompt before closing unsaved work, and an autosaved copy offered back
 * after a crash. Bundled by scripts/bundle-electron.mjs to dist/electron/main.cjs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  type IpcMainInvokeEvent,
} from 'electron';
import { ApiPayloadError, API_METHODS, ipcChannel, parseRequest, type ApiEvent, type ApiEventPayloads, type ApiMethod } from '../../shared/contracts/api';
import { Autosave } from '../host/autosave';
import { CheckpointService } from '../services/checkpoints/CheckpointService';
import { DataJobs } from '../services/data/dataJobs';
import type { DocumentState } from '../host/autosave';
import { cleanTempFilesAtStartup, createDatasetService, createGraphFileStore, createRecentFiles } from '../host/nodeServices';
import { buildMenuTemplate } from './appMenu';
import { createElectronHandlers } from './electronHandlers';
import { createUtilityTrainingService } from './utilityTrainingService';
import {
  APP_ENTRY,
  APP_HOST,
  APP_SCHEME,
  ELECTRON_CSP,
  isAllowedExternalLink,
  isAllowedRequest,
  isTrustedSender,
  windowWebPreferences,
} from './windowSecurity';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
};

const rendererDir = path.join(__dirname, '../renderer');
const examplesDir = path.join(app.getAppPath(), 'examples');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

let mainWindow: BrowserWindow | undefined;
let documentState: DocumentState | undefined;
let closeConfirmed = false;
/** True once the page has reported its document (its listeners are up). */
let rendererReady = false;
let flushPendingOpens: () => void = () => {};
/** Ctrl+C in the terminal: quit without asking, keeping unsaved work for recovery. */
let keepUnsavedOnExit = false;
/** Files asked for before the window was ready (double-click on a .nbrick, second instance). */
const pendingOpens: string[] = [];

function log(line: string) {
  if (!app.isPackaged) console.log(line);
}

function send<E extends ApiEvent>(event: E, payload: ApiEventPayloads[E]) {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(ipcChannel(event), payload);
}

function updateTitle() {
  if (!mainWindow) return;
  const name = documentState?.path ? path.basename(documentState.path) : (documentState?.file.graph.metadata.name ?? 'Untitled');
  const dirty = documentState?.dirty ?? false;
  mainWindow.setTitle(`${dirty ? '• ' : ''}${name} — Neural Bricks`);
  mainWindow.setDocumentEdited(dirty);
  if (documentState?.path) mainWindow.setRepresentedFilename(documentState.path);
}

/** Serves dist/renderer on app://neural-bricks/ with the CSP header; nothing outside that folder. */
function registerAppProtocol() {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(rendererDir, `.${relative}`);
    if (url.host !== APP_HOST || !file.startsWith(rendererDir + path.sep)) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
          'Content-Security-Policy': ELECTRON_CSP,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

function hardenSession() {
  const ses = session.defaultSession;
  // Offline by design and safer for it: the page may load only our own files.
  ses.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url) }));
  ses.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });
}

function registerIpc(handlers: Record<ApiMethod, (request: never) => Promise<unknown>>) {
  for (const method of API_METHODS) {
    ipcMain.handle(ipcChannel(method), async (event: IpcMainInvokeEvent, payload: unknown) => {
      const frame = event.senderFrame;
      const main = mainWindow?.webContents.mainFrame;
      // Same frame = same renderer process and routing id (WebFrameMain objects need not be identical).
      const fromMainFrame =
        frame !== null && main !== undefined && frame.processId === main.processId && frame.routingId === main.routingId;
      if (!isTrustedSender(frame?.url, fromMainFrame)) throw new Error(`Refused ${method}: not from the app window`);
      const request = parseRequest(method, payload);
      try {
        return await handlers[method](request as never);
      } catch (error) {
        if (!(error instanceof ApiPayloadError)) log(`${method} failed: ${String(error)}`);
        throw error;
      }
    });
  }
}

async function confirmClose(window: BrowserWindow): Promise<boolean> {
  if (!documentState?.dirty) return true;
  const { response } = await dialog.showMessageBox(window, {
    type: 'warning',
    buttons: ['Save', "Don't Save", 'Cancel'],
    defaultId: 0,
    cancelId: 2,
    message: 'Save changes to this graph before closing?',
    detail: 'Your changes will be lost if you don’t save them.',
  });
  if (response === 2) return false;
  if (response === 1) return true;
  // Save goes through the renderer (it owns the document); wait until it reports a clean state.
  send('menuCommand', { command: 'file.save' });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (!documentState?.dirty) return true;
    if (window.isDestroyed()) return true;
  }
  return false;
}

function createWindow(openPath: (file: string) => Promise<unknown>) {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 800,
    minHeight: 600,
    show: false,
    title: 'Neural Bricks',
    // The full set lives in windowSecurity.ts; the critical switches are repeated here so a reader (and
    // static checkers such as Electronegativity) see them where the window is made.
    webPreferences: {
      ...windowWebPreferences(path.join(__dirname, 'preload.cjs')),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  mainWindow = window;
  window.once('ready-to-show', () => window.show());
  const contents = window.webContents;
  contents.on('will-navigate', (event, url) => {
    if (url !== contents.getURL()) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // Files waiting to open are sent once the page reports its first document: by then it listens for them.
  contents.on('did-start-loading', () => {
    rendererReady = false;
  });
  flushPendingOpens = () => {
    for (const file of pendingOpens.splice(0)) {
      void openPath(file).catch((error: unknown) => dialog.showErrorBox('Could not open file', String(error)));
    }
  };
  window.on('close', (event) => {
    if (closeConfirmed) return;
    event.preventDefault();
    void confirmClose(window).then((ok) => {
      if (!ok) return;
      closeConfirmed = true;
      window.close();
    });
  });
  window.on('closed', () => {
    mainWindow = undefined;
  });
  void window.loadURL(APP_ENTRY);
}

function graphArgs(argv: readonly string[]): string[] {
  return argv.filter((arg) => arg.toLowerCase().endsWith('.nbrick') && !arg.startsWith('-')).map((arg) => path.resolve(arg));
}

async function main() {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  pendingOpens.push(...graphArgs(process.argv.slice(1)));
  // macOS double-click: before the window is up the file waits; afterwards it opens right away.
  let openNow: ((file: string) => void) | undefined;
  app.on('open-file', (event, file) => {
    event.preventDefault();
    if (openNow) openNow(file);
    else pendingOpens.push(file);
  });

  await app.whenReady();
  registerAppProtocol();
  hardenSession();

  const stateDir = app.getPath('userData');
  const autosave = new Autosave(path.join(stateDir, 'autosave'));
  const recent = createRecentFiles(stateDir);
  // Temp files of saves a crash interrupted: in the state folder, and beside the files the user saved recently.
  void recent
    .list()
    .then((files) => cleanTempFilesAtStartup({ deep: [stateDir], shallow: [...new Set(files.map((file) => path.dirname(file)))] }, log));
  const training = createUtilityTrainingService(path.join(__dirname, 'trainer.cjs'), log);
  // Kept models: captured into userData/checkpoints/ as runs end, carried beside the file on save.
  const checkpoints = new CheckpointService({ stateDir, log });
  checkpoints.attach(training);
  // Inspecting or proposing from a big table or image folder: progress to the page, cancellable (issue 14).
  const dataJobs = new DataJobs();
  const { handlers, openPath } = createElectronHandlers({
    window: () => mainWindow,
    examplesDir,
    files: createGraphFileStore(),
    recent,
    datasets: createDatasetService(),
    training,
    autosave,
    checkpoints,
    dataJobs,
    onDocumentState: (state) => {
      documentState = state;
      updateTitle();
      if (!rendererReady) {
        rendererReady = true;
        flushPendingOpens();
      }
    },
  });
  const openAndSend = async (file: string) => send('openedFile', await openPath(file));
  registerIpc(handlers as unknown as Record<ApiMethod, (request: never) => Promise<unknown>>);
  training.onRunEvent((event) => send('runEvent', event));
  training.onInsightProgress?.((progress) => send('insightProgress', progress));
  dataJobs.onProgress((progress) => send('dataProgress', progress));
  autosave.start();

  const rebuildMenu = async () => {
    const template = buildMenuTemplate({
      send: (command) => send('menuCommand', command),
      openRecent: (file) => void openAndSend(file).catch((error: unknown) => dialog.showErrorBox('Could not open file', String(error))),
      about: () =>
        void dialog.showMessageBox({
          type: 'info',
          title: 'About Neural Bricks',
          message: `Neural Bricks ${app.getVersion()}`,
          detail: 'Build neural networks like Lego and watch them learn. Runs fully offline.',
        }),
      recent: await recent.list(),
      isMac: process.platform === 'darwin',
      devTools: !app.isPackaged,
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  };
  await rebuildMenu();
  const recentAdd = recent.add.bind(recent);
  recent.add = async (file) => {
    await recentAdd(file);
    await rebuildMenu();
  };

  app.on('second-instance', (_event, argv) => {
    for (const file of graphArgs(argv.slice(1))) openNow?.(file);
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  openNow = (file) => {
    if (mainWindow && rendererReady) {
      void openAndSend(file).catch((error: unknown) => dialog.showErrorBox('Could not open file', String(error)));
    } else {
      pendingOpens.push(file);
    }
  };

  createWindow(openAndSend);
  app.on('activate', () => {
    if (!mainWindow) createWindow(openAndSend);
  });
  app.on('window-all-closed', () => app.quit());
  let cleanedUp = false;
  app.on('before-quit', (event) => {
    if (cleanedUp) return;
    event.preventDefault();
    cleanedUp = true;
    void Promise.allSettled([training.dispose(), autosave.dispose({ keepUnsaved: keepUnsavedOnExit })]).then(() => app.quit());
  });
  // Ctrl+C in the terminal that started `npm start`.
  process.on('SIGINT', () => {
    closeConfirmed = true;
    keepUnsavedOnExit = true;
    app.quit();
  });
}

void main();
