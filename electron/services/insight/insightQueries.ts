/**
 * Insight questions as the hosts ask them of the trainer (TrainerSupervisor implements them): signal propagation of
 * a graph at initialisation, and a loss landscape slice around a run's model, with progress and cancel by job id.
 */
import type { InsightProgress, LandscapeOptions, LossLandscape, SignalPropagation } from '../../../shared/contracts/insight';
import type { GraphDocument } from '../../../shared/document/model';
import type { TrainingConfig } from '../../../shared/format/trainingConfig';
import type { DatasetRef, InsightReply, ModelFile, UserDataRef } from '../../../shared/contracts/trainer';
import { PendingRequests } from '../training/exportRequests';

/** The graph as it is now (a store snapshot may be passed as is) and its training settings. */
export interface SignalRequest {
  readonly graph: GraphDocument;
  readonly config: TrainingConfig;
  readonly dataset?: DatasetRef;
  /** The graph trains on the user's own data: `config.data` and where its relative path resolves. */
  readonly data?: UserDataRef;
  readonly samples?: number;
}

export interface LandscapeModelRequest {
  readonly runId: string;
  /** The renderer's handle: progress events carry it and `cancelInsight` names it. */
  readonly jobId: string;
  /** Read when the trainer holds no model for the run: the run's checkpoint files (throws saying why there are none). */
  readonly modelFiles: () => Promise<ModelFile[] | undefined>;
  /** The run's own dataset: the evaluation batch is drawn from its training split. */
  readonly dataset: DatasetRef;
  /** The run trained on the user's own data: the batch is drawn from that data's training split. */
  readonly data?: UserDataRef;
  readonly backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  readonly options?: LandscapeOptions;
}

export interface InsightQueries {
  signalPropagation(request: SignalRequest): Promise<SignalPropagation>;
  lossLandscape(request: LandscapeModelRequest): Promise<LossLandscape>;
  /** Cancels a landscape in progress (its promise rejects with InsightCancelled); unknown or ended jobs are ignored. */
  cancelInsight(jobId: string): Promise<void>;
  onInsightProgress(listener: (progress: InsightProgress) => void): () => void;
}

/** A refused or cancelled insight request; `needsModel`: the trainer wants the model's files. */
export class InsightRequestError extends Error {
  constructor(
    message: string,
    readonly needsModel: boolean,
    readonly cancelled: boolean,
  ) {
    super(message);
    this.name = cancelled ? 'InsightCancelled' : 'InsightRequestError';
  }
}

/** Pending insight requests: their own id space, since their replies have their own types. */
export class InsightRequests extends PendingRequests<InsightReply> {
  settle(reply: InsightReply): void {
    if (reply.type === 'insightFailed') this.fail(reply.requestId, new InsightRequestError(reply.reason, reply.needsModel === true, reply.cancelled === true));
    else this.resolve(reply.requestId, reply);
  }
}

export function isInsightReply(message: { type: string }): message is InsightReply {
  return message.type === 'signalPropagated' || message.type === 'landscapeComputed' || message.type === 'insightFailed';
}
