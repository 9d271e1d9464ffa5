import type { ImageFolderProgress, ImageFolderProgressListener } from './types';

/** Calls the listener at most every `everyMs` (and always for the last file), with an ETA once 2 % or 20 files are done. */
export function progressReporter(listener: ImageFolderProgressListener | undefined, total: number, everyMs = 100) {
  const start = performance.now();
  let last = -Infinity;
  return {
    listing(found: number) {
      if (!listener) return;
      const now = performance.now();
      if (now - last < everyMs) return;
      last = now;
      listener({ phase: 'listing', done: found, total: 0, elapsedMs: Math.round(now - start) });
    },
    reading(done: number) {
      if (!listener) return;
      const now = performance.now();
      if (done < total && now - last < everyMs) return;
      last = now;
      const elapsedMs = Math.round(now - start);
      const progress: ImageFolderProgress =
        done >= Math.max(20, total * 0.02) && done > 0
          ? { phase: 'reading', done, total, elapsedMs, etaMs: Math.round((elapsedMs / done) * (total - done)) }
          : { phase: 'reading', done, total, elapsedMs };
      listener(progress);
    },
  };
}

/** An AbortSignal, or anything with `aborted` (shared/data/dataSpec.ts HashImageFolder takes that). */
export type AbortLike = { readonly aborted: boolean; readonly reason?: unknown };

/** Throws the signal's reason (an AbortError DOMException by default) once it is aborted. */
export function throwIfAborted(signal: AbortLike | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof Error ? signal.reason : new DOMException('The scan was cancelled', 'AbortError');
}

/** Runs `work` over 0..count-1 with at most `concurrency` in flight, in order of start; checks `signal` before each. */
export async function forEachConcurrent(count: number, concurrency: number, work: (i: number) => Promise<void>, signal?: AbortLike): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      throwIfAborted(signal);
      const i = next++;
      await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  throwIfAborted(signal);
}
