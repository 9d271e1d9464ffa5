/**
 * An in-memory trainer for the supervisor's tests: records what the host sends and lets a test script what the
 * "process" answers, writes and how it dies. Fast and deterministic; the real processes are tested through
 * TrainingHost (fork) and the shell's utilityProcess adapter.
 */
import type { HostToTrainer } from '../../../shared/contracts/trainer';
import type { LaunchTrainer, TrainerExit, TrainerTransport } from '../training/trainerTransport';

let nextPid = 41_000;

export class FakeTrainer implements TrainerTransport {
  readonly pid = nextPid++;
  readonly sent: HostToTrainer[] = [];
  readonly kills: ('terminate' | 'force')[] = [];
  /** A trainer stuck in a long kernel: it ignores `terminate`. */
  ignoresTerminate = false;
  /** A process that never reports its exit, even when killed outright. */
  neverExits = false;
  private gone = false;
  private readonly messageListeners: ((message: unknown) => void)[] = [];
  private readonly outputListeners: ((stream: 'stdout' | 'stderr', text: string) => void)[] = [];
  private readonly exitListeners: ((exit: TrainerExit) => void)[] = [];

  send(message: HostToTrainer): void {
    if (this.gone) throw new Error('Channel closed');
    this.sent.push(structuredClone(message)); // an IPC channel serializes on send
  }
  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }
  onOutput(listener: (stream: 'stdout' | 'stderr', text: string) => void): void {
    this.outputListeners.push(listener);
  }
  onExit(listener: (exit: TrainerExit) => void): void {
    this.exitListeners.push(listener);
  }
  kill(how: 'terminate' | 'force'): void {
    this.kills.push(how);
    if (this.neverExits || (how === 'terminate' && this.ignoresTerminate)) return;
    queueMicrotask(() => this.exit({ code: null, signal: how === 'force' ? 'SIGKILL' : 'SIGTERM' }));
  }

  // The trainer's side, driven by the test.

  /** The last message sent of `type` (throws if none, naming what was sent). */
  last<T extends HostToTrainer['type']>(type: T): Extract<HostToTrainer, { type: T }> {
    const found = [...this.sent].reverse().find((m) => m.type === type);
    if (!found) throw new Error(`no '${type}' was sent; sent: ${this.sent.map((m) => m.type).join(', ') || 'nothing'}`);
    return found as Extract<HostToTrainer, { type: T }>;
  }
  reply(message: unknown): void {
    for (const listener of this.messageListeners) listener(message);
  }
  write(stream: 'stdout' | 'stderr', text: string): void {
    for (const listener of this.outputListeners) listener(stream, text);
  }
  exit(exit: TrainerExit): void {
    if (this.gone) return;
    this.gone = true;
    for (const listener of this.exitListeners) listener(exit);
  }
}

/** A launcher that records every trainer it starts. */
export function fakeTrainers(): { launch: LaunchTrainer; trainers: FakeTrainer[]; latest(): FakeTrainer } {
  const trainers: FakeTrainer[] = [];
  return {
    trainers,
    launch: () => {
      const trainer = new FakeTrainer();
      trainers.push(trainer);
      return trainer;
    },
    latest() {
      const trainer = trainers.at(-1);
      if (!trainer) throw new Error('no trainer was launched');
      return trainer;
    },
  };
}
