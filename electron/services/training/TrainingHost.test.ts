import { afterAll, describe, expect, it } from 'vitest';
import type { TrainerEvent } from '../../../shared/contracts/trainer';
import { DEFAULT_TRAINING_CONFIG, type TrainingConfig } from '../../../shared/format/trainingConfig';
import { SPIRALS_MLP, XOR_MLP } from './referenceGraphs';
import { TrainingHost } from './TrainingHost';

const host = new TrainingHost();
afterAll(() => host.dispose());

function config(patch: Partial<TrainingConfig>): TrainingConfig {
  return { ...DEFAULT_TRAINING_CONFIG, backend: 'cpu', ...patch };
}

/** Resolves with the first event matching `predicate` (and all events seen until then). */
function waitFor(predicate: (e: TrainerEvent) => boolean, timeoutMs = 30_000): Promise<{ event: TrainerEvent; seen: TrainerEvent[] }> {
  const seen: TrainerEvent[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out; saw ${seen.map((e) => e.type).join(', ')}`));
    }, timeoutMs);
    const off = host.onEvent((e) => {
      seen.push(e);
      if (predicate(e)) {
        clearTimeout(timer);
        off();
        resolve({ event: e, seen });
      }
    });
  });
}

describe('TrainingHost', () => {
  it('runs a training in a child process and streams validated events', async () => {
    const done = waitFor((e) => e.type === 'finished' || e.type === 'failed');
    const runId = host.start({ graph: XOR_MLP, config: config({ dataset: 'xor', epochs: 15, learningRate: 0.05 }) });
    const { event, seen } = await done;
    expect(event.type).toBe('finished');
    if (event.type !== 'finished') return;
    expect(event.runId).toBe(runId);
    expect(event.summary.status).toBe('completed');
    expect(event.summary.final.accuracy).toBe(1);
    expect(seen[0]).toMatchObject({ type: 'started', runId, trainSize: 256, valSize: 64, testSize: 80, backend: { name: 'cpu' } });
    expect(seen.filter((e) => e.type === 'epoch')).toHaveLength(15);
    expect(host.currentRunId).toBeUndefined();
  });

  it('pauses, resumes and stops at batch boundaries', async () => {
    const cfg = config({ dataset: 'spirals', epochs: 500, batchSize: 8 });
    const firstBatch = waitFor((e) => e.type === 'batch');
    const runId = host.start({ graph: SPIRALS_MLP, config: cfg });
    await firstBatch;
    const paused = waitFor((e) => e.type === 'paused');
    host.pause(runId);
    await paused;
    // Nothing trains while paused.
    const quiet = waitFor((e) => e.type === 'batch' || e.type === 'epoch', 300).catch(() => 'quiet');
    expect(await quiet).toBe('quiet');
    const resumed = waitFor((e) => e.type === 'resumed');
    host.resume(runId);
    await resumed;
    const finished = waitFor((e) => e.type === 'finished');
    host.stop(runId);
    const { event } = await finished;
    expect(event.type === 'finished' && event.summary.status).toBe('stopped');
  });

  it('reports a killed trainer as failed and starts the next run in a fresh process', async () => {
    const firstBatch = waitFor((e) => e.type === 'batch');
    const runId = host.start({ graph: SPIRALS_MLP, config: config({ dataset: 'spirals', epochs: 500 }) });
    await firstBatch;
    const pid = host.trainerPid!;
    const failed = waitFor((e) => e.type === 'failed');
    process.kill(pid, 'SIGKILL');
    const { event } = await failed;
    expect(event).toMatchObject({ type: 'failed', runId, reason: 'trainer process exited unexpectedly (signal SIGKILL)' });
    expect(host.currentRunId).toBeUndefined();

    const next = waitFor((e) => e.type === 'finished' || e.type === 'failed');
    host.start({ graph: XOR_MLP, config: config({ dataset: 'xor', epochs: 2 }) });
    const after = await next;
    expect(after.event.type).toBe('finished');
    expect(host.trainerPid).not.toBe(pid);
  });

  it('turns setup problems into failed events and refuses invalid requests', async () => {
    const failed = waitFor((e) => e.type === 'failed');
    host.start({ graph: XOR_MLP, config: config({ dataset: 'mnist', epochs: 1 }) });
    const { event } = await failed;
    expect(event.type === 'failed' && event.reason).toContain("Input 'input' is 2 but dataset 'mnist' gives 28×28×1");
    expect(() => host.start({ graph: XOR_MLP, config: { ...config({}), epochs: 0 } })).toThrow(/Invalid start request: config.epochs/);
    expect(() => host.start({ graph: XOR_MLP, config: config({}), dataset: { id: 'xor', options: { samples: 2 } } })).toThrow(/samples/);
  });

  it('dispose ends the trainer and reports the active run as shut down', async () => {
    const own = new TrainingHost();
    const events: TrainerEvent[] = [];
    own.onEvent((e) => events.push(e));
    const firstBatch = new Promise<void>((resolve) => own.onEvent((e) => e.type === 'batch' && resolve()));
    const runId = own.start({ graph: SPIRALS_MLP, config: config({ dataset: 'spirals', epochs: 500 }) });
    await firstBatch;
    await own.dispose();
    expect(events.at(-1)).toEqual({ type: 'failed', runId, reason: 'the trainer process was shut down' });
    expect(() => own.start({ graph: XOR_MLP, config: config({}) })).toThrow('disposed');
  });

  it('names an out-of-memory death of the trainer', async () => {
    // A 48 MB heap cannot hold MNIST: V8 aborts the child, as a real OOM would.
    const own = new TrainingHost({ execArgv: ['--import', 'tsx', '--max-old-space-size=48'] });
    const failed = new Promise<TrainerEvent>((resolve) => own.onEvent((e) => e.type === 'failed' && resolve(e)));
    own.start({ graph: XOR_MLP, config: config({ dataset: 'mnist' }) });
    const event = await failed;
    expect(event.type === 'failed' && event.reason).toMatch(/^trainer process exited unexpectedly \(signal SIGABRT\): .*heap out of memory/);
    await own.dispose();
  });
});
