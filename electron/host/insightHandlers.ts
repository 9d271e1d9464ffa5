/**
 * The insight methods of the LabApi (signal propagation, loss landscape, cancel), the same in both hosts: like the
 * evaluation methods, each host only says how a request's `path` becomes an absolute path it may read.
 */
import type { ApiHandlers } from '../../shared/contracts/api';
import { RunEvaluations } from '../services/evaluation/runEvaluations';
import { RunInsights } from '../services/insight/runInsights';
import type { LabServices } from './labServices';
import { resolveDataPath } from '../../shared/data/dataSpec';

export type InsightHandlers = Pick<ApiHandlers, 'signalPropagation' | 'lossLandscape' | 'cancelInsight'>;

export function createInsightHandlers(
  deps: Pick<LabServices, 'training' | 'checkpoints' | 'files'>,
  resolveGraphPath: (path: string) => Promise<string>,
  /**
   * The user's own data (issue 14): which data the host may read (absent: any) and the file a document not saved yet
   * is taken to live in (the web host's workspace).
   */
  data?: { allowData(absolute: string): Promise<void>; readonly unsavedGraphLocation?: string },
): InsightHandlers {
  const evaluations = new RunEvaluations({
    trainer: deps.training,
    ...(deps.checkpoints ? { checkpoints: deps.checkpoints } : {}),
    readGraph: (absolutePath) => deps.files.read(absolutePath),
    ...(data ? { allowDataPath: (absolute: string) => data.allowData(absolute) } : {}),
  });
  const insights = new RunInsights(deps.training, evaluations);
  return {
    async signalPropagation({ path, ...request }) {
      const spec = request.config.data;
      if (!spec) return insights.signalPropagation(request);
      // A graph on the user's own data: its data resolved beside the open file, where the host may read.
      const graphFilePath = path ? await resolveGraphPath(path) : data?.unsavedGraphLocation;
      await data?.allowData(resolveDataPath(graphFilePath, spec.path));
      return insights.signalPropagation({ ...request, data: { spec, ...(graphFilePath !== undefined ? { graphFilePath } : {}) } });
    },
    async lossLandscape({ path, ...request }) {
      return insights.lossLandscape(request, path === null ? null : await resolveGraphPath(path));
    },
    async cancelInsight({ jobId }) {
      await insights.cancel(jobId);
    },
  };
}
