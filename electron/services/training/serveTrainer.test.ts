import { describe, expect, it } from 'vitest';
import { trainerToHostSchema, type TrainerMessage } from '../../../shared/contracts/trainer';
import { graphHash } from '../../../shared/format/graphHash';
import { readExample } from './referenceGraphs';
import { serveTrainer } from './serveTrainer';
import type { TrainerPort } from './trainerPort';

/** A trainer served over an in-memory port: what the host would send and receive. */
function memoryTrainer() {
  const received: TrainerMessage[] = [];
  let deliver: ((message: unknown) => void) | undefined;
  const waiters: { type: string; resolve: (m: TrainerMessage) => void }[] = [];
  const port: TrainerPort = {
    post: (message) => {
      const parsed = trainerToHostSchema.parse(message);
      received.push(parsed);
      for (const w of waiters.filter((w) => w.type === parsed.type)) w.resolve(parsed);
    },
    onMessage: (listener) => (deliver = listener),
  };
  serveTrainer(port);
  return {
    received,
    send: (message: unknown) => deliver!(message),
    next: (type: string) => new Promise<TrainerMessage>((resolve) => waiters.push({ type, resolve })),
  };
}

describe('serveTrainer', () => {
  it('reports a diverging run as failed with the diverged reason and a valid summary, and keeps no model of it', async () => {
    const trainer = memoryTrainer();
    const file = await readExample('spirals.nbrick');
    const ended = Promise.race([trainer.next('failed'), trainer.next('finished')]);
    trainer.send({
      type: 'start',
      runId: 'r1',
      graph: file.graph,
      dataset: { id: 'spirals' },
      config: { ...file.training, backend: 'wasm', learningRate: 10, optimizer: 'sgd' },
    });
    const event = await ended;
    expect(event).toMatchObject({ type: 'failed', runId: 'r1', epoch: 1, summary: { status: 'failed' } });
    if (event.type !== 'failed') throw new Error('unreachable');
    expect(event.reason).toMatch(/^Training diverged: .*Try a lower learning rate/);
    expect(event.summary?.error).toBe(event.reason);
    // A diverged model is not kept, so its record claims no checkpoint (it still names the graph it trained).
    expect(event.summary?.checkpoint).toBeUndefined();
    expect(event.summary?.graphHash).toBe(graphHash(file.graph));
    expect(trainer.received.some((m) => m.type === 'finished')).toBe(false);
    const exportFailed = trainer.next('exportFailed');
    trainer.send({ type: 'exportModel', runId: 'r1', requestId: 1 });
    expect(await exportFailed).toMatchObject({ reason: expect.stringContaining('no trained model is kept') });
  }, 60_000);

  it('marks a finished run whose model it keeps with checkpoint: true and the hash of the graph it trained', async () => {
    const trainer = memoryTrainer();
    const file = await readExample('xor.nbrick');
    const finished = trainer.next('finished');
    trainer.send({ type: 'start', runId: 'r2', graph: file.graph, dataset: { id: 'xor' }, config: { ...file.training, backend: 'cpu', epochs: 2 } });
    const event = await finished;
    if (event.type !== 'finished') throw new Error('unreachable');
    expect(event.summary).toMatchObject({ status: 'completed', checkpoint: true, graphHash: graphHash(file.graph) });
  }, 60_000);
});
