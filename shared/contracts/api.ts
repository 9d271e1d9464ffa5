/**
 * The one API between the renderer and the Node side (VS Code style: the interface lives here, each transport
 * implements it — Electron IPC in electron/shell, a WebSocket in electron/host, a client per transport in
 * renderer/src/api). Every request payload has a zod schema, and every host validates what it receives with
 * `parseRequest` before touching the file system or the trainer: the renderer is treated as untrusted.
 */
import { z } from 'zod';
import { graphDocumentSchema, graphFileSchema, type GraphFile } from '../format/graphFileSchema';
import { trainingConfigSchema, type TrainingConfig } from '../format/trainingConfig';
import type { GraphDocument } from '../document/model';
import type { CheckpointReport } from './evaluation';
import { findPayloadOverrun } from './payloadBudget';
import { COMMAND_IDS, type CommandId } from '../commands/commandCatalog';
import { API_EVENTS, API_METHOD_NAMES, IPC_PREFIX, ipcChannel, type ApiEvent, type ApiMethodName } from './channels';
import { datasetRefSchema, type DatasetInfo, type DatasetPreview, type DatasetRef, type TrainerEvent } from './trainer';
import {
  datasetSamplesRequestSchema,
  evaluateRunRequestSchema,
  predictRequestSchema,
  type DatasetSamples,
  type DatasetSamplesRequest,
  type EvaluateRunRequest,
  type PredictRequest,
  type PredictResult,
  type RunEvaluation,
} from './evaluation';
import {
  cancelDataJobRequestSchema,
  checkDataRequestSchema,
  inspectDataRequestSchema,
  proposeFromDataRequestSchema,
  type CancelDataJobRequest,
  type CheckDataRequest,
  type DataProgress,
  type DataInspection,
  type DataProposal,
  type DataStatus,
  type InspectDataRequest,
  type ProposeFromDataRequest,
} from './data';
import {
  cancelInsightRequestSchema,
  lossLandscapeRequestSchema,
  signalPropagationRequestSchema,
  type CancelInsightRequest,
  type InsightProgress,
  type LossLandscape,
  type LossLandscapeRequest,
  type SignalPropagation,
} from './insight';
import {
  exportGraphRequestSchema,
  importModelRequestSchema,
  type ExportGraphRequest,
  type GraphExport,
  type ImportModelRequest,
  type ModelFileEntry,
  type ModelImportOf,
} from './interop';
import { encodeImageRequestSchema, type EncodeImageRequest, type EncodedImage } from './tryImage';

export type { GraphFile, TrainingConfig, DatasetInfo, DatasetPreview, TrainerEvent };
export type { DataInspection, DataProgress, DataProposal, DataStatus } from './data';
export type { ExportFormat, GraphExport, ModelFileEntry } from './interop';

/** Dataset ids from AGREEMENTS.md; the trainer is the authority, this only bounds what a request may name. */
const datasetIdSchema = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'dataset id: lowercase letters, digits, dashes');

/**
 * A path as the host understands it: absolute in Electron, relative to the workspace in the web host (which
 * resolves it and refuses anything outside its folders). The renderer treats it as an opaque handle.
 */
const filePathSchema = z
  .string()
  .min(1, 'path must not be empty')
  .max(4096, 'path is too long')
  .refine((path) => !path.includes('\0'), 'path must not contain NUL characters');

const runIdSchema = z.string().min(1).max(128);

