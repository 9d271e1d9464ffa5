/**
 * The Lessons panel: which lesson is open, and its experiment — the lesson's variants trained one after another
 * through the LabApi (each a normal run of its own id, with the lesson's dataset options such as an MNIST limit).
 * Like "Compare variants", this store follows only the run ids it started, so the Training panel's live run
 * (trainingRunStore) never takes them for its own; each ended variant joins the document's run history with its
 * `variant` set — unless another document was opened meanwhile. When the last variant has ended, the lesson's own
 * `evaluate` turns the measured numbers into the conclusion.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { LabApi, RunEvent } from '../../../shared/contracts/api';
import type { RunSummary } from '../../../shared/format/runSummary';
import { getLesson, type Lesson, type LessonEvaluation, type LessonVariantResult } from '../../../shared/lessons';
import { documentStore } from '../store/documentStore';

export type LessonVariantStatus = 'queued' | 'starting' | 'running' | 'completed' | 'stopped' | 'failed' | 'skipped';

export interface LessonVariantRun {
  readonly name: string;
  readonly changes: readonly string[];
  readonly epochs: number;
  readonly status: LessonVariantStatus;
  readonly runId?: string;
  readonly epoch: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly startedMs?: number;
  readonly endedMs?: number;
  readonly summary?: RunSummary;
  readonly error?: string;
}

export interface LessonExperiment {
  readonly id: string;
  readonly lessonId: string;
  readonly variants: readonly LessonVariantRun[];
  readonly startedMs: number;
  /** documentStore.loadCount when it started: its records go only to that document. */
  readonly documentLoad: number;
  readonly stopping: boolean;
  readonly done: boolean;
  /** Set once every variant has ended (also after Stop: the conclusion then says what is missing). */
  readonly evaluation?: LessonEvaluation;
}

interface LessonState {
  readonly open: boolean;
  /** The lesson shown in the panel; undefined shows the list. */
  readonly lessonId?: string;
  readonly experiment?: LessonExperiment;
}

export const lessonStore = createStore<LessonState>()(() => ({ open: false }));

export function useLessons<T>(selector: (state: LessonState) => T): T {
  return useStore(lessonStore, selector);
}

export function openLessons(lessonId?: string): void {
  lessonStore.setState({ open: true, ...(lessonId !== undefined ? { lessonId } : {}) });
}
export function closeLessons(): void {
  lessonStore.setState({ open: false });
}
export function chooseLesson(lessonId: string | undefined): void {
  lessonStore.setState({ lessonId });
}

export function isLessonRunActive(state: LessonState = lessonStore.getState()): boolean {
  return state.experiment !== undefined && !state.experiment.done;
}

const ACTIVE: ReadonlySet<LessonVariantStatus> = new Set(['starting', 'running']);

function patchVariant(match: (v: LessonVariantRun, i: number) => boolean, patch: (v: LessonVariantRun) => Partial<LessonVariantRun>): void {
  const experiment = lessonStore.getState().experiment;
  if (!experiment) return;
  const index = experiment.variants.findIndex(match);
  if (index < 0) return;
  const variants = experiment.variants.slice();
  variants[index] = { ...variants[index]!, ...patch(variants[index]!) };
  lessonStore.setState({ experiment: { ...experiment, variants } });
}

/** Resolvers of the variant runs being waited for, by run id. */
const waiting = new Map<string, () => void>();
/** Events that arrived before startTraining's reply named the run: replayed once it does. */
let held: RunEvent[] = [];
let pendingStart = false;

export function applyLessonEvent(runEvent: RunEvent): void {
  const { runId, event } = runEvent;
  const known = lessonStore.getState().experiment?.variants.some((v) => v.runId === runId) ?? false;
  if (!known) {
    if (pendingStart && held.length < 1000) held.push(runEvent);
    return;
  }
  const byId = (v: LessonVariantRun) => v.runId === runId;
  const now = Date.now();
  switch (event.type) {
    case 'started':
      patchVariant(byId, (v) => ({ status: 'running', startedMs: v.startedMs ?? now }));
      break;
    case 'batch':
      patchVariant(byId, (v) => ({ status: 'running', startedMs: v.startedMs ?? now, epoch: event.epoch, batch: event.batch, batchesPerEpoch: event.batchesPerEpoch }));
      break;
    case 'finished':
      finishVariant(runId, event.summary.status, event.summary);
      break;
    case 'failed':
      finishVariant(runId, 'failed', event.summary, event.reason);
      break;
    default:
      break;
  }
}

function finishVariant(runId: string, status: RunSummary['status'], summary: RunSummary | undefined, error?: string): void {
  const experiment = lessonStore.getState().experiment;
  const variant = experiment?.variants.find((v) => v.runId === runId);
  if (!experiment || !variant || !ACTIVE.has(variant.status)) return;
  const record: RunSummary | undefined = summary && {
    ...summary,
    variant: { experimentId: experiment.id, name: variant.name, changes: [...variant.changes] },
  };
  if (record && experiment.documentLoad === documentStore.getState().loadCount) documentStore.getState().addRun(record);
  patchVariant(
    (v) => v.runId === runId,
    () => ({ status, endedMs: Date.now(), ...(record ? { summary: record } : {}), ...(error !== undefined ? { error } : {}) }),
  );
  waiting.get(runId)?.();
  waiting.delete(runId);
}

