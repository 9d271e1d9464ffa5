/**
 * The renderer's one door to the Node side. The transport is chosen once: the Electron preload's
 * `window.neuralBricks` when present, else a WebSocket to the web host that served this page. No other renderer
 * file knows which one it got.
 */
import type { LabApi } from '../../../shared/contracts/api';
import { createWebLabApi } from './webLabApi';

declare global {
  interface Window {
    /** Set by electron/shell/preload.ts through contextBridge. */
    readonly neuralBricks?: LabApi;
  }
}

let api: LabApi | undefined;

export function getLabApi(): LabApi {
  api ??= window.neuralBricks ?? createWebLabApi(window.location);
  return api;
}
