/**
 * "Compare variants": the variants of the open graph (shared/experiments/variants.ts) trained one after another through
 * the LabApi, each a normal run of its own id. This store follows only the run ids it started, so the Training panel's
 * live run (trainingRunStore) never sees them as its own; each finished variant is added to the document's run
 * history with its `variant` set — unless another document was opened meanwhile (then the record goes nowhere).
 *
 * One variant at a time: the trainer runs one run at a time, and with 2 workers it already uses both cores.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { LabApi, RunEvent } from '../../../shared/contracts/api';
import type { VariantSpec } from '../../../shared/experiments/variants';
import { graphHash } from '../../../shared/format/graphHash';
import type { EpochMetrics, RunSummary } from '../../../shared/format/runSummary';
import { analyzeGraph } from '../../../shared/inference/analyzeGraph';
import { documentStore } from '../store/documentStore';
import { batchX, type BatchPoint } from '../training/trainingMath';

export type VariantStatus = 'queued' | 'starting' | 'running' | 'completed' | 'stopped' | 'failed' | 'skipped';

export interface VariantRun {
  readonly index: number;
  readonly spec: VariantSpec;
  readonly params: number;
  readonly graphHash: string;
  readonly status: VariantStatus;
  readonly runId?: string;
  readonly epoch: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly batches: readonly BatchPoint[];
  readonly epochs: readonly EpochMetrics[];
  /** When its first event arrived and when it ended (ms since epoch), for the time column and the ETA. */
  readonly startedMs?: number;
  readonly endedMs?: number;
  readonly summary?: RunSummary;
  readonly error?: string;
}

export interface Experiment {
  readonly id: string;
  readonly variants: readonly VariantRun[];
  readonly startedMs: number;
  /** documentStore.loadCount when it started: its records go only to that document. */
  readonly documentLoad: number;
  readonly stopping: boolean;
  readonly done: boolean;
  /** Set when it ended after its document was replaced: the records were not added to the open file. */
  readonly orphaned?: boolean;
}

interface ExperimentState {
  readonly open: boolean;
  readonly experiment?: Experiment;
}

export const experimentStore = createStore<ExperimentState>()(() => ({ open: false }));

export function useExperiment<T>(selector: (state: ExperimentState) => T): T {
  return useStore(experimentStore, selector);
}

export function setExperimentOpen(open: boolean): void {
  experimentStore.setState({ open });
}

export function isExperimentActive(state: ExperimentState = experimentStore.getState()): boolean {
  return state.experiment !== undefined && !state.experiment.done;
}

const ACTIVE: ReadonlySet<VariantStatus> = new Set(['starting', 'running']);

function patchVariant(runId: string, patch: (v: VariantRun) => Partial<VariantRun>): VariantRun | undefined {
  const experiment = experimentStore.getState().experiment;
  const index = experiment?.variants.findIndex((v) => v.runId === runId) ?? -1;
  if (!experiment || index < 0) return undefined;
  const variants = experiment.variants.slice();
  const next = { ...variants[index]!, ...patch(variants[index]!) };
  variants[index] = next;
  experimentStore.setState({ experiment: { ...experiment, variants } });
  return next;
}

/** Resolvers of the variant runs being waited for, by run id. */
const waiting = new Map<string, () => void>();
/** Events that arrived before startTraining's reply named the run (see trainingRunStore): replayed once it does. */
let held: RunEvent[] = [];
let pendingStart = false;

