/**
 * The live run: what the trainer reported so far for the run this window started. Fed by the LabApi's run events;
 * a finished, stopped or failed run is appended to the document's run history (documentStore.addRun) so Save keeps
 * it. A run keeps the graph snapshot it started with: later canvas edits do not change what is being trained.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { LabApi, RunEvent } from '../../../shared/contracts/api';
import type { GraphDocument } from '../../../shared/document/model';
import type { EpochMetrics, RunSummary } from '../../../shared/format/runSummary';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import { documentStore } from '../store/documentStore';
import { addProgressMark, batchX, type BatchPoint, type ProgressMark } from './trainingMath';
import { describeBackend } from './describeBackend';
import type { BoundaryFrame } from '../evaluation/evaluationApi';
import type { RunTelemetry } from '../../../shared/contracts/telemetry';
import { TelemetryRecorder } from '../../../shared/telemetry/telemetryRecorder';

/** The newest decision boundary a 2-D run sent, and when in the run it was taken. */
export interface LiveBoundary extends BoundaryFrame {
  readonly epoch: number;
  readonly batch: number;
}

export type RunStatus = 'idle' | 'starting' | 'running' | 'paused' | 'completed' | 'stopped' | 'failed';

export interface LiveRun {
  readonly runId?: string;
  readonly status: RunStatus;
  readonly config: TrainingConfig;
  readonly graph: GraphDocument;
  readonly startedAt: string;
  readonly backend?: string;
  readonly backendDetail?: string;
  readonly params?: number;
  readonly trainSize?: number;
  readonly valSize?: number;
  readonly epoch: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly samplesPerSec: number;
  /** When batches arrived by the wall clock, for the ETA (trainingMath.etaSeconds); cleared on pause. */
  readonly progressMarks?: readonly ProgressMark[];
  readonly batches: readonly BatchPoint[];
  readonly epochs: readonly EpochMetrics[];
  readonly error?: string;
  /** Set when the run reached the document's history. */
  readonly summary?: RunSummary;
  /** 2-D datasets: the model's prediction over the plane, replaced by each `boundary` event. */
  readonly boundary?: LiveBoundary;
  /**
   * documentStore's `loadCount` when the run started: the document it belongs to. When another document is opened
   * (New, Open, a restored copy), a run that ended is cleared from the panel, and a run still training keeps going
   * but its record is never added to the document that replaced its own.
   */
  readonly documentLoad?: number;
  /** Set when the run ended after its document was replaced: its record went nowhere. */
  readonly orphaned?: boolean;
  /** What the trainer measured inside the network so far (downsampled like the run record will keep it). */
  readonly telemetry?: RunTelemetry;
}

/** The live run's telemetry recorder (one run at a time), rebuilt into `LiveRun.telemetry` on each event. */
let recorder: { runId: string; recorder: TelemetryRecorder } | undefined;

interface TrainingRunState {
  readonly run?: LiveRun;
  /** Set while a start/pause/stop request is on its way, for the buttons. */
  readonly busy: boolean;
  readonly requestError?: string;
}

export const trainingRunStore = createStore<TrainingRunState>()(() => ({ busy: false }));

export function useTrainingRun<T>(selector: (state: TrainingRunState) => T): T {
  return useStore(trainingRunStore, selector);
}

function belongs(run: LiveRun, runId: string): boolean {
  return run.runId === runId;
}

/**
 * Events can beat the startTraining reply. While this window's run waits for its id, events are held here and
 * replayed once the reply names the run: adopting the first id heard would let another run's events (the end of
 * a run stopped a moment ago, a run started from another tab) take the new run's place.
 */
let heldEvents: RunEvent[] = [];
const MAX_HELD_EVENTS = 1000;

function update(runId: string, patch: (run: LiveRun) => Partial<LiveRun>): void {
  const run = trainingRunStore.getState().run;
  if (!run || !belongs(run, runId)) return;
  trainingRunStore.setState({ run: { ...run, runId, ...patch(run) } });
}

/** A failed run the trainer could not summarise (setup error, its process died): build the record from what we saw. */
function summaryFromLive(run: LiveRun, status: RunSummary['status'], error?: string): RunSummary | undefined {
  const lastEpoch = run.epochs[run.epochs.length - 1];
  const lastBatch = run.batches[run.batches.length - 1];
  const final = lastEpoch ?? (lastBatch ? { loss: lastBatch.loss, ...(lastBatch.accuracy !== undefined ? { accuracy: lastBatch.accuracy } : {}) } : undefined);
  if (!run.runId || !final) return undefined;
  const { epoch: _epoch, ...finalMetrics } = { epoch: 0, ...final };
  return {
    id: run.runId,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    status,
    backend: run.backend ?? 'unknown',
    config: run.config,
    epochs: [...run.epochs],
    final: finalMetrics,
    samplesPerSec: run.samplesPerSec,
    wallTimeMs: Math.max(0, Date.now() - Date.parse(run.startedAt)),
    ...(error ? { error } : {}),
  };
}

