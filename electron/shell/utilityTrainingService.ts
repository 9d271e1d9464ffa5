/**
 * Training in Electron: the trainer runs in a utilityProcess (a Node child managed by Electron, no window, own
 * memory), started on first use and again after it dies. Every message is validated both ways against the trainer
 * contract; a dead trainer turns into a `failed` event for its run, so the UI can say so and start over.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import {
  datasetRefSchema,
  describeSchemaError,
  hostToTrainerSchema,
  trainerToHostSchema,
  type HostToTrainer,
} from '../../shared/contracts/trainer';
import type { RunEvent } from '../../shared/contracts/api';
import type { TrainingService } from '../host/labServices';
import { ExportRequests, isExportReply } from '../services/training/exportRequests';
import { writeModelFiles } from '../services/training/writeModelFiles';

type StartGraph = Extract<HostToTrainer, { type: 'start' }>['graph'];

export function createUtilityTrainingService(trainerEntry: string, log: (line: string) => void): TrainingService {
  let child: UtilityProcess | undefined;
  let activeRunId: string | undefined;
  let disposed = false;
  let counter = 0;
  const listeners = new Set<(event: RunEvent) => void>();
  const exports = new ExportRequests();

  const emit = (event: RunEvent) => {
    if ((event.event.type === 'finished' || event.event.type === 'failed') && event.runId === activeRunId) {
      activeRunId = undefined;
    }
    for (const listener of [...listeners]) listener(event);
  };

  const ensureChild = (): UtilityProcess => {
    if (child) return child;
    const started = utilityProcess.fork(trainerEntry, [], { serviceName: 'Neural Bricks trainer', stdio: 'pipe' });
    started.stdout?.on('data', (chunk: Buffer) => log(`[trainer] ${chunk.toString().trimEnd()}`));
    started.stderr?.on('data', (chunk: Buffer) => log(`[trainer] ${chunk.toString().trimEnd()}`));
    started.on('message', (raw: unknown) => {
      const parsed = trainerToHostSchema.safeParse(raw);
      if (parsed.success) {
        if (isExportReply(parsed.data)) exports.settle(parsed.data);
        else emit({ runId: parsed.data.runId, event: parsed.data });
      } else if (activeRunId) {
        emit({
          runId: activeRunId,
          event: { type: 'failed', runId: activeRunId, reason: `trainer sent an invalid message: ${describeSchemaError(parsed.error)}` },
        });
      }
    });
    started.on('exit', (code: number) => {
      if (child !== started) return;
      child = undefined;
      exports.failAll(`the trainer process ended before the model was exported (exit code ${code})`);
      const runId = activeRunId;
      if (runId && !disposed) {
        emit({ runId, event: { type: 'failed', runId, reason: `trainer process exited unexpectedly (exit code ${code})` } });
      }
    });
    child = started;
    return started;
  };

  const post = (message: HostToTrainer) => {
    const checked = hostToTrainerSchema.safeParse(message);
    if (!checked.success) throw new Error(`Invalid ${message.type} request: ${describeSchemaError(checked.error)}`);
    ensureChild().postMessage(message);
  };

  const command = (type: 'pause' | 'resume' | 'stop', runId: string) => {
    if (runId === activeRunId) post({ type, runId });
  };

  return {
    async start({ graph, config, dataset }) {
      if (disposed) throw new Error('The app is closing');
      if (activeRunId) throw new Error(`A training run (${activeRunId}) is already in progress; stop it first`);
      const runId = `run-${Date.now().toString(36)}-${(++counter).toString(36)}`;
      post({ type: 'start', runId, graph: graph as StartGraph, dataset: datasetRefSchema.parse(dataset), config });
      activeRunId = runId;
      return runId;
    },
    async pause(runId) {
      command('pause', runId);
    },
    async resume(runId) {
      command('resume', runId);
    },
    async stop(runId) {
      command('stop', runId);
    },
    async exportModel(runId, dir) {
      if (runId === activeRunId) throw new Error(`Run ${runId} is still training; stop it or let it finish before exporting`);
      if (!child) throw new Error(`Cannot export the model of run ${runId}: the trainer no longer holds it (it was restarted); train again`);
      const { requestId, reply } = exports.open();
      try {
        post({ type: 'exportModel', runId, requestId });
      } catch (error) {
        exports.fail(requestId, error instanceof Error ? error.message : String(error));
      }
      return writeModelFiles(dir, await reply);
    },
    onRunEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async dispose() {
      disposed = true;
      const running = child;
      if (!running) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill();
      await exited;
    },
  };
}