export function applyExperimentEvent(runEvent: RunEvent): void {
  const { runId, event } = runEvent;
  const known = experimentStore.getState().experiment?.variants.some((v) => v.runId === runId) ?? false;
  if (!known) {
    if (pendingStart && held.length < 1000) held.push(runEvent);
    return;
  }
  const now = Date.now();
  switch (event.type) {
    case 'started':
      patchVariant(runId, () => ({ status: 'running', startedMs: now }));
      break;
    case 'batch':
      patchVariant(runId, (v) => ({
        status: 'running',
        startedMs: v.startedMs ?? now,
        epoch: event.epoch,
        batch: event.batch,
        batchesPerEpoch: event.batchesPerEpoch,
        batches: [...v.batches, { x: batchX(event.epoch, event.batch, event.batchesPerEpoch), loss: event.loss, ...(event.accuracy !== undefined ? { accuracy: event.accuracy } : {}) }],
      }));
      break;
    case 'epoch': {
      const { type: _type, runId: _runId, elapsedMs: _elapsed, ...metrics } = event;
      patchVariant(runId, (v) => ({ epochs: [...v.epochs, metrics] }));
      break;
    }
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
  const experiment = experimentStore.getState().experiment;
  const variant = experiment?.variants.find((v) => v.runId === runId);
  if (!experiment || !variant || !ACTIVE.has(variant.status)) return;
  const record = summary && {
    ...summary,
    variant: { experimentId: experiment.id, name: variant.spec.name, changes: [...variant.spec.changes] },
    graphHash: summary.graphHash ?? variant.graphHash,
  };
  const own = experiment.documentLoad === documentStore.getState().loadCount;
  if (record && own) documentStore.getState().addRun(record as RunSummary);
  patchVariant(runId, (v) => ({
    status,
    endedMs: Date.now(),
    ...(record ? { summary: record as RunSummary } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(status === 'completed' ? { epoch: v.spec.config.epochs, batch: v.batchesPerEpoch } : {}),
  }));
  waiting.get(runId)?.();
  waiting.delete(runId);
}

let subscribed: LabApi | undefined;

export function connectExperimentEvents(api: LabApi): void {
  if (subscribed === api) return;
  subscribed = api;
  api.onRunEvent(applyExperimentEvent);
}

export function newExperimentId(): string {
  return `exp-${new Date().toISOString().replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}`;
}

function variantRun(spec: VariantSpec, index: number): VariantRun {
  return {
    index,
    spec,
    params: analyzeGraph(spec.graph).totals.params,
    graphHash: graphHash(spec.graph),
    status: 'queued',
    epoch: 0,
    batch: 0,
    batchesPerEpoch: 1,
    batches: [],
    epochs: [],
  };
}

/** Trains the variants one after another; resolves when the last has ended (or Stop skipped the rest). */
export async function runExperiment(api: LabApi, specs: readonly VariantSpec[]): Promise<void> {
  if (isExperimentActive()) throw new Error('an experiment is already running');
  connectExperimentEvents(api);
  const experiment: Experiment = {
    id: newExperimentId(),
    variants: specs.map(variantRun),
    startedMs: Date.now(),
    documentLoad: documentStore.getState().loadCount,
    stopping: false,
    done: false,
  };
  experimentStore.setState({ experiment });
  for (const [index, spec] of specs.entries()) {
    const current = experimentStore.getState().experiment;
    if (current?.id !== experiment.id) return;
    if (current.stopping) {
      setVariant(index, { status: 'skipped' });
      continue;
    }
    setVariant(index, { status: 'starting' });
    let runId: string;
    try {
      pendingStart = true;
      held = [];
      runId = (await api.startTraining({ graph: spec.graph, config: spec.config })).runId;
    } catch (error) {
      setVariant(index, { status: 'failed', error: error instanceof Error ? error.message : String(error) });
      continue;
    } finally {
      pendingStart = false;
    }
    const ended = new Promise<void>((resolve) => waiting.set(runId, resolve));
    setVariant(index, { runId });
    const replay = held;
    held = [];
    for (const event of replay) if (event.runId === runId) applyExperimentEvent(event);
    // Stop may have been pressed while the run was starting.
    if (experimentStore.getState().experiment?.stopping) void api.stopTraining({ runId }).catch(() => undefined);
    await ended;
  }
  const last = experimentStore.getState().experiment;
  if (last?.id === experiment.id) {
    experimentStore.setState({ experiment: { ...last, done: true, ...(last.documentLoad !== documentStore.getState().loadCount ? { orphaned: true } : {}) } });
  }
}

function setVariant(index: number, patch: Partial<VariantRun>): void {
  const experiment = experimentStore.getState().experiment;
  if (!experiment) return;
  const variants = experiment.variants.slice();
  variants[index] = { ...variants[index]!, ...patch };
  experimentStore.setState({ experiment: { ...experiment, variants } });
}

/** Stops the running variant at its next batch; the queued ones are skipped. */
export async function stopExperiment(api: LabApi): Promise<void> {
  const experiment = experimentStore.getState().experiment;
  if (!experiment || experiment.done) return;
  experimentStore.setState({ experiment: { ...experiment, stopping: true } });
  const running = experiment.variants.find((v) => ACTIVE.has(v.status) && v.runId !== undefined);
  if (running?.runId) await api.stopTraining({ runId: running.runId });
}

/** Fraction of all the experiment's batches done, and the seconds left at the pace so far. */
export function experimentProgress(experiment: Experiment, now: number = Date.now()): { fraction: number; etaSeconds?: number } {
  const perEpoch = experiment.variants.find((v) => v.batchesPerEpoch > 1)?.batchesPerEpoch ?? 1;
  let total = 0;
  let done = 0;
  let trainedMs = 0;
  for (const v of experiment.variants) {
    const steps = v.spec.config.epochs * (v.batchesPerEpoch > 1 ? v.batchesPerEpoch : perEpoch);
    if (v.status === 'skipped') continue;
    total += steps;
    const finished = v.status === 'completed' || v.status === 'stopped' || v.status === 'failed';
    done += finished ? steps : Math.min(steps, Math.max(0, v.epoch - 1) * v.batchesPerEpoch + v.batch);
    if (v.startedMs !== undefined) trainedMs += (v.endedMs ?? now) - v.startedMs;
  }
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  if (experiment.done || done === 0 || trainedMs <= 0) return { fraction: experiment.done ? 1 : fraction };
  return { fraction, etaSeconds: ((total - done) * trainedMs) / done / 1000 };
}
