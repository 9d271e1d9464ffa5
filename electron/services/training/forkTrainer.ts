/** The trainer as a plain Node child process (`child_process.fork`): the web host's, the benchmarks' and the tests'. */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TrainerExit, TrainerTransport } from './trainerTransport';

export interface ForkTrainerOptions {
  /** The trainer entry; defaults to trainerProcess.ts beside this file (run through tsx). */
  readonly entry?: string;
  /** Node flags for the child; defaults to `--import tsx` for a .ts entry. */
  readonly execArgv?: readonly string[];
}

export function forkTrainer(options: ForkTrainerOptions = {}): TrainerTransport {
  const entry = options.entry ?? fileURLToPath(new URL('./trainerProcess.ts', import.meta.url));
  const execArgv = options.execArgv ?? (entry.endsWith('.ts') ? ['--import', 'tsx'] : []);
  const child = fork(entry, [], {
    execArgv: [...execArgv],
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      child.send(message);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onOutput(listener) {
      child.stdout?.on('data', (chunk: Buffer) => listener('stdout', chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => listener('stderr', chunk.toString()));
    },
    onExit(listener) {
      let reported = false;
      const report = (exit: TrainerExit) => {
        if (reported) return;
        reported = true;
        listener(exit);
      };
      // 'close', not 'exit': it fires once stdout/stderr are drained, so the last words have been delivered.
      child.on('close', (code, signal) => report({ code, signal }));
      child.on('error', (error) => {
        report({ code: null, signal: null, error: error.message });
        // A broken channel leaves a process we can no longer steer: make sure it does not linger.
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
    },
    kill(how) {
      child.kill(how === 'force' ? 'SIGKILL' : 'SIGTERM');
    },
  };
}
