/**
 * Requests to the trainer that wait for a reply (`exportModel`, `evaluate`, `predict`): pairs each reply with its
 * request by `requestId`, and fails every open request when the trainer dies or is retired.
 */
import type { EvaluationReply, ExportReply, ModelFile } from '../../../shared/contracts/trainer';

/** Open requests of one kind; each kind has its own ids, since its replies have their own message types. */
export class PendingRequests<T> {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: T) => void; reject: (error: Error) => void }>();

  /** A new request id and the promise its reply settles. */
  open(): { requestId: number; reply: Promise<T> } {
    const requestId = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => this.pending.set(requestId, { resolve, reject }));
    return { requestId, reply };
  }

  /** Resolves a request; unknown ids (a request already failed) are dropped. */
  resolve(requestId: number, value: T): void {
    const request = this.pending.get(requestId);
    this.pending.delete(requestId);
    request?.resolve(value);
  }

  /** Fails one request (e.g. it could not be sent, or the trainer refused it). */
  fail(requestId: number, reason: string | Error): void {
    const request = this.pending.get(requestId);
    this.pending.delete(requestId);
    request?.reject(typeof reason === 'string' ? new Error(reason) : reason);
  }

  /** The trainer is gone, and the model with it. */
  failAll(reason: string): void {
    for (const id of [...this.pending.keys()]) this.fail(id, reason);
  }
}

/** Pending `exportModel` requests. */
export class ExportRequests extends PendingRequests<ModelFile[]> {
  settle(reply: ExportReply): void {
    if (reply.type === 'exported') this.resolve(reply.requestId, reply.files);
    else this.fail(reply.requestId, `Cannot export the model of run ${reply.runId}: ${reply.reason}`);
  }
}

/** A refused `evaluate` / `predict`; `needsModel` says the trainer holds no model for the run and wants its files. */
export class TrainerRequestError extends Error {
  constructor(
    message: string,
    readonly needsModel: boolean,
  ) {
    super(message);
    this.name = 'TrainerRequestError';
  }
}

/** Pending `evaluate` and `predict` requests: one id space, since both are refused with `requestFailed`. */
export class EvaluationRequests extends PendingRequests<EvaluationReply> {
  settle(reply: EvaluationReply): void {
    if (reply.type === 'requestFailed') this.fail(reply.requestId, new TrainerRequestError(reply.reason, reply.needsModel === true));
    else this.resolve(reply.requestId, reply);
  }
}

export function isExportReply(message: { type: string }): message is ExportReply {
  return message.type === 'exported' || message.type === 'exportFailed';
}

export function isEvaluationReply(message: { type: string }): message is EvaluationReply {
  return message.type === 'evaluated' || message.type === 'predicted' || message.type === 'requestFailed';
}
