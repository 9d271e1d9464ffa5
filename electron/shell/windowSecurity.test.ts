/**
 * The Electron security settings, checked where they are defined (windowSecurity.ts), where they are used
 * (main.ts source), and by running the preload against a recording stand-in for electron's contextBridge.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { API_EVENTS, API_METHODS } from '../../shared/contracts/api';
import {
  APP_ENTRY,
  ELECTRON_CSP,
  isAllowedExternalLink,
  isAllowedRequest,
  isTrustedSender,
  windowWebPreferences,
} from './windowSecurity';

const here = path.dirname(fileURLToPath(import.meta.url));
const mainSource = readFileSync(path.join(here, 'main.ts'), 'utf8');
const preloadSource = readFileSync(path.join(here, 'preload.ts'), 'utf8');

describe('window preferences', () => {
  it('isolate and sandbox the renderer without Node', () => {
    const prefs = windowWebPreferences('/x/preload.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    });
  });

  it('are the only preferences any window in main.ts gets', () => {
    const windows = mainSource.match(/new BrowserWindow\(/g) ?? [];
    const secured = mainSource.match(/webPreferences: \{\s*\.\.\.windowWebPreferences\(/g) ?? [];
    expect(windows.length).toBeGreaterThan(0);
    expect(secured.length).toBe(windows.length);
    for (const unsafe of [/nodeIntegration:\s*true/, /contextIsolation:\s*false/, /sandbox:\s*false/, /webSecurity:\s*false/, /allowRunningInsecureContent:\s*true/]) {
      expect(mainSource).not.toMatch(unsafe);
    }
  });
});

describe('main.ts', () => {
  it('blocks navigation, new windows and webviews, and opens only vetted links externally', () => {
    expect(mainSource).toMatch(/on\('will-navigate', \(event, url\) => \{\s*if \(url !== contents\.getURL\(\)\) event\.preventDefault\(\);/);
    expect(mainSource).toMatch(/setWindowOpenHandler\(\(\{ url \}\) => \{\s*if \(isAllowedExternalLink\(url\)\) void shell\.openExternal\(url\);\s*return \{ action: 'deny' \};/);
    expect(mainSource).toContain("on('will-attach-webview', (event) => event.preventDefault())");
    expect(mainSource.match(/shell\.openExternal\(/g)).toHaveLength(1);
  });

  it('loads only our app:// entry, sets the CSP on it, and cancels every other request', () => {
    expect(mainSource).toContain('window.loadURL(APP_ENTRY)');
    expect(APP_ENTRY).toBe('app://neural-bricks/index.html');
    expect(mainSource).toContain("'Content-Security-Policy': ELECTRON_CSP");
    expect(mainSource).toContain('callback({ cancel: !isAllowedRequest(details.url) })');
    expect(mainSource).toContain('setPermissionRequestHandler((_webContents, _permission, callback) => callback(false))');
  });

  it('answers IPC only through handle() with sender checks and payload validation', () => {
    expect(mainSource).not.toMatch(/ipcMain\.on\(/);
    expect(mainSource.match(/ipcMain\.handle\(/g)).toHaveLength(1);
    const handler = mainSource.slice(mainSource.indexOf('ipcMain.handle('));
    const check = handler.indexOf('isTrustedSender(');
    const validate = handler.indexOf('parseRequest(method, payload)');
    const call = handler.indexOf('handlers[method](');
    expect(check).toBeGreaterThan(0);
    expect(validate).toBeGreaterThan(check);
    expect(call).toBeGreaterThan(validate);
    expect(handler).toContain('frame.processId === main.processId && frame.routingId === main.routingId');
  });

  it('runs the trainer in a utilityProcess, not in main', () => {
    const service = readFileSync(path.join(here, 'utilityTrainingService.ts'), 'utf8');
    expect(service).toContain('utilityProcess.fork(');
    expect(mainSource).not.toMatch(/services\/training\/(runTraining|trainModel|serveTrainer)/);
  });
});

describe('policies', () => {
  it('CSP: self only, no eval (wasm excepted), no plugins, no framing', () => {
    expect(ELECTRON_CSP).toContain("default-src 'self'");
    expect(ELECTRON_CSP).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(ELECTRON_CSP).not.toMatch(/'unsafe-eval'/);
    expect(ELECTRON_CSP).toContain("object-src 'none'");
    expect(ELECTRON_CSP).toContain("frame-ancestors 'none'");
    expect(ELECTRON_CSP).toContain("connect-src 'self'");
  });

  it('external links: https to known hosts only', () => {
    expect(isAllowedExternalLink('https://github.com/tensorflow/tfjs')).toBe(true);
    expect(isAllowedExternalLink('http://github.com/')).toBe(false);
    expect(isAllowedExternalLink('https://evil.example/')).toBe(false);
    expect(isAllowedExternalLink('javascript:alert(1)')).toBe(false);
    expect(isAllowedExternalLink('file:///etc/passwd')).toBe(false);
  });

  it('requests: our scheme, blob and data only', () => {
    expect(isAllowedRequest('app://neural-bricks/assets/index.js')).toBe(true);
    expect(isAllowedRequest('blob:app://neural-bricks/1234')).toBe(true);
    expect(isAllowedRequest('https://cdn.example/x.js')).toBe(false);
    expect(isAllowedRequest('file:///etc/passwd')).toBe(false);
    expect(isAllowedRequest('app://neural-bricks.evil/x')).toBe(false);
  });

  it('IPC senders: our page in the main frame only', () => {
    expect(isTrustedSender('app://neural-bricks/index.html', true)).toBe(true);
    expect(isTrustedSender('app://neural-bricks/index.html', false)).toBe(false);
    expect(isTrustedSender('https://evil.example/', true)).toBe(false);
    expect(isTrustedSender(undefined, true)).toBe(false);
  });
});

describe('preload', () => {
  const exposed: Record<string, unknown> = {};
  const invoked: [string, unknown][] = [];
  const ipcRenderer = {
    invoke: vi.fn(async (channel: string, payload: unknown) => {
      invoked.push([channel, payload]);
      if (channel === 'nb:saveFile') throw new Error("Error invoking remote method 'nb:saveFile': Error: Refused to write /x");
      return 'ok';
    }),
    on: vi.fn(),
    removeListener: vi.fn(),
  };

  beforeAll(async () => {
    vi.doMock('electron', () => ({
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer,
    }));
    await import('./preload');
  });

  it('exposes exactly the API as named functions, never ipcRenderer', () => {
    expect(Object.keys(exposed)).toEqual(['neuralBricks']);
    const api = exposed.neuralBricks as Record<string, unknown>;
    const events = API_EVENTS.map((e) => `on${e[0]!.toUpperCase()}${e.slice(1)}`);
    expect(Object.keys(api).sort()).toEqual([...API_METHODS, ...events].sort());
    for (const value of Object.values(api)) {
      expect(typeof value).toBe('function');
      expect(value).not.toBe(ipcRenderer.invoke);
      expect(value).not.toBe(ipcRenderer.on);
    }
    expect(Object.isFrozen(api)).toBe(true);
    expect(preloadSource).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });

  it('forwards each method to its own nb: channel and cleans remote error messages', async () => {
    const api = exposed.neuralBricks as Record<string, (payload?: unknown) => Promise<unknown>>;
    await expect(api.listDatasets!()).resolves.toBe('ok');
    expect(invoked.at(-1)).toEqual(['nb:listDatasets', undefined]);
    await expect(api.saveFile!({ path: '/x' })).rejects.toThrow(/^Refused to write \/x$/);
  });

  it('subscriptions hand the listener only the payload and can be undone', () => {
    const api = exposed.neuralBricks as Record<string, (listener: (payload: unknown) => void) => () => void>;
    const received: unknown[] = [];
    const unsubscribe = api.onRunEvent!((payload) => received.push(payload));
    const [channel, handler] = ipcRenderer.on.mock.calls.at(-1) as [string, (event: unknown, payload: unknown) => void];
    expect(channel).toBe('nb:runEvent');
    handler({ sender: 'secret ipc event' }, { runId: 'r1' });
    expect(received).toEqual([{ runId: 'r1' }]);
    unsubscribe();
    expect(ipcRenderer.removeListener).toHaveBeenCalledWith('nb:runEvent', handler);
  });
});