function finish(runId: string, status: RunSummary['status'], summary: RunSummary | undefined, error?: string): void {
  const run = trainingRunStore.getState().run;
  if (!run || !belongs(run, runId) || run.summary) return;
  const record = summary ?? summaryFromLive({ ...run, runId }, status, error);
  if (!isOwnDocument(run)) {
    trainingRunStore.setState({ run: { ...run, runId, status, orphaned: true, ...(error ? { error } : {}) } });
    return;
  }
  if (record) documentStore.getState().addRun(record);
  // A completed run did every batch, whatever the last (throttled) progress event said.
  const done = status === 'completed' ? { epoch: run.config.epochs, batch: run.batchesPerEpoch } : {};
  trainingRunStore.setState({ run: { ...run, ...done, runId, status, ...(error ? { error } : {}), ...(record ? { summary: record } : {}) } });
}

/** Whether the document the run started from is still the open one (see LiveRun.documentLoad). */
export function isOwnDocument(run: LiveRun): boolean {
  return run.documentLoad === undefined || run.documentLoad === documentStore.getState().loadCount;
}

const ACTIVE: ReadonlySet<RunStatus> = new Set(['starting', 'running', 'paused']);

// Another document was loaded: the panel must not offer the old document's run (its Export, its Evaluate, its
// decision boundary) as if it were this one's. A run still training stays visible, marked as another file's.
documentStore.subscribe((state, previous) => {
  if (state.loadCount === previous.loadCount) return;
  const run = trainingRunStore.getState().run;
  if (run && !ACTIVE.has(run.status)) trainingRunStore.setState({ run: undefined, requestError: undefined });
});

export function applyRunEvent(runEvent: RunEvent): void {
  const current = trainingRunStore.getState().run;
  if (current && current.runId === undefined && current.status === 'starting') {
    if (heldEvents.length < MAX_HELD_EVENTS) heldEvents.push(runEvent);
    return;
  }
  const { runId, event } = runEvent;
  switch (event.type) {
    case 'started':
      update(runId, () => ({
        status: 'running',
        backend: event.backend.name,
        backendDetail: describeBackend(event.backend, event.workers),
        params: event.params,
        trainSize: event.trainSize,
        valSize: event.valSize,
      }));
      break;
    case 'batch':
      applyBatchEvents(runId, [event]);
      break;
    case 'epoch': {
      const { type: _type, runId: _runId, elapsedMs: _elapsed, ...metrics } = event;
      update(runId, (run) => ({ epochs: [...run.epochs, metrics] }));
      break;
    }
    case 'paused':
      // The ETA's wall-clock rate starts again after a pause rather than counting it.
      update(runId, () => ({ status: 'paused', progressMarks: [] }));
      break;
    case 'resumed':
      update(runId, () => ({ status: 'running' }));
      break;
    case 'finished':
      finish(runId, event.summary.status, event.summary);
      break;
    case 'failed':
      // A diverged run comes with the trainer's summary (all batches counted, nothing non-finite); keep it.
      finish(runId, 'failed', event.summary, event.reason);
      break;
    case 'boundary':
      update(runId, () => ({
        boundary: { ...event.grid, probabilities: event.probabilities, epoch: event.epoch, batch: event.batch },
      }));
      break;
    case 'telemetry':
      update(runId, (run) => {
        if (recorder?.runId !== runId) recorder = { runId, recorder: new TelemetryRecorder(Math.max(1, run.batchesPerEpoch)) };
        const { type: _type, runId: _runId, ...sample } = event;
        recorder.recorder.add(sample);
        return { telemetry: recorder.recorder.toRecord() };
      });
      break;
  }
}

type BatchEvent = Extract<RunEvent['event'], { type: 'batch' }>;

/** Several batch events of one run in one store update: the batches array is copied once, not once per batch. */
function applyBatchEvents(runId: string, events: readonly BatchEvent[]): void {
  const last = events[events.length - 1];
  if (!last) return;
  update(runId, (run) => ({
    status: run.status === 'starting' ? 'running' : run.status,
    epoch: last.epoch,
    batch: last.batch,
    batchesPerEpoch: last.batchesPerEpoch,
    samplesPerSec: last.samplesPerSec,
    progressMarks: addProgressMark(run.progressMarks, { atMs: Date.now(), done: (last.epoch - 1) * last.batchesPerEpoch + last.batch }),
    batches: run.batches.concat(
      events.map((event) => ({
        x: batchX(event.epoch, event.batch, event.batchesPerEpoch),
        loss: event.loss,
        ...(event.accuracy !== undefined ? { accuracy: event.accuracy } : {}),
      })),
    ),
  }));
}

