/** The utilityProcess trainer adapter with a scripted stand-in for the child process. */
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

  it('exports by asking the trainer for the bytes, writes them itself, and keeps the replies out of run events', async () => {
    const runId = await service.start(request);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'nb-utility-export-'));
    try {
      await expect(service.exportModel(runId, dir)).rejects.toThrow(/still training/);
      // The run ends (any end will do for the adapter; the trainer decides whether it kept a model).
      children[0]!.emit('message', { type: 'failed', runId, reason: 'ended' });
      const pending = service.exportModel(runId, path.join(dir, 'model'));
      const asked = children[0]!.posted.at(-1) as { type: string; runId: string; requestId: number };
      expect(asked).toEqual({ type: 'exportModel', runId, requestId: expect.any(Number) });
      const eventsBefore = events.length;
      children[0]!.emit('message', {
        type: 'exported',
        runId,
        requestId: asked.requestId,
        files: [
          { name: 'model.json', bytes: new TextEncoder().encode('{"m":1}') },
          { name: 'weights.bin', bytes: new Uint8Array([9, 8]) },
        ],
      });
      expect(await pending).toEqual([path.join(dir, 'model', 'model.json'), path.join(dir, 'model', 'weights.bin')]);
      expect(readFileSync(path.join(dir, 'model', 'model.json'), 'utf8')).toBe('{"m":1}');
      expect([...readFileSync(path.join(dir, 'model', 'weights.bin'))]).toEqual([9, 8]);
      expect(events).toHaveLength(eventsBefore);

      const refused = service.exportModel(runId, dir);
      const second = children[0]!.posted.at(-1) as { requestId: number };
      children[0]!.emit('message', { type: 'exportFailed', runId, requestId: second.requestId, reason: 'no trained model is kept for it' });
      await expect(refused).rejects.toThrow(`Cannot export the model of run ${runId}: no trained model is kept for it`);

      const orphaned = service.exportModel(runId, dir);
      children[0]!.emit('exit', 9);
      await expect(orphaned).rejects.toThrow(/trainer process ended before the model was exported/);
      await expect(service.exportModel(runId, dir)).rejects.toThrow(/no longer holds it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
