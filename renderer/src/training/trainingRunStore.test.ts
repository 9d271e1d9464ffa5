import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildChain } from '../../../shared/inference/buildGraph';
import { runSummarySchema, type RunSummary } from '../../../shared/format/runSummary';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { documentStore } from '../store/documentStore';
import type { LabApi } from '../../../shared/contracts/api';
import { applyRunEvent, receiveRunEvent, RUN_EVENT_FLUSH_MS, startRun, trainingRunStore } from './trainingRunStore';
import type { RunEvent } from '../../../shared/contracts/api';
import type { TableDataSpec } from '../../../shared/data/dataSpec';

const config = { ...DEFAULT_TRAINING_CONFIG, dataset: 'spirals', learningRate: 10, optimizer: 'sgd' as const };
const graph = buildChain([['input', 'Input', { kind: 'vector', size: 2 }], ['output', 'Output', { units: 2 }]]);

beforeEach(() => {
  trainingRunStore.setState({
    busy: false,
    run: {
      runId: 'run-1',
      status: 'running',
      config,
      graph,
      startedAt: '2026-12-06T10:00:00.000Z',
      backend: 'wasm',
      epoch: 1,
      batch: 21,
      batchesPerEpoch: 40,
      samplesPerSec: 1000,
      // Throttled progress: the store saw fewer batches than the trainer trained.
      batches: [{ x: 0.5, loss: 8.06, accuracy: 0.5 }],
      epochs: [],
    },
  });
});

