/**
 * Adapter from the trainer's TrainingHost (a forked Node child) to the hosts' TrainingService view. Used by the
 * web host; Electron main has its own adapter over utilityProcess (electron/shell/utilityTrainingService.ts).
 */
import { TrainingHost, type TrainingHostOptions } from '../services/training/TrainingHost';
import type { TrainingService } from './labServices';

export function createTrainingService(options: TrainingHostOptions = {}): TrainingService {
  const host = new TrainingHost(options);
  return {
    async start(request) {
      return host.start(request);
    },
    async pause(runId) {
      host.pause(runId);
    },
    async resume(runId) {
      host.resume(runId);
    },
    async stop(runId) {
      host.stop(runId);
    },
    exportModel: (runId, dir) => host.exportModel(runId, dir),
    onRunEvent(listener) {
      return host.onEvent((event) => listener({ runId: event.runId, event }));
    },
    dispose: () => host.dispose(),
  };
}
