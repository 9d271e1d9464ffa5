import { beforeEach, describe, expect, it } from 'vitest';
import type { LabApi, RunEvent } from '../../../shared/contracts/api';
import { deriveVariants } from '../../../shared/experiments/variants';
import type { RunSummary } from '../../../shared/format/runSummary';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { graphHash } from '../../../shared/format/graphHash';
import { buildChain } from '../../../shared/inference/buildGraph';
import { documentStore } from '../store/documentStore';
import { applyRunEvent, trainingRunStore } from '../training/trainingRunStore';
import { experimentProgress, experimentStore, runExperiment, stopExperiment } from './experimentStore';

const graph = buildChain([
  ['input', 'Input', { kind: 'vector', size: 2 }],
  ['h', 'Dense', { units: 4, activation: 'relu' }],
  ['output', 'Output', { units: 2 }],
]);
const config = { ...DEFAULT_TRAINING_CONFIG, dataset: 'moons', epochs: 2 };

function summaryOf(runId: string, status: RunSummary['status'], loss: number): RunSummary {
  return {
    id: runId,
    startedAt: '2026-12-06T10:00:00.000Z',
    finishedAt: '2026-12-06T10:00:01.000Z',
    status,
    backend: 'cpu',
    config,
    epochs: [{ epoch: 1, loss }],
    final: { loss },
    samplesPerSec: 100,
    wallTimeMs: 1000,
  };
}

/** A LabApi whose trainer sends each run's events right away (before startTraining's reply, the awkward order). */
function fakeApi(onStart: (runId: string, emit: (e: RunEvent['event']) => void) => void) {
  let listener: ((e: RunEvent) => void) | undefined;
  let n = 0;
  const started: string[] = [];
  const stopped: string[] = [];
  const api = {
    onRunEvent: (l: (e: RunEvent) => void) => {
      listener = l;
      return () => undefined;
    },
    startTraining: async () => {
      const runId = `run-${++n}`;
      started.push(runId);
      onStart(runId, (event) => listener?.({ runId, event } as RunEvent));
      return { runId };
    },
    stopTraining: async ({ runId }: { runId: string }) => {
      stopped.push(runId);
    },
  } as unknown as LabApi;
  return { api, started, stopped };
}

beforeEach(() => {
  experimentStore.setState({ open: false, experiment: undefined });
  documentStore.getState().replaceFile({ graph, training: config });
  trainingRunStore.setState({ run: undefined, busy: false });
});

describe('experimentStore', () => {
  it('trains variants one after another and adds each to the run history with its variant and graph hash', async () => {
    const variants = deriveVariants(graph, config, [{ kind: 'activation', from: 'relu', to: 'tanh' }]);
    const { api, started } = fakeApi((runId, emit) => {
      emit({ type: 'started', runId, backend: { name: 'cpu' }, params: 22, trainSize: 80, valSize: 20, testSize: 20 } as never);
      emit({ type: 'batch', runId, epoch: 1, batch: 3, batchesPerEpoch: 3, loss: 0.7, accuracy: 0.5, samplesPerSec: 100 } as never);
      emit({ type: 'epoch', runId, epoch: 1, loss: 0.7, accuracy: 0.5, elapsedMs: 10 } as never);
      emit({ type: 'finished', runId, summary: summaryOf(runId, 'completed', runId === 'run-1' ? 0.5 : 0.6) });
    });
    await runExperiment(api, variants);
    expect(started).toEqual(['run-1', 'run-2']);
    const experiment = experimentStore.getState().experiment!;
    expect(experiment.done).toBe(true);
    expect(experiment.variants.map((v) => v.status)).toEqual(['completed', 'completed']);
    expect(experiment.variants[1]!.batches).toHaveLength(1);
    const runs = documentStore.getState().runs;
    expect(runs.map((r) => r.variant?.name)).toEqual(['baseline', 'ReLU → tanh']);
    expect(runs[1]!.variant!.experimentId).toBe(experiment.id);
    expect(runs[1]!.variant!.changes).toEqual(['activation relu → tanh: h']);
    expect(runs[1]!.graphHash).toBe(graphHash(variants[1]!.graph));
    expect(experimentProgress(experiment).fraction).toBe(1);
  });

  it("does not disturb the Training panel's live run", async () => {
    const live = { runId: 'main-run', status: 'running', config, graph, startedAt: '2026-12-06T10:00:00.000Z', epoch: 1, batch: 1, batchesPerEpoch: 3, samplesPerSec: 1, batches: [], epochs: [] } as const;
    trainingRunStore.setState({ run: live });
    const variants = deriveVariants(graph, config, [{ kind: 'learningRate', values: [0.1] }]);
    const { api } = fakeApi((runId, emit) => {
      const event = { type: 'finished', runId, summary: summaryOf(runId, 'completed', 0.4) } as const;
      emit(event);
      applyRunEvent({ runId, event });
    });
    await runExperiment(api, variants);
    expect(trainingRunStore.getState().run).toEqual(live);
    expect(documentStore.getState().runs).toHaveLength(1);
  });

  it('Stop stops the running variant and skips the queued ones', async () => {
    const variants = deriveVariants(graph, config, [{ kind: 'seed', values: [1, 2, 3] }]);
    let emitLater: (() => void) | undefined;
    const { api, started, stopped } = fakeApi((runId, emit) => {
      emit({ type: 'started', runId, backend: { name: 'cpu' }, params: 22, trainSize: 80, valSize: 20, testSize: 20 } as never);
      emitLater = () => emit({ type: 'finished', runId, summary: summaryOf(runId, 'stopped', 0.9) });
    });
    const done = runExperiment(api, variants);
    await new Promise((r) => setTimeout(r, 0));
    await stopExperiment(api);
    emitLater!();
    await done;
    expect(started).toEqual(['run-1']);
    expect(stopped).toEqual(['run-1']);
    expect(experimentStore.getState().experiment!.variants.map((v) => v.status)).toEqual(['stopped', 'skipped', 'skipped']);
  });

  it('a run that ends after another document was opened is not added to it', async () => {
    const variants = deriveVariants(graph, config, [{ kind: 'learningRate', values: [0.1] }]);
    const { api } = fakeApi((runId, emit) => {
      documentStore.getState().replaceFile({ graph: buildChain([['input', 'Input', { kind: 'vector', size: 2 }], ['output', 'Output', { units: 2 }]]) });
      emit({ type: 'finished', runId, summary: summaryOf(runId, 'completed', 0.4) });
    });
    await runExperiment(api, variants);
    expect(documentStore.getState().runs).toEqual([]);
    expect(experimentStore.getState().experiment!.orphaned).toBe(true);
  });
});