/** Request schemas, one per method. A method with no arguments takes `undefined`. */
export const apiRequestSchemas = {
  getHostInfo: z.undefined(),
  /** No path: ask the user (native dialog in Electron, workspace picker / upload in the browser). */
  openFile: z.object({ path: filePathSchema.optional() }).strict(),
  saveFile: z.object({ file: graphFileSchema, path: filePathSchema }).strict(),
  /**
   * `overwrite`: the path of an existing file the user agreed to replace (as named in the host's "already exists"
   * refusal). Without it, Save As never replaces a file. Electron's native dialog asks on its own and ignores it.
   */
  saveFileAs: z
    .object({
      file: graphFileSchema,
      suggestedName: z.string().max(255).optional(),
      overwrite: filePathSchema.optional(),
      /** The file the document was opened from: its runs' checkpoints (`<source>-runs/`) are copied beside the new file. */
      source: filePathSchema.optional(),
    })
    .strict(),
  /** Files openable without a native dialog: the web host's workspace and examples (Electron: examples). */
  listFiles: z.undefined(),
  recentFiles: z.undefined(),
  listDatasets: z.undefined(),
  previewDataset: z.object({ dataset: datasetIdSchema, count: z.int().min(1).max(500) }).strict(),
  /**
   * The graph is a snapshot: later edits on the canvas do not touch a running run. `dataset` defaults to config.dataset.
   * `path`: the open file (null for a graph not saved yet), so a relative `config.data.path` resolves beside it.
   */
  startTraining: z
    .object({
      graph: graphDocumentSchema,
      config: trainingConfigSchema,
      dataset: datasetRefSchema.optional(),
      path: filePathSchema.nullable().optional(),
    })
    .strict(),
  pauseTraining: z.object({ runId: runIdSchema }).strict(),
  resumeTraining: z.object({ runId: runIdSchema }).strict(),
  stopTraining: z.object({ runId: runIdSchema }).strict(),
  /**
   * Export the trained model of a finished or stopped run (tfjs layers: model.json + weights.bin). `name` (the graph's
   * name) names the folder; Electron asks for a folder with a native dialog, the web host writes into the workspace.
   */
  exportModel: z.object({ runId: runIdSchema, name: z.string().max(255).optional() }).strict(),
  /** The renderer reports its document so the host can title the window, autosave, and ask before closing. */
  reportDocumentState: z
    .object({ file: graphFileSchema, path: filePathSchema.nullable(), dirty: z.boolean() })
    .strict(),
  /** An autosaved copy left behind by a crash, offered back once; `discard: true` deletes it. */
  takeRecovery: z.object({ discard: z.boolean() }).strict(),
  /** A kept run's model on the run's own test split (`path`: the open file; null for a graph not saved yet). */
  evaluateRun: evaluateRunRequestSchema,
  /** A kept run's model on given inputs ("Try it"); the trainer keeps the model loaded between calls. */
  predict: predictRequestSchema,
  /** Samples of a dataset's test split by index (what an evaluation's sample indices refer to). */
  datasetSamples: datasetSamplesRequestSchema,
  /** Signal propagation at initialisation of the graph as it is now, with its training settings. */
  signalPropagation: signalPropagationRequestSchema,
  /** A loss landscape slice around a kept run's weights (`path` as in evaluateRun); progress comes as insightProgress. */
  lossLandscape: lossLandscapeRequestSchema,
  /** Cancels a loss landscape in progress by its job id (its request then rejects with "cancelled"). */
  cancelInsight: cancelInsightRequestSchema,
  /** A table (columns, types, statistics, problems) or an image folder (classes, sizes, thumbnails, problems). */
  inspectData: inspectDataRequestSchema,
  /** "New from data": a DataSpec (fitted for a table) and a starting graph that fits it. */
  proposeFromData: proposeFromDataRequestSchema,
  /** Whether a graph file's recorded data is still there and unchanged (same / changed / missing). */
  checkData: checkDataRequestSchema,
  /** Cancels an inspectData / proposeFromData that named a `jobId` (progress comes as dataProgress). */
  cancelDataJob: cancelDataJobRequestSchema,
  /** File → Export…: the graph for PyTorch / ONNX / Keras / TF.js with a kept run's weights (shared/contracts/interop.ts). */
  exportGraph: exportGraphRequestSchema,
  /** File → Import…: a Keras model JSON or TF.js model.json (+ shards) as a new graph file, opened. */
  importModel: importModelRequestSchema,
  /** Model JSON files the web host could import from the workspace (Electron: none, it has its dialog). */
  listModelFiles: z.undefined(),
  /** "Try it" on an image-folder run: one image file → the model's input, as the folder's loader makes it. */
  encodeImage: encodeImageRequestSchema,
} as const;

