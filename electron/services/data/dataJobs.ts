/**
 * Long data requests of the app (issue 14: inspecting or proposing from a big table or image folder) as jobs the page
 * names: their progress goes to listeners (the hosts forward it as the `dataProgress` event) at most every
 * {@link DATA_PROGRESS_GAP_MS}, and `cancel(jobId)` aborts one between two of its steps (its request then rejects with
 * an AbortError naming the job).
 */
import type { DataProgress } from '../../../shared/contracts/data';

export const DATA_PROGRESS_GAP_MS = 100;

export interface DataJob {
  readonly signal: AbortSignal;
  readonly onProgress: (progress: { readonly fraction?: number; readonly message: string }) => void;
}

export class DataJobs {
  private readonly running = new Map<string, AbortController>();
  private readonly listeners = new Set<(progress: DataProgress) => void>();

  /** Runs `work` as job `jobId` (no id: not cancellable, no progress). Two jobs may not share an id. */
  async run<T>(jobId: string | undefined, work: (job: DataJob | undefined) => Promise<T>): Promise<T> {
    if (jobId === undefined) return work(undefined);
    if (this.running.has(jobId)) throw new Error(`A data job with id ${jobId} is already running`);
    const abort = new AbortController();
    this.running.set(jobId, abort);
    const started = performance.now();
    let last = -Infinity;
    const onProgress: DataJob['onProgress'] = (p) => {
      const now = performance.now();
      if (now - last < DATA_PROGRESS_GAP_MS && p.fraction !== 1) return;
      last = now;
      this.emit({ jobId, ...(p.fraction !== undefined ? { fraction: Math.min(1, Math.max(0, p.fraction)) } : {}), message: p.message, elapsedMs: now - started });
    };
    try {
      return await work({ signal: abort.signal, onProgress });
    } catch (error) {
      if (abort.signal.aborted) throw Object.assign(new Error(`Data job ${jobId} was cancelled`), { name: 'AbortError' });
      throw error;
    } finally {
      this.running.delete(jobId);
    }
  }

  /** Aborts a running job; unknown or ended ids are ignored. */
  cancel(jobId: string): void {
    this.running.get(jobId)?.abort();
  }

  onProgress(listener: (progress: DataProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(progress: DataProgress): void {
    for (const listener of this.listeners) listener(progress);
  }
}
