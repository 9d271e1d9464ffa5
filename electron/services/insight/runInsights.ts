/**
 * Insight requests as the hosts see them (no tfjs here: the trainer computes). A loss landscape needs what an
 * evaluation needs — which data the run trained on and its model — so it asks RunEvaluations for both.
 */
import type { InsightProgress, LossLandscape, LossLandscapeRequest, SignalPropagation } from '../../../shared/contracts/insight';
import type { RunEvaluations } from '../evaluation/runEvaluations';
import type { InsightQueries, SignalRequest } from './insightQueries';

export class RunInsights {
  constructor(
    private readonly trainer: Partial<InsightQueries>,
    private readonly evaluations: Pick<RunEvaluations, 'sourceOf' | 'checkpointFiles' | 'assertDataUnchanged'>,
  ) {}

  async signalPropagation(request: SignalRequest): Promise<SignalPropagation> {
    const { signalPropagation } = this.trainer;
    if (!signalPropagation) throw new Error('This host cannot compute signal propagation: its trainer does not answer it');
    return signalPropagation.call(this.trainer, request);
  }

  /** `graphFilePath`: the open file (absolute), null for a graph never saved. Errors name the run. */
  async lossLandscape(request: Omit<LossLandscapeRequest, 'path'>, graphFilePath: string | null): Promise<LossLandscape> {
    const { lossLandscape } = this.trainer;
    if (!lossLandscape) throw new Error('This host cannot compute loss landscapes: its trainer does not answer them');
    const { runId } = request;
    const source = await this.evaluations.sourceOf(runId, graphFilePath);
    await this.evaluations.assertDataUnchanged(runId, source);
    return lossLandscape.call(this.trainer, {
      runId,
      jobId: request.jobId,
      dataset: source.dataset,
      ...(source.data ? { data: source.data } : {}),
      modelFiles: () => this.evaluations.checkpointFiles(runId, graphFilePath),
      ...(source.backend ? { backend: source.backend } : {}),
      ...(request.options ? { options: request.options } : {}),
    });
  }

  async cancel(jobId: string): Promise<void> {
    await this.trainer.cancelInsight?.call(this.trainer, jobId);
  }

  onProgress(listener: (progress: InsightProgress) => void): () => void {
    return this.trainer.onInsightProgress?.call(this.trainer, listener) ?? (() => undefined);
  }
}