/**
 * Applies events in order, with each run of consecutive batch events of one run merged into one store update. Held
 * events (a run still waiting for its id) go through {@link applyRunEvent} one by one.
 */
export function applyRunEvents(events: readonly RunEvent[]): void {
  for (let i = 0; i < events.length; ) {
    const first = events[i]!;
    const current = trainingRunStore.getState().run;
    const holding = current !== undefined && current.runId === undefined && current.status === 'starting';
    if (first.event.type !== 'batch' || holding) {
      applyRunEvent(first);
      i += 1;
      continue;
    }
    const batch: BatchEvent[] = [];
    let j = i;
    for (; j < events.length && events[j]!.runId === first.runId && events[j]!.event.type === 'batch'; j++) batch.push(events[j]!.event as BatchEvent);
    applyBatchEvents(first.runId, batch);
    i = j;
  }
}

/**
 * The trainer sends up to MAX_BATCH_EVENTS_PER_SECOND batch events (plus telemetry and boundary updates); re-rendering
 * the panel and its charts for each kept a busy machine's renderer saturated (clicks waited seconds). Streaming events
 * are queued and applied together at most every {@link RUN_EVENT_FLUSH_MS}; any other event (started, paused,
 * finished, …) flushes the queue at once, so status changes show without delay and in order.
 */
export const RUN_EVENT_FLUSH_MS = 125;
const STREAMING: ReadonlySet<string> = new Set(['batch', 'telemetry', 'boundary']);
let queued: RunEvent[] = [];
let flushTimer: ReturnType<typeof setTimeout> | undefined;

function flushRunEvents(): void {
  if (flushTimer !== undefined) clearTimeout(flushTimer);
  flushTimer = undefined;
  const events = queued;
  queued = [];
  applyRunEvents(events);
}

/** Queues a run event from the host; see {@link RUN_EVENT_FLUSH_MS}. */
export function receiveRunEvent(runEvent: RunEvent): void {
  queued.push(runEvent);
  if (!STREAMING.has(runEvent.event.type)) flushRunEvents();
  else if (flushTimer === undefined) flushTimer = setTimeout(flushRunEvents, RUN_EVENT_FLUSH_MS);
}

let subscribed: LabApi | undefined;

/** Subscribes once per API object; the panel calls it on mount. */
export function connectRunEvents(api: LabApi): void {
  if (subscribed === api) return;
  subscribed = api;
  api.onRunEvent(receiveRunEvent);
}

async function request(action: () => Promise<void>): Promise<void> {
  trainingRunStore.setState({ busy: true, requestError: undefined });
  try {
    await action();
  } catch (error) {
    trainingRunStore.setState({ requestError: error instanceof Error ? error.message : String(error) });
  } finally {
    trainingRunStore.setState({ busy: false });
  }
}

export function startRun(api: LabApi, graph: GraphDocument, config: TrainingConfig): Promise<void> {
  return request(async () => {
    const live: LiveRun = {
      documentLoad: documentStore.getState().loadCount,
      status: 'starting',
      config,
      graph,
      startedAt: new Date().toISOString(),
      epoch: 0,
      batch: 0,
      batchesPerEpoch: 1,
      samplesPerSec: 0,
      batches: [],
      epochs: [],
    };
    heldEvents = [];
    trainingRunStore.setState({ run: live });
    try {
      // A run on the user's own data names the open file: its relative data path resolves beside it (issue 14).
      const filePath = documentStore.getState().filePath;
      const { runId } = await api.startTraining({ graph, config, ...(config.data ? { path: filePath ?? null } : {}) });
      const current = trainingRunStore.getState().run;
      if (current && current.runId === undefined) trainingRunStore.setState({ run: { ...current, runId } });
      const held = heldEvents;
      heldEvents = [];
      for (const event of held) if (event.runId === runId) applyRunEvent(event);
    } catch (error) {
      heldEvents = [];
      trainingRunStore.setState({ run: { ...live, status: 'failed', error: error instanceof Error ? error.message : String(error) } });
      throw error;
    }
  });
}

export function pauseRun(api: LabApi, runId: string) {
  return request(() => api.pauseTraining({ runId }));
}
export function resumeRun(api: LabApi, runId: string) {
  return request(() => api.resumeTraining({ runId }));
}
export function stopRun(api: LabApi, runId: string) {
  return request(() => api.stopTraining({ runId }));
}

/** A run the trainer finished or stopped still has its model in the trainer: it can be exported. */
export function canExportModel(run: LiveRun | undefined): boolean {
  return run?.runId !== undefined && (run.status === 'completed' || run.status === 'stopped');
}

