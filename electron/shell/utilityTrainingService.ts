/**
 * Training in Electron: the trainer supervisor (electron/services/training/TrainerSupervisor.ts) over a
 * utilityProcess (a Node child managed by Electron, no window, own memory). This file only adapts Electron's API
 * to the trainer transport; validation, run ids, crash reports and shutdown are the supervisor's.
 */
import { utilityProcess } from 'electron';
import { TrainerSupervisor } from '../services/training/TrainerSupervisor';
import { exitAfterOutput, type TrainerTransport } from '../services/training/trainerTransport';
import type { TrainingService } from '../host/labServices';

export function utilityTrainer(trainerEntry: string): TrainerTransport {
  const child = utilityProcess.fork(trainerEntry, [], { serviceName: 'Neural Bricks trainer', stdio: 'pipe' });
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onOutput(listener) {
      child.stdout?.on('data', (chunk: Buffer) => listener('stdout', chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => listener('stderr', chunk.toString()));
    },
    onExit(listener) {
      // utilityProcess has no 'close': its 'exit' may come before the last output chunks.
      let code: number | null = null;
      const exited = exitAfterOutput([child.stdout, child.stderr], () => listener({ code, signal: null }));
      child.once('exit', (exitCode: number) => {
        code = exitCode;
        exited();
      });
    },
    kill(how) {
      // utilityProcess.kill() is a SIGTERM; a forced end goes through the pid.
      if (how === 'force' && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      else child.kill();
    },
  };
}

export function createUtilityTrainingService(trainerEntry: string, log: (line: string) => void): TrainingService {
  return new TrainerSupervisor(() => utilityTrainer(trainerEntry), { onLog: (line) => log(`[trainer] ${line}`) });
}