export type ApiMethod = keyof typeof apiRequestSchemas;
/** The method names the preload exposes, from the dependency-free channels.ts (checked below against the schemas). */
export const API_METHODS: readonly ApiMethod[] = API_METHOD_NAMES;

/** Exact equality of two unions: a name in one list and not the other fails to compile. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _methodNamesMatchSchemas: SameNames<ApiMethod, ApiMethodName> = true;
void _methodNamesMatchSchemas;

/** Request types, written with the model's readonly types so a store snapshot can be passed as is. */
export interface ApiRequests {
  getHostInfo: undefined;
  openFile: { readonly path?: string };
  saveFile: { readonly file: GraphFile; readonly path: string };
  saveFileAs: { readonly file: GraphFile; readonly suggestedName?: string; readonly overwrite?: string; readonly source?: string };
  listFiles: undefined;
  recentFiles: undefined;
  listDatasets: undefined;
  previewDataset: { readonly dataset: string; readonly count: number };
  startTraining: {
    readonly graph: GraphDocument;
    readonly config: TrainingConfig;
    readonly dataset?: DatasetRef;
    readonly path?: string | null;
  };
  pauseTraining: { readonly runId: string };
  resumeTraining: { readonly runId: string };
  stopTraining: { readonly runId: string };
  exportModel: { readonly runId: string; readonly name?: string };
  reportDocumentState: { readonly file: GraphFile; readonly path: string | null; readonly dirty: boolean };
  takeRecovery: { readonly discard: boolean };
  evaluateRun: EvaluateRunRequest;
  predict: PredictRequest;
  datasetSamples: DatasetSamplesRequest;
  signalPropagation: {
    readonly graph: GraphDocument;
    readonly config: TrainingConfig;
    readonly dataset?: DatasetRef;
    readonly samples?: number;
    readonly path?: string | null;
  };
  lossLandscape: LossLandscapeRequest;
  cancelInsight: CancelInsightRequest;
  inspectData: InspectDataRequest;
  proposeFromData: ProposeFromDataRequest;
  checkData: CheckDataRequest;
  cancelDataJob: CancelDataJobRequest;
  exportGraph: ExportGraphRequest;
  importModel: ImportModelRequest;
  listModelFiles: undefined;
  encodeImage: EncodeImageRequest;
}
export type ApiRequest<M extends ApiMethod> = ApiRequests[M];

// Compile-time proof that what each schema accepts is the request type handlers are written against.
const _schemasMatchRequests: { [M in ApiMethod]: (x: z.infer<(typeof apiRequestSchemas)[M]>) => ApiRequests[M] } = {
  getHostInfo: (x) => x,
  openFile: (x) => x,
  saveFile: (x) => x,
  saveFileAs: (x) => x,
  listFiles: (x) => x,
  recentFiles: (x) => x,
  listDatasets: (x) => x,
  previewDataset: (x) => x,
  startTraining: (x) => x,
  pauseTraining: (x) => x,
  resumeTraining: (x) => x,
  stopTraining: (x) => x,
  exportModel: (x) => x,
  reportDocumentState: (x) => x,
  takeRecovery: (x) => x,
  evaluateRun: (x) => x,
  predict: (x) => x,
  datasetSamples: (x) => x,
  signalPropagation: (x) => x,
  lossLandscape: (x) => x,
  cancelInsight: (x) => x,
  inspectData: (x) => x,
  proposeFromData: (x) => x,
  checkData: (x) => x,
  cancelDataJob: (x) => x,
  exportGraph: (x) => x,
  importModel: (x) => x,
  listModelFiles: (x) => x,
  encodeImage: (x) => x,
};
void _schemasMatchRequests;

