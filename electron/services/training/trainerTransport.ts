/**
 * What the trainer supervisor needs from a trainer process, whatever started it: a Node child (`child_process.fork`,
 * see forkTrainer.ts) or Electron's utilityProcess (electron/shell/utilityTrainingService.ts). Implementations only adapt
 * an API to this shape; validation, run bookkeeping, crash reports and shutdown live once, in TrainerSupervisor.
 */
import type { HostToTrainer } from '../../../shared/contracts/trainer';

/** How a trainer process ended. */
export interface TrainerExit {
  /** Exit code, or null when a signal ended it (or it never ran). */
  readonly code: number | null;
  /** The signal that ended it, e.g. `SIGKILL`, or null. */
  readonly signal: string | null;
  /** Set when the process could not be started or its channel broke. */
  readonly error?: string;
}

export interface TrainerTransport {
  /** The process id (diagnostics, tests); undefined if the process never started. */
  readonly pid: number | undefined;
  /**
   * Sends one message. Implementations serialize it before returning (both IPC channels do), so the caller may
   * change its objects afterwards without the trainer seeing it.
   */
  send(message: HostToTrainer): void;
  /** Every message the trainer sends, unvalidated. */
  onMessage(listener: (message: unknown) => void): void;
  /** Text the process writes, in chunks as they arrive (not split into lines). */
  onOutput(listener: (stream: 'stdout' | 'stderr', text: string) => void): void;
  /**
   * Called once when the process is gone, after its output has been delivered, so a crash report can quote the
   * process's last words (V8 prints "heap out of memory" just before it aborts).
   */
  onExit(listener: (exit: TrainerExit) => void): void;
  /** `terminate` asks the process to end (SIGTERM); `force` kills it outright (SIGKILL). */
  kill(how: 'terminate' | 'force'): void;
}

/** Starts a fresh trainer process. The supervisor calls it on first use and again after a trainer died. */
export type LaunchTrainer = () => TrainerTransport;

interface EndingStream {
  once(event: 'end' | 'close', listener: () => void): unknown;
  readonly readableEnded?: boolean;
}

/**
 * Delays an exit report until the process's output streams have ended (or `graceMs` passed), for process APIs whose
 * exit event can overtake the last output chunks.
 */
export function exitAfterOutput(streams: readonly (EndingStream | null | undefined)[], report: () => void, graceMs = 1_000): () => void {
  const open = streams.filter((s): s is EndingStream => !!s && !s.readableEnded);
  let pending = open.length;
  let exited = false;
  let done = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finish = () => {
    if (done) return;
    done = true;
    if (timer) clearTimeout(timer);
    report();
  };
  for (const stream of open) {
    let ended = false;
    const onEnd = () => {
      if (ended) return;
      ended = true;
      pending--;
      if (exited && pending === 0) finish();
    };
    stream.once('end', onEnd);
    stream.once('close', onEnd);
  }
  return () => {
    exited = true;
    if (pending === 0) finish();
    else timer = setTimeout(finish, graceMs);
  };
}
