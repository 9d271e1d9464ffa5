/**
 * The insight methods of the LabApi (signal propagation, loss landscape, cancel), the same in both hosts: like the
 * evaluation methods, each host only says how a request's `path` becomes an absolute path it may read.
 */
import type { ApiHandlers } from '../../shared/contracts/api';
import { RunEvaluations } from '../services/evaluation/runEvaluations';
import { RunInsights } from '../services/insight/runInsights';
import type { LabServices } from './labServices';

export type InsightHandlers = Pick<ApiHandlers, 'signalPropagation' | 'lossLandscape' | 'cancelInsight'>;

export function createInsightHandlers(
  deps: Pick<LabServices, 'training' | 'checkpoints' | 'files'>,
  resolveGraphPath: (path: string) => Promise<string>,
  /** Which data of a run (on the user's own data) the host may read; absent: any. */
  allowDataPath?: (absolute: string) => Promise<void>,
): InsightHandlers {
  const evaluations = new RunEvaluations({
    trainer: deps.training,
    ...(deps.checkpoints ? { checkpoints: deps.checkpoints } : {}),
    readGraph: (absolutePath) => deps.files.read(absolutePath),
    ...(allowDataPath ? { allowDataPath } : {}),
  });
  const insights = new RunInsights(deps.training, evaluations);
  return {
    async signalPropagation(request) {
      return insights.signalPropagation(request);
    },
    async lossLandscape({ path, ...request }) {
      return insights.lossLandscape(request, path === null ? null : await resolveGraphPath(path));
    },
    async cancelInsight({ jobId }) {
      await insights.cancel(jobId);
    },
  };
}