export interface HostInfo {
  readonly transport: 'electron' | 'web';
  readonly appVersion: string;
  /** Web host: absolute path of the user's workspace folder, shown so people know where files go. */
  readonly workspace?: string;
}

export interface OpenedFile {
  readonly file: GraphFile;
  /** Null when the file came from a browser upload: it has no place to be saved back to. */
  readonly path: string | null;
  readonly name: string;
  /** Templates in examples/ open read-only: Save becomes Save As. */
  readonly readOnly: boolean;
  /**
   * Every run that claims a checkpoint (`checkpoint: true`), oldest first, with what was found beside the file. A
   * `missing` or `damaged` one is a warning to show; the file is open all the same. Empty for an upload.
   */
  readonly checkpoints: readonly CheckpointReport[];
}

/** What File → Import… answers: the new graph file opened, or the layers that cannot be imported (interop.ts). */
export type ModelImport = ModelImportOf<OpenedFile>;

export interface SavedFile {
  readonly path: string;
  readonly name: string;
  /** The kept runs' checkpoints now beside the saved file (absent when the host keeps no checkpoints). */
  readonly checkpoints?: readonly CheckpointReport[];
}

export interface FileEntry {
  readonly path: string;
  readonly name: string;
  readonly readOnly: boolean;
  readonly modifiedAt?: string;
}

export interface ExportedModel {
  /** Where the files went: page-facing in the web host (`workspace/exports/…`), absolute in Electron. */
  readonly directory: string;
  /** model.json first, then weights.bin; same form as `directory`. */
  readonly files: readonly string[];
}

export interface Recovery {
  readonly file: GraphFile;
  readonly originalPath: string | null;
  readonly savedAt: string;
}

/** What each method resolves to. */
export interface ApiResponses {
  getHostInfo: HostInfo;
  openFile: OpenedFile | null;
  saveFile: SavedFile;
  saveFileAs: SavedFile | null;
  listFiles: FileEntry[];
  recentFiles: FileEntry[];
  listDatasets: DatasetInfo[];
  previewDataset: DatasetPreview;
  startTraining: { runId: string };
  pauseTraining: void;
  resumeTraining: void;
  stopTraining: void;
  /** Null when the user cancelled the folder dialog. */
  exportModel: ExportedModel | null;
  reportDocumentState: void;
  takeRecovery: Recovery | null;
  evaluateRun: RunEvaluation;
  predict: PredictResult;
  datasetSamples: DatasetSamples;
  signalPropagation: SignalPropagation;
  lossLandscape: LossLandscape;
  cancelInsight: void;
  /** Null when the user cancelled Electron's dialog. */
  inspectData: DataInspection | null;
  proposeFromData: DataProposal;
  checkData: DataStatus;
  cancelDataJob: void;
  /** Null when the user cancelled Electron's folder dialog. */
  exportGraph: GraphExport | null;
  /** Null when the user cancelled Electron's dialogs. */
  importModel: ModelImport | null;
  listModelFiles: ModelFileEntry[];
  encodeImage: EncodedImage;
}

/** A trainer event tagged with the run it belongs to. */
export interface RunEvent {
  readonly runId: string;
  readonly event: TrainerEvent;
}

/** Commands the native menu sends to the renderer: every command of the catalog (shared/commands). */
export const MENU_COMMANDS: readonly CommandId[] = COMMAND_IDS;
export type MenuCommandId = CommandId;

/** `template` for file.new (an id the renderer knows), `path` for file.openRecent. */
export interface MenuCommand {
  readonly command: MenuCommandId;
  readonly template?: string;
  readonly path?: string;
}

export type Unsubscribe = () => void;

