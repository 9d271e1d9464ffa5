/**
 * The sandboxed preload: exposes exactly the LabApi as named functions on `window.neuralBricks`. The page never
 * gets ipcRenderer, can only reach the `nb:` channels listed in the contract, and never sees IPC event objects.
 * It imports only the dependency-free channel names (not the zod contract), so its bundle stays a few KB.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_EVENTS, API_METHOD_NAMES, eventSubscriber, ipcChannel, type ApiEvent } from '../../shared/contracts/channels';

const allowedInvoke = new Set(API_METHOD_NAMES.map((method) => ipcChannel(method)));
const allowedEvents = new Set(API_EVENTS.map((event) => ipcChannel(event)));

/** Electron wraps remote errors as "Error invoking remote method 'nb:x': Error: message"; keep the message. */
function cleanError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(message.replace(/^Error invoking remote method '[^']+': (?:\w*Error: )?/, ''));
}

function invoke(channel: string, payload: unknown): Promise<unknown> {
  if (!allowedInvoke.has(channel)) return Promise.reject(new Error(`Unknown channel ${channel}`));
  return ipcRenderer.invoke(channel, payload).catch((error: unknown) => {
    throw cleanError(error);
  });
}

function subscribe(event: ApiEvent, listener: (payload: unknown) => void): () => void {
  const channel = ipcChannel(event);
  if (!allowedEvents.has(channel) || typeof listener !== 'function') throw new Error(`Unknown event ${event}`);
  const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

const api: Record<string, unknown> = {};
for (const method of API_METHOD_NAMES) {
  api[method] = (payload?: unknown) => invoke(ipcChannel(method), payload);
}
for (const event of API_EVENTS) {
  api[eventSubscriber(event)] = (listener: (payload: unknown) => void) => subscribe(event, listener);
}

contextBridge.exposeInMainWorld('neuralBricks', Object.freeze(api));
