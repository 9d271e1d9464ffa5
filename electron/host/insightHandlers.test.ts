/**
 * The insight requests end to end in one process: the hosts' handlers → TrainerSupervisor → the trainer message
 * contract → serveTrainer (the real trainer loop, over an in-memory port) and back, including progress and cancel.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { trainerToHostSchema, type HostToTrainer } from '../../shared/contracts/trainer';
import type { GraphFile } from '../../shared/format/graphFileSchema';
import type { InsightProgress } from '../../shared/contracts/insight';
import { createInsightHandlers } from './insightHandlers';
import { selectBackend } from '../services/backends/selectBackend';
import { compileGraph } from '../services/compiler/compileGraph';
import { loadDataset } from '../services/datasets/loadDataset';
import { loadModelFromFiles } from '../services/evaluation/modelFromFiles';
import { modelToFiles } from '../services/training/modelFiles';
import { readExample } from '../services/training/referenceGraphs';
import { serveTrainer } from '../services/training/serveTrainer';
import { TrainerSupervisor } from '../services/training/TrainerSupervisor';
import type { TrainerTransport } from '../services/training/trainerTransport';
import type { ModelFile } from '../../shared/contracts/trainer';
import { headOfModel, lossLandscape } from '../services/insight/lossLandscape';
import { runSignalPropagation } from '../services/insight/runInsight';

/** A trainer served in this process: messages are cloned and delivered asynchronously, like an IPC channel. */
function inMemoryTrainer(): TrainerTransport & { readonly sent: HostToTrainer[] } {
  const toHost: ((message: unknown) => void)[] = [];
  let toTrainer: ((message: unknown) => void) | undefined;
  const sent: HostToTrainer[] = [];
  const exits: ((exit: { code: number | null; signal: string | null }) => void)[] = [];
  serveTrainer({
    post: (message) => {
      trainerToHostSchema.parse(message);
      const copy = structuredClone(message);
      setImmediate(() => toHost.forEach((listener) => listener(copy)));
    },
    onMessage: (listener) => (toTrainer = listener),
  });
  return {
    pid: 1,
    sent,
    send: (message) => {
      sent.push(message);
      const copy = structuredClone(message);
      setImmediate(() => toTrainer?.(copy));
    },
    onMessage: (listener) => void toHost.push(listener),
    onOutput: () => undefined,
    onExit: (listener) => void exits.push(listener),
    kill: () => setImmediate(() => exits.forEach((listener) => listener({ code: 0, signal: null }))),
  };
}

let spirals: GraphFile & { training: NonNullable<GraphFile['training']> };
let files: ModelFile[];
const runId = 'run-1';

beforeAll(async () => {
  await selectBackend('cpu');
  spirals = await readExample('spirals.nbrick');
  const { model } = compileGraph(spirals.graph, { seed: 9 });
  files = await modelToFiles(model);
  model.dispose();
});

function setup() {
  const transport = inMemoryTrainer();
  const supervisor = new TrainerSupervisor(() => transport, { onLog: () => undefined });
  const graphFile: GraphFile = { ...spirals, runs: [] };
  let checkpointReads = 0;
  const handlers = createInsightHandlers(
    {
      training: supervisor,
      files: { read: async () => graphFile, write: async () => undefined },
      checkpoints: {
        read: async (id: string) => {
          checkpointReads++;
          return id === runId ? { status: 'ok', meta: { dataset: { id: 'spirals' } }, files } : { status: 'missing', reason: 'no such run' };
        },
      } as never,
    },
    async (path) => `/abs/${path}`,
  );
  return { transport, supervisor, handlers, reads: () => checkpointReads };
}

describe('insight requests through the supervisor and the trainer loop', () => {
  it('answers signalPropagation with what the service computes in-process', async () => {
    const { handlers, supervisor } = setup();
    const config = { ...spirals.training, backend: 'cpu' as const };
    const result = await handlers.signalPropagation({ graph: spirals.graph, config });
    const direct = await runSignalPropagation(spirals.graph, config);
    expect(result.nodes).toEqual(direct.nodes);
    await expect(handlers.signalPropagation({ graph: spirals.graph, config: { ...config, dataset: 'mnist' } })).rejects.toThrow(
      /^Cannot compute signal propagation: .*/,
    );
    await supervisor.dispose();
  });

  it("computes a landscape from the run's checkpoint (sent when the trainer asks for it), reporting progress by job id", async () => {
    const { handlers, supervisor, transport, reads } = setup();
    const progress: InsightProgress[] = [];
    supervisor.onInsightProgress((p) => progress.push(p));
    const options = { samples: 64, lineSteps: 5, gridSize: 3, seed: 2 };
    const result = await handlers.lossLandscape({ runId, path: 'a.nbrick', jobId: 'job-1', options });
    // The first request went without files; the trainer asked for the model and the checkpoint was read once.
    const asked = transport.sent.filter((m) => m.type === 'lossLandscape');
    expect(asked.map((m) => 'files' in m && m.files !== undefined)).toEqual([false, true]);
    expect(reads()).toBe(2); // once for the dataset the run trained on, once for the files
    expect(progress.at(-1)).toMatchObject({ jobId: 'job-1', done: 1 + 5 + 9, total: 15 });

    const model = await loadModelFromFiles(files);
    const direct = await lossLandscape(model, headOfModel(model), loadDataset('spirals'), { ...options, runId });
    model.dispose();
    expect(result.line).toEqual(direct.line);
    expect(result.grid).toEqual(direct.grid);
    expect(result.centerLoss).toBe(direct.centerLoss);
    await supervisor.dispose();
  });

  it('cancels a landscape by job id; the trainer then answers the next request', async () => {
    const { handlers, supervisor } = setup();
    let cancelled = false;
    supervisor.onInsightProgress((p) => {
      if (p.jobId === 'big' && !cancelled) {
        cancelled = true;
        void handlers.cancelInsight({ jobId: 'big' });
      }
    });
    const big = handlers.lossLandscape({ runId, path: null, jobId: 'big', options: { samples: 64, lineSteps: 201, gridSize: 61 } });
    await expect(big).rejects.toMatchObject({ name: 'InsightCancelled', message: 'cancelled' });
    const small = await handlers.lossLandscape({ runId, path: null, jobId: 'small', options: { samples: 16, lineSteps: 3, gridSize: 0 } });
    expect(small.line.losses).toHaveLength(3);
    // Cancelling a job that has ended (or never ran) is harmless.
    await handlers.cancelInsight({ jobId: 'big' });
    await supervisor.dispose();
  });

  it('names the run when nothing says what it trained on', async () => {
    const { handlers, supervisor } = setup();
    await expect(handlers.lossLandscape({ runId: 'other', path: null, jobId: 'j', options: {} })).rejects.toThrow(/Run other was not trained here/);
    await supervisor.dispose();
  });
});
