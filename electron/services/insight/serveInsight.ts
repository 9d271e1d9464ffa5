/**
 * The trainer process's side of the insight requests (`signalPropagation`, `lossLandscape`, `cancelInsight`):
 * serveTrainer hands them here with what they need from it — how to send, how to pick a backend, which model it holds
 * for a run, and its queue of model reads. A landscape works on its own copy of the model (the weights are moved while
 * it runs), so "Try it" and evaluation never see moved weights, and it yields between points so a cancel arrives.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { HostToTrainer, TrainerMessage } from '../../../shared/contracts/trainer';
import type { BackendPreference } from '../backends/selectBackend';
import { loadModelFromFiles } from '../evaluation/modelFromFiles';
import { modelToFiles } from '../training/modelFiles';
import { LandscapeCancelledError } from './lossLandscape';
import { runLossLandscape, runSignalPropagation } from './runInsight';

type InsightMessage = Extract<HostToTrainer, { type: 'signalPropagation' | 'lossLandscape' | 'cancelInsight' }>;

export interface InsightServerDeps {
  readonly send: (event: TrainerMessage) => void;
  readonly useBackend: (wanted: BackendPreference | undefined) => Promise<string>;
  /** The model the trainer holds for a run (a finished run's, or a loaded checkpoint), if any. */
  readonly heldModel: (runId: string) => tfl.LayersModel | undefined;
  /** Runs `job` after the model reads queued before it. */
  readonly enqueue: (job: () => Promise<void>) => void;
}

export function isInsightMessage(message: { type: string }): message is InsightMessage {
  return message.type === 'signalPropagation' || message.type === 'lossLandscape' || message.type === 'cancelInsight';
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function createInsightServer(deps: InsightServerDeps): (message: InsightMessage) => void {
  const running = new Map<number, AbortController>();

  const signal = (message: Extract<InsightMessage, { type: 'signalPropagation' }>) => {
    const { requestId } = message;
    deps.enqueue(async () => {
      try {
        await deps.useBackend(message.config.backend);
        const result = await runSignalPropagation(message.graph, message.config, message.data ?? message.dataset, message.samples);
        deps.send({ type: 'signalPropagated', requestId, result });
      } catch (error) {
        deps.send({ type: 'insightFailed', requestId, reason: messageOf(error) });
      }
    });
  };

  const landscape = (message: Extract<InsightMessage, { type: 'lossLandscape' }>) => {
    const { requestId, runId } = message;
    const abort = new AbortController();
    running.set(requestId, abort);
    deps.enqueue(async () => {
      let model: tfl.LayersModel | undefined;
      try {
        if (abort.signal.aborted) throw new LandscapeCancelledError();
        await deps.useBackend(message.backend);
        const held = message.files ? undefined : deps.heldModel(runId);
        if (!message.files && !held) {
          deps.send({ type: 'insightFailed', requestId, reason: `this trainer holds no model for run ${runId}`, needsModel: true });
          return;
        }
        model = await loadModelFromFiles(message.files ?? (await modelToFiles(held!)));
        const result = await runLossLandscape(model, message.data ?? message.dataset, {
          ...message.options,
          runId,
          signal: abort.signal,
          onProgress: (p) => deps.send({ type: 'landscapeProgress', requestId, ...p }),
        });
        deps.send({ type: 'landscapeComputed', requestId, landscape: result });
      } catch (error) {
        const cancelled = error instanceof LandscapeCancelledError;
        deps.send({ type: 'insightFailed', requestId, reason: cancelled ? 'cancelled' : messageOf(error), ...(cancelled ? { cancelled } : {}) });
      } finally {
        running.delete(requestId);
        model?.dispose();
      }
    });
  };

  return (message) => {
    if (message.type === 'signalPropagation') signal(message);
    else if (message.type === 'lossLandscape') landscape(message);
    else running.get(message.requestId)?.abort();
  };
}
