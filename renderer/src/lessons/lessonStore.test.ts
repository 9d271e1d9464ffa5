import { beforeEach, describe, expect, it } from 'vitest';
import type { LabApi, RunEvent } from '../../../shared/contracts/api';
import type { RunSummary } from '../../../shared/format/runSummary';
import { getLesson } from '../../../shared/lessons';
import { documentStore } from '../store/documentStore';
import { trainingRunStore } from '../training/trainingRunStore';
import { lessonProgress, lessonStore, runLessonExperiment, stopLessonExperiment } from './lessonStore';

const lesson = getLesson('batchnorm-learning-rate')!;

function summaryOf(runId: string, config: RunSummary['config'], acc: number): RunSummary {
  return {
    id: runId,
    startedAt: '2026-12-06T10:00:00.000Z',
    status: 'completed',
    backend: 'cpu',
    config,
    epochs: [{ epoch: 1, loss: 1 - acc }],
    final: { loss: 1 - acc, accuracy: acc, valLoss: 1 - acc, valAccuracy: acc },
    samplesPerSec: 100,
    wallTimeMs: 1000,
  };
}

/** A LabApi whose trainer answers each start with events (sent before startTraining's reply, the awkward order). */
function fakeApi(onStart: (runId: string, request: Parameters<LabApi['startTraining']>[0], emit: (e: RunEvent['event']) => void) => void) {
  let listener: ((e: RunEvent) => void) | undefined;
  let n = 0;
  const requests: Parameters<LabApi['startTraining']>[0][] = [];
  const stopped: string[] = [];
  const api = {
    onRunEvent: (l: (e: RunEvent) => void) => {
      listener = l;
      return () => undefined;
    },
    startTraining: async (request: Parameters<LabApi['startTraining']>[0]) => {
      const runId = `run-${++n}`;
      requests.push(request);
      onStart(runId, request, (event) => listener?.({ runId, event } as RunEvent));
      return { runId };
    },
    stopTraining: async ({ runId }: { runId: string }) => {
      stopped.push(runId);
    },
  } as unknown as LabApi;
  return { api, requests, stopped };
}

beforeEach(() => {
  lessonStore.setState({ open: false, lessonId: undefined, experiment: undefined });
  documentStore.getState().replaceFile({ graph: lesson.start.graph, training: lesson.start.config });
});

describe('lesson experiment in the app', () => {
  it("trains every variant with the lesson's dataset, records them in the history and concludes from their numbers", async () => {
    const accuracy: Record<string, number> = { 'BatchNorm · lr 0.05': 0.99, 'BatchNorm · lr 2': 0.91, 'no BatchNorm · lr 0.05': 0.88, 'no BatchNorm · lr 2': 0.54 };
    const names = lesson.variants().map((v) => v.name);
    const { api, requests } = fakeApi((runId, request, emit) => {
      const name = names[requests.length - 1]!;
      emit({ type: 'started', runId, params: 10, trainSize: 640, valSize: 160, testSize: 200, backend: { name: 'cpu' } } as RunEvent['event']);
      emit({ type: 'batch', runId, epoch: 1, batch: 20, batchesPerEpoch: 20, loss: 0.5, samplesPerSec: 100 });
      queueMicrotask(() => emit({ type: 'finished', runId, summary: summaryOf(runId, request.config, accuracy[name]!) }));
    });
    await runLessonExperiment(api, lesson);
    expect(requests.map((r) => r.dataset)).toEqual(names.map(() => lesson.dataset));
    expect(requests.map((r) => r.config.learningRate)).toEqual([0.05, 2, 0.05, 2]);
    const experiment = lessonStore.getState().experiment!;
    expect(experiment.done).toBe(true);
    expect(experiment.variants.map((v) => v.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(experiment.evaluation?.passed).toBe(true);
    expect(experiment.evaluation?.conclusion).toContain('54 %');
    expect(experiment.evaluation?.conclusion).toContain('91 %');
    expect(lessonProgress(experiment).fraction).toBe(1);
    const runs = documentStore.getState().runs;
    expect(runs.map((r) => r.variant?.name)).toEqual(names);
    // The Training panel's live run never saw these runs.
    expect(trainingRunStore.getState().run).toBeUndefined();
  });

  it('Stop ends the running variant and skips the rest; the conclusion says the effect was not measured', async () => {
    const { api, stopped } = fakeApi((runId, request, emit) => {
      emit({ type: 'batch', runId, epoch: 2, batch: 5, batchesPerEpoch: 20, loss: 0.5, samplesPerSec: 100 });
      // The run ends only when stopped.
      const timer = setInterval(() => {
        if (stopped.includes(runId)) {
          clearInterval(timer);
          emit({ type: 'finished', runId, summary: { ...summaryOf(runId, request.config, 0.6), status: 'stopped' } });
        }
      }, 1);
    });
    const running = runLessonExperiment(api, lesson);
    await new Promise((r) => setTimeout(r, 5));
    const mid = lessonStore.getState().experiment!;
    const progress = lessonProgress(mid, Date.now() + 1000);
    expect(progress.fraction).toBeCloseTo(25 / (4 * 10 * 20), 5);
    expect(progress.etaSeconds).toBeGreaterThan(0);
    await stopLessonExperiment(api);
    await running;
    const experiment = lessonStore.getState().experiment!;
    expect(experiment.variants.map((v) => v.status)).toEqual(['stopped', 'skipped', 'skipped', 'skipped']);
    expect(experiment.evaluation?.passed).toBe(false);
    expect(experiment.evaluation?.conclusion).toContain('did not run');
  });
});
