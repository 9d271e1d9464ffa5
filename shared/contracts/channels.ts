/**
 * The names on the wire between the renderer and its host, with no dependencies: the sandboxed preload imports only
 * this file, so its bundle stays a few KB (the zod contract in api.ts would add hundreds). api.ts checks at compile
 * time that these lists are exactly its request schemas and event payloads, so the two cannot drift.
 */

/** Request methods, one per request schema in api.ts (`apiRequestSchemas`). */
export const API_METHOD_NAMES = [
  'getHostInfo',
  'openFile',
  'saveFile',
  'saveFileAs',
  'listFiles',
  'recentFiles',
  'listDatasets',
  'previewDataset',
  'startTraining',
  'pauseTraining',
  'resumeTraining',
  'stopTraining',
  'exportModel',
  'reportDocumentState',
  'takeRecovery',
  'evaluateRun',
  'predict',
  'datasetSamples',
  'signalPropagation',
  'lossLandscape',
  'cancelInsight',
  'inspectData',
  'proposeFromData',
  'checkData',
  'cancelDataJob',
  'exportGraph',
  'importModel',
  'listModelFiles',
  'encodeImage',
] as const;
export type ApiMethodName = (typeof API_METHOD_NAMES)[number];

/** Events pushed by the host. Channel names double as the wire names. */
export const API_EVENTS = ['runEvent', 'menuCommand', 'openedFile', 'insightProgress', 'dataProgress'] as const;
export type ApiEvent = (typeof API_EVENTS)[number];

/** The renderer-side subscription for an event: `runEvent` → `onRunEvent`. */
export function eventSubscriber(event: ApiEvent): `on${Capitalize<ApiEvent>}` {
  return `on${event[0]!.toUpperCase()}${event.slice(1)}` as `on${Capitalize<ApiEvent>}`;
}

/** IPC channel for a request method or event: one prefix, so main can refuse everything else. */
export const IPC_PREFIX = 'nb:';
export function ipcChannel(name: ApiMethodName | ApiEvent): string {
  return `${IPC_PREFIX}${name}`;
}