export { API_EVENTS, type ApiEvent };
export interface ApiEventPayloads {
  runEvent: RunEvent;
  menuCommand: MenuCommand;
  /** A file opened from outside the page: double-click on a .nbrick, Open Recent in the native menu. */
  openedFile: OpenedFile;
  /** Progress of a long insight computation (a loss landscape), by the job id its request named. */
  insightProgress: InsightProgress;
  /** Progress of a long data request (inspectData / proposeFromData with a `jobId`). */
  dataProgress: DataProgress;
}
const _eventsMatchPayloads: SameNames<keyof ApiEventPayloads, ApiEvent> = true;
void _eventsMatchPayloads;

/** The object the renderer gets from `getLabApi()`. Requests return promises; events return an unsubscribe. */
export type LabApi = {
  readonly [M in ApiMethod]: undefined extends ApiRequest<M>
    ? (request?: ApiRequest<M>) => Promise<ApiResponses[M]>
    : (request: ApiRequest<M>) => Promise<ApiResponses[M]>;
} & {
  onRunEvent(listener: (event: RunEvent) => void): Unsubscribe;
  onMenuCommand(listener: (command: MenuCommand) => void): Unsubscribe;
  onOpenedFile(listener: (file: OpenedFile) => void): Unsubscribe;
  onInsightProgress(listener: (progress: InsightProgress) => void): Unsubscribe;
  onDataProgress(listener: (progress: DataProgress) => void): Unsubscribe;
};

// The preload names its event subscriptions with eventSubscriber(): they must be exactly LabApi's `on…` members.
const _subscribersMatch: SameNames<`on${Capitalize<ApiEvent>}`, Exclude<keyof LabApi, ApiMethod>> = true;
void _subscribersMatch;

/** The side a host implements: same methods, payloads already validated. */
export type ApiHandlers = {
  readonly [M in ApiMethod]: (request: ApiRequest<M>) => Promise<ApiResponses[M]>;
};

/** Thrown for a payload that fails its schema; the message names the method and each bad field's JSON path. */
export class ApiPayloadError extends Error {
  constructor(
    readonly method: string,
    readonly issues: readonly string[],
  ) {
    super(`Invalid payload for ${method}: ${issues.join('; ')}`);
    this.name = 'ApiPayloadError';
  }
}

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(apiRequestSchemas, name);
}

/** Validate an incoming request. Unknown methods and bad payloads throw ApiPayloadError with a readable message. */
export function parseRequest<M extends ApiMethod>(method: M, payload: unknown): ApiRequest<M>;
export function parseRequest(method: string, payload: unknown): unknown;
export function parseRequest(method: string, payload: unknown): unknown {
  if (!isApiMethod(method)) throw new ApiPayloadError(String(method).slice(0, 64), ['unknown method']);
  // Shape limits first: a schema's cost grows with every value it rejects.
  const overrun = findPayloadOverrun(payload);
  if (overrun) throw new ApiPayloadError(method, [overrun]);
  const result = apiRequestSchemas[method].safeParse(payload);
  if (result.success) return result.data;
  const all = result.error.issues;
  const issues = all.slice(0, MAX_REPORTED_ISSUES).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)';
    return `${where}: ${issue.message}`;
  });
  if (all.length > MAX_REPORTED_ISSUES) issues.push(`and ${all.length - MAX_REPORTED_ISSUES} more`);
  throw new ApiPayloadError(method, issues);
}

/** An answer names the first problems, not every one: a bad list could otherwise make a message of megabytes. */
const MAX_REPORTED_ISSUES = 20;

export { IPC_PREFIX, ipcChannel };

/** WebSocket wire messages (JSON). */
export type WireMessage =
  | { readonly type: 'request'; readonly id: number; readonly method: string; readonly payload?: unknown }
  | { readonly type: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly type: 'response'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly type: 'event'; readonly event: ApiEvent; readonly payload: unknown };

export const wireRequestSchema = z
  .object({
    type: z.literal('request'),
    id: z.int().min(0),
    method: z.string().max(64),
    payload: z.unknown().optional(),
  })
  .strict();