describe('trainingRunStore', () => {
  it("keeps the trainer's own summary of a diverged run (not one rebuilt from throttled progress) and shows why", () => {
    const reason = 'Training diverged: the loss stayed near the clipped cross-entropy maximum … Try a lower learning rate (now 10; try 1).';
    const summary: RunSummary = {
      id: 'run-1',
      startedAt: '2026-12-06T10:00:00.000Z',
      finishedAt: '2026-12-06T10:00:01.000Z',
      status: 'failed',
      backend: 'wasm',
      config,
      epochs: [],
      final: { loss: 7.05, accuracy: 0.52 },
      samplesPerSec: 3388,
      wallTimeMs: 1000,
      error: reason,
    };
    const runsBefore = documentStore.getState().runs.length;
    applyRunEvent({ runId: 'run-1', event: { type: 'failed', runId: 'run-1', reason, epoch: 1, batch: 22, summary } });
    const run = trainingRunStore.getState().run!;
    expect(run.status).toBe('failed');
    expect(run.error).toBe(reason);
    expect(run.summary).toEqual(summary);
    const recorded = documentStore.getState().runs;
    expect(recorded).toHaveLength(runsBefore + 1);
    expect(runSummarySchema.parse(recorded.at(-1))).toEqual(summary);
  });

  it("a starting run takes only its own events: the end of the run stopped a moment ago does not become the new run's end", async () => {
    trainingRunStore.setState({ busy: false, run: undefined });
    const runsBefore = documentStore.getState().runs.length;
    const oldSummary: RunSummary = {
      id: 'run-old',
      startedAt: '2026-12-06T09:59:00.000Z',
      finishedAt: '2026-12-06T10:00:00.000Z',
      status: 'stopped',
      backend: 'wasm',
      config,
      epochs: [],
      final: { loss: 0.7 },
      samplesPerSec: 1000,
      wallTimeMs: 1000,
    };
    // The host answers Start only after the stopping run ended; both runs' events reach the window first.
    const api = {
      async startTraining() {
        applyRunEvent({ runId: 'run-old', event: { type: 'finished', runId: 'run-old', summary: oldSummary } });
        applyRunEvent({
          runId: 'run-new',
          event: { type: 'started', runId: 'run-new', backend: { name: 'wasm' }, params: 6, trainSize: 80, valSize: 20 },
        } as never);
        return { runId: 'run-new' };
      },
    } as unknown as LabApi;
    await startRun(api, graph, config);
    const run = trainingRunStore.getState().run!;
    expect(run.runId).toBe('run-new');
    expect(run.status).toBe('running');
    expect(run.params).toBe(6);
    expect(run.summary).toBeUndefined();
    expect(documentStore.getState().runs).toHaveLength(runsBefore);
  });

  it('a run on your own data names the open file (its relative data path resolves beside it); a bundled dataset does not', async () => {
    const requests: unknown[] = [];
    const api = {
      async startTraining(request: unknown) {
        requests.push(request);
        return { runId: `run-${requests.length}` };
      },
    } as unknown as LabApi;
    documentStore.getState().replaceFile({ graph }, 'workspace/net.nbrick');
    const data: TableDataSpec = {
      kind: 'table',
      path: 'data/penguins.csv',
      hash: 'a'.repeat(64),
      format: { delimiter: ',', header: true },
      task: 'classification',
      target: { name: 'Species' },
      features: [{ name: 'Body Mass (g)', kind: 'numeric' }],
      missing: { policy: 'fill' },
      split: { train: 0.7, val: 0.15, test: 0.15, seed: 1 },
    };
    trainingRunStore.setState({ busy: false, run: undefined });
    await startRun(api, graph, { ...config, data });
    trainingRunStore.setState({ busy: false, run: undefined });
    await startRun(api, graph, config);
    expect(requests).toEqual([
      { graph, config: { ...config, data }, path: 'workspace/net.nbrick' },
      { graph, config },
    ]);
  });

  it('keeps the newest decision boundary of its own run only', () => {
    const grid = { extent: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 }, columns: 2, rows: 1 };
    applyRunEvent({ runId: 'run-1', event: { type: 'boundary', runId: 'run-1', epoch: 1, batch: 5, grid, outputWidth: 2, probabilities: [0.9, 0.1, 0.2, 0.8] } });
    applyRunEvent({ runId: 'run-1', event: { type: 'boundary', runId: 'run-1', epoch: 1, batch: 9, grid, outputWidth: 2, probabilities: [0.7, 0.3, 0.4, 0.6] } });
    applyRunEvent({ runId: 'other', event: { type: 'boundary', runId: 'other', epoch: 3, batch: 1, grid, outputWidth: 2, probabilities: [0, 1, 0, 1] } });
    expect(trainingRunStore.getState().run!.boundary).toEqual({ ...grid, probabilities: [0.7, 0.3, 0.4, 0.6], epoch: 1, batch: 9 });
  });

  it('opening another document clears an ended run from the panel (no Export or Evaluate of the old graph on the new one)', () => {
    trainingRunStore.setState({ busy: false, run: { ...trainingRunStore.getState().run!, status: 'completed', documentLoad: documentStore.getState().loadCount } });
    documentStore.getState().replaceFile({ graph: graph });
    expect(trainingRunStore.getState().run).toBeUndefined();
  });

  it('a run still training when another document opens keeps going, but its record never lands in the new document', () => {
    const start = documentStore.getState().loadCount;
    trainingRunStore.setState({ busy: false, run: { ...trainingRunStore.getState().run!, status: 'running', documentLoad: start } });
    documentStore.getState().replaceFile({ graph: graph });
    const runsBefore = documentStore.getState().runs.length;
    expect(trainingRunStore.getState().run?.status).toBe('running');
    const summary: RunSummary = {
      id: 'run-1',
      startedAt: '2026-12-06T10:00:00.000Z',
      finishedAt: '2026-12-06T10:00:01.000Z',
      status: 'completed',
      backend: 'wasm',
      config,
      epochs: [],
      final: { loss: 0.1 },
      samplesPerSec: 1000,
      wallTimeMs: 1000,
    };
    applyRunEvent({ runId: 'run-1', event: { type: 'finished', runId: 'run-1', summary } });
    expect(documentStore.getState().runs).toHaveLength(runsBefore);
    expect(trainingRunStore.getState().run).toMatchObject({ status: 'completed', orphaned: true });
  });

  describe('events from the host', () => {
    afterEach(() => vi.useRealTimers());
    const batch = (n: number): RunEvent => ({
      runId: 'run-1',
      event: { type: 'batch', runId: 'run-1', epoch: 1, batch: n, batchesPerEpoch: 40, loss: 1 / n, accuracy: 0.5, samplesPerSec: 900 + n },
    });

    it('applies streamed batch events together after a short wait, in one store update, in order', () => {
      vi.useFakeTimers();
      let updates = 0;
      const unsubscribe = trainingRunStore.subscribe(() => (updates += 1));
      for (let n = 22; n <= 26; n++) receiveRunEvent(batch(n));
      expect(trainingRunStore.getState().run!.batches).toHaveLength(1);
      vi.advanceTimersByTime(RUN_EVENT_FLUSH_MS);
      unsubscribe();
      const run = trainingRunStore.getState().run!;
      expect(updates).toBe(1);
      expect(run.batches.map((b) => b.loss)).toEqual([8.06, 1 / 22, 1 / 23, 1 / 24, 1 / 25, 1 / 26]);
      expect(run).toMatchObject({ batch: 26, samplesPerSec: 926 });
    });

    it('a status event flushes the batches before it at once', () => {
      vi.useFakeTimers();
      receiveRunEvent(batch(22));
      receiveRunEvent({ runId: 'run-1', event: { type: 'paused', runId: 'run-1', epoch: 1, batch: 22 } } as RunEvent);
      const run = trainingRunStore.getState().run!;
      expect(run.status).toBe('paused');
      expect(run.batches).toHaveLength(2);
    });
  });
});
