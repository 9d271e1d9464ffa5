/**
 * Every security setting of the app window in one place (checked by windowSecurity.test.ts): an isolated,
 * sandboxed renderer without Node, served from our own `app://` scheme with a strict CSP, that can neither navigate
 * away, open windows, nor reach the network. Links we put in the UI (https only, known hosts) open in the browser.
 */
import type { WebPreferences } from 'electron';
import { contentSecurityPolicy } from '../host/contentSecurityPolicy';

export const APP_SCHEME = 'app';
export const APP_HOST = 'neural-bricks';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

export function windowWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    // Middle-click could otherwise open links in new windows (Electronegativity AUXCLICK_JS_CHECK).
    disableBlinkFeatures: 'Auxclick',
  };
}

/** No `connect-src` beyond 'self': the Electron renderer talks to main over IPC only. */
export const ELECTRON_CSP = contentSecurityPolicy(["'self'"]);

/** External links the UI may open, and only over https. */
export const EXTERNAL_LINK_HOSTS: readonly string[] = ['github.com', 'www.tensorflow.org', 'js.tensorflow.org'];

export function isAllowedExternalLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && EXTERNAL_LINK_HOSTS.includes(parsed.hostname);
  } catch {
    return false;
  }
}

/** Requests the renderer may make at all; everything else (http, https, file, ws…) is cancelled. */
export function isAllowedRequest(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`) || url.startsWith('blob:') || url.startsWith('data:') || url.startsWith('devtools:');
}

/** IPC is answered only for our own page in the window's main frame. */
export function isTrustedSender(frameUrl: string | undefined, isMainFrame: boolean): boolean {
  return isMainFrame && frameUrl !== undefined && frameUrl.startsWith(`${APP_ORIGIN}/`);
}
