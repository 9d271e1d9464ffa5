/** The utilityProcess adapter, with a scripted stand-in for Electron's child: it only maps Electron's API. */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../shared/contracts/api';
import { emptyDocument } from '../../shared/document/model';
import { DEFAULT_TRAINING_CONFIG } from '../../shared/format/trainingConfig';
import type { TrainerExit } from '../services/training/trainerTransport';

class FakeUtilityChild extends EventEmitter {
  readonly pid = 987_654;
  readonly posted: unknown[] = [];
  kills = 0;
  stdout = new PassThrough();
  stderr = new PassThrough();
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  kill() {
    this.kills++;
    return true;
  }
  /** Electron's order at a crash: 'exit' first, the last output chunks after it. */
  crash(code: number, lastWords: string) {
    this.emit('exit', code);
    this.stderr.end(lastWords);
    this.stdout.end();
  }
}
const children: FakeUtilityChild[] = [];
const fork = vi.fn((..._args: unknown[]) => {
  const child = new FakeUtilityChild();
  children.push(child);
  return child;
});
vi.mock('electron', () => ({ utilityProcess: { fork: (...args: unknown[]) => fork(...args) } }));

const { createUtilityTrainingService, utilityTrainer } = await import('./utilityTrainingService');
const request = { graph: emptyDocument(), config: DEFAULT_TRAINING_CONFIG, dataset: { id: 'xor' } };

beforeEach(() => {
  children.length = 0;
  fork.mockClear();
});
afterEach(() => vi.restoreAllMocks());

describe('utilityTrainer (the transport)', () => {
  it('maps messages, output and kills onto utilityProcess', async () => {
    const transport = utilityTrainer('/x/trainer.cjs');
    expect(fork).toHaveBeenCalledWith('/x/trainer.cjs', [], { serviceName: 'Neural Bricks trainer', stdio: 'pipe' });
    const child = children[0]!;
    expect(transport.pid).toBe(child.pid);
    transport.send({ type: 'pause', runId: 'r' });
    expect(child.posted).toEqual([{ type: 'pause', runId: 'r' }]);
    const received: unknown[] = [];
    const output: string[] = [];
    transport.onMessage((m) => received.push(m));
    transport.onOutput((stream, text) => output.push(`${stream}:${text}`));
    child.emit('message', { type: 'resumed', runId: 'r' });
    child.stdout.write('hello');
    child.stderr.write('oops');
    await new Promise((resolve) => setImmediate(resolve));
    expect(received).toEqual([{ type: 'resumed', runId: 'r' }]);
    expect(output).toEqual(['stdout:hello', 'stderr:oops']);
    transport.kill('terminate');
    expect(child.kills).toBe(1);
    const killed = vi.spyOn(process, 'kill').mockImplementation(() => true);
    transport.kill('force');
    expect(killed).toHaveBeenCalledWith(child.pid, 'SIGKILL');
  });

  it('reports the exit only after the output that followed it', async () => {
    const transport = utilityTrainer('/x/trainer.cjs');
    const seen: string[] = [];
    transport.onOutput((_, text) => seen.push(text));
    const exited = new Promise<TrainerExit>((resolve) => transport.onExit(resolve));
    children[0]!.crash(134, 'FATAL ERROR: heap out of memory\n');
    expect(await exited).toEqual({ code: 134, signal: null });
    expect(seen).toEqual(['FATAL ERROR: heap out of memory\n']);
  });
});

describe('createUtilityTrainingService (the supervisor over utilityProcess)', () => {
  let events: RunEvent[];
  let logs: string[];
  let service: ReturnType<typeof createUtilityTrainingService>;
  beforeEach(() => {
    events = [];
    logs = [];
    service = createUtilityTrainingService('/x/trainer.cjs', (line) => logs.push(line));
    service.onRunEvent((e) => events.push(e));
  });

  it('starts runs with the one run-id format and refuses unknown run ids', async () => {
    const runId = await service.start(request);
    expect(runId).toMatch(new RegExp(`^run-.+-${process.pid}-\\d+$`));
    expect(children[0]!.posted[0]).toMatchObject({ type: 'start', runId, dataset: { id: 'xor' } });
    await expect(service.stop('some-other-run')).rejects.toThrow('No run some-other-run');
  });

  it('reports a dead trainer with its last words, and logs its output', async () => {
    const runId = await service.start(request);
    const failed = new Promise<RunEvent>((resolve) => service.onRunEvent((e) => e.event.type === 'failed' && resolve(e)));
    children[0]!.crash(134, 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n');
    expect((await failed).event).toEqual({
      type: 'failed',
      runId,
      reason: 'trainer process exited unexpectedly (exit code 134): FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
    });
    expect(logs).toContain('[trainer] FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
  });
});
