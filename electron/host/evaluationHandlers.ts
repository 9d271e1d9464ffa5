/**
 * The evaluation methods of the LabApi, the same in both hosts: each host only says how a request's `path` becomes
 * an absolute path it may read (the web host confines it to its folders, Electron to files the user opened).
 */
import type { ApiHandlers } from '../../shared/contracts/api';
import { RunEvaluations, datasetSamples } from '../services/evaluation/runEvaluations';
import type { LabServices } from './labServices';

export type EvaluationHandlers = Pick<ApiHandlers, 'evaluateRun' | 'predict' | 'datasetSamples'>;

export function createEvaluationHandlers(
  deps: Pick<LabServices, 'training' | 'checkpoints' | 'files'>,
  resolveGraphPath: (path: string) => Promise<string>,
  /** Which data of a run (on the user's own data) the host may read; absent: any. */
  allowDataPath?: (absolute: string) => Promise<void>,
): EvaluationHandlers {
  const evaluations = new RunEvaluations({
    trainer: deps.training,
    ...(deps.checkpoints ? { checkpoints: deps.checkpoints } : {}),
    readGraph: (absolutePath) => deps.files.read(absolutePath),
    ...(allowDataPath ? { allowDataPath } : {}),
  });
  const absolute = async (path: string | null) => (path === null ? null : resolveGraphPath(path));
  return {
    async evaluateRun({ runId, path, maxMistakes }) {
      return evaluations.evaluateRun(runId, await absolute(path), maxMistakes);
    },
    async predict({ runId, path, shape, values }) {
      return evaluations.predict(runId, await absolute(path), shape, values);
    },
    async datasetSamples(request) {
      return request.run ? evaluations.datasetSamples(request, await absolute(request.run.path)) : datasetSamples(request);
    },
  };
}
