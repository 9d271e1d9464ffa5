/**
 * Pending `exportModel` requests of the trainer supervisor: pairs each trainer reply with its request by
 * `requestId`, and fails every open request when the trainer dies or is retired.
 */
import type { ExportReply, ModelFile } from '../../../shared/contracts/trainer';

export class ExportRequests {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (files: ModelFile[]) => void; reject: (error: Error) => void }>();

  /** A new request id and the promise its reply settles. */
  open(): { requestId: number; reply: Promise<ModelFile[]> } {
    const requestId = this.nextId++;
    const reply = new Promise<ModelFile[]>((resolve, reject) => this.pending.set(requestId, { resolve, reject }));
    return { requestId, reply };
  }

  /** Settles the request a reply answers; replies to unknown ids (a request already failed) are dropped. */
  settle(reply: ExportReply): void {
    const request = this.pending.get(reply.requestId);
    if (!request) return;
    this.pending.delete(reply.requestId);
    if (reply.type === 'exported') request.resolve(reply.files);
    else request.reject(new Error(`Cannot export the model of run ${reply.runId}: ${reply.reason}`));
  }

  /** Fails one request (e.g. it could not be sent). */
  fail(requestId: number, reason: string): void {
    const request = this.pending.get(requestId);
    this.pending.delete(requestId);
    request?.reject(new Error(reason));
  }

  /** The trainer is gone, and the model with it. */
  failAll(reason: string): void {
    for (const id of [...this.pending.keys()]) this.fail(id, reason);
  }
}

export function isExportReply(message: { type: string }): message is ExportReply {
  return message.type === 'exported' || message.type === 'exportFailed';
}