let subscribed: LabApi | undefined;
function connect(api: LabApi): void {
  if (subscribed === api) return;
  subscribed = api;
  api.onRunEvent(applyLessonEvent);
}

/** What the lesson's evaluation reads: every variant's summary, or why it has none. */
export function lessonResults(experiment: LessonExperiment): LessonVariantResult[] {
  return experiment.variants.map((v) => ({
    name: v.name,
    ...(v.summary ? { summary: v.summary } : {}),
    ...(v.error !== undefined ? { error: v.error } : v.status === 'skipped' ? { error: 'stopped before it ran' } : {}),
  }));
}

/** Trains the lesson's variants one after another; resolves when the last has ended (or Stop skipped the rest). */
export async function runLessonExperiment(api: LabApi, lesson: Lesson): Promise<void> {
  if (isLessonRunActive()) throw new Error('a lesson experiment is already running');
  connect(api);
  const specs = lesson.variants();
  const experiment: LessonExperiment = {
    id: `lesson-${lesson.id}-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    lessonId: lesson.id,
    variants: specs.map((s) => ({ name: s.name, changes: s.changes, epochs: s.config.epochs, status: 'queued', epoch: 0, batch: 0, batchesPerEpoch: 0 })),
    startedMs: Date.now(),
    documentLoad: documentStore.getState().loadCount,
    stopping: false,
    done: false,
  };
  lessonStore.setState({ experiment });
  const mine = () => lessonStore.getState().experiment?.id === experiment.id;
  for (const [index, spec] of specs.entries()) {
    if (!mine()) return;
    if (lessonStore.getState().experiment?.stopping) {
      patchVariant((_v, i) => i === index, () => ({ status: 'skipped' }));
      continue;
    }
    patchVariant((_v, i) => i === index, () => ({ status: 'starting' }));
    let runId: string;
    try {
      pendingStart = true;
      held = [];
      runId = (await api.startTraining({ graph: spec.graph, config: spec.config, dataset: lesson.dataset })).runId;
    } catch (error) {
      patchVariant((_v, i) => i === index, () => ({ status: 'failed', error: error instanceof Error ? error.message : String(error) }));
      continue;
    } finally {
      pendingStart = false;
    }
    const ended = new Promise<void>((resolve) => waiting.set(runId, resolve));
    patchVariant((_v, i) => i === index, () => ({ runId }));
    const replay = held;
    held = [];
    for (const event of replay) if (event.runId === runId) applyLessonEvent(event);
    if (lessonStore.getState().experiment?.stopping) void api.stopTraining({ runId }).catch(() => undefined);
    await ended;
  }
  const last = lessonStore.getState().experiment;
  if (last && mine()) {
    const evaluation = getLesson(last.lessonId)?.evaluate(lessonResults(last));
    lessonStore.setState({ experiment: { ...last, done: true, ...(evaluation ? { evaluation } : {}) } });
  }
}

/** Stops the running variant at its next batch; the queued ones are skipped. */
export async function stopLessonExperiment(api: LabApi): Promise<void> {
  const experiment = lessonStore.getState().experiment;
  if (!experiment || experiment.done) return;
  lessonStore.setState({ experiment: { ...experiment, stopping: true } });
  const running = experiment.variants.find((v) => ACTIVE.has(v.status) && v.runId !== undefined);
  if (running?.runId) await api.stopTraining({ runId: running.runId });
}

/**
 * Share of the experiment's training steps done, and the seconds left at the pace so far. Variants that have not
 * started yet are assumed to have as many steps per epoch as the last one that reported.
 */
export function lessonProgress(experiment: LessonExperiment, now: number = Date.now()): { fraction: number; etaSeconds?: number } {
  const known = experiment.variants.filter((v) => v.batchesPerEpoch > 0).at(-1)?.batchesPerEpoch ?? 1;
  let total = 0;
  let done = 0;
  let trainedMs = 0;
  for (const v of experiment.variants) {
    if (v.status === 'skipped') continue;
    const steps = v.epochs * (v.batchesPerEpoch > 0 ? v.batchesPerEpoch : known);
    total += steps;
    const ended = v.status === 'completed' || v.status === 'stopped' || v.status === 'failed';
    done += ended ? steps : Math.min(steps, Math.max(0, v.epoch - 1) * v.batchesPerEpoch + v.batch);
    if (v.startedMs !== undefined) trainedMs += (v.endedMs ?? now) - v.startedMs;
  }
  if (experiment.done) return { fraction: 1 };
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  if (done === 0 || trainedMs <= 0) return { fraction };
  return { fraction, etaSeconds: ((total - done) * trainedMs) / done / 1000 };
}
