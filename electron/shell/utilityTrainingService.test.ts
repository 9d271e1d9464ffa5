/** The utilityProcess trainer adapter with a scripted stand-in for the child process. */
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunEvent } from '../../shared/contracts/api';
import { emptyDocument } from '../../shared/document/model';
import { DEFAULT_TRAINING_CONFIG } from '../../shared/format/trainingConfig';

class FakeChild extends EventEmitter {
  readonly posted: unknown[] = [];
  killed = false;
  stdout = new EventEmitter();
  stderr = new EventEmitter();
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  kill() {
    this.killed = true;
    this.emit('exit', 0);
    return true;
  }
}
const children: FakeChild[] = [];
vi.mock('electron', () => ({
  utilityProcess: {
    fork: vi.fn(() => {
      const child = new FakeChild();
      children.push(child);
      return child;
    }),
  },
}));

const { createUtilityTrainingService } = await import('./utilityTrainingService');
const request = { graph: emptyDocument(), config: DEFAULT_TRAINING_CONFIG, dataset: { id: 'xor' } };

describe('utilityProcess training service', () => {
  let events: RunEvent[];
  let service: ReturnType<typeof createUtilityTrainingService>;
  beforeEach(() => {
    children.length = 0;
    events = [];
    service = createUtilityTrainingService('/x/trainer.cjs', () => {});
    service.onRunEvent((e) => events.push(e));
  });

  it('forks the trainer on first start and posts a validated start message', async () => {
    const runId = await service.start(request);
    expect(children).toHaveLength(1);
    expect(children[0]!.posted[0]).toMatchObject({ type: 'start', runId, dataset: { id: 'xor' } });
    await expect(service.start(request)).rejects.toThrow(/already in progress/);
    await service.pause(runId);
    await service.stop('some-other-run');
    expect(children[0]!.posted.map((m) => (m as { type: string }).type)).toEqual(['start', 'pause']);
  });

  it('passes valid trainer events on, turns invalid ones into a failure', async () => {
    const runId = await service.start(request);
    children[0]!.emit('message', { type: 'resumed', runId });
    children[0]!.emit('message', { type: 'batch', runId, loss: 'NaN' });
    expect(events[0]).toEqual({ runId, event: { type: 'resumed', runId } });
    expect(events[1]?.event).toMatchObject({ type: 'failed', runId, reason: expect.stringMatching(/invalid message/) });
  });

  it('reports a dead trainer as a failed run, and the next start forks a fresh one', async () => {
    const runId = await service.start(request);
    children[0]!.emit('exit', 9);
    expect(events.at(-1)?.event).toEqual({ type: 'failed', runId, reason: 'trainer process exited unexpectedly (exit code 9)' });
    await service.start(request);
    expect(children).toHaveLength(2);
  });

  it('dispose ends the trainer without reporting a failure', async () => {
    await service.start(request);
    await service.dispose();
    expect(children[0]!.killed).toBe(true);
    expect(events.filter((e) => e.event.type === 'failed')).toHaveLength(0);
    await expect(service.start(request)).rejects.toThrow(/closing/);
  });
});
