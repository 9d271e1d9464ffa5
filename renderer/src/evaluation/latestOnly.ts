/**
 * Runs `work` with the newest value at most once per `intervalMs`: values arriving in between replace each other,
 * and the last one is always run. Live boundary frames come faster than they are worth drawing.
 */
export interface LatestOnly<T> {
  push(value: T): void;
  cancel(): void;
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function latestOnly<T>(work: (value: T) => void, intervalMs: number, timers: Timers = realTimers): LatestOnly<T> {
  let last = -Infinity;
  let pending: { value: T } | undefined;
  let timer: unknown;
  const run = () => {
    timer = undefined;
    if (!pending) return;
    const { value } = pending;
    pending = undefined;
    last = timers.now();
    work(value);
  };
  return {
    push(value) {
      pending = { value };
      if (timer !== undefined) return;
      const wait = last + intervalMs - timers.now();
      if (wait <= 0) run();
      else timer = timers.setTimeout(run, wait);
    },
    cancel() {
      pending = undefined;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
    },
  };
}
