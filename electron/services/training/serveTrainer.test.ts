import { describe, expect, it } from 'vitest';
import { trainerToHostSchema, type TrainerMessage } from '../../../shared/contracts/trainer';
import { graphHash } from '../../../shared/format/graphHash';
import { DEFAULT_TRAINING_CONFIG } from '../../../shared/format/trainingConfig';
import { XOR_MLP, readExample } from './referenceGraphs';
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

  it('evaluates its kept model and a checkpoint sent as files, and predicts with the last model it loaded', async () => {
    const trainer = memoryTrainer();
    const finished = trainer.next('finished');
    const boundary = trainer.next('boundary');
    trainer.send({ type: 'start', runId: 'r2', graph: XOR_MLP, dataset: { id: 'xor' }, config: { ...DEFAULT_TRAINING_CONFIG, backend: 'cpu', epochs: 3 } });
    expect(await boundary).toMatchObject({ runId: 'r2', epoch: 1, outputWidth: 2 });
    const done = await finished;
    if (done.type !== 'finished') throw new Error('unreachable');

    const ask = async (message: object, type: string) => {
      const reply = Promise.race([trainer.next(type), trainer.next('requestFailed')]);
      trainer.send(message);
      return reply;
    };
    const kept = await ask({ type: 'evaluate', runId: 'r2', requestId: 1, dataset: { id: 'xor' }, maxMistakes: 3 }, 'evaluated');
    if (kept.type !== 'evaluated' || kept.evaluation.task !== 'classification') throw new Error(`unexpected ${JSON.stringify(kept).slice(0, 200)}`);
    expect(kept.evaluation.metrics.accuracy).toBe(done.summary.final.testAccuracy);
    expect(kept.evaluation.mistakes.length).toBeLessThanOrEqual(3);

    const exported = Promise.race([trainer.next('exported'), trainer.next('exportFailed')]);
    trainer.send({ type: 'exportModel', runId: 'r2', requestId: 2 });
    const files = await exported;
    if (files.type !== 'exported') throw new Error('unreachable');

    // A run this trainer never kept: it asks for the files, then keeps them for the next predictions.
    const refused = await ask({ type: 'predict', runId: 'saved', requestId: 3, shape: [2], values: [1, 1] }, 'predicted');
    expect(refused).toMatchObject({ type: 'requestFailed', requestId: 3, needsModel: true });
    const first = await ask({ type: 'predict', runId: 'saved', requestId: 4, shape: [2], values: [1, 1, -1, 1], files: files.files }, 'predicted');
    expect(first).toMatchObject({ type: 'predicted', requestId: 4, outputWidth: 2 });
    const again = await ask({ type: 'predict', runId: 'saved', requestId: 5, shape: [2], values: [1, 1, -1, 1] }, 'predicted');
    expect(again).toMatchObject({ type: 'predicted', requestId: 5 });
    if (first.type !== 'predicted' || again.type !== 'predicted') throw new Error('unreachable');
    expect(again.outputs).toEqual(first.outputs);
    expect(first.outputs).toHaveLength(4);
    const checkpoint = await ask({ type: 'evaluate', runId: 'saved', requestId: 6, dataset: { id: 'xor' }, maxMistakes: 0 }, 'evaluated');
    if (checkpoint.type !== 'evaluated' || checkpoint.evaluation.task !== 'classification') throw new Error('unreachable');
    expect(checkpoint.evaluation.metrics.confusionMatrix).toEqual(kept.evaluation.metrics.confusionMatrix);
    expect(checkpoint.evaluation.mistakes).toEqual([]);

    const wrongShape = await ask({ type: 'predict', runId: 'saved', requestId: 7, shape: [3], values: [1, 2, 3] }, 'predicted');
    expect(wrongShape).toMatchObject({ type: 'requestFailed', reason: 'the model takes samples of shape 2, got 3' });
  }, 60_000);
});
